"""Long two-column PDF reports made on the fly with ReportLab (for the PDF benchmark and tests).

Committing a 150-page PDF would bloat the repository; ReportLab writes one in about a second.
The report has what long policy reports have: a running header and "Pagina x van y" footer,
numbered chapter and section headings, paragraphs that flow from column to column and page to
page, and bullet lists. The text is varied, deterministic Dutch prose.
"""

from __future__ import annotations

import io
import random

WORDS = (
    "de sector investeert samen met kennisinstellingen in onderzoek naar nieuwe chips en machines voor de "
    "productie van halfgeleiders waarbij talent infrastructuur en netcapaciteit randvoorwaarden zijn die het "
    "kabinet met provincies gemeenten en bedrijven wil verbeteren zodat de regio haar positie in Europa behoudt "
    "en uitbouwt terwijl de concurrentie uit Azië en Amerika toeneemt en subsidies daar sterk groeien"
).split()
CHAPTERS = ("Inleiding", "Ambities", "Talent", "Kennis en innovatie", "Infrastructuur", "Internationale samenwerking",
            "Financiering", "Uitvoering", "Monitoring", "Vervolg")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(9, 22))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def long_report(pages: int = 150, seed: int = 7) -> bytes:
    """A two-column report of exactly `pages` pages (content is added until it fills them)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    rng = random.Random(seed)
    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=10, leading=12.5, alignment=4, spaceAfter=6)
    heading = ParagraphStyle("h", fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=6, spaceAfter=4)
    bullet = ParagraphStyle("li", parent=body, leftIndent=10, bulletIndent=0, spaceAfter=2)
    width, height = A4
    margin, gap = 50.0, 20.0
    column = (width - 2 * margin - gap) / 2

    def furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(margin, height - 35, "Semicon Visie 2035 — achtergrondrapport")
        canvas.drawCentredString(width / 2, 28, f"Pagina {doc.page} van {pages}")
        canvas.restoreState()

    frames = [Frame(margin + i * (column + gap), margin, column, height - 2 * margin - 10, id=f"c{i}") for i in (0, 1)]

    def story(chapters: int) -> list:
        flow = []
        for chapter in range(1, chapters + 1):
            flow.append(Paragraph(f"{chapter} {CHAPTERS[(chapter - 1) % len(CHAPTERS)]}", heading))
            for section in range(1, 4):
                flow.append(Paragraph(f"{chapter}.{section} {rng.choice(WORDS).capitalize()} en {rng.choice(WORDS)}", heading))
                for _ in range(rng.randint(3, 5)):
                    flow.append(Paragraph(_paragraph(rng), body))
                if section == 2:
                    for _ in range(3):
                        flow.append(Paragraph(" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 10))) + ";", bullet, bulletText="•"))
        return flow

    # About 1.4 chapters fill a page pair; build, then trim to exactly `pages` pages.
    chapters = max(1, pages // 2)
    while True:
        out = io.BytesIO()
        doc = BaseDocTemplate(out, pagesize=A4, pageTemplates=[PageTemplate(frames=frames, onPage=furniture)])
        rng.seed(seed)
        doc.build(story(chapters))
        if doc.page >= pages:
            break
        chapters = int(chapters * pages / doc.page) + 1
    return _first_pages(out.getvalue(), pages)


def _first_pages(data: bytes, pages: int) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    if len(reader.pages) == pages:
        return data
    writer = PdfWriter()
    for page in reader.pages[:pages]:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
