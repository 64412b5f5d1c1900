"""Recover the structure of a Dutch government letter or report from its extracted text lines.

Input is text per page as a PDF text extractor gives it: running text wrapped in lines, page
furniture (page x of y, letterhead sidebar), footnote blocks at page bottoms, paragraphs
interrupted by page breaks and footnotes, line-end hyphenation and footnote markers glued to
words. Output is format-neutral `Block`s plus metadata. The rules are general: they look at
shapes (line widths, blank lines, numbering, capitalisation), not at one particular file.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from ingest.assemble import Block, mark, unmark

PAGE_MARKER = re.compile(r"^\s*(?:Pagina|Page|Blad)\s+(\d+)\s+(?:van|of|/)\s+(\d+)\s*$", re.IGNORECASE)

# Letterhead sidebar labels of Rijksoverheid letters; value on the same line or the lines below.
SIDEBAR_LABELS = {
    "ons kenmerk": "kenmerk",
    "uw kenmerk": "uw_kenmerk",
    "kenmerk": "kenmerk",
    "onze referentie": "kenmerk",
    "datum": "datum",
    "bijlage(n)": "bijlagen",
    "bijlagen": "bijlagen",
    "bijlage": "bijlagen",
    "uw brief": "uw_brief",
    "contactpersoon": "contactpersoon",
    "inlichtingen": "inlichtingen",
    "behandeld door": "contactpersoon",
    "bezoekadres": "bezoekadres",
    "postadres": "postadres",
    "retouradres": "retouradres",
}
# Longest first, so "ons kenmerk" wins over "kenmerk" and "bijlage(n)" over "bijlage".
LABELS = dict(sorted({**SIDEBAR_LABELS, **{"betreft": "betreft", "onderwerp": "betreft"}}.items(), key=lambda kv: -len(kv[0])))
ADDRESSEE = re.compile(r"^(?:Aan\s+)?(?:de|het)\s+(?:Voorzitter|Leden|Minister|Staatssecretaris|College|Raad|Directeur)\b", re.IGNORECASE)
ADDRESS_LINE = re.compile(r"\b(?:\d{4}\s?[A-Z]{2}\b|Postbus\b|Den Haag\b|DEN HAAG\b|Staten-Generaal\b)")
UNIT_PREFIXES = ("directoraat-generaal", "directie", "ministerie van", "programmadirectie")

SALUTATION = re.compile(r"^(?:Zeer\s+)?(?:Geachte|Beste|Hooggeachte)\b.*,$")
CLOSING = re.compile(r"^(?:Mede namens|Hoogachtend|Met (?:vriendelijke|hartelijke) groet|Namens)\b", re.IGNORECASE)
SIGNATORY_FUNCTION = re.compile(
    r"^(?:De\s+)?(?:Minister|Staatssecretaris|Minister-president|Directeur|Secretaris-generaal|Plaatsvervangend|Dir\.)\b",
    re.IGNORECASE,
)
# "Peter Wennink, Den Haag, 12 december 2025": a report signed with name, place and date on one line.
_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
SIGNED_LINE = re.compile(
    rf"^(?P<name>[A-Z][\w.'’-]*(?:\s+(?:van|de|der|den|ter|ten|[A-Z][\w.'’-]*)){{1,4}}),\s+"
    rf"(?P<place>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?),\s+\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}$"
)
BULLET = re.compile(r"^\s*(?:[•·▪◦‣\-–—*]|\(?[a-z]\)|\(?\d{1,2}[.)])\s+(?=\S)")
SYMBOL_BULLET = re.compile(r"^[•·▪◦‣\-–—*]\s+")
NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$")
FOOTNOTE_START = re.compile(r"^\s*(\d{1,3})\s+(\S.*)$")
# Endnotes: a "Noten" heading after the body, then numbered notes ("1. Een overzicht …").
NOTES_HEADING = re.compile(r"^\s*(?:noten|eindnoten|voetnoten|notes|endnotes|footnotes)\s*$", re.I)
ENDNOTE_START = re.compile(r"^\s*(\d{1,3})[.)]?\s+(\S.*)$")
# A row of a table as the PDF reader gives it: cells joined by " | ".
TABLE_ROW = re.compile(r"\S \| \S")
# A caption names a table or figure; it is text, not a heading.
CAPTION = re.compile(r"^(?:Tabel|Figuur|Grafiek|Afbeelding|Kader|Table|Figure|Box)\s+\d+(?:\.\d+)*\b")
# A table-of-contents entry: dot leaders (or a tab gap) then a page number.
CONTENTS_ENTRY = re.compile(r"(?:\s?[.·…]){4,}\s*\d{1,4}$")
# A footnote marker glued to the end of a word or punctuation: "focus”1", "NL5", "Technologies.2".
# Not the last part of a number: "1.2 Aanpak", "3,5 miljoen".
GLUED_MARKER = re.compile(r"(?<=[^\s\d(\[/€$£#+\-])(?<!\d[.,])(\d{1,3})(?=[\s,;:)\]]|$)")
# A marker after a number that ends a sentence: "in force on 21 September 2023.1 It set …". Taken
# for the next footnote in order only: "artikel 2.1 Het" is a section number.
# A section number starts its line ("1.2 Uitvoering"); this number follows a word.
MARKER_AFTER_NUMBER = re.compile(r"(?<=\s)(\d+\.)(\d{1,3})(?=\s+[A-ZÀ-Ý“\"]|$)")
# Words a sentence, heading or name does not end with: a line ending in one runs on.
CONTINUING_WORDS = {
    "en", "of", "maar", "want", "dat", "die", "dan", "als", "de", "het", "een", "van", "in", "op", "aan", "met",
    "voor", "door", "bij", "naar", "uit", "over", "om", "te", "tot", "zoals", "waarin", "waarbij", "onder",
}
# Two vowels that would read as one sound: Dutch spelling writes a hyphen there in a compound
# ("innovatie-ecosysteem", "auto-onderdelen"), and hyphenation never splits such a pair, so a
# line-end hyphen between them is real ("cre-atief" is split between two sounds and joined again).
VOWEL_CLASH = re.compile(r"^(?:aa|ee|ii|oo|uu|ai|au|ei|eu|ie|oe|ou|ui)$", re.I)
# A line-end hyphen whose fate the whole document decides (soft hyphens are dropped on reading,
# so the character is free). The part after the hyphen may end in digits ("COVID-19").
LINE_HYPHEN = "\u00ad"
SPLIT_WORD = re.compile(rf"(\w+){LINE_HYPHEN}(\w+)")
HYPHENATED_WORD = re.compile(r"\w+(?:-\w+)+")
SENTENCE_END = re.compile(r"[.!?…:;][”\"’')\]]*$")
TERMINAL_END = re.compile(r"[.!?…][”\"’')\]]*$")


@dataclass
class Line:
    text: str
    page: int


@dataclass
class RawBlock:
    lines: list[Line]
    interrupted_before: bool = False  # a page break, footnote block or furniture came just before
    table_row: bool = False

    @property
    def pages(self) -> tuple[int, ...]:
        return tuple(sorted({line.page for line in self.lines}))

    @property
    def text_lines(self) -> list[str]:
        return [line.text for line in self.lines]


@dataclass
class ParsedLayout:
    blocks: list[Block]
    metadata: dict[str, str] = field(default_factory=dict)


def parse_pages(pages: list[str], pages_known: bool) -> ParsedLayout:
    """Structure for text given per page. With `pages_known` False, page breaks are inferred."""
    lines = _page_lines(pages)
    metadata: dict[str, str] = {}
    meta_pages: list[int] = []
    repeated = _repeated_furniture(lines, len(pages)) if pages_known and len(pages) >= 2 else set()
    raw_blocks = _split_blocks(lines)
    body, footnotes = _separate(raw_blocks, metadata, meta_pages, pages_known, repeated)
    width = _typical_width(body)
    paragraphs = _join_interrupted(body, width)
    blocks = _resolve_line_hyphens(_classify(paragraphs, footnotes, width, metadata))
    letterhead = _letterhead_block(metadata, meta_pages)
    if letterhead:
        blocks.insert(0, letterhead)
    return ParsedLayout(blocks=blocks, metadata=metadata)


def _page_lines(pages: list[str]) -> list[Line | None]:
    """Lines in reading order; None stands for a page break."""
    out: list[Line | None] = []
    for number, page in enumerate(pages, start=1):
        if number > 1:
            out.append(None)
        for text in page.replace("\u00a0", " ").replace("\u00ad", "").splitlines():
            out.append(Line(text.rstrip(), number))
    return out


def _repeated_furniture(lines: list[Line | None], page_count: int) -> set[str]:
    """Running headers and footers: short lines that recur at the same place on most pages.

    Returned folded (see `_fold`); removed only after the letterhead blocks have been read, so a
    sidebar repeated on every page still yields its metadata.
    """
    edge_lines: Counter[str] = Counter()
    by_page: dict[int, list[str]] = {}
    for line in lines:
        if line and line.text.strip():
            by_page.setdefault(line.page, []).append(_fold(line.text))
    for texts in by_page.values():
        for text in set(texts[:3] + texts[-3:]):
            edge_lines[text] += 1
    return {t for t, n in edge_lines.items() if n >= max(2, page_count // 2 + 1) and len(t) < 80}


def _fold(text: str) -> str:
    """Page numbers vary from page to page; a footnote's own number does not make it furniture."""
    text = re.sub(r"\s+", " ", text).strip().lower()
    note = FOOTNOTE_START.match(text)
    if note and re.search(r"[a-z]", note.group(2)):
        return note.group(1) + " " + re.sub(r"\d+", "#", note.group(2))
    return re.sub(r"\d+", "#", text)


