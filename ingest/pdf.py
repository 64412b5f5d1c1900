"""PDF with a text layer: pdfminer.six's lines and glyphs -> per-page text -> the layout rules.

pdfminer.six (MIT) decodes fonts and encodings and groups glyphs into words and lines, with
spaces where the glyph gaps say so (word-by-word placed text included); docs/pdf-libraries.md
has the comparison that chose it. On top of its lines this module does what the shared text
rules need from a page:
  - reading order by recursive XY-cut: a vertical gap through a whole region separates
    columns (two-column reports, the letterhead sidebar beside a letter body), a horizontal
    gap separates bands (running header, footnote area);
  - superscript footnote markers glued to the word they follow ("focus”1,"), and a footnote's
    own raised number set apart from its text ("1 Kamerstuk");
  - a blank line where spacing, font size or font says a new block starts;
  - table rows (short cells on shared baselines, aligned over three or more rows) as one line
    with the cells joined by " | ".
Pages are read one at a time (layout objects are dropped after each page); a page whose
content cannot be read is skipped with a warning that names it.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterator

from ingest.assemble import assemble
from ingest.layout import parse_pages
from ingest.records import Document
from ingest.text import document_title

log = logging.getLogger(__name__)

PageProgress = Callable[[int, int], None]  # (pages done, pages in the file)
Warn = Callable[[str], None]

LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
# What a lone list label looks like: its text sits a gap to the right, yet belongs to it.
# Symbol's bullet (U+F0B7) and Wingdings' square, diamond, arrow and check bullets.
SYMBOL_FONT_BULLETS = frozenset("\uf0b7\uf0a7\uf0a8\uf076\uf0d8\uf0e0\uf0fc\uf06e\uf071")
LABEL = re.compile(r"^(?:[•·▪◦‣\-–—*]|\(?[a-z0-9]{1,2}[.)])$")
# A footnote marker is a superscript this much smaller than the text it sits in.
MARKER_SCALE = 0.85
# Titles that producers write when the author gave none: a file name, "Microsoft Word - x", "Untitled".
PLACEHOLDER_TITLE = re.compile(r"\.(?:docx?|odt|rtf|pdf|html?|txt)$|^microsoft word\b|^untitled\b|^naamloos\b", re.I)


class PdfError(Exception):
    pass


@dataclass
class Glyph:
    text: str
    x0: float
    x1: float
    marker: bool = False  # a raised, smaller digit: a footnote marker


@dataclass
class Atom:
    """A run of text on one baseline that pdfminer kept together (a line or part of one)."""

    glyphs: list[Glyph]
    x0: float
    x1: float
    bottom: float
    top: float
    baseline: float
    size: float
    font: str
    table_row: bool = False
    cells: list[str] = field(default_factory=list)
    _text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = " | ".join(self.cells) if self.table_row else _glyph_text(self.glyphs)
        return self._text

    def set_glyphs(self, glyphs: list[Glyph]) -> None:
        self.glyphs = glyphs
        self._text = None

    def words(self) -> int:
        return self.text.count(" ") + 1


def parse_pdf(data: bytes, path: str, doc_id: str, progress: PageProgress | None = None, warn: Warn | None = None) -> Document:
    pages = list(iter_page_texts(data, progress, warn))
    if not any(p.strip() for p in pages):
        raise PdfError("de PDF bevat geen tekstlaag (alleen afbeeldingen); maak er eerst met OCR een doorzoekbare PDF van")
    layout = parse_pages(pages, pages_known=True)
    # A letter's subject names it best; otherwise the title its producer wrote into the file
    # (Chromium takes the HTML <title>, Writer the document's title) beats the first heading,
    # which in a report is often "Voorwoord".
    title = document_title(layout.metadata, layout.blocks, doc_id)
    if not layout.metadata.get("betreft"):
        title = info_title(data) or title
    return assemble(doc_id, title, path, "pdf", layout.blocks, layout.metadata)


def pdf_pages_text(data: bytes) -> list[str]:
    return list(iter_page_texts(data))


def iter_page_texts(data: bytes, progress: PageProgress | None = None, warn: Warn | None = None) -> Iterator[str]:
    """Text per page in reading order, one page at a time; "" for a page that was skipped."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager

    warn = warn or log.warning
    # pdfminer logs what it repairs or ignores to the console; a broken file gets one clear
    # line from us instead, a broken page one warning.
    quiet = _Quiet()
    with quiet:
        pages, total = _open(data)
        manager = PDFResourceManager(caching=True)
        device = PDFPageAggregator(manager, laparams=LAParams(boxes_flow=None))
        interpreter = PDFPageInterpreter(manager, device)
        number = 0
        while True:
            number += 1
            try:
                page = next(pages)
            except StopIteration:
                break
            except Exception as exc:  # a broken page tree: the pages read so far stand
                if number == 1:
                    raise PdfError(f"de PDF is beschadigd of onleesbaar ({type(exc).__name__})") from None
                warn(f"pagina {number} en verder overgeslagen: de paginaboom is beschadigd ({type(exc).__name__})")
                break
            quiet.damage.clear()
            try:
                interpreter.process_page(page)
                text = page_text(device.get_result())
            except Exception as exc:  # one broken content stream must not cost the whole file
                warn(f"pagina {number} overgeslagen: de inhoud van de pagina is beschadigd ({type(exc).__name__})")
                text = ""
            else:
                if quiet.damage:  # pdfminer recovered what it could of a damaged stream
                    warn(f"pagina {number} is beschadigd; alleen de leesbare tekst is ingelezen ({quiet.damage[0]})")
            if progress:
                progress(number, max(total, number))
            yield text
        if number == 1:
            raise PdfError("de PDF is beschadigd of onleesbaar (geen pagina's gevonden)")


