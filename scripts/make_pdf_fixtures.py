"""Make the PDF test corpus with real tools; the output is committed under tests/fixtures/pdf/.

    python scripts/make_pdf_fixtures.py          # needs chromium, soffice, gs on PATH

Producers encode text differently, which is the point:
  - headless Chromium `--print-to-pdf`: justified text, `hyphens: auto`, `<sup>` markers, soft hyphens;
  - LibreOffice `soffice --convert-to pdf` from an ODT with real footnotes and page-anchored frames;
  - ReportLab, one text run per word with a font switch per run (tests/pdfrender.py);
  - Ghostscript `-sDEVICE=pdfwrite` re-distilling the LibreOffice letter and the Chromium report.
Layouts: the shipped letter (body left, letterhead sidebar right, footnotes at the page bottom,
"Pagina x van y"), and a two-column report (title page, contents, running header/footer,
numbered headings, a table with caption, bullets, a figure, ligatures and soft hyphens).
The sources (HTML, ODT) are written next to the PDFs so the fixtures can be checked by eye.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.records import Document, normalize_space  # noqa: E402 (after the sys.path line)
from ingest.text import parse_text  # noqa: E402
from tests.pdfrender import marked_words, render_pdf  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "pdf"
LETTER = ROOT / "corpus" / "kamerbrief-semicon-visie-2035.txt"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--no-pdf-header-footer",
]


# -- the letter, page by page -------------------------------------------------------------------


@dataclass
class Item:
    kind: str
    words: list  # pdfrender words: lists of (text, is_marker) segments
    continues: bool = False  # the paragraph goes on on the next page


@dataclass
class LetterPage:
    items: list[Item] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


def letter_pages(document: Document, source: str) -> list[LetterPage]:
    """The letter's records laid out on the pages the text version says, a paragraph that
    crosses a page split where the source splits it, each footnote on its marker's page."""
    by_id = {p.id: p for p in document.paragraphs}
    count = max(page for p in document.paragraphs for page in p.pages)
    pages = [LetterPage() for _ in range(count)]
    pages[0].items.append(Item("betreft", [[(w, False)] for w in f"Betreft {document.metadata['betreft']}".split()]))
    for paragraph in document.paragraphs:
        if paragraph.kind in ("letterhead", "footnote"):
            continue
        words = marked_words(paragraph, by_id, source)
        parts = [words]
        if len(paragraph.pages) == 2:
            head = _words_before_break(paragraph.text, source)
            parts = [words[:head], words[head:]]
        for index, (page, part) in enumerate(zip(paragraph.pages, parts)):
            pages[page - 1].items.append(Item(paragraph.kind, part, continues=index < len(parts) - 1))
            for text, is_marker in (segment for word in part for segment in word):
                if is_marker:
                    note = next(p for p in document.paragraphs if p.kind == "footnote" and str(p.number) == text)
                    pages[page - 1].notes.append((text, note.text))
    return pages


def _words_before_break(text: str, source: str) -> int:
    """How many of the paragraph's words the source prints before its page break (blank line)."""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if normalize_space(line) and text.startswith(normalize_space(line)[:30]))
    end = next(i for i in range(start, len(lines)) if not lines[i].strip())
    return len(" ".join(lines[start:end]).split())


def _word_html(word: list) -> str:
    return "".join(f"<sup>{t}</sup>" if m else html.escape(t) for t, m in word)


