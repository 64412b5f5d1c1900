"""PDFs made by real tools (tests/fixtures/pdf/, made by scripts/make_pdf_fixtures.py) read back
as the records of their source: the letter as its text version, the two-column report in
column order with its table, headings and lists. Long reports read page by page."""

from __future__ import annotations

import functools
import importlib.util
import io
import sys
import unicodedata
from pathlib import Path

import pytest

from ingest.pdf import iter_page_texts, parse_pdf
from ingest.records import Document
from ingest.text import parse_text
from tests.conftest import LETTER

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "pdf"
LETTER_PRODUCERS = ("chromium", "libreoffice", "reportlab", "ghostscript")
# Chromium, LibreOffice and its Ghostscript copy break pages where the text version does;
# ReportLab (tests/pdfrender.py) paginates by itself.
SAME_PAGES = ("chromium", "libreoffice", "ghostscript")
FURNITURE = ("Pagina ", "Ons kenmerk", "DGBI / 103664647", "Directoraat-generaal", "Bedrijfsleven & Innovatie")


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """Word-level Levenshtein distance over the reference length."""
    previous = list(range(len(hypothesis) + 1))
    for i, word in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, other in enumerate(hypothesis, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other))
        previous = current
    return previous[-1] / max(len(reference), 1)


def words(document: Document) -> list[str]:
    return " ".join(p.text for p in document.paragraphs).split()


@pytest.fixture(scope="module")
def from_text() -> Document:
    return parse_text(LETTER.read_text(encoding="utf-8"), str(LETTER), "kamerbrief-semicon-visie-2035")


@pytest.fixture(scope="module", params=LETTER_PRODUCERS)
def letter(request) -> tuple[str, Document]:
    data = (FIXTURES / f"letter-{request.param}.pdf").read_bytes()
    return request.param, parse_pdf(data, f"letter-{request.param}.pdf", "kamerbrief-semicon-visie-2035")


def test_letter_words_match_the_text_version(letter, from_text):
    producer, from_pdf = letter
    rate = word_error_rate(words(from_text), words(from_pdf))
    print(f"\nletter {producer:<12} word error rate {rate:.2%} ({len(words(from_pdf))} words)")
    assert rate <= 0.005


def test_letter_structure_matches_the_text_version(letter, from_text):
    producer, from_pdf = letter
    assert [p.kind for p in from_pdf.paragraphs] == [p.kind for p in from_text.paragraphs]
    assert from_pdf.metadata == from_text.metadata
    assert from_pdf.title == from_text.title
    # Footnotes are records of their own, linked both ways to the paragraph with the marker.
    labels = {p.id: p.label for p in from_pdf.paragraphs}
    text_labels = {p.id: p.label for p in from_text.paragraphs}
    assert [(p.label, [labels[r] for r in p.footnote_refs]) for p in from_pdf.paragraphs] == [
        (p.label, [text_labels[r] for r in p.footnote_refs]) for p in from_text.paragraphs
    ]
    assert all(p.referenced_by for p in from_pdf.paragraphs if p.kind == "footnote")
    # No page furniture in running text.
    running = [p for p in from_pdf.paragraphs if p.kind not in ("letterhead",)]
    assert not [p.label for p in running if any(f in p.text for f in FURNITURE)]
    # A paragraph a page break cuts is one record again, and knows both pages.
    texts = {p.text for p in from_text.paragraphs}
    split = [p for p in from_pdf.paragraphs if len(p.pages) == 2 and p.kind != "letterhead"]
    assert split and all(p.text in texts or producer == "libreoffice" for p in split)
    if producer in SAME_PAGES:
        first = next(p for p in from_pdf.paragraphs if p.text.startswith("In dat kader"))
        assert "zoals Beethoven, de Semicon Coalition" in first.text and first.pages == (1, 2)
    signature = [p.text for p in from_pdf.paragraphs if p.kind == "signature"]
    assert signature == ["Heleen Herbert, Minister van Economische Zaken en Klimaat"]
    assert from_pdf.paragraphs[-1].kind == "signature"


