"""PDF with a text layer: positioned text fragments -> per-page text -> the shared layout rules.

pypdf gives each text fragment with its transformation matrix. Fragments are grouped into
lines by baseline, lines into columns (body versus letterhead sidebar), and vertical gaps or
font-size changes become blank lines, so the layout rules see the same shapes as in text
extracted from a PDF by other tools. Page numbers come from the PDF itself.
"""

from __future__ import annotations

import io
import logging
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
    width: float
    lead: float = 0.0  # width of the whitespace the extractor gave before `text`

    @property
    def end(self) -> float:
        return self.x + self.width


def parse_pdf(data: bytes, path: str, doc_id: str) -> Document:
    pages = pdf_pages_text(data)
    if not any(p.strip() for p in pages):
        raise PdfError("de PDF bevat geen tekstlaag (alleen afbeeldingen); maak er eerst met OCR een doorzoekbare PDF van")
    layout = parse_pages(pages, pages_known=True)
    title = document_title(layout.metadata, layout.blocks, doc_id)
    return assemble(doc_id, title, path, "pdf", layout.blocks, layout.metadata)


def pdf_pages_text(data: bytes) -> list[str]:
    # pypdf logs what it repairs ("EOF marker not found") to the console; a broken file gets
    # one clear line from us instead.
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return _pages_text(data)
    finally:
        logger.setLevel(level)


