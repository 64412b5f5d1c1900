#!/usr/bin/env python3
"""Render the evaluation documents (JSON) into the formats users bring.

Each evaluation set folder (eval/multidoc, eval/own_multidoc) holds:
  src/<doc id>.json   the documents: metadata and blocks (heading / paragraph / list) whose
                      footnotes are "{n}" markers in the text with their notes beside them;
  render.json         which format each document takes in the corpus, and the letter to copy.

The script writes
  corpus/             the letter plus one file per document, in the format render.json names:
                      what `assistant ingest` / `assistant eval` read;
  formats/<format>/   every document in each other format that fits it (for format tests).

Formats:
  xml           a Kamerstuk in the XML of zoek.officielebekendmakingen.nl (officiele-publicatie);
  html          a Kamerstuk as the HTML page of that site (div#broodtekst.stuk, notes in div#noten);
                for a report: a plain report web page;
  docx          Word, with real footnotes (word/footnotes.xml);
  pdf-chromium  printed by headless Chromium from print HTML (a report in two columns), notes
                as endnotes;
  pdf-soffice   the DOCX converted by LibreOffice (footnotes at the page bottom).

File names are the doc ids, so the ids the ingest derives match the qa/claims `doc` fields.

Usage: python scripts/render_corpus.py eval/multidoc [eval/own_multidoc ...] [--no-formats]
Needs python-docx, and for the PDFs `chromium` and `soffice` on PATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = re.compile(r"\{(\d+)\}")
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"]
ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
EXTENSIONS = {"xml": "xml", "html": "html", "docx": "docx", "pdf-chromium": "pdf", "pdf-soffice": "pdf"}
CHROMIUM = [
    "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--no-pdf-header-footer",
]  # fmt: skip


# ------------------------------------------------------------------------------ helpers


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def dutch_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def printed_date(doc: dict) -> str:
    """The date as the document prints it: in English for a document whose metadata is English."""
    if re.search(r"\b(the|of|to)\b", f"{doc['title']} {doc['addressee']}", re.IGNORECASE):
        day = dt.date.fromisoformat(doc["date"])
        return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"
    return dutch_date(doc["date"])


def is_kamerstuk(doc: dict) -> bool:
    return bool(doc["dossier"] and doc["nr"])


def dossier_spaced(number: str) -> str:
    """'33009' -> '33 009', as the publications print it."""
    return f"{number[:2]} {number[2:]}" if re.fullmatch(r"\d{5}", number) else number


def vergaderjaar(iso: str, sep: str = "–") -> str:
    """The parliamentary year (from the third Tuesday of September; September is close enough)."""
    day = dt.date.fromisoformat(iso)
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}{sep}{start + 1}"


def notes_of(doc: dict) -> dict[int, str]:
    return {note["n"]: note["text"] for block in doc["blocks"] for note in block["notes"]}


def signature_block(doc: dict) -> int | None:
    """Index of the closing signature paragraph ('<function>, <name>'), if the document has one."""
    last = doc["blocks"][-1]
    if last["kind"] == "paragraph" and last["text"].endswith(doc["signatory"]) and doc["signatory_function"] in last["text"]:
        return len(doc["blocks"]) - 1
    return None


def segments(text: str):
    """('text', str) and ('note', n) pieces of a block text with "{n}" markers."""
    pos = 0
    for match in MARK.finditer(text):
        if match.start() > pos:
            yield "text", text[pos : match.start()]
        yield "note", int(match.group(1))
        pos = match.end()
    if pos < len(text):
        yield "text", text[pos:]


def inline(text: str, note: callable) -> str:
    return "".join(esc(value) if kind == "text" else note(value) for kind, value in segments(text))


def stuk_title(doc: dict) -> str:
    function = doc["signatory_function"].upper()
    return f"BRIEF VAN DE {function}"


# ------------------------------------------------------------------------------ Kamerstuk XML


def render_xml(doc: dict) -> bytes:
    notes = notes_of(doc)
    prefix = f"{doc['id']}-n"

    def note(n: int) -> str:
        return f'<noot id="{prefix}{n}" type="voet"><noot.nr>{n}</noot.nr><noot.al>{esc(notes[n])}</noot.al></noot>'

    body: list[str] = []
    open_divisie = False
    sig = signature_block(doc)
    for i, block in enumerate(doc["blocks"]):
        if i == sig:
            continue
        if block["kind"] == "heading":
            if open_divisie:
                body.append("            </divisie>")
            body.append(f"            <divisie><kop><titel>{esc(block['text'])}</titel></kop>")
            open_divisie = True
        elif block["kind"] == "list":
            body.append(f"              <al>{inline(block['text'], note)}</al>")
            body.append('              <lijst type="expliciet">')
            for item in block["items"]:
                body.append(f"                <li><li.nr>–</li.nr><al>{inline(item, note)}</al></li>")
            body.append("              </lijst>")
        else:
            body.append(f"              <al>{inline(block['text'], note)}</al>")
    if open_divisie:
        body.append("            </divisie>")
    function = doc["signatory_function"]
    initials, _, surname = doc["signatory"].rpartition(" ")
    year = vergaderjaar(doc["date"])
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Evaluation corpus: rendered from src/{doc['id']}.json by scripts/render_corpus.py in the structure of zoek.officielebekendmakingen.nl. -->
<officiele-publicatie xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <metadata>
    <meta name="OVERHEIDop.externMetadataRecord" scheme="" content="https://zoek.officielebekendmakingen.nl/kst-{doc['dossier']}-{doc['nr']}/metadata.xml"/>
  </metadata>
  <kamerstuk>
    <kamerstukkop>
      <tekstregel inhoud="kamer">Tweede Kamer der Staten-Generaal</tekstregel>
      <tekstregel inhoud="vergaderjaar">Vergaderjaar {year}</tekstregel>
    </kamerstukkop>
    <dossier>
      <dossiernummer><dossiernr>{dossier_spaced(doc['dossier'])}</dossiernr></dossiernummer>
      <titel>{esc(doc['title'])}</titel>
    </dossier>
    <stuk>
      <stuknr>Nr. <ondernummer kamer="2">{doc['nr']}</ondernummer></stuknr>
      <titel>{esc(stuk_title(doc))}</titel>
      <algemeen>
        <brief>
          <ontvanger>{esc(doc['addressee'])}</ontvanger>
          <datumtekst><plaats>{esc(doc['place'])}</plaats>, <datum isodatum="{doc['date']}">{dutch_date(doc['date'])}</datum></datumtekst>
          <brieftekst>
{chr(10).join(body)}
          </brieftekst>
          <ondertekening>
            <functie>De {esc(function)},</functie>
            <naam><voorletters>{esc(initials)}</voorletters> <achternaam>{esc(surname)}</achternaam></naam>
          </ondertekening>
        </brief>
      </algemeen>
    </stuk>
  </kamerstuk>
</officiele-publicatie>
"""
    return xml.encode("utf-8")