def test_letter_pages(letter, from_text):
    producer, from_pdf = letter
    pages = [p.pages for p in from_pdf.paragraphs if p.kind != "letterhead"]
    if producer in SAME_PAGES:
        assert pages == [p.pages for p in from_text.paragraphs if p.kind != "letterhead"]
    firsts = [p[0] for p in pages]
    assert firsts == sorted(firsts) and firsts[0] == 1 and pages[-1] == (3,)
    assert sum(len(p) == 2 for p in pages) >= 1


# -- the two-column report ------------------------------------------------------------------------


def _report_source():
    spec = importlib.util.spec_from_file_location("make_pdf_fixtures", ROOT / "scripts" / "make_pdf_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.REPORT


def _key(text: str) -> str:
    return text.replace("-", "")[:40].lower()


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u00ad", "")


def expected_report_records() -> list[tuple[str, str]]:
    """(kind, text) of the report's citable records, in the source's order."""
    out: list[tuple[str, str]] = []
    for kind, text in _report_source():
        if kind in ("h1", "h2"):
            out.append(("heading", text))
        elif kind == "p":
            out.append(("paragraph", _plain(text)))
        elif kind == "ul":
            out += [("list_item", item) for item in text.split("|")]
        elif kind == "table":
            caption, *rows = text.split("|")
            out += [("paragraph", caption)] + [("paragraph", row.replace(";", " | ")) for row in rows]
        elif kind == "figure":
            out.append(("paragraph", text))
    return out


@pytest.fixture(scope="module", params=("chromium", "ghostscript"))
def report(request) -> tuple[str, Document]:
    data = (FIXTURES / f"report-{request.param}.pdf").read_bytes()
    return request.param, parse_pdf(data, f"report-{request.param}.pdf", "report")


def test_report_reads_in_column_order(report):
    producer, document = report
    expected = expected_report_records()
    got = [(p.kind, p.text) for p in document.paragraphs]
    # Every source record is found, in the source's order (the title page comes before them).
    positions = []
    for kind, text in expected:
        # A real hyphen at a line end ("zij-" / "instromers") cannot be told from hyphenation.
        match = next((i for i, (k, t) in enumerate(got) if _key(t) == _key(text)), None)
        assert match is not None, f"{producer}: not found: {text[:60]}"
        positions.append(match)
    assert positions == sorted(positions), f"{producer}: records out of column order"
    reference = " ".join(t for _, t in expected).split()
    hypothesis = " ".join(got[i][1] for i in positions).split()
    rate = word_error_rate(reference, hypothesis)
    print(f"\nreport {producer:<12} word error rate {rate:.2%} ({len(expected)} records in column order)")
    if producer == "chromium":
        # Ghostscript 10.00 re-maps ligature glyphs of Chromium's fonts to wrong letters in the
        # text layer itself (every reader gets "ünanciering"); only order and structure count there.
        assert rate <= 0.005
        assert [k for k, _ in expected] == [got[i][0] for i in positions]


def test_report_table_is_one_record_per_row_with_its_caption(report):
    _, document = report
    texts = [p.text for p in document.paragraphs]
    start = texts.index("Tabel 1 Openstaande vacatures per opleidingsniveau")
    assert texts[start + 1 : start + 5] == ["Niveau | 2024 | 2025", "mbo | 4.100 | 4.650", "hbo | 3.300 | 3.900", "wo | 1.850 | 2.200"]
    assert document.paragraphs[start].kind == "paragraph"  # a caption is no heading


def test_report_headings_give_section_paths(report):
    _, document = report
    by_start = {p.text[:30]: p for p in document.paragraphs}
    assert by_start["De netbeheerder verwacht dat d"].section == ("2 Knelpunten", "2.1 Netcapaciteit")
    assert by_start["Het loket voor vergunningen wo"].section == ("3 Voorstellen", "3.2 Vergunningen")
    assert by_start["De werkgroep sprak met achtend"].section == ("1 Aanleiding", "1.1 Werkwijze")
    # The title page stays the title page: the contents heading on the next page is not joined to it.
    assert [p.pages for p in document.paragraphs[:2]] == [(1,), (1,)]
    # The table of contents and the running header are not running text.
    assert not [p.text for p in document.paragraphs if ".........." in p.text or "tussenrapportage" in p.text.lower() and p.kind == "heading" and "—" in p.text]
    assert not any("Chips voor Brainport — tussenrapportage" in p.text for p in document.paragraphs)


# -- long reports, damaged pages ----------------------------------------------------------------


def test_long_report_reads_page_by_page_with_progress():
    from devtools.pdf_samples import long_report

    data = long_report(12)
    seen: list[tuple[int, int]] = []
    document = parse_pdf(data, "lang.pdf", "lang", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, 12) for n in range(1, 13)]
    assert max(p.pages[-1] for p in document.paragraphs) == 12
    headings = [p for p in document.paragraphs if p.kind == "heading"]
    assert headings[0].text == "1 Inleiding" and any(p.section == ("1 Inleiding", headings[1].text) for p in document.paragraphs)
    assert sum(p.kind == "list_item" for p in document.paragraphs) >= 6


