"""`assistant ingest` through click: bad files are reported one line each and fail the run,
good files still go in, nothing indexed is lost, and --dry-run --json prints the records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import ingest.pipeline
from assistant.cli import cli
from assistant.config import Settings
from tests.conftest import LETTER
from tests.unit.test_loader import BAD_FILES

RECORD_FIELDS = {"id", "doc_id", "doc_title", "kind", "label", "pages", "page", "section", "text", "hash", "footnote_refs", "referenced_by"}
ENV = {"ASSISTANT_EMBEDDING_MODEL": "fake", "ASSISTANT_BACKEND": "extractive"}


def run(home: Path, *args: str, corpus: Path | None = None):
    flags = ["--home", str(home), "--embedding-model", "fake"]
    if corpus is not None:
        flags += ["--corpus-dir", str(corpus)]
    return CliRunner().invoke(cli, [*flags, "ingest", *args], env=ENV, catch_exceptions=False)


def skipped_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Overgeslagen: ")]


def stored(home: Path, doc_id: str) -> list:
    from assistant.wiring import make_store
    from index.embeddings import FakeEmbeddings

    settings = Settings(home=home, embedding_model="fake")
    return [p for p in make_store(settings, FakeEmbeddings()).records() if p.doc_id == doc_id]


def stored_ids(home: Path, doc_id: str) -> set[str]:
    return {p.id for p in stored(home, doc_id)}


def stored_texts(home: Path, doc_id: str) -> list[str]:
    return [p.text for p in stored(home, doc_id) if p.kind != "letterhead"]


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(LETTER, folder / LETTER.name)
    (folder / "notitie.md").write_text("# Notitie\n\nEen korte notitie over de uitvoering.[^1]\n\n[^1]: Kamerstuk 33009 nr. 141\n", encoding="utf-8")
    return folder


def test_bad_files_one_line_each_good_files_in_exit_nonzero(tmp_path, corpus):
    for name, (data, _) in BAD_FILES.items():
        (corpus / name).write_bytes(data)
    (corpus / "oud.txt").write_bytes("Betreft Test\n\nDit is één alinea in Windows-1252.\n".encode("cp1252"))
    result = run(tmp_path / "home", str(corpus), str(corpus / "notities.rtf"), str(tmp_path / "weg.pdf"))

    assert result.exit_code == 1
    lines = skipped_lines(result)
    expected = (set(BAD_FILES) - {"notities.rtf"}) | {"notities.rtf", "weg.pdf"}
    assert len(lines) == len(expected)
    for name in expected:
        assert sum(name in line for line in lines) == 1, name
    for name, (_, reason) in BAD_FILES.items():
        assert any(line.startswith(f"Overgeslagen: {name}: ") and reason in line for line in lines)
    assert "Traceback" not in result.output
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("3 documenten, ")
    assert f"; {len(expected)} overgeslagen." in summary
    assert stored_ids(tmp_path / "home", "kamerbrief-semicon-visie-2035")
    assert stored_texts(tmp_path / "home", "oud") == ["Dit is één alinea in Windows-1252."]


def test_file_over_size_limit(tmp_path, corpus):
    result = CliRunner().invoke(
        cli,
        ["--home", str(tmp_path / "home"), "--embedding-model", "fake", "--max-file-mb", "0.001", "ingest", str(corpus), "--dry-run"],
        env=ENV,
    )
    assert result.exit_code == 1
    assert skipped_lines(result) == [
        "Overgeslagen: kamerbrief-semicon-visie-2035.txt: bestand is 5.7 KiB, groter dan de limiet van 1.0 KiB (ASSISTANT_MAX_FILE_MB)."
    ]
    assert result.stdout.startswith("1 documenten, ")


def test_file_vanishing_mid_run(tmp_path, corpus, monkeypatch):
    discover = ingest.pipeline.discover

    def discover_then_delete(paths):
        found = discover(paths)
        (corpus / "notitie.md").unlink()
        return found

    monkeypatch.setattr(ingest.pipeline, "discover", discover_then_delete)
    result = run(tmp_path / "home", str(corpus))
    assert result.exit_code == 1
    assert skipped_lines(result) == ["Overgeslagen: notitie.md: bestand is verdwenen tijdens het inlezen; controleer of het nog bestaat."]
    assert stored_ids(tmp_path / "home", "kamerbrief-semicon-visie-2035")


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        (LETTER.name, b""),
        (LETTER.name, b"\x00\x01\x02\x03 geen tekst \xff\xfe\x00\x00"),
        ("tweede-brief.pdf", b"%PDF-1.4 kapot"),
        ("tweede-brief.pdf", None),  # truncated halfway
    ],
    ids=["text-emptied", "text-binary", "pdf-corrupt", "pdf-truncated"],
)
def test_nothing_indexed_is_lost_when_a_file_turns_bad(tmp_path, corpus, name, damage):
    from ingest.text import parse_text
    from tests.pdfrender import render_pdf
    from tests.unit.test_layout import SECOND_LETTER

    pdf = render_pdf(parse_text(SECOND_LETTER, "tweede-brief.txt", "tweede-brief"), SECOND_LETTER)
    (corpus / "tweede-brief.pdf").write_bytes(pdf)
    home = tmp_path / "home"
    first = run(home, corpus=corpus)
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("3 documenten, ")
    doc_id = Path(name).stem
    before = stored_ids(home, doc_id)
    assert len(before) > 10

    (corpus / name).write_bytes(pdf[: len(pdf) // 2] if damage is None else damage)
    second = run(home, corpus=corpus)  # the whole corpus: documents gone from it would leave the index
    assert second.exit_code == 1
    assert len(skipped_lines(second)) == 1 and skipped_lines(second)[0].startswith(f"Overgeslagen: {name}: ")
    assert stored_ids(home, doc_id) == before
    assert stored_ids(home, "notitie")


def test_dry_run_json_prints_records_and_creates_no_index(tmp_path, corpus):
    home = tmp_path / "home"
    result = run(home, str(corpus), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(records) == 23 + 3
    for record in records:
        assert RECORD_FIELDS <= set(record)
    letter = [r for r in records if r["doc_id"] == "kamerbrief-semicon-visie-2035"]
    board = next(r for r in letter if r["label"] == "voetnoot 5")
    citing = next(r for r in letter if r["id"] in board["referenced_by"])
    assert board["id"] in citing["footnote_refs"]
    assert board["kind"] == "footnote" and board["page"] == board["pages"][0] == 2
    assert citing["section"] == ["Integrale strategische aanpak"]
    assert all(r["doc_title"] == "Kamerbrief Semicon Visie 2035" for r in letter)
    assert not (home / "index").exists()


def test_summary_line(tmp_path, corpus):
    result = run(tmp_path / "home", str(corpus), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.strip() == "2 documenten, 26 paragrafen (7 voetnoten); 0 overgeslagen."
    indexed = run(tmp_path / "home", str(corpus))
    assert indexed.stdout.strip() == (
        "2 documenten, 26 paragrafen (7 voetnoten); index: 26 ingebed, 0 bijgewerkt, 0 ongewijzigd, 0 verwijderd; 0 overgeslagen."
    )
    again = run(tmp_path / "home", str(corpus), "--json")
    summary = json.loads(again.stdout)
    assert summary["unchanged"] == 26 and summary["embedded"] == 0 and summary["skipped"] == []
