"""Hybrid retrieval: dense (Chroma) and BM25 ranks fused, footnote-aware, without near-duplicates."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from index.lexical import LexicalIndex, tokenize
from index.vectorstore import VectorStore
from ingest.records import Paragraph

# Reciprocal rank fusion constant; small because the lists are short and the first ranks matter most.
RRF_K = 10
CANDIDATES = 30


@dataclass(frozen=True)
class Hit:
    paragraph: Paragraph
    score: float
    dense: float
    lexical: float
    context: tuple[Paragraph, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.paragraph.to_dict(),
            "score": self.score,
            "dense": self.dense,
            "lexical": self.lexical,
            "context": [p.id for p in self.context],
        }


@dataclass(frozen=True)
class IndexSnapshot:
    """The records of one index version, with the lookups and the BM25 index built over them."""

    version: str
    records: list[Paragraph]
    positions: dict[str, int]
    by_id: dict[str, Paragraph]
    lexical: LexicalIndex


class HybridRetriever:
    def __init__(self, store: VectorStore, embeddings: Any, candidates: int = CANDIDATES):
        self.store = store
        self.embeddings = embeddings
        self.candidates = candidates
        self._lock = threading.Lock()
        self._snapshot: IndexSnapshot | None = None

    def snapshot(self) -> IndexSnapshot:
        """The current index's records and BM25 index, rebuilt when the store's version changed."""
        version = self.store.version()
        with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                records = self.store.records()
                self._snapshot = IndexSnapshot(
                    version,
                    records,
                    {p.id: i for i, p in enumerate(records)},
                    {p.id: p for p in records},
                    LexicalIndex([p.search_text for p in records]),
                )
            return self._snapshot

    def vocabulary(self) -> set[str]:
        """Every search term in the corpus (stemmed): tells a question about something absent."""
        return self.snapshot().lexical.vocabulary

    def search(self, query: str, k: int = 5) -> list[Hit]:
        current = self.snapshot()
        records, positions, by_id, lexical = current.records, current.positions, current.by_id, current.lexical
        if not records:
            return []
        dense = dict(self.store.query(self.embeddings.embed_query(query), self.candidates))
        bm25 = lexical.scores(query)
        lexical_ranked = _top(bm25, self.candidates)

        fused: dict[str, float] = {}
        for rank, pid in enumerate(sorted(dense, key=dense.get, reverse=True)):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, index in enumerate(lexical_ranked):
            pid = records[index].id
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)

        hits: list[Hit] = []
        seen_tokens: list[set[str]] = []
        for pid in sorted(fused, key=fused.get, reverse=True):
            paragraph = by_id.get(pid)
            if paragraph is None:
                continue
            tokens = set(tokenize(paragraph.text))
            if any(_near_duplicate(tokens, other) for other in seen_tokens):
                continue
            seen_tokens.append(tokens)
            lexical_score = float(bm25[positions[pid]]) if pid in positions else 0.0
            hits.append(Hit(paragraph, fused[pid], dense.get(pid, 0.0), lexical_score, _linked(paragraph, by_id)))
            if len(hits) >= k:
                break
        return hits


def _near_duplicate(a: set[str], b: set[str]) -> bool:
    """Nearly the same words (one changed word in a short paragraph still counts), but the same
    numbers: paragraphs that differ in an amount, year or dossier number state different facts."""
    if not a or not b or {t for t in a if t.isdigit()} != {t for t in b if t.isdigit()}:
        return False
    return len(a & b) / len(a | b) >= 0.8


def _top(scores: np.ndarray, n: int) -> list[int]:
    """Indices of the n best positive scores, best first, without sorting all of them."""
    if len(scores) > n:
        candidates = np.argpartition(-scores, n - 1)[:n]
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
    else:
        order = np.argsort(-scores, kind="stable")
    return [int(i) for i in order if scores[i] > 0]


def _linked(paragraph: Paragraph, by_id: dict[str, Paragraph]) -> tuple[Paragraph, ...]:
    """A footnote brings the paragraph that references it, a paragraph its footnotes."""
    ids = paragraph.referenced_by if paragraph.kind == "footnote" else paragraph.footnote_refs
    return tuple(by_id[i] for i in ids if i in by_id)


class ParagraphRetriever(BaseRetriever):
    """The hybrid retriever as a LangChain retriever: one LangChain Document per paragraph."""

    retriever: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [hit_to_document(hit) for hit in self.retriever.search(query, self.k)]


def hit_to_document(hit: Hit) -> LCDocument:
    return LCDocument(page_content=hit.paragraph.text, id=hit.paragraph.id, metadata={"hit": hit, **hit.to_dict()})