@functools.lru_cache(maxsize=None)
def broken_page_pdf(page: int = 2) -> bytes:
    """A report whose page `page` has a content stream no reader can inflate."""
    from pypdf import PdfReader, PdfWriter

    from devtools.pdf_samples import long_report

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(long_report(4))))
    contents = writer.pages[page - 1]["/Contents"].get_object()
    contents._data = b"x\x9c" + b"\x13\x37 not deflate" * 20  # keeps /FlateDecode, breaks the data
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_damaged_page_is_skipped_with_a_warning_naming_it(capsys):
    warnings: list[str] = []
    texts = list(iter_page_texts(broken_page_pdf(2), warn=warnings.append))
    assert len(texts) == 4 and texts[1] == "" and all(texts[i] for i in (0, 2, 3))
    assert len(warnings) == 1 and warnings[0].startswith("pagina 2 overgeslagen")
    document = parse_pdf(broken_page_pdf(2), "kapotte-pagina.pdf", "kapot", warn=warnings.append)
    assert {page for p in document.paragraphs for page in p.pages} <= {1, 2, 3, 4}
    assert not any(p.pages == (2,) for p in document.paragraphs)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_damaged_page_reaches_the_ingest_report(tmp_path):
    from ingest.pipeline import read_documents

    (tmp_path / "rapport.pdf").write_bytes(broken_page_pdf(3))
    pages: list[tuple[str, int, int]] = []
    report = read_documents([tmp_path], 2**24, page_progress=lambda path, done, total: pages.append((path.name, done, total)))
    assert len(report.documents) == 1 and not report.skipped
    assert report.warnings == ["rapport.pdf: pagina 3 overgeslagen: de inhoud van de pagina is beschadigd (ValueError)"]
    assert pages == [("rapport.pdf", n, 4) for n in range(1, 5)]


def test_cli_warns_about_the_damaged_page_and_ingests_the_rest(tmp_path):
    from tests.unit.test_cli_ingest import run

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "rapport.pdf").write_bytes(broken_page_pdf(2))
    result = run(tmp_path / "home", "--dry-run", str(corpus))
    assert result.exit_code == 0
    assert "Waarschuwing: rapport.pdf: pagina 2 overgeslagen" in result.stderr
    assert "1 documenten" in result.stdout


def test_a_report_is_titled_by_its_document_information_not_its_first_heading():
    from ingest.pdf import info_title

    chromium = (Path(__file__).parents[1] / "fixtures" / "pdf" / "report-chromium.pdf").read_bytes()
    assert info_title(chromium) == ""  # printed from a page without <title>: the heading stays
    assert info_title(_pdf_with_title("Nationaal Groeifonds – Voortgangsrapportage 2025")) == "Nationaal Groeifonds – Voortgangsrapportage 2025"
    assert info_title(_pdf_with_title("Microsoft Word - rapport_v3.docx")) == ""
    assert info_title(_pdf_with_title("rapport.pdf")) == ""
    assert info_title(b"not a pdf") == ""


def _pdf_with_title(title: str) -> bytes:
    """A one-page PDF whose document information carries `title` (written by pypdf)."""
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