def _split_blocks(lines: list[Line | None]) -> list[RawBlock | None]:
    blocks: list[RawBlock | None] = []
    current: list[Line] = []

    def flush() -> None:
        if current:
            blocks.append(RawBlock(list(current)))
            current.clear()

    for line in lines:
        if line is None:
            flush()
            blocks.append(None)
        elif not line.text.strip():
            flush()
        elif PAGE_MARKER.match(line.text):
            flush()
            blocks.append(RawBlock([line]))
        elif CONTENTS_ENTRY.search(line.text.strip()):
            flush()  # the table of contents repeats the headings; it is not running text
        elif TABLE_ROW.search(line.text):
            flush()
            blocks.append(RawBlock([line], table_row=True))
        else:
            current.append(line)
    flush()
    return blocks


def _separate(
    raw_blocks: list[RawBlock | None],
    metadata: dict[str, str],
    meta_pages: list[int],
    pages_known: bool,
    repeated: set[str],
) -> tuple[list[RawBlock], list[Block]]:
    """Split raw blocks into body blocks and footnote blocks; move furniture into metadata.

    Also assigns page numbers when they have to be inferred: a footnote block closes a page,
    and "Pagina x van y" says which page just ended.
    """
    body: list[RawBlock] = []
    footnotes: list[Block] = []
    pending_markers: list[str] = []
    page = 1
    interrupted = False
    endnotes = False  # inside the notes that follow a "Noten" heading
    for raw in raw_blocks:
        if raw is None:
            interrupted = True
            continue
        if not pages_known:
            for line in raw.lines:
                line.page = page
        first = raw.lines[0].text.strip()
        marker = PAGE_MARKER.match(first)
        if marker:
            if not pages_known:
                page = max(page, int(marker.group(1)) + 1)
            interrupted = True
            continue
        if _is_furniture(raw, metadata, meta_pages):
            interrupted = True
            continue
        if repeated:
            kept = [line for line in raw.lines if _fold(line.text) not in repeated]
            if len(kept) < len(raw.lines):
                interrupted = True
                if not kept or _is_furniture(RawBlock(kept), metadata, meta_pages):
                    continue
                raw = RawBlock(kept)
        if len(raw.lines) == 1 and NOTES_HEADING.match(first):
            endnotes = True
            continue
        notes, rest = _footnotes_in(raw, pending_markers, ENDNOTE_START if endnotes else FOOTNOTE_START)
        endnotes = endnotes and bool(notes)
        if notes:
            footnotes.extend(notes)
            last = max(int(n.footnote_number) for n in notes)
            pending_markers[:] = [m for m in pending_markers if int(m) > last]
            if not pages_known:
                page += 1
            interrupted = True
            if rest is None:
                continue
            raw = rest
            if not pages_known:
                for line in raw.lines:
                    line.page = page
        raw.interrupted_before = interrupted
        interrupted = False
        body.append(raw)
        for text in raw.text_lines:
            pending_markers.extend(m.group(1) for m in GLUED_MARKER.finditer(text))
            pending_markers.extend(m.group(2) for m in MARKER_AFTER_NUMBER.finditer(text))
    return body, footnotes


