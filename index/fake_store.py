"""A deterministic in-memory `VectorStore` for unit tests: exact cosine search, no Chroma, no disk."""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from index.vectorstore import NO_INDEX, Progress, SyncReport, dimension_mismatch, sentences_of, vectors_for
from ingest.errors import UserError
from ingest.records import Document, Paragraph, content_hash


class FakeStore:
    """Holds records, vectors and document summaries in dicts; the same answers as ParagraphStore."""

    def __init__(self, embeddings: Any):
        self.embeddings = embeddings
        self._lock = threading.Lock()
        self._created = False
        self._dimension: int | None = None
        self._generation = 0
        # paragraph id -> (position in its document, record, vector, hash of the embedded text)
        self._records: dict[str, tuple[int, Paragraph, np.ndarray, str]] = {}
        self._documents: dict[str, Document] = {}
        self._sentences: dict[str, list[list[float]]] = {}  # paragraph id -> its sentences' vectors

    # -- state ----------------------------------------------------------------------------------

    def exists(self) -> bool:
        return self._created

    def ping(self) -> None:
        pass

    def rebuild(self) -> None:
        with self._lock:
            self._created = False
            self._dimension = None
            self._records.clear()
            self._documents.clear()
            self._sentences.clear()
            self._generation += 1

    def _create(self, dimension: int) -> None:
        self._created = True
        if self._dimension is None:
            self._dimension = dimension
        elif self._dimension != dimension:
            raise dimension_mismatch(self._dimension, dimension)

    def _require(self) -> None:
        if not self._created:
            raise UserError(NO_INDEX)

    # -- writing --------------------------------------------------------------------------------

    def sync(self, documents: list[Document], remove_missing: bool, progress: Progress = None,
             keep: Iterable[str] = ()) -> SyncReport:
        report = SyncReport()
        with self._lock:
            self._create(int(self.embeddings.dimension))
            for document in documents:
                to_embed: list[tuple[int, Paragraph]] = []
                for position, paragraph in enumerate(document.paragraphs):
                    held = self._records.get(paragraph.id)
                    if held is None or held[3] != content_hash(paragraph.search_text):
                        to_embed.append((position, paragraph))
                    elif (held[0], held[1]) != (position, paragraph):
                        self._records[paragraph.id] = (position, paragraph, held[2], held[3])
                        report.updated += 1
                    else:
                        report.unchanged += 1
                if to_embed:
                    vectors = self.embeddings.embed_documents([p.search_text for _, p in to_embed])
                    for (position, paragraph), vector in zip(to_embed, vectors):
                        self._put(position, paragraph, vector)
                    rows = [(p.id, s) for _, p in to_embed for s in sentences_of(p)]
                    embedded = self.embeddings.embed_documents([s for _, s in rows]) if rows else []
                    for _, paragraph in to_embed:
                        self._sentences[paragraph.id] = []
                    for (pid, _), vector in zip(rows, embedded):
                        self._sentences[pid].append(list(vector))
                    report.embedded += len(to_embed)
                    if progress:
                        progress(len(to_embed))
                current = {p.id for p in document.paragraphs}
                report.deleted += self._drop(lambda p: p.doc_id == document.id and p.id not in current)
                self._documents[document.id] = document
            if remove_missing:
                wanted = {d.id for d in documents} | set(keep)
                stale = sorted(doc_id for doc_id in self._documents if doc_id not in wanted)
                for doc_id in stale:
                    report.deleted += self._drop(lambda p: p.doc_id == doc_id)
                    del self._documents[doc_id]
                report.removed_documents = tuple(stale)
            if report.embedded or report.updated or report.deleted:
                self._generation += 1
        return report

    def add_embedded(self, documents: list[Document], vectors: Sequence[Sequence[float]], page: int = 5000) -> int:
        rows = vectors_for(documents, vectors)
        with self._lock:
            self._create(len(rows[0][3]) if rows else int(self.embeddings.dimension))
            for document, position, paragraph, vector in rows:
                self._put(position, paragraph, vector)
            self._documents.update((d.id, d) for d in documents)
            if rows or documents:
                self._generation += 1
        return len(rows)

    def _put(self, position: int, paragraph: Paragraph, vector: Sequence[float]) -> None:
        unit = np.asarray(vector, dtype=np.float64)
        self._records[paragraph.id] = (position, paragraph, unit / (np.linalg.norm(unit) or 1.0), content_hash(paragraph.search_text))

    def _drop(self, gone: Callable[[Paragraph], bool]) -> int:
        ids = [pid for pid, (_, paragraph, _, _) in self._records.items() if gone(paragraph)]
        for pid in ids:
            del self._records[pid]
            self._sentences.pop(pid, None)
        return len(ids)

    # -- reading --------------------------------------------------------------------------------

    def count(self) -> int:
        self._require()
        return len(self._records)

    def version(self) -> str:
        self._require()
        return f"fake-{self._generation}"

    def records(self) -> list[Paragraph]:
        self._require()
        with self._lock:
            held = sorted(self._records.values(), key=lambda r: (r[1].doc_id, r[0]))
        return [paragraph for _, paragraph, _, _ in held]

    def query(self, vector: list[float], n: int) -> list[tuple[str, float]]:
        self._require()
        if self._dimension is not None and len(vector) != self._dimension:
            raise dimension_mismatch(self._dimension, len(vector))
        with self._lock:
            ids = list(self._records)
            if not ids:
                return []
            matrix = np.stack([self._records[pid][2] for pid in ids])
        query = np.asarray(vector, dtype=np.float64)
        similarities = matrix @ (query / (np.linalg.norm(query) or 1.0))
        # Ties broken by id, so the order never depends on insertion order.
        order = sorted(range(len(ids)), key=lambda i: (-similarities[i], ids[i]))[:n]
        return [(ids[i], float(similarities[i])) for i in order]

    def documents(self, ids: list[str] | None = None) -> list[dict[str, Any]]:
        self._require()
        with self._lock:
            wanted = sorted(self._documents) if ids is None else sorted(set(ids) & set(self._documents))
            return [self._documents[doc_id].to_dict() for doc_id in wanted]

    def query_within(self, vector: list[float], n: int, doc_ids: list[str]) -> list[tuple[str, float]]:
        wanted = set(doc_ids)
        with self._lock:
            inside = {pid for pid, held in self._records.items() if held[1].doc_id in wanted}
        return [(pid, s) for pid, s in self.query(vector, len(self._records)) if pid in inside][:n]

    def sentence_vectors(self, ids: list[str]) -> dict[str, list[list[float]]]:
        self._require()
        with self._lock:
            return {pid: self._sentences[pid] for pid in ids if self._sentences.get(pid)}

    def document_records(self, doc_id: str) -> list[Paragraph]:
        return [p for p in self.records() if p.doc_id == doc_id]

    def records_by_ids(self, ids: list[str]) -> list[Paragraph]:
        self._require()
        with self._lock:
            found = {pid: self._records[pid][1] for pid in ids if pid in self._records}
        return [found[i] for i in ids if i in found]
