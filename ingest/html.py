"""Generic HTML (reports, web pages): headings, paragraphs and list items of the main content."""

from __future__ import annotations

from ingest.assemble import Block, assemble
from ingest.records import Document, normalize_space

CHROME = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template")


def parse_html(data: bytes, path: str, doc_id: str) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    for tag in soup(CHROME):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    blocks: list[Block] = []
    for element in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li"]):
        if element.name in ("p", "li") and element.find_parent(["li"]) is not None and element.name == "p":
            continue
        text = normalize_space(element.get_text(" "))
        if not text:
            continue
        if element.name.startswith("h"):
            blocks.append(Block(kind="heading", text=text, level=int(element.name[1])))
        else:
            blocks.append(Block(kind="list_item" if element.name == "li" else "paragraph", text=text))
    title_tag = soup.find("title")
    title = normalize_space(title_tag.get_text()) if title_tag else ""
    title = title or next((b.text for b in blocks if b.kind == "heading"), doc_id)
    return assemble(doc_id, title, path, "html", blocks, {})