# ------------------------------------------------------------------------------ HTML page


def _kst_page(doc: dict) -> str:
    notes = notes_of(doc)
    key = f"ID-{doc['dossier']}-{doc['nr']}-n"

    def note(n: int) -> str:
        return f'<sup><a class="nootnum supernote-click-{key}{n}" href="#{key}{n}">{n}</a></sup>'

    body: list[str] = []
    sig = signature_block(doc)
    level = 0
    for i, block in enumerate(doc["blocks"]):
        if i == sig:
            continue
        if block["kind"] == "heading":
            level += 1
            body.append(f'<h2 class="divisiekop1">{esc(block["text"])}</h2>')
        elif block["kind"] == "list":
            body.append(f"<p>{inline(block['text'], note)}</p>")
            body.append('<ul class="expliciet whitespace-small">')
            for item in block["items"]:
                body.append(f'  <li class="li"><p class="labeled"><span class="ol">– </span>{inline(item, note)}</p></li>')
            body.append("</ul>")
        else:
            body.append(f"<p>{inline(block['text'], note)}</p>")
    note_divs = [
        f'<div class="voet noot snp-mouseoffset snb-pinned notedefault" id="supernote-note-{key}{n}">'
        f'<h5 class="note-close"><a class="note-close" href="#close-{key}{n}">X</a> Noot</h5>'
        f'<sup><span class="nootnum" id="{key}{n}">{n}</span></sup><p>{esc(text)}</p></div>'
        for n, text in sorted(notes.items())
    ]
    kid = f"kst-{doc['dossier']}-{doc['nr']}"
    name = f"Kamerstuk {doc['dossier']}, nr. {doc['nr']}"
    indent = "\n                "
    return f"""<!DOCTYPE html>
<!-- Evaluation corpus: rendered from src/{doc['id']}.json by scripts/render_corpus.py in the page structure of zoek.officielebekendmakingen.nl. -->
<html lang="nl" class="no-js">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{name} | Overheid.nl &gt; Officiële bekendmakingen</title>
  <meta name="DC.identifier" content="{kid}">
  <meta name="DC.title" content="{html.escape(doc['title'])}; Brief regering">
  <meta name="DC.type" scheme="OVERHEIDop.Parlementair" content="Kamerstuk">
  <meta name="DCTERMS.issued" scheme="OVERHEID.XSDdate" content="{doc['date']}">
  <meta name="OVERHEIDop.dossiernummer" content="{doc['dossier']}">
  <meta name="OVERHEIDop.ondernummer" content="{doc['nr']}">
  <meta name="OVERHEIDop.documenttitel" content="{html.escape(doc['title'])}">
  <meta name="OVERHEIDop.vergaderjaar" content="{vergaderjaar(doc['date'], '-')}">
  <link rel="stylesheet" href="/resources/css/main.css">
  <script>document.documentElement.className = 'js';</script>
</head>
<body class="kamerstuk">
  <div class="skiplinks"><a href="#content">Direct naar content</a> <a href="#nav">Direct naar navigatie</a></div>
  <div id="cookiebanner" role="region"><p>Overheid.nl gebruikt cookies om de website te verbeteren.</p><button>Akkoord</button></div>
  <header class="header">
    <div class="header__logo"><a href="/"><img src="/logo.svg" alt="Overheid.nl"></a></div>
    <nav id="nav" class="header__nav" aria-label="Hoofdnavigatie">
      <ul><li><a href="/">Home</a></li><li><a href="/zoeken">Uitgebreid zoeken</a></li><li><a href="/help">Help</a></li></ul>
    </nav>
    <div class="breadcrumb"><ol><li><a href="/">Officiële bekendmakingen</a></li><li>{name}</li></ol></div>
  </header>
  <main id="main">
    <div class="container columns">
      <div id="content" class="column-2-3">
        <h1 class="h1">{name}</h1>
        <ul class="list--tools">
          <li><a href="/{kid}.pdf">PDF-versie</a></li>
          <li><a href="/{kid}.xml">XML-versie</a></li>
          <li><a href="#" onclick="window.print()">Printversie</a></li>
        </ul>
        <p class="meta-gegevens">Datum publicatie: {dt.date.fromisoformat(doc['date']).strftime('%d-%m-%Y')} | Organisatie: Tweede Kamer der Staten-Generaal</p>
        <div id="broodtekst" class="stuk broodtekst-container">
          <div class="kamerstuk">
            <p class="kamerstukkop">Tweede Kamer der Staten-Generaal</p>
            <p class="vergaderjaar">Vergaderjaar {vergaderjaar(doc['date'])}</p>
            <h1 class="dossiertitel"><span class="dossiernummer">{dossier_spaced(doc['dossier'])}</span> {esc(doc['title'])}</h1>
            <div class="stuk">
              <h1 class="stuktitel"><span class="stuknummer">Nr. {doc['nr']}</span> {esc(stuk_title(doc))}</h1>
              <div class="brief">
                <p class="ontvanger">{esc(doc['addressee'])}</p>
                <p class="kamerstukdatum">{esc(doc['place'])}, <span class="datum">{dutch_date(doc['date'])}</span></p>
                {indent.join(body)}
                <p class="ondertekening"><span class="functie">De {esc(doc['signatory_function'])},</span><br><span class="naam">{esc(doc['signatory'])}</span></p>
              </div>
            </div>
            <div id="noten">
              <hr>
              {(chr(10) + '              ').join(note_divs)}
            </div>
          </div>
        </div>
      </div>
      <aside class="column-1-3" id="sidebar">
        <h2>Gerelateerde documenten</h2>
        <ul><li><a href="/dossier/{doc['dossier']}">Alle stukken in dossier {doc['dossier']}</a></li></ul>
        <h2>Technische informatie</h2>
        <p>Identificatienummer: {kid}</p>
      </aside>
    </div>
  </main>
  <footer class="footer"><p>Officiële bekendmakingen is een dienst van de Rijksoverheid.</p><ul><li><a href="/privacy">Privacy</a></li><li><a href="/toegankelijkheid">Toegankelijkheid</a></li></ul></footer>
  <script src="/resources/js/main.js"></script>
</body>
</html>
"""