class _Quiet:
    """Silences pdfminer's console logging and remembers messages that mean lost content."""

    # Lost content, not the many repairs pdfminer makes and reports (a bad colour value, say).
    DAMAGE = re.compile(r"corrupt|data-loss|decompress", re.IGNORECASE)

    def __init__(self) -> None:
        self.damage: list[str] = []
        self.handler = logging.Handler()
        self.handler.emit = self._emit  # type: ignore[method-assign]

    def _emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING and self.DAMAGE.search(record.getMessage()):
            self.damage.append(record.getMessage()[:80])

    def __enter__(self) -> "_Quiet":
        self.logger = logging.getLogger("pdfminer")
        self.saved = (self.logger.level, self.logger.propagate)
        self.logger.setLevel(logging.WARNING)
        self.logger.propagate = False
        self.logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.saved[0])
        self.logger.propagate = self.saved[1]


def info_title(data: bytes) -> str:
    """The Title in the PDF's document information, unless it is empty or a file name."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    try:
        with _Quiet():
            info = PDFDocument(PDFParser(io.BytesIO(data)), password="", caching=False).info
            raw = resolve1(info[0].get("Title")) if info else None
        title = decode_text(raw) if isinstance(raw, bytes) else str(raw or "")
    except Exception:  # a title is a nicety; the text stands without it
        return ""
    title = " ".join(title.replace("\x00", "").split())
    if len(title.split()) < 2 or PLACEHOLDER_TITLE.search(title):
        return ""
    return title


def _open(data: bytes):
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    try:
        # No object cache: a long report would keep every page's decoded content in memory.
        document = PDFDocument(PDFParser(io.BytesIO(data)), password="", caching=False)
    except PDFPasswordIncorrect:
        raise PdfError("de PDF is versleuteld met een wachtwoord; lever een onbeveiligde versie aan") from None
    except (PDFEncryptionError, NotImplementedError):
        raise PdfError("de PDF is versleuteld op een manier die niet te openen is; lever een onbeveiligde versie aan") from None
    except Exception as exc:  # every other parser failure: a damaged file
        raise PdfError(f"de PDF is beschadigd of onleesbaar ({type(exc).__name__})") from None
    try:
        total = int(resolve1(resolve1(document.catalog["Pages"])["Count"]))
    except Exception:  # a missing or broken count only costs the progress total
        total = 0
    return PDFPage.create_pages(document), total


# -- one page ------------------------------------------------------------------------------------


def page_text(layout) -> str:
    """The page's text in reading order, blocks separated by blank lines."""
    atoms = _atoms(layout)
    if not atoms:
        return ""
    atoms = _attach_markers(atoms)
    _bullet_shapes(layout, atoms)
    atoms = _merge_rows(atoms)
    atoms = _table_rows(atoms)
    return _emit(_order(atoms))


