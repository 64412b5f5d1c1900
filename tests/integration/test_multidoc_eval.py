"""The multi-document evaluation sets, each against its own corpus (letter + linked documents in
the formats users bring), with the real e5 model and embedded Chroma: the floors reached today.

One ingest per corpus for the whole session. The floors are what the code reaches (issue 11's
targets are higher where the README says so); a drop below them is a regression.
"""

from __future__ import annotations

import pytest

from devtools import evaluate
from assistant.config import PROJECT_ROOT, Settings
from tests.conftest import home_with_models

pytestmark = pytest.mark.integration

EVAL = PROJECT_ROOT / "eval"
SETS = {
    "multidoc": EVAL / "multidoc",
    "own_multidoc": EVAL / "own_multidoc",
}
# Floors as measured (`assistant eval --corpus`, 3 Dec 2026, eleventh session), below issue 11's
# targets (recall@1 0.9, recall@5 0.98, MRR 0.93, accuracy 0.9, citation hit 0.95, refusals 0.9,
# false refusals 0.05):
# multidoc 0.818/0.955/0.879, answers 1.0, citations 1.0, refusals 0.875, false refusals 0.0;
# own_multidoc 0.864/0.955/0.909, answers 0.955, citations 0.955, refusals 0.875, false refusals 0.0;
# claims 1.0 on both. The shared recall@1 floor was 0.85 until a question naming "de Nationale
# Technologiestrategie" was scoped to that Kamerstuk, where its source ranks second (README, change 20).
RETRIEVAL_FLOORS = {
    "multidoc": {"recall@1": 0.8, "recall@5": 0.93, "mrr": 0.86},
    "own_multidoc": {"recall@1": 0.85, "recall@5": 0.93, "mrr": 0.89},
}
ANSWER_FLOORS = {
    "multidoc": {"accuracy": 0.97, "citation_hit": 0.97, "refusal_accuracy": 0.85, "claims_accuracy": 0.95},
    "own_multidoc": {"accuracy": 0.93, "citation_hit": 0.93, "refusal_accuracy": 0.85, "claims_accuracy": 0.95},
}
FALSE_REFUSAL_CEILING = {"multidoc": 0.05, "own_multidoc": 0.05}
# The probes (eval/probes, written after the tuning; see its README), against the same corpora.
# Measured 4 Dec 2026 (thirteenth session): shared corpus accuracy 0.913, citation hit 0.957, refusals
# 0.875, false refusals 0.0, claims 1.0 (0.875 before a translated name counted across languages); own corpus (g and p batches) accuracy 0.944, citation hit
# 0.944, refusals 0.833, false refusals 0.056, claims 1.0 (0.5 before written-out numbers, left-out
# words and noun-phrase negations were judged as they are now).
PROBES = {
    "multidoc": (EVAL / "probes" / "multidoc_qa.jsonl", EVAL / "probes" / "multidoc_claims.jsonl"),
    "own_multidoc": (EVAL / "probes" / "own_multidoc_qa.jsonl", EVAL / "probes" / "own_multidoc_claims.jsonl"),
}
PROBE_FLOORS = {
    "multidoc": {"accuracy": 0.88, "citation_hit": 0.93, "refusal_accuracy": 0.85, "claims_accuracy": 0.95},
    "own_multidoc": {"accuracy": 0.9, "citation_hit": 0.9, "refusal_accuracy": 0.8, "claims_accuracy": 0.95},
}
PROBE_FALSE_REFUSAL_CEILING = {"multidoc": 0.05, "own_multidoc": 0.1}


@pytest.fixture(scope="session")
def corpus_assistants(tmp_path_factory, real_models):
    """name -> an assistant over that set's corpus, each ingested once."""
    built: dict = {}
    contexts = []

    def get(name: str):
        if name not in built:
            folder = SETS[name] / "corpus"
            if not folder.is_dir():
                pytest.skip(f"{folder} is not in this checkout")
            home = home_with_models(tmp_path_factory.mktemp(name) / "home", real_models)
            context = evaluate.corpus_assistant(Settings(home=home, backend="extractive"), folder)
            built[name] = context.__enter__()
            contexts.append(context)
        return built[name]

    yield get
    for context in contexts:
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def results(corpus_assistants):
    """name -> the evaluation figures of the set's tuning and held-out questions together."""
    cache: dict = {}

    def get(name: str) -> dict:
        if name not in cache:
            folder = SETS[name]
            cache[name], _ = evaluate.run_evaluation(corpus_assistants(name), folder / "qa.jsonl", folder / "claims.jsonl", None, "extractive", False)
            print(name, cache[name])
        return cache[name]

    return get


@pytest.mark.parametrize("name", list(SETS))
def test_retrieval_holds_its_floors(results, name):
    retrieval = results(name)["retrieval"]
    for metric, floor in RETRIEVAL_FLOORS[name].items():
        assert retrieval[metric] >= floor, (metric, retrieval)


@pytest.mark.parametrize("name", list(SETS))
def test_answers_and_refusals_hold_their_floors(results, name):
    answers = results(name)["answers"]
    for metric, floor in ANSWER_FLOORS[name].items():
        assert answers[metric] >= floor, (metric, answers)
    assert answers["false_refusal"] <= FALSE_REFUSAL_CEILING[name], answers


def test_a_named_document_and_a_listing_question_on_a_real_corpus(corpus_assistants):
    assistant = corpus_assistants("multidoc")
    hits = assistant.retriever.search("Wat staat er in Kamerstuk 33009 nr. 159 over de Semicon Board NL?", 5)
    assert hits and {h.paragraph.doc_id for h in hits} == {"kst-33009-159"}

    answer = assistant.ask("Welke documenten noemen Beethoven?")
    cited = {c.doc_id for c in answer.citations}
    assert answer.answerable and {"kst-33009-159", "kst-33009-166"} <= cited


@pytest.mark.parametrize("name", list(PROBES))
def test_the_probes_hold_their_floors(corpus_assistants, name):
    qa, claims = PROBES[name]
    figures, _ = evaluate.run_evaluation(corpus_assistants(name), qa, claims, None, "extractive", False)
    print("probes", name, figures)
    for metric, floor in PROBE_FLOORS[name].items():
        assert figures["answers"][metric] >= floor, (metric, figures["answers"])
    assert figures["answers"]["false_refusal"] <= PROBE_FALSE_REFUSAL_CEILING[name], figures["answers"]

