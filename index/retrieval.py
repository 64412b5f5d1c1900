"""Hybrid retrieval: dense (Chroma) and BM25 ranks fused, footnote-aware, without near-duplicates."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from ingest.language import language_of
from index.abbreviations import definitions
from index.lexical import LexicalIndex, Vocabulary, tokenize
from index.listing import DocumentScope, document_scope, listing_terms
from index.vectorstore import VectorStore
from ingest.records import Paragraph

# Reciprocal rank fusion constant; small because the lists are short and the first ranks matter most.
RRF_K = 10
CANDIDATES = 30
MAX_LISTED = 10  # documents returned for "Welke documenten noemen …?"
# A heading states no fact, yet shares the words of every question about its section ("Semicon
# Board NL"): its fused score counts half (tuning set: recall@1 0.55 -> 0.64, letter sets unchanged).
HEADING_WEIGHT = 0.5
# So does a footnote whose own text adds no word of the question to the sentence that carries its
# marker ("Kamerstuk 33 009, nr. 159.", "De reservering kent de volgende verdeling …"): it was
# matched through that sentence, which its paragraph holds too, in a shorter text. Not when the
# question asks for a source, nor across languages, where no word can be shared.
ANCHORED_WEIGHT = 0.5
# A paragraph's dense similarity plus this share of its document title's: a question about "het
# Actieplan techniektalent" prefers that plan's paragraphs to another document's paragraph about
# talent. Every paragraph of one document gets the same addition, so within a document (a corpus of
# one letter, a question scoped to one document) nothing moves. Measured: docs/retrieval-experiments.md.
TITLE_WEIGHT = 0.5
# A candidate's dense similarity is mixed with this share of its closest sentence's (when closer):
# one vector for a long paragraph blurs the sentence that answers. Pooled over every tuning set,
# recall@1 0.8321 -> 0.8550 at 0.3, no set lower; 0.5 and up lost on the fresh shared set
# (docs/retrieval-experiments.md).
SENTENCE_WEIGHT = 0.3
TITLE_CACHE = 20000  # titles kept across index versions, so a new version embeds only new ones
ASKS_FOR_SOURCE = re.compile(
    r"\b(?:kamerstuk\w*|stuk(?:ken)?|documents?|documenten|bron(?:nen)?|vindplaats|publicatie|verschenen|gepubliceerd"
    r"|sources?|papers?|publication|appeared|published)\b",
    re.I,
)


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
    languages: dict[str, str]  # doc id -> 'nl' or 'en'
    # A paragraph announcing a list ("… vier criteria gehanteerd:") -> its items, and each item -> it.
    lists: dict[str, tuple[str, ...]]
    titles: tuple[str, ...]  # the documents' titles, for the title prior


class HybridRetriever:
    def __init__(self, store: VectorStore, embeddings: Any, candidates: int = CANDIDATES):
        self.store = store
        self.embeddings = embeddings
        self.candidates = candidates
        self._lock = threading.Lock()
        self._snapshot: IndexSnapshot | None = None
        self._catalogue: tuple[str, list[dict[str, Any]]] | None = None
        self._title_vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def snapshot(self) -> IndexSnapshot:
        """The current index's records and BM25 index, rebuilt when the store's version changed."""
        version = self.store.version()
        with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                records = self.store.records()
                by_id = {p.id: p for p in records}
                texts = [_lexical_text(p, by_id) for p in records]
                self._snapshot = IndexSnapshot(
                    version,
                    records,
                    {p.id: i for i, p in enumerate(records)},
                    by_id,
                    LexicalIndex(texts, definitions(texts)),
                    _document_languages(records),
                    _lists(records),
                    tuple(sorted({p.doc_title for p in records if p.doc_title})),
                )
            return self._snapshot

    def vocabulary(self) -> Vocabulary:
        """Every search term in the corpus (stemmed) with the number of records holding it."""
        return self.snapshot().lexical.vocabulary

    def catalogue(self) -> list[dict[str, Any]]:
        """The indexed documents (id, title, metadata), read once per index version."""
        version = self.store.version()
        with self._lock:
            if self._catalogue is None or self._catalogue[0] != version:
                self._catalogue = (version, self.store.documents())
            return self._catalogue[1]

    def scope(self, query: str) -> DocumentScope:
        """The indexed documents that the question names ("Kamerstuk 33009 nr. 141"), and the
        question without the words that name them."""
        return document_scope(query, self.catalogue())

    def search(self, query: str, k: int = 5, documents: list[str] | None = None) -> list[Hit]:
        """The k best paragraphs; only from `documents` (doc ids) when given, else from the
        documents the question names, if any. "Welke documenten noemen X?" gets each document's
        best paragraph naming X."""
        current = self.snapshot()
        records, positions, by_id, lexical = current.records, current.positions, current.by_id, current.lexical
        if not records:
            return []
        terms = listing_terms(query)
        if terms:
            return self._mentions(terms, current, documents, max(k, MAX_LISTED))
        if documents is None:
            scope = self.scope(query)
            allowed, query = set(scope.documents), scope.topic
        else:
            allowed = set(documents)
        vector = self.embeddings.embed_query(query)
        if allowed:
            dense = dict(self.store.query_within(vector, self.candidates, sorted(allowed)))
        else:
            dense = dict(self.store.query(vector, self.candidates))
        dense_ranking = self._with_titles(self._with_sentences(dense, vector), vector, current)
        bm25 = lexical.scores(query)
        if allowed:
            bm25 = bm25 * _in_documents(records, allowed)
        lexical_ranked = _top(bm25, self.candidates)

        fused: dict[str, float] = {}
        asked_in = language_of(query)
        for rank, pid in enumerate(sorted(dense_ranking, key=dense_ranking.get, reverse=True)):
            # BM25 cannot match across languages: a paragraph in another language than the question
            # is ranked by its dense rank on both lists instead of losing the lexical half.
            share = 1.0 / (RRF_K + rank + 1)
            other = pid in by_id and current.languages[by_id[pid].doc_id] != asked_in
            fused[pid] = fused.get(pid, 0.0) + share * (2 if other else 1)
        for rank, index in enumerate(lexical_ranked):
            pid = records[index].id
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)

        asked = None if ASKS_FOR_SOURCE.search(query) else set(tokenize(query))
        for pid in fused:
            paragraph = by_id.get(pid)
            if paragraph is None:
                continue
            if paragraph.kind == "heading":
                fused[pid] *= HEADING_WEIGHT
            elif asked is not None and _only_anchored(paragraph, asked, current.languages[paragraph.doc_id] == asked_in):
                fused[pid] *= ANCHORED_WEIGHT

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
            hits.append(Hit(paragraph, fused[pid], dense.get(pid, 0.0), lexical_score, _linked(paragraph, by_id, current.lists)))
            if len(hits) >= k:
                break
        return hits

    def _with_sentences(self, dense: dict[str, float], vector: list[float]) -> dict[str, float]:
        """The candidates' similarities, each mixed with SENTENCE_WEIGHT of its closest sentence's."""
        sentences = self.store.sentence_vectors(list(dense))
        if not sentences:
            return dense
        query = np.asarray(vector, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        mixed = {}
        for pid, similarity in dense.items():
            rows = sentences.get(pid)
            best = similarity
            if rows:
                matrix = np.asarray(rows, dtype=np.float32)
                best = max(similarity, float(np.max(matrix @ query / np.maximum(np.linalg.norm(matrix, axis=1), 1e-9))))
            mixed[pid] = (1 - SENTENCE_WEIGHT) * similarity + SENTENCE_WEIGHT * best
        return mixed

    def _with_titles(self, dense: dict[str, float], vector: list[float], current: IndexSnapshot) -> dict[str, float]:
        """The dense similarities with TITLE_WEIGHT of each paragraph's document title's added."""
        if len(current.titles) < 2:
            return dense
        title_vectors = self._embedded_titles(current.titles)
        query = np.asarray(vector, dtype=np.float32)
        ranking = {}
        for pid, similarity in dense.items():
            paragraph = current.by_id.get(pid)
            title = title_vectors.get(paragraph.doc_title) if paragraph is not None else None
            ranking[pid] = similarity + (TITLE_WEIGHT * float(title @ query) if title is not None else 0.0)
        return ranking

    def _embedded_titles(self, titles: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Each title's vector (embedded as a passage). All titles of an index are embedded at its
        first search that needs them, once per process: a new index version embeds only new titles."""
        with self._lock:
            missing = [t for t in titles if t not in self._title_vectors]
            for title, embedded in zip(missing, self.embeddings.embed_documents(missing) if missing else []):
                self._title_vectors[title] = np.asarray(embedded, dtype=np.float32)
            for title in titles:
                self._title_vectors.move_to_end(title)
            while len(self._title_vectors) > max(TITLE_CACHE, len(titles)):
                self._title_vectors.popitem(last=False)
            return {t: self._title_vectors[t] for t in titles}

    def _mentions(self, terms: tuple[str, ...], current: IndexSnapshot, documents: list[str] | None, n: int) -> list[Hit]:
        """Each document's best paragraph holding every term: a lexical query over all documents,
        grouped per document (what dense similarity cannot promise: that the word is there)."""
        records, by_id, lexical = current.records, current.by_id, current.lexical
        per_term = [lexical.term_scores([t]) for t in terms]
        holds_all = np.logical_and.reduce([scores > 0 for scores in per_term])
        total = np.sum(per_term, axis=0) * holds_all
        if documents is not None:
            total = total * _in_documents(records, set(documents))
        best: dict[str, int] = {}
        for index in np.flatnonzero(total):
            doc_id = records[index].doc_id
            if doc_id not in best or total[index] > total[best[doc_id]]:
                best[doc_id] = int(index)
        ranked = sorted(best.values(), key=lambda i: -total[i])[:n]
        return [Hit(records[i], float(total[i]), 0.0, float(total[i]), _linked(records[i], by_id, current.lists)) for i in ranked]


