"""Markdown: ATX headings, paragraphs, list items and footnotes ([^1] with [^1]: text)."""

from __future__ import annotations

import re

from ingest.assemble import Block, assemble, mark, unmark
from ingest.records import Document

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
FOOTNOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:\s*(.*)$")
FOOTNOTE_REF = re.compile(r"\[\^([^\]]+)\]")


def parse_markdown(text: str, path: str, doc_id: str) -> Document:
    blocks: list[Block] = []
    footnotes: dict[str, list[str]] = {}
    current: list[str] = []
    current_kind = "paragraph"
    open_note: str | None = None

    def flush() -> None:
        nonlocal current, current_kind
        if current:
            blocks.append(_block(current_kind, " ".join(current)))
        current, current_kind = [], "paragraph"

    for line in text.splitlines():
        stripped = line.strip()
        note = FOOTNOTE_DEF.match(stripped)
        if note:
            flush()
            open_note = note.group(1)
            footnotes[open_note] = [note.group(2)]
            continue
        if open_note and stripped and line.startswith(("    ", "\t")):
            footnotes[open_note].append(stripped)
            continue
        open_note = None if not stripped or not line.startswith(" ") else open_note
        heading = HEADING.match(stripped)
        item = LIST_ITEM.match(line)
        if not stripped:
            flush()
        elif heading:
            flush()
            blocks.append(Block(kind="heading", text=heading.group(2), level=len(heading.group(1))))
        elif item:
            flush()
            current, current_kind = [item.group(1)], "list_item"
        else:
            current.append(stripped)
    flush()

    ordered: list[Block] = []
    placed: set[str] = set()
    for block in blocks:
        ordered.append(block)
        for marker in block.footnote_markers:
            if marker in footnotes and marker not in placed:
                placed.add(marker)
                ordered.append(Block(kind="footnote", text=" ".join(footnotes[marker]), footnote_number=marker))
    ordered.extend(Block(kind="footnote", text=" ".join(t), footnote_number=n) for n, t in footnotes.items() if n not in placed)
    title = next((b.text for b in blocks if b.kind == "heading"), doc_id)
    return assemble(doc_id, title, path, "markdown", ordered, {})


def _block(kind: str, text: str) -> Block:
    text, markers, sentences = unmark(FOOTNOTE_REF.sub(lambda ref: mark(ref.group(1)), text))
    return Block(kind=kind, text=text, footnote_markers=markers, marker_sentences=sentences)
