"""Generic HTML (reports, web pages): headings, paragraphs and list items of the main content."""

from __future__ import annotations

import re

from ingest.assemble import Block, assemble
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
    blocks: list[Block] = []
    for element in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li"]):
        if element.name == "p" and element.find_parent(["li"]) is not None:
            continue
        text = normalize_space(_own_text(element) if element.name == "li" else element.get_text(" "))
        if not text:
            continue
        if element.name.startswith("h"):
            blocks.append(Block(kind="heading", text=text, level=int(element.name[1])))
        else:
            blocks.append(Block(kind="list_item" if element.name == "li" else "paragraph", text=text))
    blocks = _numbered_levels(blocks)
    title_tag = soup.find("title")
    title = normalize_space(title_tag.get_text()) if title_tag else ""
    title = title or next((b.text for b in blocks if b.kind == "heading"), doc_id)
    return assemble(doc_id, title, path, "html", blocks, {})


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
