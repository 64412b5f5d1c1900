"""DOCX: paragraphs by Word style (Heading n, List, Title), footnotes from the footnotes part."""

from __future__ import annotations

import io
import re
import zipfile

from ingest.assemble import Block, assemble, mark, unmark
from ingest.records import Document

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class DocxError(Exception):
    pass


def parse_docx(data: bytes, path: str, doc_id: str) -> Document:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise DocxError("het DOCX-bestand is versleuteld of is een oud Word-formaat; sla het op als gewoon .docx") from None
        raise DocxError(f"het DOCX-bestand is beschadigd of onleesbaar ({type(exc).__name__})") from None

    footnotes = _footnotes(data)
    blocks: list[Block] = []
    placed: set[str] = set()
    title = ""
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        _, markers, sentences = unmark(_marked_text(paragraph._p))
        if style == "Title" or style.startswith("Heading"):
            level = int(re.sub(r"\D", "", style) or 1)
            title = title or text
            blocks.append(Block(kind="heading", text=text, level=level))
        elif style.startswith("List") or paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None:
            blocks.append(Block(kind="list_item", text=text, footnote_markers=markers, marker_sentences=sentences))
        else:
            blocks.append(Block(kind="paragraph", text=text, footnote_markers=markers, marker_sentences=sentences))
        for marker in markers:
            if marker in footnotes and marker not in placed:
                placed.add(marker)
                blocks.append(Block(kind="footnote", text=footnotes[marker], footnote_number=marker))
    core_title = (document.core_properties.title or "").strip()
    return assemble(doc_id, core_title or title or doc_id, path, "docx", blocks, {})


def _marked_text(paragraph) -> str:
    """A paragraph's text with its footnote references `mark`ed where they stand."""
    parts = []
    for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}footnoteReference"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}footnoteReference":
            parts.append(mark(node.get(f"{W}id")))
        else:
            parts.append(" ")
    return "".join(parts)


def _footnotes(data: bytes) -> dict[str, str]:
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "word/footnotes.xml" not in archive.namelist():
            return {}
        root = etree.fromstring(archive.read("word/footnotes.xml"))
    notes = {}
    for note in root.iter(f"{W}footnote"):
        if note.get(f"{W}type") in ("separator", "continuationSeparator"):
            continue
        text = " ".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in note.iter(f"{W}p")).strip()
        if text:
            notes[note.get(f"{W}id")] = text
    return notes