def _is_furniture(raw: RawBlock, metadata: dict[str, str], meta_pages: list[int]) -> bool:
    texts = [t.strip() for t in raw.text_lines]
    if len(texts) > 12 or any(len(t) > 70 for t in texts):
        return False
    if TERMINAL_END.search(texts[-1]):
        return False  # a sentence that happens to start with "Datum" or "Bijlage" is body text
    fields = _letterhead_fields(texts)
    if fields is None:
        return False
    for key, value in fields:
        _record(metadata, meta_pages, key, value, raw.lines[0].page)
    return True


def _letterhead_fields(texts: list[str]) -> list[tuple[str, str]] | None:
    """Key/value pairs of a letterhead block ("Datum 3 maart 2025" / "Betreft …" may share one
    block, a label's value may run over the next lines), or None when it is not one."""
    if ADDRESSEE.match(texts[0]) and any(ADDRESS_LINE.search(t) for t in texts[1:]):
        return [("geadresseerde", " ".join(texts))]
    fields: list[list[str]] = []
    for index, text in enumerate(texts):
        lower = text.lower()
        label = next(
            (l for l in LABELS if lower == l or lower.startswith(l + " ") or lower.startswith(l + ":")),
            None,
        )
        if label:
            fields.append([LABELS[label], text[len(label) :].strip(" :")])
        elif index == 0 and lower.startswith(UNIT_PREFIXES) and not SENTENCE_END.search(text):
            fields.append(["directoraat" if lower.startswith("directoraat") else "organisatie", text])
        elif fields:
            fields[-1][1] = f"{fields[-1][1]} {text}".strip()
        else:
            return None
    if not fields or any(not value for _, value in fields):
        return None
    return [(key, value) for key, value in fields]


