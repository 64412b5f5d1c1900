"""Paragraph records and their vectors in Chroma: incremental, idempotent, crash-safe sync.

Chroma is the single source of truth, so several server replicas can share one Chroma server:
the paragraphs collection holds text, vector and every record field; a small documents
collection holds document-level metadata; a sentences collection holds a vector per sentence of
each paragraph of two sentences or more (retrieval compares a question with a paragraph's closest
sentence too, which a long paragraph's one vector blurs). Records are upserted by stable id; a
content hash decides whether a record needs a new vector. `ParagraphStore` implements `index.vectorstore.VectorStore`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, TypeVar

from index.vectorstore import (
    DAMAGED,
    NO_INDEX,
    DamagedIndexError,
    IndexMismatchError,
    Progress,
    SyncReport,
    dimension_mismatch,
    index_mismatch,
    sentences_of,
    vectors_for,
)
from ingest.errors import NotReadyError, UserError
from ingest.records import Document, KamerstukRef, Paragraph, content_hash

BATCH = 128
READ_PAGE = 5000
# Part of every embed hash: an index from before the sentences collection embeds its paragraphs
# (and their sentences) again. Change it when `split_sentences` changes.
SENTENCES_VERSION = "sentences-1"

T = TypeVar("T")

__all__ = ["IndexMismatchError", "ParagraphStore", "StoreConfig", "SyncReport", "make_client"]


@dataclass(frozen=True)
class StoreConfig:
    """Where the index lives: a Chroma server when `host` is set, else an embedded Chroma in `index_dir`."""

    index_dir: Path
    collection: str
    host: str = ""
    port: int = 8000

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}" if self.host else str(self.index_dir)


class ParagraphStore:
    """Chroma collections for one corpus, opened for one embedding model."""

    def __init__(self, config: StoreConfig, embeddings: Any, client: Any | None = None):
        self.config = config
        self.embeddings = embeddings
        self._given_client = client
        self._client = client
        self._open: tuple[Any, Any] | None = None
        self._sentences_open: Any | None = None
        self._lock = threading.Lock()
        self._records_cache: tuple[str, list[Paragraph]] | None = None

    # -- connection ---------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = make_client(self.config)
        return self._client

    def _collections(self, create: bool) -> tuple[Any, Any]:
        opened = self._open
        if opened is not None:
            return opened
        with self._lock:
            model_id = getattr(self.embeddings, "model_id", type(self.embeddings).__name__)
            name = self.config.collection
            try:
                if create:
                    paragraphs = self.client.get_or_create_collection(
                        name,
                        embedding_function=None,
                        configuration={"hnsw": {"space": "cosine"}},
                        metadata={"embedding_model": model_id, "dimension": int(self.embeddings.dimension)},
                    )
                    documents = self.client.get_or_create_collection(f"{name}-documents", embedding_function=None)
                else:
                    paragraphs = self.client.get_collection(name, embedding_function=None)
                    documents = self.client.get_collection(f"{name}-documents", embedding_function=None)
            except NotReadyError:
                raise
            except Exception as exc:
                if _is_missing_collection(exc):
                    raise UserError(NO_INDEX) from None
                self._forget()
                raise _unreachable(self.config, exc) from None
            stored = (paragraphs.metadata or {}).get("embedding_model")
            if stored and stored != model_id:
                raise index_mismatch(f"embeddingmodel '{stored}'", f"'{model_id}'")
            self._open = (paragraphs, documents)
            return paragraphs, documents

    def _sentences(self, create: bool) -> Any | None:
        """The sentences collection; None when reading an index made before it existed (its
        paragraphs are then compared as wholes until the next ingest re-embeds them)."""
        if self._sentences_open is not None:
            return self._sentences_open
        name = f"{self.config.collection}-sentences"
        try:
            if create:
                handle = self.client.get_or_create_collection(name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
            else:
                handle = self.client.get_collection(name, embedding_function=None)
        except Exception as exc:
            if not create and _is_missing_collection(exc):
                return None
            self._forget()
            raise _unreachable(self.config, exc) from None
        self._sentences_open = handle
        return handle

    def _forget(self) -> None:
        """Drop the connection and collection handles: the next call opens them again, so a
        restarted Chroma server, or collections replaced by a rebuild elsewhere, are picked up."""
        self._client = self._given_client
        self._open = None
        self._sentences_open = None

    def _guarded(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return call(*args, **kwargs)
        except UserError:
            raise
        except Exception as exc:
            self._forget()
            if _is_damaged(exc):
                raise DamagedIndexError(DAMAGED) from None
            raise _unreachable(self.config, exc) from None

    def _read(self, operation: Callable[[Any, Any], T]) -> T:
        """Run a read; a failure reopens the connection and tries once more (reads are idempotent,
        and handles to a restarted server or a replaced collection fail once)."""
        try:
            return operation(*self._collections(create=False))
        except UserError:
            raise
        except Exception:
            self._forget()
        return self._guarded(lambda: operation(*self._collections(create=False)))

    def _check_dimension(self, paragraphs: Any, dimension: int) -> None:
        # Not checked on open: asking a model its dimension loads it, and reading needs no model.
        stored = (paragraphs.metadata or {}).get("dimension")
        if stored and int(stored) != dimension:
            raise dimension_mismatch(int(stored), dimension)

    def exists(self) -> bool:
        try:
            self._collections(create=False)
            return True
        except IndexMismatchError:
            raise
        except UserError as exc:
            if isinstance(exc, NotReadyError):
                raise
            return False

    def ping(self) -> None:
        try:
            self.client.heartbeat()
        except Exception as exc:
            self._forget()
            raise _unreachable(self.config, exc) from None

    def rebuild(self) -> None:
        """Drop the collections; the next sync embeds everything again."""
        for name in (self.config.collection, f"{self.config.collection}-documents", f"{self.config.collection}-sentences"):
            try:
                self.client.delete_collection(name)
            except Exception as exc:
                if not _is_missing_collection(exc):
                    self._forget()
                    raise _unreachable(self.config, exc) from None
        self._open = None
        self._sentences_open = None
        self._records_cache = None

    # -- writing ------------------------------------------------------------------------------

    def sync(self, documents: list[Document], remove_missing: bool, progress: Progress = None,
             keep: Iterable[str] = ()) -> SyncReport:
        """Make the index hold these documents' records; with remove_missing, drop other documents
        except those in `keep` (documents whose file failed to read this time: never lose data).

        A damaged index (Chroma cannot read its vector segment, as after a write killed at the
        wrong moment: chroma-core/chroma#7678) is dropped and built again from these documents;
        the index is derived data, and a rebuild is the one repair Chroma offers."""
        try:
            return self._sync(documents, remove_missing, progress, keep)
        except DamagedIndexError:
            self.rebuild()
            report = self._sync(documents, remove_missing, progress, keep)
            report.rebuilt_damaged = True
            return report

    def _sync(self, documents: list[Document], remove_missing: bool, progress: Progress, keep: Iterable[str]) -> SyncReport:
        paragraphs, docs = self._collections(create=True)
        self._check_dimension(paragraphs, int(self.embeddings.dimension))
        sentences = self._sentences(create=True)
        report = SyncReport()
        guarded = self._guarded
        held = guarded(docs.get, include=["metadatas"])
        held_meta = dict(zip(held["ids"], held["metadatas"]))
        vanished: dict[str, list[str]] = {}
        pending: dict[str, int] = {}
        queue: list[tuple[Document, Paragraph, dict]] = []
        finished: list[Document] = []
        for document in documents:
            to_embed, vanished[document.id] = self._plan_document(paragraphs, document, report)
            pending[document.id] = len(to_embed)
            queue.extend((document, paragraph, meta) for paragraph, meta in to_embed)
            if not to_embed:
                finished.append(document)
        # Texts of all documents are embedded together: one batch per document would pad every
        # small document to its longest paragraph (measured: 2x the encoder's work).
        for batch in _batches(queue, BATCH):
            # Sentences first: a paragraph whose hash is stored has its sentence vectors.
            self._write_sentences(sentences, [p for _, p, _ in batch])
            vectors = self.embeddings.embed_documents([p.search_text for _, p, _ in batch])
            guarded(
                paragraphs.upsert,
                ids=[p.id for _, p, _ in batch],
                embeddings=vectors,
                documents=[p.text for _, p, _ in batch],
                metadatas=[m for _, _, m in batch],
            )
            report.embedded += len(batch)
            if progress:
                progress(len(batch))
            for document, _, _ in batch:
                pending[document.id] -= 1
                if pending[document.id] == 0:
                    finished.append(document)
            self._finish(paragraphs, docs, sentences, finished, vanished, held_meta, report)
        self._finish(paragraphs, docs, sentences, finished, vanished, held_meta, report)
        if remove_missing:
            wanted = {d.id for d in documents} | set(keep)
            stale = [doc_id for doc_id in held_meta if doc_id not in wanted]
            for doc_id in stale:
                existing = guarded(paragraphs.get, where={"doc_id": doc_id}, include=[])["ids"]
                if existing:
                    guarded(paragraphs.delete, ids=existing)
                    report.deleted += len(existing)
                guarded(sentences.delete, where={"doc_id": doc_id})
                guarded(docs.delete, ids=[doc_id])
            report.removed_documents = tuple(stale)
        if report.embedded or report.updated or report.deleted:
            self._new_generation(paragraphs)
        self._records_cache = None
        return report

    def add_embedded(self, documents: list[Document], vectors: Sequence[Sequence[float]], page: int = READ_PAGE) -> int:
        """Bulk load: upsert these documents' records with precomputed vectors (one per paragraph, in
        document order), `page` records per write. Unlike `sync` it compares and removes nothing, and
        writes (and syncs to disk) once per page rather than per document and per 128 paragraphs;
        it writes no sentence vectors (retrieval then compares these paragraphs as wholes)."""
        rows = vectors_for(documents, vectors)
        paragraphs, docs = self._collections(create=True)
        self._sentences(create=True)  # empty: a search then reads no sentences, and finds the collection
        if rows:
            self._check_dimension(paragraphs, len(rows[0][3]))
        for chunk in _batches(rows, page):
            self._guarded(
                paragraphs.upsert,
                ids=[p.id for _, _, p, _ in chunk],
                embeddings=[list(v) for _, _, _, v in chunk],
                documents=[p.text for _, _, p, _ in chunk],
                metadatas=[_paragraph_metadata(p, position) for _, position, p, _ in chunk],
            )
        # Document records after all their paragraphs, as in sync.
        for chunk in _batches(documents, page):
            self._guarded(
                docs.upsert,
                ids=[d.id for d in chunk],
                embeddings=[[1.0]] * len(chunk),
                metadatas=[_document_metadata(d) for d in chunk],
                documents=[d.title for d in chunk],
            )
        if rows or documents:
            self._new_generation(paragraphs)
        self._records_cache = None
        return len(rows)

    def _finish(
        self, paragraphs: Any, docs: Any, sentences: Any, finished: list[Document], vanished: dict[str, list[str]], held_meta: dict[str, Any],
        report: SyncReport,
    ) -> None:
        """Document records are written after all their paragraphs: a document whose sync was cut
        short keeps its old hash and is synced again next time. Each write is a disk sync (tens
        of ms), so an unchanged document costs reads only."""
        while finished:
            document = finished.pop(0)
            gone = vanished.pop(document.id, [])
            if gone:
                self._guarded(paragraphs.delete, ids=gone)
                self._guarded(sentences.delete, where={"paragraph": {"$in": gone}})
                report.deleted += len(gone)
            meta = _document_metadata(document)
            if held_meta.get(document.id) != meta:
                self._guarded(docs.upsert, ids=[document.id], embeddings=[[1.0]], metadatas=[meta], documents=[document.title])

    def _write_sentences(self, sentences: Any, paragraphs: list[Paragraph]) -> None:
        """Replace these paragraphs' sentence vectors (a changed paragraph may have fewer sentences)."""
        self._guarded(sentences.delete, where={"paragraph": {"$in": [p.id for p in paragraphs]}})
        rows = [(f"{p.id}~{i}", p, sentence) for p in paragraphs for i, sentence in enumerate(sentences_of(p))]
        for chunk in _batches(rows, BATCH):
            self._guarded(
                sentences.upsert,
                ids=[sid for sid, _, _ in chunk],
                embeddings=self.embeddings.embed_documents([sentence for _, _, sentence in chunk]),
                metadatas=[{"paragraph": p.id, "doc_id": p.doc_id} for _, p, _ in chunk],
            )

    def _new_generation(self, paragraphs: Any) -> None:
        """A token in the collection's metadata that changes with every write, so every process
        sharing the index (server replicas) can tell cheaply that its cached records are stale."""
        fresh = self._guarded(self.client.get_collection, self.config.collection, embedding_function=None)
        metadata = {**(fresh.metadata or {}), "generation": uuid.uuid4().hex}
        self._guarded(fresh.modify, metadata=metadata)

    def _plan_document(self, paragraphs: Any, document: Document, report: SyncReport) -> tuple[list[tuple[Paragraph, dict]], list[str]]:
        """Apply metadata-only changes for one document; return what needs vectors and the records
        that vanished (deleted only once the new ones are in, so a killed ingest leaves no hole)."""
        existing = self._guarded(paragraphs.get, where={"doc_id": document.id}, include=["metadatas"])
        stored = {pid: meta for pid, meta in zip(existing["ids"], existing["metadatas"])}
        to_embed: list[tuple[Paragraph, dict]] = []
        to_update: list[tuple[Paragraph, dict]] = []
        for position, paragraph in enumerate(document.paragraphs):
            meta = _paragraph_metadata(paragraph, position)
            old = stored.get(paragraph.id)
            if old is None or old.get("embed_hash") != meta["embed_hash"]:
                to_embed.append((paragraph, meta))
            elif old.get("meta_hash") != meta["meta_hash"]:
                to_update.append((paragraph, meta))
            else:
                report.unchanged += 1
        for batch in _batches(to_update, BATCH):
            # Metadata only: the id fixes the text, and passing documents without vectors makes
            # Chroma embed them with its default model, which it would try to download.
            self._guarded(paragraphs.update, ids=[p.id for p, _ in batch], metadatas=[m for _, m in batch])
            report.updated += len(batch)
        current = {p.id for p in document.paragraphs}
        return to_embed, [pid for pid in stored if pid not in current]

    # -- reading ------------------------------------------------------------------------------

    def count(self) -> int:
        return self._read(lambda paragraphs, _: paragraphs.count())

    def version(self) -> str:
        """Changes whenever the set of records changes: cheap enough to check on every question."""
        generation = self._read(lambda *_: (self.client.get_collection(self.config.collection, embedding_function=None).metadata or {}).get("generation"))
        if generation:
            return generation
        count, doc_meta = self._read(lambda paragraphs, docs: (paragraphs.count(), docs.get(include=["metadatas"])))
        hashes = sorted(f"{i}:{m.get('hash')}" for i, m in zip(doc_meta["ids"], doc_meta["metadatas"]))
        return hashlib.sha1(f"{count}|{'|'.join(hashes)}".encode()).hexdigest()

    def records(self) -> list[Paragraph]:
        """All paragraph records in document order (cached until the index changes)."""
        version = self.version()
        if self._records_cache and self._records_cache[0] == version:
            return self._records_cache[1]
        rows = sorted(self._read(lambda paragraphs, _: _read_all(paragraphs)), key=lambda r: (r[2]["doc_id"], r[2]["position"]))
        records = [_paragraph_from(pid, text, meta) for pid, text, meta in rows]
        self._records_cache = (version, records)
        return records

    def query(self, vector: list[float], n: int) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the n nearest records."""
        return self._nearest(vector, n, None)

    def documents(self, ids: list[str] | None = None) -> list[dict[str, Any]]:
        if ids is not None and not ids:
            return []
        data = self._read(lambda _, docs: docs.get(ids=ids, include=["metadatas"]))
        return sorted((_document_from(doc_id, meta) for doc_id, meta in zip(data["ids"], data["metadatas"])), key=lambda d: d["id"])

    # -- reads scoped to documents or ids: the cost of a request must not grow with the corpus

    def query_within(self, vector: list[float], n: int, doc_ids: list[str]) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the n nearest records of these documents only."""
        return self._nearest(vector, n, {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": list(doc_ids)}})

    def _nearest(self, vector: list[float], n: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        self._check_dimension(self._collections(create=False)[0], len(vector))

        def nearest(paragraphs: Any, _: Any) -> dict[str, Any] | None:
            try:
                # Chroma returns fewer results when n exceeds the count: no count() round trip.
                return paragraphs.query(query_embeddings=[vector], n_results=n, where=where, include=["distances"])
            except Exception:
                if paragraphs.count() == 0:
                    return None
                raise

        result = self._read(nearest)
        if result is None:
            return []
        return [(pid, 1.0 - float(dist)) for pid, dist in zip(result["ids"][0], result["distances"][0])]

    def sentence_vectors(self, ids: list[str]) -> dict[str, list[list[float]]]:
        """The sentence vectors of these paragraphs (those of two sentences or more), by paragraph id."""
        if not ids:
            return {}

        def read(*_: Any) -> dict[str, Any] | None:
            sentences = self._sentences(create=False)
            return None if sentences is None else sentences.get(where={"paragraph": {"$in": list(ids)}}, include=["embeddings", "metadatas"])

        page = self._read(read)
        found: dict[str, list[list[float]]] = {}
        if page is not None:
            for vector, meta in zip(page["embeddings"], page["metadatas"]):
                found.setdefault(meta["paragraph"], []).append(list(vector))
        return found

    def document_records(self, doc_id: str) -> list[Paragraph]:
        """One document's records in document order, read with a `where` filter (not all records)."""
        page = self._read(lambda paragraphs, _: paragraphs.get(where={"doc_id": doc_id}, include=["documents", "metadatas"]))
        rows = sorted(zip(page["ids"], page["documents"], page["metadatas"]), key=lambda r: r[2]["position"])
        return [_paragraph_from(pid, text, meta) for pid, text, meta in rows]

    def records_by_ids(self, ids: list[str]) -> list[Paragraph]:
        """The records with these ids (those that exist), in the order given."""
        if not ids:
            return []
        page = self._read(lambda paragraphs, _: paragraphs.get(ids=list(ids), include=["documents", "metadatas"]))
        found = {pid: _paragraph_from(pid, text, meta) for pid, text, meta in zip(page["ids"], page["documents"], page["metadatas"])}
        return [found[i] for i in ids if i in found]


def _read_all(paragraphs: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Every record, in pages: Chroma binds one SQLite variable per returned record and fails
    beyond 32,766 in one read."""
    rows: list[tuple[str, str, dict[str, Any]]] = []
    while True:
        page = paragraphs.get(include=["documents", "metadatas"], limit=READ_PAGE, offset=len(rows))
        rows.extend(zip(page["ids"], page["documents"], page["metadatas"]))
        if len(page["ids"]) < READ_PAGE:
            return rows


def make_client(config: StoreConfig) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if config.host:
        try:
            return chromadb.HttpClient(host=config.host, port=config.port, settings=chroma_settings)
        except Exception as exc:
            raise _unreachable(config, exc) from None
    Path(config.index_dir).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(Path(config.index_dir) / "chroma"), settings=chroma_settings)


def _unreachable(config: StoreConfig, exc: Exception) -> NotReadyError:
    return NotReadyError(f"De index (Chroma op {config.where}) is niet bereikbaar; probeer het zo opnieuw. ({type(exc).__name__})")


def _is_damaged(exc: Exception) -> bool:
    """Chroma's words for a segment it cannot load or bring up to date: a retry will not help."""
    text = str(exc).lower()
    return type(exc).__name__ == "InternalError" and any(word in text for word in ("hnsw", "segment", "compaction", "compactor"))


def _is_missing_collection(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "notfound" in text or "does not exist" in text or "not found" in text


def _batches(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _paragraph_metadata(paragraph: Paragraph, position: int) -> dict[str, Any]:
    meta = {
        "doc_id": paragraph.doc_id,
        "doc_title": paragraph.doc_title,
        "kind": paragraph.kind,
        "number": paragraph.number,
        "label": paragraph.label,
        "page": paragraph.page or 0,
        "pages": json.dumps(list(paragraph.pages)),
        "section": json.dumps(list(paragraph.section), ensure_ascii=False),
        "footnote_refs": json.dumps(list(paragraph.footnote_refs)),
        "referenced_by": json.dumps(list(paragraph.referenced_by)),
        "hash": paragraph.hash,
        "anchor": paragraph.anchor,
        "position": position,
        "embed_hash": content_hash(f"{SENTENCES_VERSION} | {paragraph.search_text}"),
    }
    meta["meta_hash"] = hashlib.sha1(json.dumps(meta, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return meta


def _paragraph_from(pid: str, text: str, meta: dict[str, Any]) -> Paragraph:
    return Paragraph(
        id=pid,
        doc_id=meta["doc_id"],
        doc_title=meta["doc_title"],
        kind=meta["kind"],
        number=int(meta["number"]),
        label=meta["label"],
        pages=tuple(json.loads(meta["pages"])),
        section=tuple(json.loads(meta["section"])),
        text=text,
        footnote_refs=tuple(json.loads(meta["footnote_refs"])),
        referenced_by=tuple(json.loads(meta["referenced_by"])),
        hash=meta["hash"],
        anchor=meta.get("anchor", ""),
    )


def _document_metadata(document: Document) -> dict[str, Any]:
    return {
        "title": document.title,
        "path": document.path,
        "format": document.format,
        "hash": document.hash,
        "metadata": json.dumps(document.metadata, ensure_ascii=False),
        "references": json.dumps([[r.dossier, r.number, r.raw] for r in document.references], ensure_ascii=False),
        "paragraphs": len(document.paragraphs),
        "footnotes": sum(1 for p in document.paragraphs if p.kind == "footnote"),
    }


def _document_from(doc_id: str, meta: dict[str, Any]) -> dict[str, Any]:
    references = [KamerstukRef(dossier, number, raw) for dossier, number, raw in json.loads(meta["references"])]
    return {
        "id": doc_id,
        "title": meta["title"],
        "path": meta["path"],
        "format": meta["format"],
        "hash": meta["hash"],
        "metadata": json.loads(meta["metadata"]),
        "references": [r.to_dict() for r in references],
        "paragraphs": meta["paragraphs"],
        "footnotes": meta["footnotes"],
    }
