"""Plain text, including text extracted from PDFs (form feeds, when present, separate pages)."""

from __future__ import annotations

from ingest.assemble import assemble
from ingest.layout import parse_pages
from ingest.records import Document


def parse_text(text: str, path: str, doc_id: str, fmt: str = "text") -> Document:
    pages = text.split("\f")
    layout = parse_pages(pages, pages_known=len(pages) > 1)
    return assemble(doc_id, document_title(layout.metadata, layout.blocks, doc_id), path, fmt, layout.blocks, layout.metadata)


def document_title(metadata: dict[str, str], blocks: list, fallback: str) -> str:
    subject = metadata.get("betreft")
    if subject:
        letter_to_chamber = any(b.kind == "salutation" and "voorzitter" in b.text.lower() for b in blocks)
        return f"Kamerbrief {subject}" if letter_to_chamber else subject
    heading = next((b.text for b in blocks if b.kind == "heading"), None)
    return heading or fallback.replace("-", " ").replace("_", " ").strip().capitalize()