def _record(metadata: dict[str, str], meta_pages: list[int], key: str, value: str, page: int) -> None:
    """First value wins: a sidebar repeated on every page says the same thing again."""
    if key not in metadata:
        metadata[key] = value
        meta_pages.append(page)


def _footnotes_in(
    raw: RawBlock, pending_markers: list[str], note_start: re.Pattern[str] = FOOTNOTE_START
) -> tuple[list[Block], RawBlock | None]:
    """The footnotes of a footnote block, and the body text that follows them in the same block.

    Extracted text often has no blank line between a page's last footnote and the next page's
    first line; that line then starts indented, where a footnote's own continuation lines do not.
    `note_start`: how a note begins ("1 Kamerstuk …" at a page's foot, "1. Een …" as an endnote).
    """
    start = note_start.match(raw.lines[0].text)
    # A page's foot holds notes only for markers seen above it; under a "Noten" heading the
    # numbered items are notes (a marker after a number, "in 2023.1", is not seen as one).
    if not start or (note_start is FOOTNOTE_START and start.group(1) not in pending_markers):
        return [], None
    notes: list[tuple[str, list[Line]]] = []
    expected = int(start.group(1))
    rest: RawBlock | None = None
    for index, line in enumerate(raw.lines):
        match = note_start.match(line.text)
        if match and int(match.group(1)) == expected:
            notes.append((match.group(1), [Line(match.group(2), line.page)]))
            expected += 1
        elif index > 0 and re.match(r"^\s+\S", line.text):
            rest = RawBlock(raw.lines[index:], interrupted_before=True)
            break
        else:
            notes[-1][1].append(line)
    blocks = [
        Block(kind="footnote", text=_unwrap([l.text for l in lines]), pages=tuple(sorted({l.page for l in lines})), footnote_number=number)
        for number, lines in notes
    ]
    return blocks, rest


