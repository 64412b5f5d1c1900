"""Generic HTML (reports, web pages): headings, paragraphs and list items of the main content,
and notes: a numbered link to an element of the page (`<sup><a href="#noot-1">1</a></sup>`,
pandoc's `role="doc-noteref"`) refers to that element's text as a footnote."""

from __future__ import annotations

import re

from ingest.assemble import Block, assemble, mark, unmark
from ingest.layout import NOTES_HEADING
from ingest.records import Document, normalize_space

# Not <form>: sites such as officielebekendmakingen.nl wrap the whole page in one; its controls are chrome.
CHROME = ("script", "style", "nav", "header", "footer", "aside", "noscript", "template", "button", "input", "select", "textarea", "label")
NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+\S")


def parse_html(data: bytes, path: str, doc_id: str) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    for tag in soup(CHROME):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    notes = _notes(soup)
    blocks: list[Block] = []
    placed: set[str] = set()
    for element in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li"]):
        if element.name == "p" and element.find_parent(["li"]) is not None:
            continue
        if any(element is note or note in element.parents for note, _ in notes.values()):
            continue
        raw = _own_text(element) if element.name == "li" else element.get_text(" ")
        text, markers, sentences = unmark(normalize_space(raw))
        text, sentences = _closed(text), tuple(_closed(s) for s in sentences)
        if not text or (notes and element.name.startswith("h") and NOTES_HEADING.match(text)):
            continue
        if element.name.startswith("h"):
            blocks.append(Block(kind="heading", text=text, level=int(element.name[1])))
            continue
        kind = "list_item" if element.name == "li" else "paragraph"
        blocks.append(Block(kind=kind, text=text, footnote_markers=markers, marker_sentences=sentences))
        for number in markers:
            if number in notes and number not in placed:
                placed.add(number)
                blocks.append(Block(kind="footnote", text=notes[number][1], footnote_number=number))
    blocks = _numbered_levels(blocks)
    title_tag = soup.find("title")
    title = normalize_space(title_tag.get_text()) if title_tag else ""
    title = title or next((b.text for b in blocks if b.kind == "heading"), doc_id)
    return assemble(doc_id, title, path, "html", blocks, {})


# Text pieces are joined with a space ("<p>a<br>b</p>" is two words), which puts one before the
# punctuation that follows an inline tag: "Zie <a>sectie 2</a>." is "Zie sectie 2.".
TAG_GAP = re.compile(r"\s+([.,;:!?](?:\s|$))")
NOTE_NUMBER = re.compile(r"^\s*\[?(\d{1,3})\]?\s*$")
BACKLINK = re.compile(r"\s*[↩↑^]\ufe0e?\s*$")


def _closed(text: str) -> str:
    return normalize_space(TAG_GAP.sub(r"\1", text))


def _notes(soup) -> dict[str, tuple[object, str]]:
    """Note number -> (the note's element, its text), for every numbered link to an element of
    the page that is raised (`<sup>`) or marked as a note reference; each reference becomes a
    `mark`ed marker where it stands."""
    notes: dict[str, tuple[object, str]] = {}
    for link in soup.find_all("a", href=re.compile(r"^#.")):
        if link.decomposed:  # a back link of a note read before
            continue
        number = NOTE_NUMBER.match(link.get_text())
        raised = link.find_parent("sup") is not None or link.find("sup") is not None or "doc-noteref" in (link.get("role") or "")
        target = soup.find(id=link["href"][1:]) if number and raised else None
        if target is None or link in target.descendants:
            continue
        for back in target.find_all("a", href=re.compile(r"^#.")):
            if not back.get_text().strip() or BACKLINK.fullmatch(back.get_text()):
                back.decompose()
        text = normalize_space(target.get_text(" "))
        if text:
            notes.setdefault(number.group(1), (target, text))
        (link.find_parent("sup") or link).replace_with(mark(number.group(1)))
    return notes


def _own_text(item) -> str:
    """A list item's text without its nested lists: those items are records of their own."""
    own_list = item.find_parent(["ul", "ol"])
    return " ".join(s for s in item.find_all(string=True) if s.find_parent(["ul", "ol"]) is own_list)


def _numbered_levels(blocks: list[Block]) -> list[Block]:
    """Reports often tag "2 Ambities" and "2.1 Talent" alike (both <h2>); the numbering then
    says how deep a heading is, counted from the tag level of the numbered headings."""
    numbered = [(b, NUMBERED.match(b.text)) for b in blocks if b.kind == "heading"]
    levels = [b.level for b, match in numbered if match]
    if not levels:
        return blocks
    base = min(levels)
    out = []
    for block in blocks:
        match = NUMBERED.match(block.text) if block.kind == "heading" else None
        if match:
            block = Block(kind="heading", text=block.text, level=base + match.group(1).count("."))
        out.append(block)
    return out