def _document_languages(records: list[Paragraph]) -> dict[str, str]:
    """Each document's language: the language most of its text is in."""
    english: dict[str, int] = {}
    total: dict[str, int] = {}
    for paragraph in records:
        size = len(paragraph.text)
        total[paragraph.doc_id] = total.get(paragraph.doc_id, 0) + size
        if language_of(paragraph.text) == "en":
            english[paragraph.doc_id] = english.get(paragraph.doc_id, 0) + size
    return {doc: "en" if 2 * english.get(doc, 0) > size else "nl" for doc, size in total.items()}


def _in_documents(records: list[Paragraph], allowed: set[str]) -> np.ndarray:
    return np.fromiter((p.doc_id in allowed for p in records), dtype=np.float32, count=len(records))


def _lexical_text(paragraph: Paragraph, by_id: dict[str, Paragraph]) -> str:
    """What BM25 matches a record on. A footnote whose parser could not tell which sentence carries
    its marker (no anchor) is matched with the paragraphs that reference it: "Naast Nederland gaat
    het om België, …" answers a question about the member states only through its paragraph."""
    if paragraph.kind != "footnote" or paragraph.anchor:
        return paragraph.search_text
    return " ".join([paragraph.search_text, *(by_id[i].text for i in paragraph.referenced_by if i in by_id)])