def _typical_width(body: list[RawBlock]) -> int:
    widths = sorted(len(t.strip()) for raw in body for t in raw.text_lines if len(t.strip()) > 20)
    return widths[int(len(widths) * 0.9)] if widths else 80


def _join_interrupted(body: list[RawBlock], width: int) -> list[RawBlock]:
    """Rejoin a paragraph that a page break, footnote block or furniture cut in two."""
    joined: list[RawBlock] = []
    for raw in body:
        if joined and not raw.table_row and not joined[-1].table_row and _continues(joined[-1], raw, width):
            joined[-1] = RawBlock(joined[-1].lines + raw.lines, joined[-1].interrupted_before)
        else:
            joined.append(raw)
    return joined


def _continues(previous: RawBlock, raw: RawBlock, width: int) -> bool:
    last = previous.lines[-1].text.strip()
    first = raw.lines[0].text.strip()
    if SENTENCE_END.search(_strip_glued_marker(last)) or BULLET.match(first):
        return False
    if re.match(r"^[a-zà-ÿ(‘“'\"]", first):
        return True
    if not raw.interrupted_before:
        return False
    if len(raw.lines) == 1 and _looks_like_heading(first):
        return False  # a heading opening the next page ("Inhoud" after a title page)
    # Cut by a page break before a capitalised word ("… Handel en" / "Ontwikkelingssamenwerking"):
    # a heading or a signature line does not end in a comma, a hyphen or a word like "en", and
    # a paragraph's last line before a break is a full one.
    last_word = last.rsplit(" ", 1)[-1]
    full_line = len(last) >= 0.8 * width
    return last.endswith((",", "-")) or last_word in CONTINUING_WORDS or full_line


def _strip_glued_marker(text: str) -> str:
    return GLUED_MARKER.sub("", text) if TERMINAL_END.search(GLUED_MARKER.sub("", text)) else text


def _classify(paragraphs: list[RawBlock], footnotes: list[Block], width: int, metadata: dict[str, str]) -> list[Block]:
    """Kinds for body blocks, footnote markers resolved, footnotes placed after their first reference."""
    footnote_numbers = {n.footnote_number for n in footnotes}
    units: list[tuple[str, list[Line], int]] = []
    for raw in paragraphs:
        units.extend(_split_units(raw, width))

    blocks: list[Block] = []
    placed: set[str] = set()
    signature_lines: list[Line] = []
    signed_by = ""  # the name on a "name, place, date" line
    first_closing = next(
        (i for i, unit in enumerate(units) if CLOSING.match(" ".join(l.text for l in unit[1]).strip())), len(units)
    )
    for index, (kind, lines, level) in enumerate(units):
        original = _unwrap([l.text for l in lines])
        text, markers, sentences = unmark(_mark_markers(original, footnote_numbers - placed))
        if kind in ("paragraph", "heading"):
            kind = _refine_kind(kind, text, lines, index, len(units), index > first_closing)
        signed = SIGNED_LINE.match(text) if kind == "signature" else None
        if signed:
            signed_by = signed.group("name")
        elif kind == "signature":
            if blocks and blocks[-1].kind == "signature":
                # "De minister van …," and the name below it, a few blank lines apart: one signature.
                lines = signature_lines + lines
                blocks.pop()
            signature_lines = lines
            text = ", ".join(_signature_parts(lines))
        if kind == "list_item":
            text = SYMBOL_BULLET.sub("", text)
        pages = tuple(sorted({l.page for l in lines}))
        blocks.append(
            Block(kind=kind, text=text, pages=pages, level=level, footnote_markers=tuple(markers), marker_sentences=sentences)
        )
        placed.update(markers)
        blocks.extend(n for n in footnotes if n.footnote_number in markers)
    blocks.extend(n for n in footnotes if n.footnote_number not in placed)
    if signed_by:
        metadata.setdefault("ondertekenaar", signed_by)
    elif signature_lines:
        parts = _signature_parts(signature_lines)
        names = [p for p in parts if not SIGNATORY_FUNCTION.match(p)]
        metadata.setdefault("ondertekenaar", (names or parts)[0])
        functions = [p for p in parts if p != (names or parts)[0]]
        if functions:
            metadata.setdefault("functie_ondertekenaar", ", ".join(functions))
    return blocks


