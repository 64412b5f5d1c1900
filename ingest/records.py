"""Typed records that flow through the pipeline: documents and their citable paragraphs."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

KINDS = ("paragraph", "heading", "footnote", "list_item", "closing", "signature", "letterhead", "salutation")

# Dutch labels shown to users ("alinea 7", "voetnoot 5").
KIND_LABELS = {
    "paragraph": "alinea",
    "heading": "kop",
    "footnote": "voetnoot",
    "list_item": "opsommingspunt",
    "closing": "slot",
    "signature": "ondertekening",
    "letterhead": "briefhoofd",
    "salutation": "aanhef",
}


SEARCH_PREFIXES = {
    "signature": "Ondertekening, ondertekend door",
    "letterhead": "Briefhoofd, gegevens van de brief",
}


def normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_space(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class KamerstukRef:
    """A reference to a parliamentary paper, e.g. dossier 33009, number 141."""

    dossier: str
    number: str
    raw: str = ""

    @property
    def key(self) -> str:
        return f"{self.dossier}-{self.number}"

    @property
    def doc_id(self) -> str:
        return f"kst-{self.key}"

    def url(self, base: str = "https://zoek.officielebekendmakingen.nl", ext: str = "html") -> str:
        return f"{base.rstrip('/')}/kst-{self.key}.{ext}"

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "dossier": self.dossier, "number": self.number, "raw": self.raw, "url": self.url()}


@dataclass(frozen=True)
class Paragraph:
    """One citable unit of a document."""

    id: str
    doc_id: str
    doc_title: str
    kind: str
    number: int
    label: str
    pages: tuple[int, ...]
    section: tuple[str, ...]
    text: str
    footnote_refs: tuple[str, ...] = ()
    referenced_by: tuple[str, ...] = ()
    hash: str = ""
    anchor: str = ""  # for a footnote: the sentence that carries its marker

    @property
    def search_text(self) -> str:
        """What search matches on: a footnote with the sentence it annotates; a signature or
        letterhead with words people use to ask for it."""
        return self.searchable(self.text)

    def in_context(self, text: str) -> str:
        """`text` (this record's text or one of its sentences) dressed for search, under the
        document title and section it stands in."""
        context = " > ".join(part for part in (self.doc_title, *self.section) if part)
        return f"{context}\n{self.searchable(text)}" if context else self.searchable(text)

    def searchable(self, text: str) -> str:
        """`text` (this record's text or one of its sentences) dressed for search."""
        if self.anchor:
            return f"{text} ({self.anchor})"
        prefix = SEARCH_PREFIXES.get(self.kind)
        return f"{prefix}: {text}" if prefix else text

    @property
    def page(self) -> int | None:
        return self.pages[0] if self.pages else None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["pages"] = list(self.pages)
        data["section"] = list(self.section)
        data["footnote_refs"] = list(self.footnote_refs)
        data["referenced_by"] = list(self.referenced_by)
        data["page"] = self.page
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Paragraph":
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        for key in ("pages", "section", "footnote_refs", "referenced_by"):
            values[key] = tuple(values.get(key) or ())
        return cls(**values)


@dataclass(frozen=True)
class Document:
    """A source document with metadata found in it and its paragraph records."""

    id: str
    title: str
    path: str
    format: str
    metadata: dict[str, str] = field(default_factory=dict)
    references: tuple[KamerstukRef, ...] = ()
    paragraphs: tuple[Paragraph, ...] = ()
    hash: str = ""

    def to_dict(self, with_paragraphs: bool = False) -> dict[str, Any]:
        data = {
            "id": self.id,
            "title": self.title,
            "path": self.path,
            "format": self.format,
            "metadata": dict(self.metadata),
            "references": [r.to_dict() for r in self.references],
            "paragraphs": len(self.paragraphs),
            "footnotes": sum(1 for p in self.paragraphs if p.kind == "footnote"),
            "hash": self.hash,
        }
        if with_paragraphs:
            data["records"] = [p.to_dict() for p in self.paragraphs]
        return data