LETTER_CSS = """
@page { size: A4; margin: 0 }
body { margin: 0; font-family: 'Liberation Sans', sans-serif; }
.page { position: relative; width: 210mm; height: 297mm; overflow: hidden; break-after: page; }
.body { position: absolute; left: 24mm; top: 32mm; width: 118mm; font-size: 9.5pt; line-height: 13pt;
        text-align: justify; hyphens: auto; }
.body p { margin: 0 0 13pt 0; }
.body p.cont { text-align-last: justify; margin-bottom: 0; }
.body h2 { font-size: 9.5pt; margin: 0 0 13pt 0; font-weight: bold; }
.body p.sig { text-align: left; margin: 26pt 0 0 0; }
sup { font-size: 60%; line-height: 0; }
.side { position: absolute; left: 158mm; top: 32mm; width: 44mm; font-size: 7pt; line-height: 9pt; }
.side p { margin: 0 0 9pt 0; }
.side b { font-weight: bold; }
.notes { position: absolute; left: 24mm; bottom: 22mm; width: 118mm; font-size: 7pt; line-height: 8.6pt; }
.notes p { margin: 0; }
.pageno { position: absolute; left: 158mm; bottom: 22mm; font-size: 7pt; }
"""


def letter_html(document: Document, pages: list[LetterPage], sidebar: list[list[str]]) -> str:
    out = [f"<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><style>{LETTER_CSS}</style></head><body>"]
    for number, page in enumerate(pages, start=1):
        out.append("<div class='page'><div class='side'>")
        for group in sidebar:
            out.append("<p><b>" + html.escape(group[0]) + "</b><br>" + "<br>".join(html.escape(t) for t in group[1:]) + "</p>")
        out.append("</div><div class='body'>")
        for item in page.items:
            text = " ".join(_word_html(w) for w in item.words)
            if item.kind == "heading":
                out.append(f"<h2>{text}</h2>")
            elif item.kind == "signature":
                name, _, function = normalize_space(" ".join(t for w in item.words for t, _ in w)).partition(", ")
                out.append(f"<p class='sig'>{html.escape(name)}<br>{html.escape(function)}</p>")
            else:
                out.append(f"<p class='{'cont' if item.continues else ''}'>{text}</p>")
        out.append("</div><div class='notes'>")
        for mark, note in page.notes:
            out.append(f"<p><sup>{mark}</sup> {html.escape(note)}</p>")
        out.append(f"</div><div class='pageno'>Pagina {number} van {len(pages)}</div></div>")
    out.append("</body></html>")
    return "\n".join(out)


# -- the letter as an ODT with real footnotes (LibreOffice) -------------------------------------

ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""

ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2"'
)

ODT_STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {ODT_NS}>
 <office:font-face-decls/>
 <office:styles>
  <style:default-style style:family="paragraph"><style:paragraph-properties fo:hyphenation-ladder-count="no-limit"/>
   <style:text-properties style:font-name="Liberation Sans" fo:font-family="'Liberation Sans'" fo:font-size="9.5pt" fo:language="nl" fo:country="NL"/></style:default-style>
  <style:style style:name="Standard" style:family="paragraph"><style:paragraph-properties fo:text-align="justify" fo:margin-bottom="13pt" fo:line-height="13pt"/></style:style>
  <style:style style:name="Footnote" style:family="paragraph"><style:paragraph-properties fo:margin-left="4mm" fo:text-indent="-4mm" fo:margin-bottom="0pt" fo:line-height="8.6pt"/>
   <style:text-properties fo:font-size="7pt"/></style:style>
  <style:style style:name="Side" style:family="paragraph"><style:paragraph-properties fo:margin-bottom="9pt" fo:line-height="9pt" fo:text-align="start"/>
   <style:text-properties fo:font-size="7pt"/></style:style>
  <style:style style:name="Footer" style:family="paragraph"><style:paragraph-properties fo:margin-left="134mm"/><style:text-properties fo:font-size="7pt"/></style:style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm"
    fo:margin-top="30mm" fo:margin-bottom="12mm" fo:margin-left="24mm" fo:margin-right="68mm"/>
   <style:footer-style><style:header-footer-properties fo:min-height="8mm" fo:margin-top="4mm"/></style:footer-style></style:page-layout>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1">
   <style:footer><text:p text:style-name="Footer">Pagina <text:page-number text:select-page="current">1</text:page-number> van <text:page-count>3</text:page-count></text:p></style:footer>
  </style:master-page>
 </office:master-styles>
