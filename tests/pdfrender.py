"""Render parsed documents to PDF with reportlab, laid out like real letters and reports.

A letter page has the body in a left column, a letterhead sidebar on the right beside it
("Directoraat-generaal …", "Ons kenmerk …", "Pagina N van M"), footnotes at the page bottom in
a smaller font, and footnote markers in the body as superscripts (smaller, raised baseline).
Paragraphs flow across pages, so some are split by a page break and a footnote block.
Markers are put back where the source text had them: the source (the .txt the records came
from) is aligned with each record's text; without it, a marker goes after the sentence that
carries it (`Paragraph.anchor`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from ingest.records import Document, Paragraph, normalize_space

PAGE_WIDTH, PAGE_HEIGHT = 595.27, 841.89  # A4
BODY_X, BODY_WIDTH = 72.0, 290.0
SIDEBAR_X = 410.0
TOP, BOTTOM = 770.0, 60.0
BODY_FONT, BOLD_FONT, SIZE, LEADING = "Helvetica", "Helvetica-Bold", 10.0, 13.5
PARAGRAPH_GAP = 9.0
NOTE_SIZE, NOTE_LEADING = 7.0, 8.6
MARKER_SIZE, MARKER_RISE = 6.0, 3.5
SIDEBAR_SIZE, SIDEBAR_LEADING = 7.5, 9.5

# A word is a run of segments: (text, is_marker).
Word = list[tuple[str, bool]]


@dataclass
class Line:
    words: list[Word]
    font: str = BODY_FONT
    size: float = SIZE
    leading: float = LEADING
    gap_before: float = 0.0
    notes: list[str] = field(default_factory=list)  # footnote numbers whose markers sit here


@dataclass
class Page:
    lines: list[tuple[float, Line]] = field(default_factory=list)
    notes: list[list[Line]] = field(default_factory=list)


def render_pdf(
    document: Document,
    source_text: str | None = None,
    *,
    sidebar: list[list[str]] | None = None,
    running_header: str | None = None,
    body_height: float = TOP - BOTTOM,
    hyphenate: bool = True,
    per_word: bool = True,
    raised_note_numbers: bool = False,
) -> bytes:
    """A PDF of `document`'s records. `sidebar` groups of lines (default: from the metadata)
    are repeated on every page, followed by "Pagina N van M". `per_word` places every word on
    its own (spaces are then only gaps); `raised_note_numbers` prints the numbers in the
    footnote area as superscripts too."""
    from reportlab.pdfgen import canvas

    lines = _document_lines(document, source_text, hyphenate)
    notes = {str(p.number): p for p in document.paragraphs if p.kind == "footnote"}
    pages = _paginate(lines, notes, body_height)
    groups = sidebar if sidebar is not None else letter_sidebar(document.metadata)

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=0)
    for number, page in enumerate(pages, start=1):
        if running_header:
            pdf.setFont(BODY_FONT, 8)
            pdf.drawString(BODY_X, TOP + 40, running_header)
        _draw_sidebar(pdf, groups + [[f"Pagina {number} van {len(pages)}"]])
        for y, line in page.lines:
            _draw_line(pdf, line, BODY_X, y, per_word)
        y = BOTTOM + sum(n.leading for note in page.notes for n in note) - NOTE_LEADING
        for note in page.notes:
            for index, line in enumerate(note):
                if raised_note_numbers and not index:
                    number, *rest = line.words
                    pdf.setFont(line.font, MARKER_SIZE * NOTE_SIZE / SIZE)
                    pdf.drawString(BODY_X, y + MARKER_RISE * NOTE_SIZE / SIZE, number[0][0])
                    line = Line(rest, line.font, line.size, line.leading)
                    _draw_line(pdf, line, BODY_X + 5, y, per_word)
                else:
                    _draw_line(pdf, line, BODY_X, y, per_word)
                y -= line.leading
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def letter_sidebar(metadata: dict[str, str]) -> list[list[str]]:
    groups = []
    unit = metadata.get("directoraat") or metadata.get("organisatie")
    if unit:
        head, _, rest = unit.partition(" ")
        groups.append([head, rest] if rest and head.lower().startswith("directoraat") else [unit])
    for key, label in (("datum", "Datum"), ("kenmerk", "Ons kenmerk"), ("bijlagen", "Bijlage(n)")):
        if metadata.get(key):
            groups.append([label, metadata[key]])
    return groups


def _draw_sidebar(pdf, groups: list[list[str]]) -> None:
    y = TOP
    pdf.setFont(BODY_FONT, SIDEBAR_SIZE)
    for group in groups:
        for text in group:
            pdf.drawString(SIDEBAR_X, y, text)
            y -= SIDEBAR_LEADING
        y -= SIDEBAR_LEADING


def _draw_line(pdf, line: Line, x: float, y: float, per_word: bool) -> None:
    """Word by word (as many generators place text) or in runs up to the next marker."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    segments: list[tuple[str, bool]] = []
    for index, word in enumerate(line.words):
        for position, (text, is_marker) in enumerate(word):
            if index and not position:
                text = " " + text if not is_marker else text
            if not per_word and segments and not is_marker and not segments[-1][1]:
                segments[-1] = (segments[-1][0] + text, False)
            else:
                segments.append((text, is_marker))
    for text, is_marker in segments:
        if is_marker:
            pdf.setFont(line.font, MARKER_SIZE)
            pdf.drawString(x, y + MARKER_RISE, text)
            x += stringWidth(text, line.font, MARKER_SIZE)
        else:
            pdf.setFont(line.font, line.size)
            start = len(text) - len(text.lstrip(" ")) if per_word else 0
            pdf.drawString(x + stringWidth(text[:start], line.font, line.size), y, text[start:])
            x += stringWidth(text, line.font, line.size)