def _signature_parts(lines: list[Line]) -> list[str]:
    return [l.text.strip().rstrip(",").strip() for l in lines if l.text.strip()]


# The share of the typical line width a line may fill (characters stand for widths: the same
# split between 0.85 and 0.95 on every corpus and format).
FITS = 0.9


def _split_units(raw: RawBlock, width: int) -> list[tuple[str, list[Line], int]]:
    """A block may hold several paragraphs (a short line ending a sentence) or list items."""
    units: list[tuple[str, list[Line], int]] = []
    current: list[Line] = []
    current_kind = "paragraph"
    lines = raw.lines
    if raw.table_row:
        return [("paragraph", lines, 1)]
    for i, line in enumerate(lines):
        text = line.text.strip()
        if BULLET.match(text) and (current or i == 0) and not _is_numbered_heading(lines, i):
            if current:
                units.append((current_kind, current, 1))
            current, current_kind = [line], "list_item"
            continue
        current.append(line)
        next_line = lines[i + 1].text.strip() if i + 1 < len(lines) else ""
        if next_line and _heading_line(text) and _heading_line(next_line):
            # "1 Inleiding" straight above "1.1 Aanleiding": two headings, not one.
            units.append((current_kind, current, 1))
            current, current_kind = [], "paragraph"
            continue
        # A sentence ends the line and the next line's first word would have fitted on it: the
        # line break ends a paragraph (a narrow column wraps a long next word instead).
        fits = len(text) + 1 + len(next_line.split(" ", 1)[0]) <= FITS * width
        if next_line and fits and TERMINAL_END.search(_strip_glued_marker(text)) and re.match(r"^[A-ZÀ-Ý“‘\"]", next_line):
            units.append((current_kind, current, 1))
            current, current_kind = [], "paragraph"
    if current:
        units.append((current_kind, current, 1))
    return [_heading_level(unit) for unit in units]


def _heading_line(text: str) -> bool:
    return bool(NUMBERED_HEADING.match(text)) and _looks_like_heading(text) and len(text.split()) <= 8


def _is_numbered_heading(lines: list[Line], i: int) -> bool:
    return len(lines) == 1 and bool(NUMBERED_HEADING.match(lines[i].text.strip())) and not SENTENCE_END.search(lines[i].text.strip())


def _heading_level(unit: tuple[str, list[Line], int]) -> tuple[str, list[Line], int]:
    kind, lines, level = unit
    text = " ".join(l.text.strip() for l in lines)
    if len(lines) <= 2 and _looks_like_heading(text) and not CAPTION.match(text):
        numbered = NUMBERED_HEADING.match(text)
        return "heading", lines, (numbered.group(1).count(".") + 1 if numbered else level)
    return kind, lines, level