</office:document-styles>"""


def letter_odt(document: Document, pages: list[LetterPage], sidebar: list[list[str]]) -> bytes:
    notes = {str(p.number): p.text for p in document.paragraphs if p.kind == "footnote"}
    esc = html.escape
    body: list[str] = []
    for number in range(1, len(pages) + 1):
        lines = "".join(
            f'<text:p text:style-name="Side"><text:span text:style-name="B">{esc(g[0])}</text:span>'
            + "".join(f"<text:line-break/>{esc(t)}" for t in g[1:])
            + "</text:p>"
            for g in sidebar
        )
        body.append(
            f'<draw:frame draw:style-name="fr1" text:anchor-type="page" text:anchor-page-number="{number}" '
            f'svg:x="158mm" svg:y="30mm" svg:width="44mm" draw:z-index="0"><draw:text-box fo:min-height="20mm">{lines}</draw:text-box></draw:frame>'
        )
    for index, page in enumerate(pages):
        for position, item in enumerate(page.items):
            words = []
            for word in item.words:
                words.append("".join(
                    f'<text:note text:note-class="footnote"><text:note-citation>{t}</text:note-citation>'
                    f'<text:note-body><text:p text:style-name="Footnote">{esc(notes[t])}</text:p></text:note-body></text:note>'
                    if m else esc(t)
                    for t, m in word
                ))
            text = " ".join(words)
            style = "Standard"
            if item.kind == "heading":
                style = "Heading"
            elif item.kind == "signature":
                name, _, function = text.partition(", ")
                text = f"{name}<text:line-break/>{function}"
                style = "Sig"
            if index and position == 0:
                style = {"Standard": "Break", "Heading": "BreakHeading"}.get(style, style)
            if item.continues:
                style = "Cont"
            body.append(f'<text:p text:style-name="{style}">{text}</text:p>')
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {ODT_NS}>
 <office:automatic-styles>
  <style:style style:name="fr1" style:family="graphic"><style:graphic-properties style:wrap="none" style:vertical-rel="page" style:horizontal-rel="page" fo:background-color="transparent" fo:border="none" fo:padding="0mm"/></style:style>
  <style:style style:name="B" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
  <style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard"><style:text-properties fo:font-weight="bold"/></style:style>
  <style:style style:name="BreakHeading" style:family="paragraph" style:parent-style-name="Heading"><style:paragraph-properties fo:break-before="page"/></style:style>
  <style:style style:name="Break" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:break-before="page"/></style:style>
  <style:style style:name="Cont" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align-last="justify" fo:margin-bottom="0pt"/></style:style>
  <style:style style:name="Sig" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:margin-top="26pt" fo:text-align="start"/></style:style>
 </office:automatic-styles>
 <office:body><office:text>{''.join(body)}</office:text></office:body>
</office:document-content>"""
    buffer = Path(tempfile.mkdtemp()) / "letter.odt"
    with zipfile.ZipFile(buffer, "w") as odt:
        odt.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        odt.writestr("META-INF/manifest.xml", ODT_MANIFEST, zipfile.ZIP_DEFLATED)
        odt.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        odt.writestr("styles.xml", ODT_STYLES, zipfile.ZIP_DEFLATED)
    return buffer.read_bytes()


# -- the two-column report ----------------------------------------------------------------------