def _document_lines(document: Document, source_text: str | None, hyphenate: bool) -> list[Line | None]:
    """Body lines in order; None separates paragraphs."""
    by_id = {p.id: p for p in document.paragraphs}
    out: list[Line | None] = []
    addressee = document.metadata.get("geadresseerde")
    if addressee:
        out += wrap([_plain(w) for w in addressee.split()], BODY_FONT, SIZE, BODY_WIDTH, hyphenate=False) + [None]
    subject = document.metadata.get("betreft")
    if subject:
        out += [Line([_plain(w) for w in f"Betreft {subject}".split()]), None]
    for paragraph in document.paragraphs:
        if paragraph.kind in ("footnote", "letterhead"):
            continue
        if paragraph.kind == "signature":
            for part in paragraph.text.split(", ", 1):
                out.append(Line([_plain(w) for w in part.split()]))
        else:
            words = marked_words(paragraph, by_id, source_text)
            font = BOLD_FONT if paragraph.kind == "heading" else BODY_FONT
            prefix: Word = [("•", False)] if paragraph.kind == "list_item" else []
            if prefix:
                words = [prefix] + words
            wrapped = wrap(words, font, SIZE, BODY_WIDTH, hyphenate and paragraph.kind != "heading")
            if paragraph.kind == "heading":
                wrapped[0].gap_before = LEADING
            out += wrapped
        out.append(None)
    return out


def _plain(text: str) -> Word:
    return [(text, False)]


def marked_words(paragraph: Paragraph, by_id: dict[str, Paragraph], source_text: str | None) -> list[Word]:
    """The record's words with its footnote markers put back as marker segments."""
    text = paragraph.text
    wanted = {str(by_id[ref].number): by_id[ref] for ref in paragraph.footnote_refs if ref in by_id}
    positions = _aligned_markers(text, source_text, set(wanted)) if source_text else {}
    for number, note in wanted.items():
        if number not in positions.values():
            start = text.find(note.anchor) if note.anchor else -1
            positions[len(text) if start < 0 else start + len(note.anchor)] = number
    words: list[Word] = []
    current: Word = []
    for index, char in enumerate(text + " "):
        if index in positions:
            current.append((positions[index], True))
        if char == " ":
            if current:
                words.append(current)
            current = []
        elif current and not current[-1][1]:
            current[-1] = (current[-1][0] + char, False)
        else:
            current.append((char, False))
    return words


