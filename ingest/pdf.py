"""PDF with a text layer: positioned text fragments -> per-page text -> the shared layout rules.

pypdf gives each text fragment with its transformation matrix. Fragments are grouped into
lines by baseline, lines into columns (body versus letterhead sidebar), and vertical gaps or
font-size changes become blank lines, so the layout rules see the same shapes as in text
extracted from a PDF by other tools. Page numbers come from the PDF itself.
"""

from __future__ import annotations

import io
import statistics
from dataclasses import dataclass

from ingest.assemble import assemble
from ingest.layout import parse_pages
from ingest.records import Document
from ingest.text import document_title


class PdfError(Exception):
    pass


@dataclass
class Fragment:
    x: float
    y: float
    size: float
    text: str


def parse_pdf(data: bytes, path: str, doc_id: str) -> Document:
    pages = pdf_pages_text(data)
    if not any(p.strip() for p in pages):
        raise PdfError("de PDF bevat geen tekstlaag (alleen afbeeldingen); maak er eerst met OCR een doorzoekbare PDF van")
    layout = parse_pages(pages, pages_known=True)
    title = document_title(layout.metadata, layout.blocks, doc_id)
    return assemble(doc_id, title, path, "pdf", layout.blocks, layout.metadata)


def pdf_pages_text(data: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise PdfError("de PDF is versleuteld met een wachtwoord; lever een onbeveiligde versie aan")
            except NotImplementedError:
                raise PdfError("de PDF is versleuteld op een manier die niet te openen is; lever een onbeveiligde versie aan") from None
        pages = []
        for page in reader.pages:
            fragments: list[Fragment] = []
            page.extract_text(visitor_text=_collector(fragments))
            width = float(page.mediabox.width)
            pages.append(_page_text(fragments, width))
        return pages
    except PdfError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise PdfError(f"de PDF is beschadigd of onleesbaar ({type(exc).__name__})") from None


def _collector(fragments: list[Fragment]):
    def visit(text: str, cm: list[float], tm: list[float], font_dict: object, font_size: float) -> None:
        if not text.strip():
            return
        # Text space -> user space: tm then cm.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        for i, part in enumerate(text.split("\n")):
            if part.strip():
                fragments.append(Fragment(x, y - i * font_size * scale * 1.2, font_size * scale, part))

    return visit


def _page_text(fragments: list[Fragment], page_width: float) -> str:
    if not fragments:
        return ""
    lines = _lines(fragments)
    body_x = statistics.mode(round(line[0].x) for line in lines)
    sidebar_x = max(body_x + 0.45 * (page_width - body_x), page_width * 0.62)
    columns: dict[str, list[list[Fragment]]] = {"side": [], "body": []}
    for line in lines:
        side = [f for f in line if f.x >= sidebar_x and line[0].x >= sidebar_x]
        columns["side" if side else "body"].append(line)
    # The sidebar goes first, as in text extracted by other tools; it is furniture either way.
    return "\n\n".join(filter(None, (_column_text(columns["side"]), _column_text(columns["body"]))))


def _lines(fragments: list[Fragment]) -> list[list[Fragment]]:
    """Group fragments on one baseline (superscript markers sit a little higher) into lines."""
    ordered = sorted(fragments, key=lambda f: (-f.y, f.x))
    lines: list[list[Fragment]] = []
    for fragment in ordered:
        if lines:
            base = max(lines[-1], key=lambda f: f.size)
            if abs(fragment.y - base.y) <= 0.45 * base.size:
                lines[-1].append(fragment)
                continue
        lines.append([fragment])
    for line in lines:
        line.sort(key=lambda f: f.x)
    return lines


def _column_text(lines: list[list[Fragment]]) -> str:
    if not lines:
        return ""
    gaps = [a[0].y - b[0].y for a, b in zip(lines, lines[1:]) if a[0].y > b[0].y]
    normal_gap = statistics.median(gaps) if gaps else 0
    out: list[str] = []
    previous: list[Fragment] | None = None
    for line in lines:
        size = max(f.size for f in line)
        if previous is not None:
            gap = previous[0].y - line[0].y
            previous_size = max(f.size for f in previous)
            if gap > 1.45 * normal_gap or abs(size - previous_size) > 0.15 * previous_size:
                out.append("")
        out.append(_join_fragments(line))
        previous = line
    return "\n".join(out)


def _join_fragments(line: list[Fragment]) -> str:
    text = ""
    end = None
    body_size = max(f.size for f in line)
    for fragment in line:
        superscript_marker = fragment.text.strip().isdigit() and fragment.size < 0.85 * body_size
        glued = superscript_marker or (end is not None and fragment.x - end < 0.15 * fragment.size)
        if text and not glued and not text.endswith(" ") and not fragment.text.startswith(" "):
            text += " "
        text += fragment.text.strip() if superscript_marker else fragment.text
        end = fragment.x + _width(fragment)
    return text


def _width(fragment: Fragment) -> float:
    # pypdf gives no glyph widths to the visitor; half the font size per character is the
    # usual average for proportional Latin fonts and only decides whether fragments touch.
    return 0.5 * fragment.size * len(fragment.text)