def _report_page(doc: dict, print_css: str = "") -> str:
    """A report as a plain web page (and the print source for its PDF): notes as endnotes."""
    order: list[int] = []

    def note(n: int) -> str:
        order.append(n)
        return f'<sup><a href="#noot-{n}" id="ref-{n}">{n}</a></sup>'

    body: list[str] = []
    for block in doc["blocks"]:
        if block["kind"] == "heading":
            body.append(f"<h2>{esc(block['text'])}</h2>")
        elif block["kind"] == "list":
            body.append(f"<p>{inline(block['text'], note)}</p>")
            body.append("<ul>" + "".join(f"<li>{inline(item, note)}</li>" for item in block["items"]) + "</ul>")
        else:
            body.append(f"<p>{inline(block['text'], note)}</p>")
    notes = notes_of(doc)
    endnotes = "".join(f'<li id="noot-{n}">{esc(notes[n])}</li>' for n in sorted(notes))
    kind = doc["type"]
    meta = f"{esc(kind)} · {esc(doc['place'])}, {printed_date(doc)}"
    return f"""<!DOCTYPE html>
<!-- Evaluation corpus: rendered from src/{doc['id']}.json by scripts/render_corpus.py. -->
<html lang="nl">
<head>
<meta charset="utf-8">
<title>{esc(doc['title'])}</title>
<style>{print_css}</style>
</head>
<body>
<main>
<article>
<header class="titelblok">
<h1>{esc(doc['title'])}</h1>
<p class="meta">{meta}</p>
<p class="meta">{esc(doc['addressee'])}</p>
</header>
<div class="tekst">
{chr(10).join(body)}
<section class="noten">
<h2>Noten</h2>
<ol>{endnotes}</ol>
</section>
</div>
</article>
</main>
</body>
</html>
"""