def _looks_like_heading(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= 12
        and len(text) <= 90
        and not SENTENCE_END.search(text)
        and not text.endswith(",")
        and bool(re.match(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?[A-ZÀ-Ý]", text))
    )


def _refine_kind(kind: str, text: str, lines: list[Line], index: int, unit_count: int, after_closing: bool) -> str:
    if SALUTATION.match(text) and index < 3:
        return "salutation"
    if CLOSING.match(text):
        return "closing"
    if after_closing and len(lines) <= 4 and all(len(l.text.strip()) < 70 for l in lines) and not SENTENCE_END.search(text):
        return "signature"
    if index == unit_count - 1 and len(lines) >= 2 and SIGNATORY_FUNCTION.match(lines[-1].text.strip()) and len(lines) <= 4:
        return "signature"
    if len(lines) <= 2 and SIGNED_LINE.match(text):
        return "signature"
    return kind


def _resolve_line_hyphens(blocks: list[Block]) -> list[Block]:
    """A word split at a line's end is joined ("halfgeleider-" / "industrie") unless the document
    writes it, or its first part, with a hyphen elsewhere ("mkb-bedrijven"; "Mbo-" / "instellingen"
    next to "mbo-opleidingen") and never joined."""
    texts = [block.text for block in blocks]
    hyphenated = {word.lower() for text in texts for word in HYPHENATED_WORD.findall(text)}
    prefixes = {word.split("-")[0] for word in hyphenated}
    words = {word.lower() for text in texts for word in re.findall(r"\w+", text.replace(LINE_HYPHEN, "-"))}

    def keeps_hyphen(first: str, second: str) -> bool:
        joined, first = (first + second).lower(), first.lower()
        return joined not in words and (f"{first}-{second.lower()}" in hyphenated or first in prefixes)

    def resolve(text: str) -> str:
        return SPLIT_WORD.sub(lambda m: f"{m[1]}-{m[2]}" if keeps_hyphen(m[1], m[2]) else m[1] + m[2], text)

    return [
        replace(block, text=resolve(block.text), marker_sentences=tuple(resolve(t) for t in block.marker_sentences))
        if LINE_HYPHEN in block.text else block
        for block in blocks
    ]


def _unwrap(lines: list[str]) -> str:
    """Join wrapped lines, undoing line-end hyphenation but keeping real hyphens."""
    text = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not text:
            text = line
            continue
        # Only the tail: the text grows line by line, and a long paragraph must stay linear.
        hyphenated = re.search(r"(\w+)-$", text[-80:]) if text.endswith("-") else None
        if hyphenated and re.match(r"^[A-ZÀ-Ý]", line):
            text = f"{text}{line}"  # "Noord-Brabant", "Zuid-Korea"
        elif hyphenated and re.match(r"^[a-zà-ÿ]", line):
            next_word = re.match(r"^(\w+)", line).group(1)
            if next_word in {"en", "of", "tot", "t/m"}:
                text = f"{text} {line}"  # "onderwijs- en kennisinstellingen"
            elif re.search(r"[A-Z0-9]$", hyphenated.group(1)) or VOWEL_CLASH.match(hyphenated.group(1)[-1] + next_word[0]):
                text = f"{text}{line}"  # "EU-landen", "5G-netwerk", "innovatie-ecosysteem"
            else:
                text = f"{text[:-1]}{LINE_HYPHEN}{line}"  # decided for the whole document: see below
        else:
            text = f"{text} {line}"
    return re.sub(r"\s+", " ", text).strip()


def _mark_markers(text: str, open_numbers: set[str]) -> str:
    """`mark` the glued footnote markers that have a footnote (each number once)."""
    found: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        number = match.group(1)
        if number in open_numbers and number not in found:
            found.add(number)
            return mark(number)
        return match.group(0)

    def replace_after_number(match: re.Match[str]) -> str:
        unplaced = sorted((int(n) for n in open_numbers - found if n.isdigit()))
        if unplaced and match.group(2) == str(unplaced[0]):
            found.add(match.group(2))
            return match.group(1) + mark(match.group(2))
        return match.group(0)

    return MARKER_AFTER_NUMBER.sub(replace_after_number, GLUED_MARKER.sub(replace, text))


def _letterhead_block(metadata: dict[str, str], pages: list[int]) -> Block | None:
    """The letterhead fields as one citable record, so questions about them find a source."""
    labels = [
        ("betreft", "Betreft"),
        ("datum", "Datum"),
        ("directoraat", None),
        ("organisatie", None),
        ("kenmerk", "Kenmerk"),
        ("uw_kenmerk", "Uw kenmerk"),
        ("bijlagen", "Bijlagen"),
        ("geadresseerde", None),
    ]
    parts = [f"{label}: {metadata[key]}" if label else metadata[key] for key, label in labels if metadata.get(key)]
    if not parts:
        return None
    return Block(kind="letterhead", text=". ".join(parts) + ".", pages=tuple(sorted(set(pages))))