def _atoms(layout) -> list[Atom]:
    from pdfminer.layout import LTTextBox, LTTextLineHorizontal

    atoms = []
    for box in layout:
        # pdfminer leaves some lines (a lone bullet, say) outside any text box.
        lines = box if isinstance(box, LTTextBox) else [box]
        for line in lines:
            if isinstance(line, LTTextLineHorizontal):
                atom = _atom(line)
                if atom is not None:
                    atoms.append(atom)
    return atoms


def _atom(line) -> Atom | None:
    from pdfminer.layout import LTChar

    items = [(item, item.get_text()) for item in line]
    chars = [c for c, text in items if text.strip() and isinstance(c, LTChar)]
    if not chars:
        return None
    # A sample of the glyphs says the line's size and font; markers are few.
    sample = chars[:: max(1, len(chars) // 24)]
    sizes = Counter(round(c.size, 1) for c in sample)
    size = max(sizes, key=lambda s: (sizes[s], s))
    marker_size = MARKER_SCALE * size
    body = [c for c in sample if c.size >= marker_size]
    baseline = sorted(c.y0 for c in body)[len(body) // 2]
    fonts = Counter(c.fontname for c in body)
    raised_above = baseline + 0.15 * size
    # Glyphs are runs: a word, a space, a marker (pieces other steps may insert between).
    glyphs: list[Glyph] = []
    run: list[str] = []
    run_x0 = run_x1 = 0.0

    def close() -> None:
        if run:
            glyphs.append(Glyph("".join(run), run_x0, run_x1))
            run.clear()

    for item, text in items:
        if not isinstance(item, LTChar) or not text.strip():
            if text == " " or isinstance(item, LTChar):
                close()
                if glyphs and glyphs[-1].text != " ":
                    x = glyphs[-1].x1
                    glyphs.append(Glyph(" ", x, getattr(item, "x1", x)))
            continue
        if item.size < marker_size and item.y0 > raised_above and text.isdigit():
            close()
            glyphs.append(Glyph(text, item.x0, item.x1, True))
            continue
        # WinAnsiEncoding has the bullet at code 127 too (unmapped: pdfminer says "(cid:127)"); Word
        # and LibreOffice set bullets in the Symbol or Wingdings font, at private-use code points.
        text = "•" if text in ("\x7f", "(cid:127)") or text in SYMBOL_FONT_BULLETS else LIGATURES.get(text, text)
        if not run:
            run_x0 = item.x0
        run.append(text)
        run_x1 = item.x1
    close()
    return Atom(glyphs, line.x0, line.x1, line.y0, line.y1, baseline, size, max(fonts, key=fonts.__getitem__))


def _bullet_shapes(layout, atoms: list[Atom]) -> None:
    """Browsers and word processors often draw list bullets as small filled shapes, not text:
    such a shape just left of a line's start becomes a "•" there."""
    from pdfminer.layout import LTCurve

    shapes = [
        item for item in layout
        if isinstance(item, LTCurve) and getattr(item, "fill", False) and 1.0 <= item.width <= 8.0 and 1.0 <= item.height <= 8.0
    ]
    for shape in shapes:
        middle = (shape.y0 + shape.y1) / 2
        atom = next(
            (
                a for a in atoms
                if a.bottom <= middle <= a.top and 0 <= a.x0 - shape.x1 <= 2 * a.size
                and shape.width <= 0.6 * a.size and shape.height <= 0.6 * a.size
            ),
            None,
        )
        if atom is not None and not LABEL.match(atom.text.split(" ", 1)[0]):
            atom.set_glyphs([Glyph("•", shape.x0, shape.x1), Glyph(" ", shape.x1, atom.x0)] + atom.glyphs)
            atom.x0 = shape.x0


def _glyph_text(glyphs: list[Glyph]) -> str:
    out: list[str] = []
    for index, glyph in enumerate(glyphs):
        if glyph.text == " ":
            if out and out[-1] != " ":
                out.append(" ")
            continue
        opening = glyph.marker and all(g.marker or g.text == " " for g in glyphs[:index])
        following = index + 1 < len(glyphs) and not glyphs[index + 1].marker and glyphs[index + 1].text != " "
        if glyph.marker and out and out[-1] == " " and not opening:
            out.pop()  # a marker belongs to the word before it: "focus”1", not "focus” 1"
        out.append(glyph.text)
        if opening and following:
            out.append(" ")  # a footnote's own raised number: "¹Kamerstuk" -> "1 Kamerstuk"
    text = "".join(out).strip()
    # A soft hyphen where the line breaks is a hyphen the reader sees; elsewhere it is invisible.
    text = re.sub("\u00ad$", "-", text).replace("\u00ad", "")
    return text


def _same_row(a: Atom, b: Atom) -> bool:
    return abs(a.baseline - b.baseline) <= 0.3 * min(a.size, b.size)


def _attach_markers(atoms: list[Atom]) -> list[Atom]:
    """A superscript marker pdfminer kept as a line of its own goes into the line it sits on."""
    kept = []
    for atom in atoms:
        digits = atom.text.replace(" ", "")
        target = None
        if digits.isdigit() and len(digits) <= 3:
            candidates = [
                other for other in atoms
                if other is not atom and atom.size < MARKER_SCALE * other.size
                and 0 < atom.baseline - other.baseline <= 0.7 * other.size
                and other.x0 - other.size <= atom.x0 <= other.x1 + 0.5 * other.size
            ]
            target = min(candidates, key=lambda o: atom.baseline - o.baseline, default=None)
        if target is None:
            kept.append(atom)
            continue
        marker = [Glyph(g.text, g.x0, g.x1, True) for g in atom.glyphs if g.text != " "]
        target.set_glyphs(sorted(target.glyphs + marker, key=lambda g: g.x0))
    return kept


def _merge_rows(atoms: list[Atom]) -> list[Atom]:
    """Join pieces of one line that pdfminer split at a wide gap: a list label and its text,
    a justified line with stretched spaces. Columns are further apart than that."""
    atoms = sorted(atoms, key=lambda a: (-round(a.baseline), a.x0))
    out: list[Atom] = []
    for atom in atoms:
        previous = next((o for o in reversed(out[-4:]) if _same_row(o, atom) and o.x1 <= atom.x0 + 1), None)
        if previous is not None and abs(previous.size - atom.size) <= 0.15 * atom.size:
            gap = atom.x0 - previous.x1
            if gap <= 1.5 * atom.size or (LABEL.match(previous.text) and gap <= 4 * atom.size):
                space = Glyph(" ", previous.x1, atom.x0)
                previous.set_glyphs(previous.glyphs + [space] + atom.glyphs)
                previous.x1 = atom.x1
                previous.top = max(previous.top, atom.top)
                previous.bottom = min(previous.bottom, atom.bottom)
                continue
        out.append(atom)
    return out


def _table_rows(atoms: list[Atom]) -> list[Atom]:
    """Three or more consecutive rows of short cells with aligned edges are a table: each row
    becomes one atom whose text is its cells joined by " | "."""
    short = [a for a in atoms if a.words() <= 4 and len(a.text) <= 30]
    rows: list[list[Atom]] = []
    for atom in sorted(short, key=lambda a: (-a.baseline, a.x0)):
        if rows and _same_row(rows[-1][0], atom):
            rows[-1].append(atom)
        else:
            rows.append([atom])
    rows = [row for row in rows if len(row) >= 2 and not _interrupted(row, atoms)]
    tables: list[list[list[Atom]]] = []
    for row in rows:
        last = tables[-1][-1] if tables else None
        if last is not None and _aligned(last, row) and last[0].baseline - row[0].baseline <= 2.5 * row[0].size:
            tables[-1].append(row)
        else:
            tables.append([row])
    merged: set[int] = set()
    out: list[Atom] = []
    for table in tables:
        if len(table) < 3:
            continue
        for row in table:
            merged.update(id(a) for a in row)
            first = row[0]
            out.append(
                Atom([], min(a.x0 for a in row), max(a.x1 for a in row), min(a.bottom for a in row),
                     max(a.top for a in row), first.baseline, first.size, first.font, True, [a.text for a in row])
            )
    return [a for a in atoms if id(a) not in merged] + out


def _interrupted(row: list[Atom], atoms: list[Atom]) -> bool:
    """A longer line of text between two cells means these are not cells of one row."""
    left, right = row[0].x0, row[-1].x1
    return any(
        a.words() > 4 and _same_row(a, row[0]) and a.x0 < right and a.x1 > left for a in atoms
    )


def _aligned(upper: list[Atom], lower: list[Atom]) -> bool:
    if len(upper) != len(lower):
        return False
    tolerance = upper[0].size
    return all(
        abs(a.x0 - b.x0) <= tolerance or abs(a.x1 - b.x1) <= tolerance or (a.x0 < b.x1 and b.x0 < a.x1)
        for a, b in zip(upper, lower)
    )


def _order(atoms: list[Atom]) -> list[Atom]:
    """Recursive XY-cut: split at a vertical gap running through the whole region (columns),
    else at the widest horizontal gap (bands); a region without gaps reads top to bottom."""
    if len(atoms) <= 1:
        return atoms
    size = statistics.median(a.size for a in atoms)
    by_x = sorted(atoms, key=lambda a: a.x0)
    reach = by_x[0].x1
    best: tuple[float, int] | None = None
    for index in range(1, len(by_x)):
        gap = by_x[index].x0 - reach
        if gap >= 1.5 * size and (best is None or gap > best[0]):
            best = (gap, index)
        reach = max(reach, by_x[index].x1)
    # A column runs down several lines; a wide word gap in one justified line is no column.
    if best is not None and (_rows(by_x[: best[1]]) >= 2 and _rows(by_x[best[1] :]) >= 2 or _rows(atoms) == 1):
        return _order(by_x[: best[1]]) + _order(by_x[best[1] :])
    by_top = sorted(atoms, key=lambda a: -a.top)
    floor = by_top[0].bottom
    best = None
    for index in range(1, len(by_top)):
        gap = floor - by_top[index].top
        if gap > 0 and (best is None or gap > best[0]):
            best = (gap, index)
        floor = min(floor, by_top[index].bottom)
    if best is not None:
        return _order(by_top[: best[1]]) + _order(by_top[best[1] :])
    return sorted(atoms, key=lambda a: (-a.baseline, a.x0))


def _rows(atoms: list[Atom]) -> int:
    baselines = sorted(a.baseline for a in atoms)
    return 1 + sum(1 for a, b in zip(baselines, baselines[1:]) if b - a > 0.3 * min(x.size for x in atoms))


def _emit(atoms: list[Atom]) -> str:
    """Lines in reading order; a blank line wherever the next line does not continue the block."""
    flowing = [
        (a.baseline - b.baseline) / max(b.size, 1.0)
        for a, b in zip(atoms, atoms[1:])
        if _flows(a, b)
    ]
    spacings = sorted(flowing)
    normal = spacings[len(spacings) // 4] if spacings else 0.0
    widths = sorted(a.x1 - a.x0 for a in atoms)
    full_line = widths[int(0.9 * (len(widths) - 1))]
    out: list[str] = []
    previous: Atom | None = None
    for atom in atoms:
        text = atom.text
        if (
            previous is not None and _same_row(previous, atom) and previous.x1 - 1 <= atom.x0 <= previous.x1 + 4 * atom.size
            and not (atom.table_row or previous.table_row)
        ):
            out[-1] += " " + text
            previous = atom
            continue
        if previous is not None:
            spacing = (previous.baseline - atom.baseline) / max(atom.size, 1.0)
            new_block = (
                not _flows(previous, atom)
                or spacing > 1.45 * normal
                or abs(atom.size - previous.size) > 0.15 * previous.size
                or atom.font != previous.font and _whole_line_font_change(previous, atom, full_line)
                or atom.table_row != previous.table_row
            )
            if new_block:
                out.append("")
        out.append(text)
        previous = atom
    return "\n".join(out)


def _flows(upper: Atom, lower: Atom) -> bool:
    """`lower` is the next line of the same column: just below, overlapping horizontally."""
    drop = upper.baseline - lower.baseline
    return 0 < drop <= 2.5 * max(upper.size, lower.size) and lower.x0 < upper.x1 and upper.x0 < lower.x1


def _whole_line_font_change(upper: Atom, lower: Atom, full_line: float) -> bool:
    # A bold heading over a paragraph's full line, an italic caption under it; an italic word
    # inside a paragraph does not change a line's dominant font, and in a narrow sidebar a
    # bold label keeps its value below it.
    return _weight(upper.font) != _weight(lower.font) and max(upper.x1 - upper.x0, lower.x1 - lower.x0) >= 0.6 * full_line


def _weight(font: str) -> str:
    name = font.split("+")[-1].lower()
    return "bold" if "bold" in name or "black" in name or "heavy" in name else ("italic" if "italic" in name or "oblique" in name else "")
