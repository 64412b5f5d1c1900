"""Markdown, DOCX, HTML and paged plain text parse into the expected records."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ingest.loader import IngestError, load_document, parse_bytes
from ingest.records import Document, Paragraph

REPORT_DIR = Path(__file__).parent.parent / "fixtures" / "report"


def find(document: Document, fragment: str) -> Paragraph:
    found = [p for p in document.paragraphs if fragment in p.text]
    assert len(found) == 1, f"{fragment!r} in {len(found)} records"
    return found[0]


def shape(document: Document) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(p.kind, p.text, p.section) for p in document.paragraphs]


# -- Markdown ----------------------------------------------------------------------------------


def test_markdown_headings_lists_and_footnotes():
    document = load_document(REPORT_DIR / "report.md", 2**20)
    title = ("Semicon Visie 2035",)
    talent = title + ("2 Ambities", "2.1 Talent")
    assert shape(document) == [
        ("heading", "Semicon Visie 2035", ()),
        ("heading", "1 Inleiding", title),
        (
            "paragraph",
            "De Nederlandse halfgeleidersector behoort tot de wereldtop. Deze visie beschrijft waar de sector in 2035 wil staan.",
            title + ("1 Inleiding",),
        ),
        ("footnote", "Zie Kamerstuk 33009 nr. 141.", title + ("1 Inleiding",)),
        ("heading", "2 Ambities", title),
        ("heading", "2.1 Talent", title + ("2 Ambities",)),
        ("paragraph", "Daarvoor zijn de volgende stappen nodig:", talent),
        ("list_item", "meer studenten in technische opleidingen;", talent),
        ("list_item", "gerichte werving van internationaal talent, vooral uit Europa;", talent),
        ("footnote", "Volgens de arbeidsmarktanalyse van 2024, bijgewerkt in 2025.", talent),
        ("list_item", "om- en bijscholing van werkenden.", talent),
        ("list_item", "eerste genummerde stap", talent),
        ("list_item", "tweede genummerde stap", talent),
        ("heading", "3 Uitvoering", title),
        ("paragraph", "Een programmabureau bewaakt de voortgang.", title + ("3 Uitvoering",)),
    ]
    note = find(document, "Zie Kamerstuk 33009")
    assert note.label == "voetnoot 1"
    citing = [find(document, "behoort tot de wereldtop."), find(document, "bewaakt de voortgang")]
    assert note.referenced_by == tuple(p.id for p in citing)
    assert all(p.footnote_refs == (note.id,) for p in citing)
    assert find(document, "vooral uit Europa").footnote_refs == (find(document, "arbeidsmarktanalyse").id,)
    assert "[^" not in " ".join(p.text for p in document.paragraphs)
    assert [r.key for r in document.references] == ["33009-141"]
    assert document.title == "Semicon Visie 2035" and document.format == "markdown"


# -- DOCX --------------------------------------------------------------------------------------

FOOTNOTES_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
  <w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
  <w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">Kamerstuk 29826 nr. 277</w:t></w:r></w:p></w:footnote>
</w:footnotes>
"""


def make_docx(with_footnote: bool = True) -> bytes:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_heading("Semicon Visie 2035", level=0)
    document.add_heading("1 Inleiding", level=1)
    paragraph = document.add_paragraph("De Nederlandse halfgeleidersector behoort tot de wereldtop.")
    if with_footnote:
        reference = OxmlElement("w:footnoteReference")
        reference.set(qn("w:id"), "1")
        paragraph.add_run()._r.append(reference)
    document.add_heading("2 Ambities", level=1)
    document.add_heading("2.1 Talent", level=2)
    document.add_paragraph("Daarvoor zijn de volgende stappen nodig:")
    document.add_paragraph("meer studenten in technische opleidingen;", style="List Bullet")
    document.add_paragraph("gerichte werving van internationaal talent.", style="List Number")
    document.add_paragraph("")  # empty paragraphs are no records
    out = io.BytesIO()
    document.save(out)
    if not with_footnote:
        return out.getvalue()
    # python-docx writes no footnotes part; Word keeps them in word/footnotes.xml.
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("word/footnotes.xml", FOOTNOTES_XML)
    return patched.getvalue()


def test_docx_headings_lists_and_footnotes(tmp_path):
    path = tmp_path / "visie.docx"
    path.write_bytes(make_docx())
    document = load_document(path, 2**20)
    talent = ("2 Ambities", "2.1 Talent")
    assert shape(document) == [
        ("heading", "Semicon Visie 2035", ()),
        ("heading", "1 Inleiding", ()),
        ("paragraph", "De Nederlandse halfgeleidersector behoort tot de wereldtop.", ("1 Inleiding",)),
        ("footnote", "Kamerstuk 29826 nr. 277", ("1 Inleiding",)),
        ("heading", "2 Ambities", ()),
        ("heading", "2.1 Talent", ("2 Ambities",)),
        ("paragraph", "Daarvoor zijn de volgende stappen nodig:", talent),
        ("list_item", "meer studenten in technische opleidingen;", talent),
        ("list_item", "gerichte werving van internationaal talent.", talent),
    ]
    note = find(document, "Kamerstuk 29826")
    paragraph = find(document, "wereldtop")
    assert note.label == "voetnoot 1"
    assert paragraph.footnote_refs == (note.id,) and note.referenced_by == (paragraph.id,)
    assert document.title == "Semicon Visie 2035" and document.format == "docx"
    assert [r.key for r in document.references] == ["29826-277"]


