"""What the app needs from a paragraph index: one interface, the embedded/server Chroma store
(`index.store.ParagraphStore`) and a deterministic in-memory fake (`index.fake_store.FakeStore`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol, Sequence, runtime_checkable

from ingest.errors import UserError
from ingest.records import Document, Paragraph
from ingest.sentences import split_sentences

NO_INDEX = "Er is nog geen index; voer eerst 'assistant ingest' uit."
DAMAGED = "De index is beschadigd (waarschijnlijk door een afgebroken ingest); voer 'assistant ingest' uit om hem opnieuw op te bouwen."
Progress = Callable[[int], None] | None  # called with the number of records just embedded


@dataclass
class SyncReport:
    embedded: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    removed_documents: tuple[str, ...] = ()
    rebuilt_damaged: bool = False  # the index was unreadable and was built again from the documents


class IndexMismatchError(UserError):
    pass


class DamagedIndexError(UserError):
    """The store's files cannot be read (e.g. a vector segment torn by a killed write)."""

    status = 503


def index_mismatch(stored: str, configured: str) -> IndexMismatchError:
    return IndexMismatchError(
        f"De index is gemaakt met {stored}, maar ingesteld is {configured}; voer 'assistant index --rebuild' uit."
    )


def dimension_mismatch(stored: int, configured: int) -> IndexMismatchError:
    return index_mismatch(f"vectoren van {stored} dimensies", f"een model met {configured} dimensies")


@runtime_checkable
class VectorStore(Protocol):
    """Paragraph records with their vectors, for one corpus and one embedding model.

    Reads of an index that was never written raise `UserError` (NO_INDEX); an unreachable
    backend raises `NotReadyError`."""

    def exists(self) -> bool:
        """Whether the index has been created (possibly empty)."""

    def ping(self) -> None:
        """Raise NotReadyError when the backend does not answer."""

    def rebuild(self) -> None:
        """Drop everything; the next sync embeds every record again."""

    def sync(self, documents: list[Document], remove_missing: bool, progress: Progress = None,
             keep: Iterable[str] = ()) -> SyncReport:
        """Make the index hold these documents' records, embedding only new or changed texts; with
        remove_missing, drop every other document except those in `keep`."""

    def add_embedded(self, documents: list[Document], vectors: Sequence[Sequence[float]], page: int = 5000) -> int:
        """Bulk load: upsert these documents' records with precomputed vectors (one per paragraph, in
        document order), `page` records per write; compares and removes nothing. Returns the count."""

    def count(self) -> int:
        """Number of paragraph records."""

    def version(self) -> str:
        """A token that changes whenever the set of records changes."""

    def records(self) -> list[Paragraph]:
        """Every paragraph record, by document id and position."""

    def query(self, vector: list[float], n: int) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the n nearest records, nearest first."""

    def documents(self, ids: list[str] | None = None) -> list[dict[str, Any]]:
        """One summary per document (`Document.to_dict()`), by id; only these ids when given."""

    def query_within(self, vector: list[float], n: int, doc_ids: list[str]) -> list[tuple[str, float]]:
        """As `query`, over the records of these documents only."""

    def sentence_vectors(self, ids: list[str]) -> dict[str, list[list[float]]]:
        """The vectors of these records' sentences (`sentences_of`), by record id; records of one
        sentence, and records written by `add_embedded`, have none."""

    def document_records(self, doc_id: str) -> list[Paragraph]:
        """One document's records in document order, without reading the others."""

    def records_by_ids(self, ids: list[str]) -> list[Paragraph]:
        """The records with these ids (those that exist), in the order given."""


def sentences_of(paragraph: Paragraph) -> list[str]:
    """The sentences that get vectors of their own: none for a one-sentence paragraph (its own
    vector is that sentence's)."""
    sentences = split_sentences(paragraph.text)
    return sentences if len(sentences) > 1 else []


def vectors_for(documents: list[Document], vectors: Sequence[Sequence[float]]) -> list[tuple[Document, int, Paragraph, Sequence[float]]]:
    """(document, position, paragraph, vector) for every paragraph, checking one vector each."""
    rows = [(d, position, p) for d in documents for position, p in enumerate(d.paragraphs)]
    if len(rows) != len(vectors):
        raise ValueError(f"{len(vectors)} vectors for {len(rows)} paragraphs")
    return [(d, position, p, v) for (d, position, p), v in zip(rows, vectors)]