def _pages_text(data: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

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
    except DependencyError:
        raise PdfError("de PDF is versleuteld (AES) en kan zonder wachtwoord niet worden gelezen; lever een onbeveiligde versie aan") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise PdfError(f"de PDF is beschadigd of onleesbaar ({type(exc).__name__})") from None


def _collector(fragments: list[Fragment]):
    fonts: dict[int, object] = {}

    def visit(text: str, cm: list[float], tm: list[float], font_dict: object, font_size: float) -> None:
        if not text.strip():
            return
        # WinAnsiEncoding also puts the bullet at code 127, which extractors pass through as DEL.
        text = text.replace("\x7f", "•")
        # Text space -> user space: tm then cm.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        size = font_size * scale
        for i, part in enumerate(text.split("\n")):
            if part.strip():
                word = part.strip()
                lead = _text_width(fonts, font_dict, part[: len(part) - len(part.lstrip())], size)
                fragments.append(Fragment(x, y - i * size * 1.2, size, word, _text_width(fonts, font_dict, word, size), lead))

    return visit


def _text_width(fonts: dict[int, object], font_dict: object, text: str, size: float) -> float:
    """Width from the font's own glyph metrics: word-by-word placed text (common in generated
    PDFs) only reads back with the right spaces when the gaps between fragments are exact."""
    if not text:
        return 0.0
    key = id(font_dict)
    if key not in fonts:
        fonts[key] = _font_metrics(font_dict)
    metrics = fonts[key]
    if metrics is not None:
        font, codes = metrics
        try:
            return font.get_text_width("".join(codes.get(c, c) for c in text)) / 1000 * size
        except Exception:  # a font pypdf cannot measure: estimate as below
            pass
    # Half the font size per character is the usual average for proportional Latin fonts.
    return 0.5 * size * len(text)


def _font_metrics(font_dict: object) -> tuple[object, dict[str, str]] | None:
    if font_dict is None:
        return None
    try:
        from pypdf.generic._font import Font

        font = Font.from_font_resource(font_dict)
    except Exception:  # unknown or broken font programs: estimate instead
        return None
    # Widths are keyed by the font's own character codes, not by Unicode.
    codes = {char: chr(code) for code, char in font.encoding.items()} if isinstance(font.encoding, dict) else {}
    return font, codes


def _page_text(fragments: list[Fragment], page_width: float) -> str:
    if not fragments:
        return ""
    lines = _lines(fragments)
    # The body's left edge is where most text starts; a page with little body text may still
    # have more (short) sidebar lines than body lines.
    starts: dict[int, int] = {}
    for line in lines:
        starts[round(line[0].x)] = starts.get(round(line[0].x), 0) + sum(len(f.text) for f in line)
    body_x = max(starts, key=starts.__getitem__)
    sidebar_x = max(body_x + 0.45 * (page_width - body_x), page_width * 0.62)
    side_lines, body_lines = _split_columns(lines, sidebar_x)
    # Reading order: a running header above the sidebar, the sidebar (as other extraction tools
    # put it; it is furniture either way), then the body.
    side_top = max((_baseline(line) for line in side_lines), default=float("inf"))
    above = [line for line in body_lines if _baseline(line) > side_top + max(f.size for f in line)]
    body_lines = [line for line in body_lines if not any(line is a for a in above)]
    return "\n\n".join(filter(None, (_column_text(above), _column_text(side_lines), _column_text(body_lines))))


def _lines(fragments: list[Fragment]) -> list[list[Fragment]]:
    """Group fragments on one baseline into lines, then give each superscript footnote marker
    (smaller, a little higher) to the line it sits on. Markers are placed separately because a
    sidebar line beside the body can sit at the marker's height."""
    ordered = sorted(fragments, key=lambda f: (-f.y, f.x))
    rows: list[list[Fragment]] = []
    for fragment in ordered:
        if rows and abs(fragment.y - rows[-1][0].y) <= 0.2 * min(fragment.size, rows[-1][0].size):
            rows[-1].append(fragment)
        else:
            rows.append([fragment])
    moves = [
        (row, fragment, target)
        for row in rows
        for fragment in row
        if fragment.text.isdigit() and (target := _marker_line(fragment, [r for r in rows if r is not row])) is not None
    ]
    for row, fragment, target in moves:
        row.remove(fragment)
        target.append(fragment)
    lines = [row for row in rows if row]
    for line in lines:
        line.sort(key=lambda f: f.x)
    return lines


def _marker_line(marker: Fragment, rows: list[list[Fragment]]) -> list[Fragment] | None:
    best: tuple[float, list[Fragment]] | None = None
    for row in rows:
        if not row:
            continue
        size = _size(row)
        rise = marker.y - _baseline(row)
        # A footnote's own raised number stands just left of its text.
        inside = min(f.x for f in row) - size <= marker.x <= max(f.end for f in row) + 0.5 * size
        if marker.size < 0.85 * size and 0 < rise <= 0.6 * size and inside and (best is None or rise < best[0]):
            best = (rise, row)
    return best[1] if best else None


def _split_columns(lines: list[list[Fragment]], sidebar_x: float) -> tuple[list[list[Fragment]], list[list[Fragment]]]:
    """Letterhead sidebars sit beside the body text on the same baselines. A fragment opens the
    sidebar part of a line when it starts far right, after a clear gap, at a left edge that
    several lines share; body words that merely run past that point do not."""

    def opens_column(line: list[Fragment], index: int) -> bool:
        fragment = line[index]
        gap = fragment.x - line[index - 1].end if index else float("inf")
        return fragment.x >= sidebar_x and gap > 1.5 * fragment.size

    def far_apart(line: list[Fragment], index: int) -> bool:
        # A lone page number or date at the right margin, well away from any body text.
        return index > 0 and line[index].x - line[index - 1].end > 4 * line[index].size

    starts = [round(f.x) for line in lines for i, f in enumerate(line) if opens_column(line, i)]
    edges = {x for x in set(starts) if starts.count(x) >= 2 or len(lines) == 1}
    side: list[list[Fragment]] = []
    body: list[list[Fragment]] = []
    for line in lines:
        cut = next(
            (i for i in range(len(line)) if opens_column(line, i) and (round(line[i].x) in edges or far_apart(line, i))),
            None,
        )
        if cut is None:
            body.append(line)
            continue
        if line[cut:]:
            side.append(line[cut:])
        if line[:cut]:
            body.append(line[:cut])
    return side, body


def _column_text(lines: list[list[Fragment]]) -> str:
    """Lines of one column; a blank line where the spacing or the font size says a new block starts."""
    if not lines:
        return ""
    # Line spacing relative to font size, so footnotes, body and sidebar compare alike. The lower
    # quartile is the spacing within a block even where blocks are short (a sidebar of
    # two-line label groups has as many gaps between groups as within them).
    spacings = sorted(_spacing(a, b) for a, b in zip(lines, lines[1:]) if _baseline(a) > _baseline(b))
    normal = spacings[len(spacings) // 4] if spacings else 0
    out: list[str] = []
    previous: list[Fragment] | None = None
    for line in lines:
        size = _size(line)
        if previous is not None:
            previous_size = _size(previous)
            if _spacing(previous, line) > 1.45 * normal or abs(size - previous_size) > 0.15 * previous_size:
                out.append("")
        out.append(_join_fragments(line))
        previous = line
    return "\n".join(out)


def _size(line: list[Fragment]) -> float:
    return max(f.size for f in line)


def _spacing(upper: list[Fragment], lower: list[Fragment]) -> float:
    return (_baseline(upper) - _baseline(lower)) / max(_size(lower), 1.0)


def _baseline(line: list[Fragment]) -> float:
    return max(line, key=lambda f: f.size).y


def _join_fragments(line: list[Fragment]) -> str:
    text = ""
    end = None
    body_size = max(f.size for f in line)
    for index, fragment in enumerate(line):
        superscript_marker = fragment.text.isdigit() and fragment.size < 0.85 * body_size
        # A raised number opening a line is a footnote's own number: "¹Kamerstuk" -> "1 Kamerstuk".
        after_number = index == 1 and line[0].text.isdigit() and line[0].size < 0.85 * body_size
        gap = fragment.x - end if end is not None else 0.0
        # Leading whitespace is either in the PDF string (the fragment starts at the space, right
        # after the previous one) or the extractor's own mark for a gap (it starts at the word).
        touching = end is not None and gap < 0.15 * fragment.size
        # No space goes before closing punctuation, whatever the extractor thought.
        closing = fragment.text[:1] in ",.;:!?)]”’"
        glued = superscript_marker or (touching and (not fragment.lead or closing) and not after_number)
        if text and not glued:
            text += " "
        text += fragment.text
        in_string = touching and fragment.lead and not glued  # the space is drawn: the word starts after it
        end = fragment.end + (fragment.lead if in_string else 0.0)
    return text