def render_html(doc: dict) -> bytes:
    return (_kst_page(doc) if is_kamerstuk(doc) else _report_page(doc)).encode("utf-8")


# ------------------------------------------------------------------------------ PDF via Chromium

PRINT_CSS = """
@page { size: A4; margin: 22mm 20mm 22mm 20mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10pt; line-height: 1.4; color: #111; }
h1 { font-size: 17pt; margin: 0 0 6pt 0; }
h2 { font-size: 11.5pt; margin: 12pt 0 4pt 0; break-after: avoid; }
p { margin: 0 0 7pt 0; text-align: left; }
.meta { color: #333; font-size: 9.5pt; margin: 0 0 2pt 0; }
.titelblok { margin-bottom: 14pt; border-bottom: 1pt solid #154273; padding-bottom: 8pt; }
ul { margin: 0 0 7pt 0; padding-left: 14pt; }
li { margin-bottom: 3pt; }
sup { font-size: 6.5pt; line-height: 0; }
sup a { color: inherit; text-decoration: none; }
.noten { font-size: 8pt; }
.noten h2 { font-size: 9.5pt; }
"""
TWO_COLUMNS_CSS = """
.tekst { column-count: 2; column-gap: 9mm; }
.tekst h2 { break-inside: avoid; }
"""


def _kst_print_page(doc: dict, print_css: str) -> str:
    """The print version of a Kamerstuk: its head lines, the letter, endnotes."""
    page = _report_page(dict(doc, type=f"Kamerstuk {dossier_spaced(doc['dossier'])}, nr. {doc['nr']}"), print_css)
    head = (
        '<p class="meta">Tweede Kamer der Staten-Generaal · Vergaderjaar ' + vergaderjaar(doc["date"]) + "</p>\n"
        f'<p class="meta">{dossier_spaced(doc["dossier"])} Nr. {doc["nr"]} {esc(stuk_title(doc))}</p>\n'
    )
    return page.replace('<header class="titelblok">\n', '<header class="titelblok">\n' + head, 1)


