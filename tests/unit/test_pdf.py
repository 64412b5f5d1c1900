"""PDF ingest: a letter rendered like the real one (sidebar beside the body, superscript markers,
footnotes at the page bottom, paragraphs across pages) must read back as the same records
as its text; numbered report headings become headings; broken PDFs get one clear line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ingest.layout import parse_pages
from ingest.loader import IngestError, load_document
from ingest.pdf import PdfError, parse_pdf, pdf_pages_text
from ingest.records import Document
from ingest.text import parse_text
from tests.conftest import LETTER
from tests.pdfrender import render_pdf
from tests.unit.test_layout import SECOND_LETTER

REPORT = Path(__file__).parent.parent / "fixtures" / "report" / "report.txt"


def records(document: Document) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in document.paragraphs]


def links(document: Document) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    labels = {p.id: p.label for p in document.paragraphs}
    return [
        (p.label, tuple(labels[r] for r in p.footnote_refs), tuple(labels[r] for r in p.referenced_by))
        for p in document.paragraphs
    ]


@pytest.fixture(scope="module")
def letter_source() -> tuple[str, Document]:
    source = LETTER.read_text(encoding="utf-8")
    return source, parse_text(source, str(LETTER), "kamerbrief-semicon-visie-2035")


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"per_word": False},
        {"raised_note_numbers": True, "running_header": "Semicon Visie 2035"},
        {"per_word": False, "raised_note_numbers": True, "body_height": 420.0},
    ],
    ids=["per-word", "per-line", "raised-numbers+header", "per-line+short-pages"],
)
def test_letter_pdf_reads_back_as_the_text_records(letter_source, options):
    source, from_text = letter_source
    data = render_pdf(from_text, source, **options)
    from_pdf = parse_pdf(data, "brief.pdf", from_text.id)

    assert records(from_pdf) == records(from_text)
    assert links(from_pdf) == links(from_text)
    assert [p.section for p in from_pdf.paragraphs] == [p.section for p in from_text.paragraphs]
    assert [p.label for p in from_pdf.paragraphs] == [p.label for p in from_text.paragraphs]
    assert from_pdf.metadata == from_text.metadata
    assert [r.key for r in from_pdf.references] == [r.key for r in from_text.references]
    assert from_pdf.title == from_text.title
    # Ids follow the text: the same paragraph has the same id whether read from .txt or .pdf.
    assert [p.id for p in from_pdf.paragraphs] == [p.id for p in from_text.paragraphs]

    pages = len(pdf_pages_text(data))
    assert pages >= 3
    assert any(len(p.pages) == 2 for p in from_pdf.paragraphs if p.kind != "letterhead"), "no paragraph crosses a page"
    assert all(1 <= page <= pages for p in from_pdf.paragraphs for page in p.pages)
    assert from_pdf.paragraphs[-1].pages == (pages,)


def test_rendered_letter_has_the_furniture_it_claims(letter_source):
    source, from_text = letter_source
    pages = pdf_pages_text(render_pdf(from_text, source))
    assert all("Ons kenmerk" in page and "DGBI / 103664647" in page for page in pages)
    assert all(f"Pagina {n} van {len(pages)}" in page for n, page in enumerate(pages, start=1))
    # The markers are superscripts glued to the word before them, as pdftotext gives them.
    text = "\n".join(pages)
    assert "met focus”1," in text and "Board NL5 " in text.replace("\n", " ") and "Technologies.2" in text
    # The sidebar stands beside the body; no body line carries sidebar words.
    assert not any(line.startswith("Een sterke") and "Directoraat" in line for line in text.splitlines())


def test_second_letter_pdf_reads_back(letter_source):
    from_text = parse_text(SECOND_LETTER, "tweede-brief.txt", "tweede-brief")
    data = render_pdf(from_text, SECOND_LETTER, running_header="Voortgang waterstofnetwerk", body_height=400.0)
    from_pdf = parse_pdf(data, "tweede-brief.pdf", "tweede-brief")
    assert records(from_pdf) == records(from_text)
    assert links(from_pdf) == links(from_text)
    assert from_pdf.metadata == from_text.metadata
    split = next(p for p in from_pdf.paragraphs if "waterstofnetwerken in de buurlanden" in p.text)
    assert split.pages == (1, 2)


def test_markers_without_source_text_go_after_their_sentence(letter_source):
    _, from_text = letter_source
    from_pdf = parse_pdf(render_pdf(from_text), "brief.pdf", from_text.id)
    assert records(from_pdf) == records(from_text)
    assert links(from_pdf) == links(from_text)


def test_report_pdf_numbered_headings_become_sections():
    source = REPORT.read_text(encoding="utf-8")
    from_text = parse_text(source, str(REPORT), "report")
    data = render_pdf(from_text, source, sidebar=[], body_height=300.0)
    from_pdf = parse_pdf(data, "report.pdf", "report")
    assert records(from_pdf) == records(from_text)
    headings = [(p.text, p.section) for p in from_pdf.paragraphs if p.kind == "heading"]
    assert headings == [
        ("Semicon Visie 2035", ()),
        ("1 Inleiding", ()),
        ("2 Ambities", ()),
        ("2.1 Talent", ("2 Ambities",)),
        ("2.2 Kennis en innovatie", ("2 Ambities",)),
        ("3 Uitvoering", ()),
    ]
    levels = [(b.text, b.level) for b in parse_pages(pdf_pages_text(data), pages_known=True).blocks if b.kind == "heading"]
    assert levels == [
        ("Semicon Visie 2035", 1),
        ("1 Inleiding", 1),
        ("2 Ambities", 1),
        ("2.1 Talent", 2),
        ("2.2 Kennis en innovatie", 2),
        ("3 Uitvoering", 1),
    ]
    talent = [p for p in from_pdf.paragraphs if p.section == ("2 Ambities", "2.1 Talent")]
    assert [p.kind for p in talent] == ["paragraph", "list_item", "list_item", "list_item"]
    assert len(pdf_pages_text(data)) >= 2
    assert from_pdf.title == "Semicon Visie 2035"


# -- bad PDFs ----------------------------------------------------------------------------------


def blank_pdf(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf(data: bytes, password: str = "geheim") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_pdf_is_refused_clearly(letter_source):
    source, from_text = letter_source
    with pytest.raises(PdfError, match="versleuteld"):
        parse_pdf(encrypted_pdf(render_pdf(from_text, source)), "geheim.pdf", "geheim")


def test_pdf_encrypted_without_user_password_still_reads(letter_source):
    source, from_text = letter_source
    data = encrypted_pdf(render_pdf(from_text, source), password="")
    assert records(parse_pdf(data, "open.pdf", from_text.id)) == records(from_text)


def test_pdf_without_text_layer_asks_for_ocr():
    with pytest.raises(PdfError, match="OCR"):
        parse_pdf(blank_pdf(2), "scan.pdf", "scan")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntrailer", b"Dit is helemaal geen PDF", blank_pdf()[:300]],
    ids=["no-xref", "not-a-pdf", "truncated"],
)
def test_corrupt_pdf_is_one_clear_error(tmp_path, data, capsys):
    path = tmp_path / "kapot.pdf"
    path.write_bytes(data)
    with pytest.raises(IngestError) as error:
        load_document(path, 2**20)
    message = str(error.value)
    assert message.startswith("kapot.pdf: ")
    assert "\n" not in message and "Traceback" not in message
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""  # pypdf's own warnings stay quiet
