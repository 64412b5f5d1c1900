"""`assistant bench --quick` end to end with fake embeddings: the figures it promises are there."""

from __future__ import annotations

import json

from devtools.bench import TARGETS, format_table, run_bench

REQUIRED = (
    "ingest_paragraphs_per_s",
    "raw_paragraphs_per_s",
    "ingest_ratio",
    "retrieval_p50_ms_1k",
    "retrieval_p95_ms_1k",
    "retrieval_p50_ms_10k",
    "retrieval_p95_ms_10k",
    "retrieval_p50_ms_50k",
    "retrieval_p95_ms_50k",
    "peak_rss_mb",
    "extractive_p50_ms",
    "verbatim_p50_ms",
    "local_ttft_s",
    "local_overhead_ratio",
    "check_p50_ms_1k",
    "check_p95_ms_1k",
    "document_p50_ms_1k",
    "document_p95_ms_1k",
    "check_p95_ms_50k",
    "document_p95_ms_50k",
    "pdf_ingest_pages_per_s",
    "pdf_bare_pages_per_s",
    "pdf_ratio",
    "pdf_growth",
)


def test_quick_bench_prints_every_figure_as_json(settings, tmp_path):
    printed: list[str] = []
    settings = settings.replace(home=tmp_path / "user-home")

    results = run_bench(settings, as_json=True, quick=True, skip_local=True, echo=printed.append)

    assert len(printed) == 1
    data = json.loads(printed[0])
    assert data == json.loads(json.dumps(results))
    assert set(REQUIRED) <= set(data)
    assert data["mode"] == "quick"
    assert data["ingest_paragraphs"] >= 30
    assert data["ingest_paragraphs_per_s"] > 0 and data["raw_paragraphs_per_s"] > 0
    assert 0 < data["retrieval_p50_ms_1k"] <= data["retrieval_p95_ms_1k"]
    # quick mode measures 1k only; the larger sizes are reported as not measured, not invented
    assert data["retrieval_p50_ms_50k"] is None and data["retrieval_p95_ms_10k"] is None
    assert data["extractive_p50_ms"] > 0
    assert data["local_ttft_s"] is None and data["local_overhead_ratio"] is None
    assert "--skip-local" in data["local_reason"]
    assert data["peak_rss_mb"] > 0
    assert set(data["targets"]) == set(TARGETS) == set(data["passed"])
    assert data["passed"]["local_ttft_s"] is None
    assert data["passed"]["extractive_p50_ms"] == (data["extractive_p50_ms"] <= 300)
    assert 0 < data["verbatim_p50_ms"] and data["passed"]["verbatim_p50_ms"] == (data["verbatim_p50_ms"] <= 300)
    # the bench works on a temporary home: the user's home gets no index
    assert not (tmp_path / "user-home" / "index").exists()


def test_table_marks_each_target():
    results = {
        "mode": "full",
        "bench_s": 1.0,
        "embedding_model": "fake-64",
        "ingest_ratio": 0.5,
        "extractive_p50_ms": 120.0,
        "local_ttft_s": None,
        "local_reason": "skipped with --skip-local",
        "targets": {key: f"{op} {bound:g}" for key, (op, bound) in TARGETS.items()},
        "passed": {key: None for key in TARGETS} | {"ingest_ratio": False, "extractive_p50_ms": True},
        "notes": ["a note"],
    }

    table = format_table(results)

    assert any("ingest / raw encoder" in line and "MISS" in line and ">= 0.85" in line for line in table.splitlines())
    assert any("extractive answer p50, warm" in line and "pass" in line for line in table.splitlines())
    assert any("summary's first token, warm" in line and "n/a" in line for line in table.splitlines())
    assert "skipped with --skip-local" in table and "note: a note" in table