def test_docx_without_footnotes_part():
    document = parse_bytes(make_docx(with_footnote=False), "docx", "plain.docx", "plain")
    assert not any(p.kind == "footnote" for p in document.paragraphs)
    assert len(document.paragraphs) == 8


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"PK\x03\x04 kapot", "beschadigd"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "versleuteld of is een oud Word-formaat")],
    ids=["broken-zip", "ole-container"],
)
def test_bad_docx_is_one_clear_error(tmp_path, data, reason):
    path = tmp_path / "stuk.docx"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=reason) as error:
        load_document(path, 2**20)
    assert str(error.value).startswith("stuk.docx: ")


# -- HTML --------------------------------------------------------------------------------------


def test_html_report_numbered_headings_and_chrome():
    document = load_document(REPORT_DIR / "report.html", 2**20)
    title = ("Semicon Visie 2035",)
    headings = [(p.text, p.section) for p in document.paragraphs if p.kind == "heading"]
    # All numbered headings are <h2>: the numbering gives "2.1 Talent" its depth.
    assert headings == [
        ("Semicon Visie 2035", ()),
        ("1 Inleiding", title),
        ("2 Ambities", title),
        ("2.1 Talent", title + ("2 Ambities",)),
        ("2.2 Kennis en innovatie", title + ("2 Ambities",)),
        ("3 Uitvoering", title),
    ]
    items = [p.text for p in document.paragraphs if p.kind == "list_item"]
    assert items == [
        "meer studenten in technische opleidingen;",
        "gerichte werving van internationaal talent;",
        "vooral uit andere Europese landen;",
        "om- en bijscholing van werkenden uit andere sectoren.",
    ]
    assert find(document, "Europese landen").section == title + ("2 Ambities", "2.1 Talent")
    text = " ".join(p.text for p in document.paragraphs)
    assert "Menu-item" not in text and "Cookies" not in text and "Publicaties" not in text
    assert document.title == "Semicon Visie 2035" and document.format == "html"


def test_html_with_tagged_levels_keeps_them():
    html = b"<h1>Titel</h1><h2>1 Inleiding</h2><h3>1.1 Doel</h3><p>Tekst.</p><h2>Bijlage</h2><p>Meer.</p>"
    document = parse_bytes(html, "html", "t.html", "t")
    assert find(document, "Tekst.").section == ("Titel", "1 Inleiding", "1.1 Doel")
    assert find(document, "Meer.").section == ("Titel", "Bijlage")


# -- plain text --------------------------------------------------------------------------------


def test_text_with_form_feeds_has_real_page_numbers():
    text = "Eerste pagina met een alinea.\n\fTweede pagina met een alinea.\n\fDerde pagina.\n"
    document = parse_bytes(text.encode(), "text", "p.txt", "p")
    assert [(p.text, p.pages) for p in document.paragraphs] == [
        ("Eerste pagina met een alinea.", (1,)),
        ("Tweede pagina met een alinea.", (2,)),
        ("Derde pagina.", (3,)),
    ]


def test_utf8_bom_and_crlf():
    data = "\ufeffBetreft Test\r\n\r\nGeachte voorzitter,\r\n\r\nEén alinea met één zin.\r\n".encode("utf-8")
    document = parse_bytes(data, "text", "bom.txt", "bom")
    assert document.metadata["betreft"] == "Test"
    assert [p.text for p in document.paragraphs][-1] == "Eén alinea met één zin."


def test_html_note_links_are_footnotes_of_the_paragraph_citing_them():
    # Pandoc's markup: a raised link to the note, the notes in a list at the end with a back link.
    html = (
        "<html><body><main><p>De Semicon Coalition is in 2025 opgericht."
        '<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a> Zij telt negen lidstaten.</p>'
        '<p>Zie <a href="#sectie-2">sectie 2</a>.</p><h2 id="sectie-2">Noten</h2>'
        '<section class="footnotes" role="doc-endnotes"><hr /><ol><li id="fn1"><p>Kamerstuk 21 501-30, nr. 600.'
        '<a href="#fnref1" class="footnote-back" role="doc-backlink">↩︎</a></p></li></ol></section></main></body></html>'
    ).encode()
    document = parse_bytes(html, "html", "notes.html", "notes")
    paragraph, footnote = document.paragraphs[0], next(p for p in document.paragraphs if p.kind == "footnote")
    assert paragraph.text == "De Semicon Coalition is in 2025 opgericht. Zij telt negen lidstaten."
    assert (footnote.text, footnote.anchor) == ("Kamerstuk 21 501-30, nr. 600.", "De Semicon Coalition is in 2025 opgericht.")
    assert paragraph.footnote_refs == (footnote.id,) and footnote.referenced_by == (paragraph.id,)
    assert not any(p.text == "Noten" for p in document.paragraphs)
    assert any(p.text == "Zie sectie 2." for p in document.paragraphs)  # a link to a heading is no note
