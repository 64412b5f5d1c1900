"""Calibrate the relevance gate (`assistant/relevance.py`) on question sets, each against its corpus.

    .venv/bin/python -m devtools.calibrate_gate CORPUS QA.jsonl [CORPUS QA.jsonl ...] [--holdout]

Each corpus folder is ingested into a temporary index (the real e5 model). For every question:
whether it is answerable, the gate's signals (best-sentence similarity, idf-weighted coverage of
the question's words by the best-covering retrieved passage, names and numbers that no retrieved
passage holds, language), the words the best passage lacks, and the decision. Then, for questions
in the language of their best passage (coverage is not used across languages), the errors each pair of (similarity, coverage) thresholds around the current ones
would make. Questions marked "split": "holdout" are left out (they must stay out of tuning);
--holdout scores only them, with the current thresholds.
"""

from __future__ import annotations

import sys
from pathlib import Path


def signals_of(assistant, question: str):
    from assistant.chain import find_answer

    return find_answer(question, assistant)[1]


def main(argv: list[str]) -> int:
    from assistant import relevance as gate
    from assistant.config import Settings
    from devtools.evaluate import corpus_assistant, load_jsonl

    holdout = "--holdout" in argv
    args = [a for a in argv if a != "--holdout"]
    if not args or len(args) % 2:
        print(__doc__)
        return 2
    rows = []
    for corpus, qa in zip(args[::2], args[1::2]):
        items = [i for i in load_jsonl(Path(qa), ["id", "question"]) if (i.get("split") == "holdout") == holdout]
        with corpus_assistant(Settings.load(), Path(corpus)) as assistant:
            for item in items:
                result = signals_of(assistant, item["question"])
                rows.append((item, result))
    print(f"{'id':6} {'want':6} {'lang':4} {'sim':>6} {'cov':>5} {'gate':6}  missing names | words the best passage lacks | question")
    errors = 0
    for item, result in rows:
        want = "answer" if item.get("answerable", True) else "refuse"
        got = "answer" if result.answerable else "refuse"
        errors += want != got
        s = result.signals
        if s is None:
            print(f"{item['id']:6} {want:6} {'':4} {result.similarity:6.3f} {'':>5} {got:6}  (listing or nothing retrieved)")
            continue
        flag = "" if want == got else "  <-- wrong"
        print(f"{item['id']:6} {want:6} {s.language:4} {s.similarity:6.3f} {s.coverage:5.2f} {got:6}  {list(s.missing_names)} | {list(s.missing_words)[:4]} | {item['question'][:70]}{flag}")
    print(f"\n{len(rows)} questions, {errors} wrong decisions with the current thresholds "
          f"(similarity {gate.CONFIDENT_SIMILARITY}, coverage {gate.FULL_COVERAGE}, names {gate.NAMES_SIMILARITY}, floor {gate.MIN_SIMILARITY})")
    if holdout:
        return 0
    dutch = [(item, r.signals) for item, r in rows if r.signals is not None and r.signals.same_language]
    print("\nQuestions in the language of their best passage: wrong decisions (false refusals + missed refusals) per threshold pair")
    sims = [gate.CONFIDENT_SIMILARITY + d for d in (-0.015, -0.01, -0.005, 0.0, 0.005, 0.01)]
    covs = [0.6, 0.65, 0.7, 0.75, 0.8, 0.9, 1.01]
    print("sim\\cov " + " ".join(f"{c:>7.2f}" for c in covs))
    for sim in sims:
        cells = []
        for cov in covs:
            false_refusals = missed = 0
            for item, s in dutch:
                answered = s.similarity >= gate.MIN_SIMILARITY and not (s.missing_names and s.similarity < gate.NAMES_SIMILARITY) and (
                    s.similarity >= sim or s.coverage >= cov
                )
                if item.get("answerable", True) and not answered:
                    false_refusals += 1
                elif not item.get("answerable", True) and answered:
                    missed += 1
            cells.append(f"{false_refusals:>3}+{missed:<3}")
        print(f"{sim:7.3f} " + " ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