def _aligned_markers(text: str, source: str, numbers: set[str]) -> dict[int, str]:
    """Walk the record's text and the source side by side; digits the record lacks are markers.
    Returns {position in text: marker}."""
    source = normalize_space(source.replace("\u00ad", ""))
    head = text[:40]
    start = source.find(head)
    if start < 0:
        return {}
    found: dict[int, str] = {}
    i, j = 0, start
    while i < len(text) and j < len(source):
        if text[i] == source[j]:
            i, j = i + 1, j + 1
        elif source[j].isdigit():
            number = re.match(r"\d+", source[j:]).group(0)
            if number in numbers:
                found[i] = number
            j += len(number)
        elif source[j] == "-" and source[j + 1 : j + 2] == " ":
            j += 2  # line-end hyphenation the parser undid
        elif source[j] == " ":
            j += 1
        else:
            return found
    marker = re.match(r"\d+", source[j:]) if i == len(text) else None
    if marker and marker.group(0) in numbers:
        found[len(text)] = marker.group(0)
    return found


def wrap(words: list[Word], font: str, size: float, width: float, hyphenate: bool = True) -> list[Line]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def measure(word: Word) -> float:
        return sum(stringWidth(t, font, MARKER_SIZE if m else size) for t, m in word)

    space = stringWidth(" ", font, size)
    lines: list[Line] = []
    current: list[Word] = []
    used = 0.0
    queue = list(words)
    while queue:
        word = queue.pop(0)
        needed = measure(word) + (space if current else 0)
        if not current or used + needed <= width:
            current.append(word)
            used += needed
            continue
        split = _hyphenation(word, width - used - space, font, size) if hyphenate else None
        if split:
            current.append([(split[0] + "-", False)])
            queue.insert(0, [(split[1], False)])
        else:
            queue.insert(0, word)
        lines.append(_line(current, font, size))
        current, used = [], 0.0
    if current:
        lines.append(_line(current, font, size))
    return lines


def _hyphenation(word: Word, room: float, font: str, size: float) -> tuple[str, str] | None:
    """Split a long lowercase word so its head fits the rest of the line, as typesetters do."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if len(word) != 1 or not re.fullmatch(r"[a-zà-ÿ]{12,}", word[0][0]):
        return None
    text = word[0][0]
    for cut in range(len(text) - 5, 5, -1):
        if stringWidth(text[:cut] + "-", font, size) <= room:
            return text[:cut], text[cut:]
    return None


def _line(words: list[Word], font: str, size: float) -> Line:
    notes = [t for word in words for t, m in word if m]
    return Line(list(words), font, size, LEADING, notes=notes)


def _note_lines(note: Paragraph) -> list[Line]:
    words = [_plain(f"{note.number}")] + [_plain(w) for w in note.text.split()]
    lines = wrap(words, BODY_FONT, NOTE_SIZE, BODY_WIDTH + 60, hyphenate=False)
    for line in lines:
        line.leading = NOTE_LEADING
    return lines


def _paginate(lines: list[Line | None], notes: dict[str, Paragraph], body_height: float) -> list[Page]:
    pages = [Page()]
    y = TOP
    note_height = 0.0
    gap = 0.0
    for line in lines:
        if line is None:
            gap = PARAGRAPH_GAP
            continue
        new_notes = [_note_lines(notes[n]) for n in line.notes if n in notes]
        extra = sum(l.leading for note in new_notes for l in note) + (NOTE_LEADING if new_notes and not note_height else 0)
        needed = line.leading + gap + line.gap_before
        if pages[-1].lines and y - needed < TOP - body_height + note_height + extra:
            pages.append(Page())
            y, note_height, gap = TOP, 0.0, 0.0
            extra = sum(l.leading for note in new_notes for l in note) + (NOTE_LEADING if new_notes else 0)
            needed = line.leading + line.gap_before
        if pages[-1].lines:
            y -= needed
        pages[-1].lines.append((y, line))
        pages[-1].notes.extend(new_notes)
        note_height += extra
        gap = 0.0
    return pages