def render_pdf_chromium(doc: dict, columns: int = 1) -> bytes:
    css = PRINT_CSS + (TWO_COLUMNS_CSS if columns == 2 else "")
    page = _kst_print_page(doc, css) if is_kamerstuk(doc) else _report_page(doc, css)
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / f"{doc['id']}.html", Path(tmp) / "out.pdf"
        source.write_text(page, encoding="utf-8")
        subprocess.run(
            CHROMIUM + [f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", source.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        return out.read_bytes()


# ------------------------------------------------------------------------------ DOCX

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def render_docx(doc: dict) -> bytes:
    import io

    import docx
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.shared import Pt

    document = docx.Document()
    notes = notes_of(doc)
    props = document.core_properties
    props.title, props.author = doc["title"], doc["signatory"]
    props.created = props.modified = dt.datetime.fromisoformat(doc["date"] + "T12:00:00")
    props.last_modified_by, props.revision = doc["signatory"], 1
    document.styles["Normal"].font.name = "Calibri"
    document.styles["Normal"].font.size = Pt(10.5)

    def add_runs(paragraph, text: str) -> None:
        for kind, value in segments(text):
            if kind == "text":
                paragraph.add_run(value)
            else:
                paragraph._p.append(
                    parse_xml(
                        f'<w:r xmlns:w="{W_NS}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                        f'<w:footnoteReference w:id="{value}"/></w:r>'
                    )
                )

    if is_kamerstuk(doc):
        document.add_paragraph(f"Tweede Kamer der Staten-Generaal · Vergaderjaar {vergaderjaar(doc['date'])}")
        document.add_paragraph(f"{dossier_spaced(doc['dossier'])} {doc['title']}")
        document.add_paragraph(f"Nr. {doc['nr']} {stuk_title(doc)}")
        document.add_paragraph(doc["addressee"])
        document.add_paragraph(f"{doc['place']}, {dutch_date(doc['date'])}")
    else:
        document.add_paragraph(doc["title"], style="Title")
        document.add_paragraph(f"{doc['type']} · {doc['place']}, {printed_date(doc)}")
        document.add_paragraph(doc["addressee"])
    for block in doc["blocks"]:
        if block["kind"] == "heading":
            document.add_heading(block["text"], level=1)
            continue
        add_runs(document.add_paragraph(), block["text"])
        for item in block["items"]:
            add_runs(document.add_paragraph(style="List Bullet"), item)

    sep = '<w:footnote w:type="{t}" w:id="{i}"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:{e}/></w:r></w:p></w:footnote>'
    body = [sep.format(t="separator", i=-1, e="separator"), sep.format(t="continuationSeparator", i=0, e="continuationSeparator")]
    for n, text in sorted(notes.items()):
        body.append(
            f'<w:footnote w:id="{n}"><w:p><w:pPr><w:spacing w:after="0"/></w:pPr>'
            '<w:r><w:rPr><w:vertAlign w:val="superscript"/><w:sz w:val="16"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:t xml:space="preserve"> {esc(text)}</w:t></w:r></w:p></w:footnote>'
        )
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W_NS}">{"".join(body)}</w:footnotes>'
    part = Part(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, xml.encode("utf-8"), document.part.package)
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_pdf_soffice(doc: dict) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{doc['id']}.docx"
        source.write_bytes(render_docx(doc))
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(source)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        return (Path(tmp) / f"{doc['id']}.pdf").read_bytes()


# ------------------------------------------------------------------------------ driver


def formats_for(doc: dict) -> list[str]:
    return (["xml"] if is_kamerstuk(doc) else []) + ["html", "docx", "pdf-chromium", "pdf-soffice"]


def render(doc: dict, fmt: str, columns: int = 1) -> bytes:
    if fmt == "xml":
        return render_xml(doc)
    if fmt == "html":
        return render_html(doc)
    if fmt == "docx":
        return render_docx(doc)
    if fmt == "pdf-chromium":
        return render_pdf_chromium(doc, columns)
    if fmt == "pdf-soffice":
        return render_pdf_soffice(doc)
    raise ValueError(f"unknown format {fmt!r}")


def render_set(folder: Path, with_formats: bool) -> None:
    plan = json.loads((folder / "render.json").read_text(encoding="utf-8"))
    corpus = folder / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    letter = ROOT / plan["letter"]
    shutil.copyfile(letter, corpus / letter.name)
    if with_formats and (folder / "formats").exists():
        shutil.rmtree(folder / "formats")
    for doc_id, spec in plan["corpus"].items():
        doc = json.loads((folder / "src" / f"{doc_id}.json").read_text(encoding="utf-8"))
        columns = spec.get("columns", 1)
        out = corpus / f"{doc_id}.{EXTENSIONS[spec['format']]}"
        out.write_bytes(render(doc, spec["format"], columns))
        print(f"{out.relative_to(ROOT)}  ({spec['format']}{', two columns' if columns == 2 else ''})")
        if not with_formats:
            continue
        for fmt in formats_for(doc):
            if fmt == spec["format"]:
                continue
            target = folder / "formats" / fmt / f"{doc_id}.{EXTENSIONS[fmt]}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(render(doc, fmt, columns if fmt == "pdf-chromium" else 1))
            print(f"  {target.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", type=Path, help="evaluation set folders holding src/ and render.json")
    parser.add_argument("--no-formats", action="store_true", help="render only the corpus folder, not formats/")
    args = parser.parse_args(argv)
    for folder in args.sets:
        render_set(folder.resolve(), with_formats=not args.no_formats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