# (kind, text): "h1"/"h2" numbered headings, "p" paragraphs, "ul" bullets (items split on "|"),
# "table" (caption then rows, cells split on ";"), "figure" (caption). "\u00ad" marks soft hyphens;
# "ﬁ"/"ﬂ" are written as ligature characters, as some producers do.
REPORT_TITLE = "Chips voor Brainport"
REPORT_SUBTITLE = "Tussenrapportage van de regionale werkgroep halfgeleiders, voorjaar 2026"
REPORT = [
    ("h1", "1 Aanleiding"),
    ("p", "De regio rond Eindhoven heeft zich in twintig jaar ontwikkeld tot een van de belangrijkste "
          "clusters voor halfgeleiderapparatuur ter wereld. Die positie is niet vanzelf ontstaan: zij rust op "
          "een dicht netwerk van toeleveranciers, kennisinstellingen en opleidingen dat elkaar versterkt."),
    ("p", "Deze tussenrapportage beschrijft hoe de werkgroep de knelpunten in dat netwerk heeft geïnven\u00adtariseerd "
          "en welke maatregelen zij voorstelt. De ﬁnanciering van die maatregelen komt in het eindrapport aan de orde."),
    ("h2", "1.1 Werkwijze"),
    ("p", "De werkgroep sprak met achtendertig bedrijven, vier hogescholen en twee universiteiten. Daarnaast zijn "
          "cijfers over vacatures, huisvesting en netcapaciteit verzameld bij de provincie en de netbeheerder."),
    ("ul", "interviews met directies en HR-afdelingen|een enquête onder ruim vijfhonderd technici|"
           "werksessies met gemeenten over woningbouw en bereikbaarheid"),
    ("h1", "2 Knelpunten"),
    ("p", "Drie knelpunten keren in vrijwel alle gesprekken terug. Het eerste is het tekort aan technisch personeel "
          "op alle niveaus, van monteur tot promovendus. Het tweede is de beperkte ruimte op het elektriciteitsnet, "
          "waardoor nieuwe productiehallen soms jaren moeten wachten op een aansluiting."),
    ("p", "Het derde knelpunt is minder zichtbaar maar volgens de bedrijven even ernstig: de ﬂexibiliteit van "
          "vergunningverlening schiet tekort wanneer een fabriek snel moet uitbreiden. Procedures van meer dan "
          "twee jaar zijn eerder regel dan uitzondering."),
    ("table", "Tabel 1 Openstaande vacatures per opleidingsniveau|Niveau;2024;2025|mbo;4.100;4.650|hbo;3.300;3.900|wo;1.850;2.200"),
    ("p", "Tabel 1 laat zien dat het tekort op elk niveau is gegroeid. De grootste toename zit bij het middelbaar "
          "beroepsonderwijs, waar veel bedrijven moeite hebben om ervaren monteurs en operators te vinden."),
    ("h2", "2.1 Netcapaciteit"),
    ("p", "De netbeheerder verwacht dat de vraag naar transportcapaciteit in de regio tot 2030 verdubbelt. "
          "Zonder extra investeringen in hoogspanningsstations lopen de wachttijden voor grootverbruikers verder op."),
    ("figure", "Figuur 1 Verwachte vraag naar transportcapaciteit in megawatt, 2024 tot 2030"),
    ("p", "De werkgroep stelt voor om aansluitingen voor strategische uitbreidingen voorrang te geven, binnen de "
          "ruimte die de regels voor netbeheer daarvoor bieden, en om vaker flexibele contracten af te sluiten."),
    ("h1", "3 Voorstellen"),
    ("p", "Op basis van de gesprekken doet de werkgroep een beperkt aantal voorstellen die binnen twee jaar "
          "effect kunnen hebben. Zij zijn bewust klein gehouden, zodat uitvoering niet op nieuwe wetgeving hoeft te wachten."),
    ("ul", "een regionaal opleidingsfonds waarin bedrijven en overheden samen investeren|"
           "één loket voor vergunningen van uitbreidingen van bestaande productielocaties|"
           "afspraken met de netbeheerder over voorrang en flexibele aansluitingen"),
    ("p", "De werkgroep vraagt de partners om voor de zomer te laten weten of zij de voorstellen steunen. In het "
          "najaar volgt het eindrapport met een uitgewerkte begroting en een verdeling van de verantwoordelijkheden."),
    ("h2", "3.1 Opleidingen"),
    ("p", "Het opleidingsfonds moet vooral zij-instromers helpen. Volwassenen die uit een andere sector komen, "
          "kunnen met een beurs een verkorte opleiding volgen bij een regionaal opleidingscentrum, terwijl zij al "
          "gedeeltelijk in dienst zijn van een bedrijf dat hen na afronding een vaste baan aanbiedt."),
    ("p", "Hogescholen en universiteiten breiden daarnaast het aantal plaatsen in technische opleidingen uit. "
          "Zij vragen wel zekerheid over de bekostiging voor een periode van ten minste zes jaar, omdat docenten "
          "en laboratoria niet van het ene op het andere jaar te vinden zijn."),
    ("h2", "3.2 Vergunningen"),
    ("p", "Het loket voor vergunningen wordt ondergebracht bij de omgevingsdienst. Bedrijven melden een voorgenomen "
          "uitbreiding één keer en krijgen binnen zes weken te horen welke procedures nodig zijn en hoe lang die "
          "naar verwachting duren. Gemeenten houden hun eigen bevoegdheden."),
    ("p", "Voor uitbreidingen op bestaande terreinen stelt de werkgroep voor om standaardvoorschriften te gebruiken "
          "voor geluid, verkeer en externe veiligheid. Dat verkort de voorbereiding en maakt de uitkomst voor "
          "omwonenden voorspelbaarder."),
    ("h1", "4 Vervolg"),
    ("p", "De werkgroep bespreekt deze tussenrapportage in de komende maanden met de provincie, de gemeenten en "
          "de bedrijven in de regio. Hun reacties worden verwerkt in het eindrapport, dat ook een raming bevat van "
          "de kosten en van de verwachte effecten op werkgelegenheid en productie."),
    ("p", "Tot slot dankt de werkgroep iedereen die tijd heeft vrijgemaakt voor een gesprek. Zonder die openheid "
          "was het niet mogelijk geweest om in korte tijd een zo volledig beeld van de knelpunten te krijgen."),
]

