"""Hybrid retrieval: dense (Chroma) and BM25 ranks fused, footnote-aware, without near-duplicates."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from index.lexical import LexicalIndex, tokenize
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


class HybridRetriever:
    def __init__(self, store: Any, embeddings: Any, candidates: int = CANDIDATES):
        self.store = store
        self.embeddings = embeddings
        self.candidates = candidates
        self._lock = threading.Lock()
        self._state: tuple[str, list[Paragraph], dict[str, int], LexicalIndex] | None = None

    def _current(self) -> tuple[list[Paragraph], dict[str, int], LexicalIndex]:
        version = self.store.version()
        with self._lock:
            if self._state is None or self._state[0] != version:
                records = self.store.records()
                positions = {p.id: i for i, p in enumerate(records)}
                self._state = (version, records, positions, LexicalIndex([p.search_text for p in records]))
            return self._state[1], self._state[2], self._state[3]

    def vocabulary(self) -> set[str]:
        """Every search term in the corpus (stemmed): tells a question about something absent."""
        _, _, lexical = self._current()
        return lexical.vocabulary

    def records_by_id(self) -> dict[str, Paragraph]:
        records, _, _ = self._current()
        return {p.id: p for p in records}

    def search(self, query: str, k: int = 5) -> list[Hit]:
        records, positions, lexical = self._current()
        if not records:
            return []
        dense = dict(self.store.query(self.embeddings.embed_query(query), self.candidates))
        bm25 = lexical.scores(query)
        lexical_ranked = [int(i) for i in bm25.argsort()[::-1][: self.candidates] if bm25[i] > 0]

        fused: dict[str, float] = {}
        for rank, pid in enumerate(sorted(dense, key=dense.get, reverse=True)):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, index in enumerate(lexical_ranked):
            pid = records[index].id
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)

        by_id = {p.id: p for p in records}
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
