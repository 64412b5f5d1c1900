"""Turn format-neutral blocks into a Document with stable, labelled, linked Paragraph records.

Every format parser (text, PDF, HTML/XML Kamerstuk, DOCX, Markdown) yields `Block`s;
this module is the one place that numbers, labels, links and hashes them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ingest.records import KIND_LABELS, Document, Paragraph, content_hash, normalize_space
from ingest.references import find_references


@dataclass(frozen=True)
class Block:
    kind: str
    text: str
    pages: tuple[int, ...] = ()
    level: int = 1
    # For a footnote: its number as printed. For other blocks: footnote numbers they reference.
    footnote_number: str | None = None
    footnote_markers: tuple[str, ...] = ()
    # Per marker, the sentence that carries it: lets a footnote be found by what it annotates.
    marker_sentences: tuple[str, ...] = ()


# A footnote marker as a parser places it in running text: MARK + number + MARK (see `mark`).
MARK = "\x00"
MARKED = re.compile(MARK + r"([^" + MARK + r"]*)" + MARK)
_SENTENCE_START = re.compile(r"[.!?]\s+(?=[A-ZÀ-Ý“])")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÀ-Ý“]|\s*$)")
_ENDS_SENTENCE = re.compile(r"[.!?…][”\"’')\]]*\s*$")


def mark(number: str) -> str:
    """A footnote marker in running text, taken out again (with the sentence it sits in) by `unmark`."""
    return f"{MARK}{number}{MARK}"


def unmark(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Text with `mark`ed footnote markers -> the text without them, the marker numbers in order
    (each once) and per marker the sentence that carries it."""
    parts: list[str] = []
    markers: list[str] = []
    offsets: list[int] = []
    position = length = 0
    for match in MARKED.finditer(text):
        parts.append(text[position : match.start()])
        length += match.start() - position
        position = match.end()
        number = normalize_space(match.group(1))
        if number and number not in markers:
            markers.append(number)
            offsets.append(length)
    parts.append(text[position:])
    clean = "".join(parts)
    return clean, tuple(markers), tuple(sentence_at(clean, offset) for offset in offsets)


def sentence_at(text: str, offset: int) -> str:
    """The sentence a footnote marker at `offset` annotates: the one ending right before it
    ("… versnellen.¹ In …"), else the one it stands in."""
    before = text[:offset]
    start = max((m.end() for m in _SENTENCE_START.finditer(before)), default=0)
    if _ENDS_SENTENCE.search(before):
        end = offset
    else:
        end_match = _SENTENCE_END.search(text, offset)
        end = end_match.end() if end_match else len(text)
    return normalize_space(text[start:end])


def assemble(
    doc_id: str,
    title: str,
    path: str,
    fmt: str,
    blocks: list[Block],
    metadata: dict[str, str] | None = None,
    raw_hash: str = "",
) -> Document:
    metadata = dict(metadata or {})
    counters: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    section: list[tuple[int, str]] = []
    drafts: list[dict] = []
    for block in blocks:
        text = normalize_space(block.text)
        if not text:
            continue
        if block.kind == "heading":
            section = [s for s in section if s[0] < block.level]
            section_path = tuple(s[1] for s in section)
            section.append((block.level, text))
        else:
            section_path = tuple(s[1] for s in section)
        counters[block.kind] = counters.get(block.kind, 0) + 1
        number = counters[block.kind]
        if block.kind == "footnote" and block.footnote_number and block.footnote_number.isdigit():
            number = int(block.footnote_number)
        label = f"{KIND_LABELS.get(block.kind, block.kind)} {number}"
        base_id = f"{doc_id}:{hashlib.sha1(f'{block.kind}|{text}'.encode()).hexdigest()[:12]}"
        seen_ids[base_id] = seen_ids.get(base_id, 0) + 1
        pid = base_id if seen_ids[base_id] == 1 else f"{base_id}-{seen_ids[base_id]}"
        drafts.append(
            {
                "id": pid,
                "kind": block.kind,
                "number": number,
                "label": label,
                "pages": tuple(block.pages),
                "section": section_path,
                "text": text,
                "footnote_number": block.footnote_number,
                "markers": block.footnote_markers,
                "sentences": block.marker_sentences,
            }
        )

    footnote_ids = {d["footnote_number"]: d["id"] for d in drafts if d["kind"] == "footnote" and d["footnote_number"]}
    referenced_by: dict[str, list[str]] = {}
    anchors: dict[str, str] = {}
    for d in drafts:
        for marker, sentence in zip(d["markers"], d["sentences"]):
            if marker in footnote_ids:
                anchors.setdefault(footnote_ids[marker], normalize_space(sentence))
        refs = tuple(footnote_ids[m] for m in d["markers"] if m in footnote_ids)
        d["refs"] = refs
        for ref in refs:
            referenced_by.setdefault(ref, []).append(d["id"])

    paragraphs = tuple(
        Paragraph(
            id=d["id"],
            doc_id=doc_id,
            doc_title=title,
            kind=d["kind"],
            number=d["number"],
            label=d["label"],
            pages=d["pages"],
            section=d["section"],
            text=d["text"],
            footnote_refs=d["refs"],
            referenced_by=tuple(referenced_by.get(d["id"], ())),
            anchor=anchors.get(d["id"], ""),
            hash=content_hash(d["text"]),
        )
        for d in drafts
    )
    references = find_references(" \n".join(p.text for p in paragraphs))
    doc_hash = raw_hash or hashlib.sha256("\n".join(p.hash for p in paragraphs).encode()).hexdigest()
    return Document(
        id=doc_id,
        title=title,
        path=path,
        format=fmt,
        metadata=metadata,
        references=references,
        paragraphs=paragraphs,
        hash=doc_hash,
    )