REPORT_CSS = """
@page { size: A4; margin: 22mm 18mm 20mm 18mm;
        @top-left { content: "Chips voor Brainport — tussenrapportage"; font: 8pt 'DejaVu Serif'; }
        @bottom-center { content: "Pagina " counter(page) " van " counter(pages); font: 8pt 'DejaVu Serif'; } }
body { font-family: 'DejaVu Serif', serif; font-size: 10pt; line-height: 13pt; margin: 0;
       font-variant-ligatures: common-ligatures; }
.title { height: 200mm; break-after: page; padding-top: 60mm; }
.title h1 { font-size: 24pt; line-height: 28pt; }
.title p { font-size: 12pt; line-height: 15pt; }
.toc { break-after: page; }
.toc h1 { font-size: 14pt; }
.toc p { margin: 0 0 4pt 0; }
.cols { column-count: 2; column-gap: 9mm; text-align: justify; hyphens: auto; }
.cols h2 { font-size: 12pt; line-height: 15pt; margin: 8pt 0 6pt 0; break-after: avoid; }
.cols h3 { font-size: 10.5pt; line-height: 13pt; margin: 6pt 0 4pt 0; break-after: avoid; }
.cols p { margin: 0 0 8pt 0; }
.cols ul { margin: 0 0 8pt 0; padding-left: 5mm; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 4pt 0 8pt 0; break-inside: avoid; }
caption { text-align: left; font-style: italic; margin-bottom: 3pt; }
td, th { border-bottom: 0.4pt solid #999; padding: 1pt 3pt; text-align: left; }
figure { margin: 4pt 0 8pt 0; break-inside: avoid; }
figcaption { font-size: 9pt; font-style: italic; }
"""


