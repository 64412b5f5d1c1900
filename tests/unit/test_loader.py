"""Bad input never stops an ingest: one clear line per bad file, naming it; the rest goes in."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

import ingest.pipeline
from ingest.loader import IngestError, decode_text, doc_id_for, load_document
from ingest.pipeline import read_documents
from tests.conftest import LETTER

MB = 2**20
DUTCH = "Betreft Coördinatie\n\nGeachte voorzitter,\n\nDit is één alinea over de coördinatie van het beleid, met café’s en “aanhalingstekens”.\n"


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="geheim", owner_password="geheim")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BAD_FILES = {
    "notities.rtf": (b"{\\rtf1 tekst}", "wordt niet ondersteund"),
    "leeg.txt": (b"", "bestand is leeg"),
    "spaties.md": (b"  \n\n \t\n", "bestand is leeg"),
    "nul.pdf": (b"", "bestand is leeg"),
    "kapot.pdf": (b"%PDF-1.4\n1 0 obj << /Length 99 >>\nstream\nrommel", "beschadigd of onleesbaar"),
    "geheim.pdf": (encrypted_pdf(), "versleuteld"),
    "binair.txt": (b"\x00\x01\x02\x03\x04rommel\x05\x06\x07", "binaire gegevens"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_one_clear_line_naming_it(tmp_path, name):
    data, reason = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError) as error:
        load_document(path, MB)
    message = str(error.value)
    assert message.startswith(f"{name}: ")
    assert reason in message
    assert "\n" not in message and "Traceback" not in message and "Error" not in message.split(":")[0]


def test_unsupported_type_lists_supported_ones(tmp_path):
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(IngestError, match=r"'\.xlsx' wordt niet ondersteund; gebruik .*\.pdf.*\.txt"):
        load_document(path, MB)


def test_file_over_the_size_limit(tmp_path):
    path = tmp_path / "groot.txt"
    path.write_text("Een zin. " * 400, encoding="utf-8")
    with pytest.raises(IngestError) as error:
        load_document(path, int(0.001 * MB))
    message = str(error.value)
    assert message.startswith("groot.txt: ")
    assert "3.5 KiB" in message and "1.0 KiB" in message and "ASSISTANT_MAX_FILE_MB" in message


def test_file_that_does_not_exist(tmp_path):
    with pytest.raises(IngestError, match="^weg.txt: bestand is verdwenen"):
        load_document(tmp_path / "weg.txt", MB)


def test_directory_with_a_file_suffix(tmp_path):
    (tmp_path / "map.txt").mkdir()
    with pytest.raises(IngestError, match="^map.txt: is een map"):
        load_document(tmp_path / "map.txt", MB)


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_non_utf8_dutch_text_decodes(tmp_path, codec):
    text = DUTCH if codec == "cp1252" else DUTCH.replace("’", "'").replace("“", '"').replace("”", '"')
    path = tmp_path / "oud.txt"
    path.write_bytes(text.encode(codec))
    document = load_document(path, MB)
    body = document.paragraphs[-1].text
    assert "één alinea" in body and "coördinatie" in body and "café" in body
    assert document.metadata["betreft"] == "Coördinatie"


@pytest.mark.parametrize("text", ["Over één ding en de coördinatie daarvan.", "Geïnformeerd, één café."])
def test_short_cp1252_text_is_not_misread(text):
    # Statistical detection alone reads these as other code pages ("ťťn").
    assert decode_text(text.encode("cp1252"), "kort.txt") == text


def test_decode_text_variants():
    assert decode_text("één".encode("utf-16"), "x") == "één"
    assert decode_text(b"\xef\xbb\xbf\xc3\xa9\xc3\xa9n", "x") == "één"
    assert decode_text("één".encode("utf-8"), "x") == "één"


def test_doc_id_from_file_name():
    assert doc_id_for(Path("Kamerbrief Semicon Visie 2035.PDF")) == "kamerbrief-semicon-visie-2035"
    assert doc_id_for(Path("kst-33009-141.xml")) == "kst-33009-141"
    assert doc_id_for(Path("###.txt")) == "document"


# -- many files ------------------------------------------------------------------------------


@pytest.fixture
def mixed_folder(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(LETTER, folder / LETTER.name)
    (folder / "tweede.md").write_text("# Tweede\n\nEen alinea in Markdown.\n", encoding="utf-8")
    for name, (data, _) in BAD_FILES.items():
        (folder / name).write_bytes(data)
    (folder / ".verborgen.txt").write_text("Verborgen bestand.", encoding="utf-8")
    (folder / "LEESMIJ").write_text("Geen bekend type.", encoding="utf-8")
    return folder


def test_read_documents_keeps_going_after_bad_files(mixed_folder):
    report = read_documents([mixed_folder], MB)
    assert sorted(d.id for d in report.documents) == ["kamerbrief-semicon-visie-2035", "tweede"]
    # Unknown types and hidden files in a folder are no documents and no errors; the rest are.
    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(skipped) == set(BAD_FILES) - {"notities.rtf"}
    for name, reason in skipped.items():
        assert reason.startswith(f"{name}: ") and BAD_FILES[name][1] in reason
    assert report.paragraphs == sum(len(d.paragraphs) for d in report.documents)
    assert report.footnotes == 6


def test_explicit_unsupported_file_and_missing_path_are_reported(tmp_path, mixed_folder):
    report = read_documents([mixed_folder / "notities.rtf", tmp_path / "bestaat-niet.txt", mixed_folder / "tweede.md"], MB)
    assert [d.id for d in report.documents] == ["tweede"]
    reasons = [s.reason for s in report.skipped]
    assert any(r.startswith("notities.rtf: ") for r in reasons)
    assert any("bestaat-niet.txt" in r and "bestaat niet" in r for r in reasons)


def test_file_that_vanishes_after_discovery(monkeypatch, mixed_folder):
    discover = ingest.pipeline.discover

    def discover_then_delete(paths):
        files, missing = discover(paths)
        (mixed_folder / "tweede.md").unlink()
        return files, missing

    monkeypatch.setattr(ingest.pipeline, "discover", discover_then_delete)
    report = read_documents([mixed_folder], MB)
    assert [d.id for d in report.documents] == ["kamerbrief-semicon-visie-2035"]
    assert any(s.reason.startswith("tweede.md: bestand is verdwenen") for s in report.skipped)


def test_two_files_with_one_document_id(tmp_path):
    (tmp_path / "brief.txt").write_text("Een alinea.", encoding="utf-8")
    (tmp_path / "brief.md").write_text("Een andere alinea.", encoding="utf-8")
    report = read_documents([tmp_path], MB)
    assert len(report.documents) == 1
    assert len(report.skipped) == 1 and "dezelfde document-id 'brief'" in report.skipped[0].reason


def test_progress_is_called_per_file(mixed_folder):
    seen: list[Path] = []
    read_documents([mixed_folder], MB, progress=seen.append)
    assert len(seen) == 2 + len(BAD_FILES) - 1