def _only_anchored(paragraph: Paragraph, asked: set[str], same_language: bool) -> bool:
    """A footnote found through its anchor sentence alone: the question's words in its own text (if
    any) are all in that sentence too ("Semicon Board NL" in "In de Semicon Board NL hebben zitting …")."""
    if not (paragraph.kind == "footnote" and paragraph.anchor and same_language):
        return False
    return asked & set(tokenize(paragraph.text)) <= set(tokenize(paragraph.anchor))


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


def _linked(paragraph: Paragraph, by_id: dict[str, Paragraph], lists: dict[str, tuple[str, ...]]) -> tuple[Paragraph, ...]:
    """A footnote brings the paragraph that references it, a paragraph its footnotes; a paragraph
    announcing a list its items, an item the paragraph announcing it."""
    ids = paragraph.referenced_by if paragraph.kind == "footnote" else paragraph.footnote_refs
    return tuple(by_id[i] for i in (*ids, *lists.get(paragraph.id, ())) if i in by_id)


def _lists(records: list[Paragraph]) -> dict[str, tuple[str, ...]]:
    """The list items that follow a paragraph ending in a colon (footnotes between them aside),
    in document order; and for each item, that paragraph."""
    lists: dict[str, tuple[str, ...]] = {}
    for index, paragraph in enumerate(records):
        if paragraph.kind != "paragraph" or not paragraph.text.rstrip().endswith(":"):
            continue
        items = []
        for following in records[index + 1 :]:
            if following.doc_id != paragraph.doc_id or following.kind not in ("list_item", "footnote"):
                break
            if following.kind == "list_item":
                items.append(following.id)
        if items:
            lists[paragraph.id] = tuple(items)
            lists.update((item, (paragraph.id,)) for item in items)
    return lists


class ParagraphRetriever(BaseRetriever):
    """The hybrid retriever as a LangChain retriever: one LangChain Document per paragraph."""

    retriever: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [hit_to_document(hit) for hit in self.retriever.search(query, self.k)]


def hit_to_document(hit: Hit) -> LCDocument:
    return LCDocument(page_content=hit.paragraph.text, id=hit.paragraph.id, metadata={"hit": hit, **hit.to_dict()})