def report_html() -> str:
    headings = [text for kind, text in REPORT if kind in ("h1", "h2")]
    out = [f"<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><style>{REPORT_CSS}</style></head><body>",
           f"<div class='title'><h1>{REPORT_TITLE}</h1><p>{REPORT_SUBTITLE}</p></div>",
           "<div class='toc'><h1>Inhoud</h1>"]
    out += [f"<p>{html.escape(h)} .......... {3 + i // 4}</p>" for i, h in enumerate(headings)]
    out.append("</div><div class='cols'>")
    for kind, text in REPORT:
        esc = html.escape(text).replace("\u00ad", "&shy;")
        if kind == "h1":
            out.append(f"<h2>{esc}</h2>")
        elif kind == "h2":
            out.append(f"<h3>{esc}</h3>")
        elif kind == "p":
            out.append(f"<p>{esc}</p>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in text.split("|")) + "</ul>")
        elif kind == "table":
            caption, header, *rows = text.split("|")
            def cells(row, tag):
                return "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in row.split(";"))
            out.append(f"<table><caption>{html.escape(caption)}</caption><tr>{cells(header, 'th')}</tr>"
                       + "".join(f"<tr>{cells(r, 'td')}</tr>" for r in rows) + "</table>")
        elif kind == "figure":
            bars = "".join(f"<rect x='{10 + i * 28}' y='{80 - h}' width='18' height='{h}' fill='#4a7'/>"
                           for i, h in enumerate((20, 28, 37, 45, 56, 64, 75)))
            out.append(f"<figure><svg width='220' height='90' viewBox='0 0 220 90'>{bars}</svg>"
                       f"<figcaption>{html.escape(text)}</figcaption></figure>")
    out.append("</div></body></html>")
    return "\n".join(out)


# -- producers ----------------------------------------------------------------------------------


def chromium_pdf(html_path: Path, pdf_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf_path}", html_path.as_uri()],
            check=True, capture_output=True, timeout=120,
        )


def soffice_pdf(source: Path, out_dir: Path) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(out_dir), str(source)],
            check=True, capture_output=True, timeout=180,
        )
    return out_dir / (source.stem + ".pdf")


def ghostscript_pdf(source: Path, target: Path) -> None:
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", f"-sOutputFile={target}", str(source)],
                   check=True, capture_output=True, timeout=120)


def main() -> None:
    (OUT / "src").mkdir(parents=True, exist_ok=True)
    source = LETTER.read_text(encoding="utf-8")
    document = parse_text(source, str(LETTER), "kamerbrief-semicon-visie-2035")
    pages = letter_pages(document, source)
    from tests.pdfrender import letter_sidebar

    sidebar = letter_sidebar(document.metadata)

    html_path = OUT / "src" / "letter.html"
    html_path.write_text(letter_html(document, pages, sidebar), encoding="utf-8")
    chromium_pdf(html_path, OUT / "letter-chromium.pdf")

    odt_path = OUT / "src" / "letter.odt"
    odt_path.write_bytes(letter_odt(document, pages, sidebar))
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(soffice_pdf(odt_path, Path(tmp)), OUT / "letter-libreoffice.pdf")

    (OUT / "letter-reportlab.pdf").write_bytes(render_pdf(document, source, per_word=True))
    # Re-distilling Chromium's output with Ghostscript 10.00 maps “ ” to < = in the text layer
    # itself (every reader gets them wrong), so the LibreOffice letter is the one re-distilled.
    ghostscript_pdf(OUT / "letter-libreoffice.pdf", OUT / "letter-ghostscript.pdf")

    report_path = OUT / "src" / "report.html"
    report_path.write_text(report_html(), encoding="utf-8")
    chromium_pdf(report_path, OUT / "report-chromium.pdf")
    ghostscript_pdf(OUT / "report-chromium.pdf", OUT / "report-ghostscript.pdf")
    for pdf in sorted(OUT.glob("*.pdf")):
        info = subprocess.run(["pdfinfo", str(pdf)], check=False, capture_output=True, text=True).stdout
        producer = re.search(r"Producer:\s*(.*)", info)
        count = re.search(r"Pages:\s*(\d+)", info).group(1)
        print(f"{pdf.name}: {count} pages, {producer.group(1) if producer else '?'}")


if __name__ == "__main__":
    main()
