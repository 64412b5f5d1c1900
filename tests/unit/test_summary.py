"""The verbatim answer and the language model's summary as one answer: which text leads, what stays."""

from __future__ import annotations

import json

from click.testing import CliRunner

from assistant import summary
from assistant.types import Answer, Citation

CITE = Citation(1, "d", "Brief", "d:p1", "alinea 1", 1, "Het net komt er.", "/doc/d#p-d:p1")
VERBATIM = Answer("Wat?", "Volgens Brief, alinea 1: “Het net komt er.” [1]", True, "extractive", citations=(CITE,), timings={"total_ms": 30.0})


def generated(text: str, backend: str = "local", answerable: bool = True, notice: str = "") -> Answer:
    return Answer("Wat?", text, answerable, backend, notice=notice, citations=(CITE,), timings={"total_ms": 900.0})


def test_a_verified_summary_leads_and_the_verbatim_part_comes_with_it():
    both = summary.combine(VERBATIM, generated("Het net komt er [1]."))
    assert both.answer == "Het net komt er [1]." and both.backend == "local"
    assert both.extractive == VERBATIM and both.generated.answer == both.answer
    assert both.timings["extractive_ms"] == 30.0
    out = both.to_dict()
    assert out["extractive"]["answer"] == VERBATIM.answer and out["generated"]["backend"] == "local"
    assert "extractive" not in out["extractive"]  # parts are not nested


def test_a_dropped_summary_leaves_the_verbatim_answer_with_the_reason():
    fallback = generated(VERBATIM.answer, "extractive (fallback van local)", notice="Het taalmodel (local) gaf geen bruikbaar antwoord (x).")
    both = summary.combine(VERBATIM, fallback)
    assert both.answer == VERBATIM.answer and both.generated is None and both.extractive == VERBATIM
    assert both.backend == "extractive (fallback van local)" and "gaf geen bruikbaar antwoord" in both.notice


def test_a_model_that_finds_nothing_does_not_take_the_verbatim_answer_away():
    both = summary.combine(VERBATIM, generated("Dat staat niet in de documenten.", answerable=False))
    assert both.answerable and both.answer == VERBATIM.answer and both.generated is None
    assert both.notice == summary.TEXTS["nl"]["model_refused"].format(backend="local")


def test_nothing_to_answer_from_stays_a_refusal():
    refused = Answer("Wat?", "Dat staat niet in de documenten.", False, "extractive")
    both = summary.combine(refused, generated("Dat staat niet in de documenten.", answerable=False))
    assert not both.answerable and both.extractive is None and both.generated is None


def test_cli_ask_prints_the_verbatim_answer_and_json_has_both_parts(settings, monkeypatch):
    from assistant.cli import cli

    env = {"ASSISTANT_HOME": str(settings.home), "ASSISTANT_EMBEDDING_MODEL": "fake", "ASSISTANT_BACKEND": "auto"}
    question = "Wanneer is de Semicon Board NL van start gegaan?"
    shown = CliRunner().invoke(cli, ["ask", question], env=env)
    assert shown.exit_code == 0, shown.output
    assert "begin 2025 de Semicon Board NL van start gegaan" in shown.output and "\nBronnen:\n[1] " in shown.output
    assert summary.SUMMARY_HEADING not in shown.output  # auto: no language model unless asked
    out = json.loads(CliRunner().invoke(cli, ["ask", question, "--json"], env=env).output)
    assert out["answer"] == out["extractive"]["answer"] and out["generated"] is None and out["citations"]


class PrefillingModel:
    """Stands in for the in-process local model: records what it was asked to keep in its cache."""

    def __init__(self):
        self.prefilled = []

    def prefill(self, messages):
        self.prefilled.append(messages)


def test_warm_up_evaluates_the_shared_prompt_prefix_when_summaries_are_on(settings):
    from langchain_core.messages import SystemMessage

    from assistant import generation
    from assistant.service import Assistant
    from index.embeddings import FakeEmbeddings

    model = PrefillingModel()
    configured = settings.replace(embedding_model="fake", backend="openai/fake", openai_base_url="http://127.0.0.1:9/v1")
    Assistant(configured, embeddings=FakeEmbeddings(), chat_model_factory=lambda s, name: model).warm_up()
    [messages] = model.prefilled
    shared, _ = generation.shared_prefix("nl", generation.strategy_named(None))
    assert isinstance(messages[0], SystemMessage) and [m.content for m in messages] == [m.content for m in shared]
    # Every question's request starts with exactly these messages.
    request = generation.build_request("Wat?", [], "nl", 1000, generation.strategy_named(None))
    assert [m.content for m in request.messages[: len(shared)]] == [m.content for m in shared]


def test_warm_up_without_summaries_loads_no_model(settings):
    from assistant.service import Assistant
    from index.embeddings import FakeEmbeddings

    called = []
    verbatim_only = settings.replace(embedding_model="fake", backend="extractive")
    Assistant(verbatim_only, embeddings=FakeEmbeddings(), chat_model_factory=lambda s, name: called.append(name)).warm_up()
    assert called == []
