"""The extractive backend: answer with verbatim sentences from the retrieved paragraphs.

Also the relevance gate that every backend passes first: is anything retrieved close enough to
the question to answer it from the documents at all?
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant import answer_select, relevance
from ingest.sentences import split_sentences
from assistant.support import SentenceEmbedder
from index.lexical import Vocabulary, tokenize
from index.listing import listing_terms
from index.retrieval import Hit
from ingest.language import language_of
from ingest.records import Paragraph

# (score, paragraph, index of the sentence in the paragraph, sentence), best first.
ScoredSentence = tuple[float, Paragraph, int, str]
MAX_LISTED = 10  # documents shown for "Welke documenten noemen …?"
# Sentences that may be quoted instead of the best one when its passage does not answer: within
# this e5 margin of it (the margin typed selection uses), and at most this many.
ANSWER_MARGIN = 0.03
ANSWER_CANDIDATES = 5
# A quote is the best sentence and up to this many that follow it, within QUOTE_CHARS: enough for
# a list announced by its first sentence ("drie randvoorwaarden … In de eerste plaats …").
FOLLOWING = 3
QUOTE_CHARS = 600
# Sentences this close to the best one are quoted too: a second paragraph's, or an earlier or later one of the same paragraph.
QUOTE_MARGIN = 0.015
# A sentence that continues the one before it ("Bovendien zien we hoe … dit …", "This means …")
# does not stand on its own: a quote that would start there starts a sentence earlier.
CONTINUES = re.compile(
    r"^\W*(?:bovendien|daarnaast|tevens|verder|ook|echter|maar|toch|dus|daardoor|hierdoor|daarmee|hiermee|dit|deze|dat|die|zij"
    r"|moreover|furthermore|additionally|also|however|but|thus|this|these|that|they|it)\b",
    re.I,
)
# e5 rates a sentence lower against a question in the other language than against the same question
# in its own: by 0.028 (median of 18 question pairs, devtools/calibrate_language_gap.py). Sentences
# are ranked for answering with that gap made up, so that an English question can be answered by a
# Dutch sentence when an English one is merely on the subject; the gate judges the raw similarity.
CROSS_LANGUAGE_GAP = 0.028
# How much the statement's words in a sentence count next to its e5 similarity (which spans about
# 0.80-0.95): all of them lift a sentence past one that is merely about the same subject.
STATEMENT_WEIGHT = 0.1


@dataclass(frozen=True)
class Quote:
    paragraph: Paragraph
    sentences: tuple[str, ...]
    score: float

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass(frozen=True)
class Relevance:
    answerable: bool
    similarity: float
    signals: relevance.Signals | None = None
    # "Welke documenten noemen …?": one quote per document, all of them shown.
    listing: bool = False


def candidate_sentences(hits: list[Hit]) -> list[tuple[Paragraph, int, str]]:
    """(paragraph, index, sentence) for the hits and the footnotes/paragraphs linked to them."""
    seen: set[str] = set()
    out = []
    for hit in hits:
        for paragraph in (hit.paragraph, *hit.context):
            if paragraph.id in seen:
                continue
            seen.add(paragraph.id)
            out.extend((paragraph, i, s) for i, s in enumerate(split_sentences(paragraph.text)))
    return out


def score_sentences(
    question: str, hits: list[Hit], embedder: SentenceEmbedder, vocabulary: Vocabulary | None = None,
    statement: bool = False, in_context: bool = False,
) -> list[ScoredSentence]:
    """Sentences by e5 similarity with the question, plus a little for its words they hold. A
    statement to find ("In welk document staat dat …") is made by a sentence in its own words:
    there the share of its words (idf-weighted) that the sentence itself holds weighs more.
    `in_context`: each sentence is embedded under its document title and section."""
    candidates = candidate_sentences(hits)
    if not candidates:
        return []
    return _scored(question, embedder.query(question), candidates, embedder, vocabulary, statement, in_context)


def _scored(
    question: str, question_vector: Any, candidates: list[tuple[Paragraph, int, str]], embedder: SentenceEmbedder,
    vocabulary: Vocabulary | None, statement: bool, in_context: bool,
) -> list[ScoredSentence]:
    # A footnote is judged together with the sentence it annotates ("Kamerstuk 33 009 nr. 140"
    # answers "which paper is the technology strategy?" only through its anchor).
    texts = [p.searchable(s) for p, _, s in candidates]
    embedded = [p.in_context(s) for p, _, s in candidates] if in_context else texts
    sims = embedder.passages(embedded) @ question_vector
    question_words = set(tokenize(question))
    across = _across_languages(question, candidates)
    scored = []
    for (paragraph, index, sentence), text, sim in zip(candidates, texts, sims):
        if statement and vocabulary is not None:
            score = float(sim) + STATEMENT_WEIGHT * relevance.coverage_of(question_words, set(tokenize(sentence)), vocabulary)
        else:
            overlap = len(question_words & set(tokenize(text))) / len(question_words) if question_words else 0.0
            score = float(sim) + 0.05 * overlap
        if paragraph.id in across:
            score += CROSS_LANGUAGE_GAP
        scored.append((score, paragraph, index, sentence))
    scored.sort(key=lambda row: row[0], reverse=True)
    return scored


def _across_languages(question: str, candidates: list[tuple[Paragraph, int, str]]) -> set[str]:
    """The ids of the candidate paragraphs written in another language than the question."""
    asked_in = language_of(question)
    paragraphs = {p.id: p for p, _, _ in candidates}
    return {pid for pid, p in paragraphs.items() if language_of(p.text) != asked_in}


def _raw_top(scored: list[ScoredSentence], question: str) -> float:
    """The best score as the gate was calibrated: without the cross-language gap."""
    across = _across_languages(question, [(p, i, s) for _, p, i, s in scored])
    return max(score - (CROSS_LANGUAGE_GAP if p.id in across else 0.0) for score, p, _, _ in scored)


def assess(
    question: str, hits: list[Hit], embedder: SentenceEmbedder, vocabulary: Vocabulary, statement: bool = False,
    asked: str | None = None,
) -> tuple[Relevance, list[ScoredSentence]]:
    """Is the question answerable from these hits, and their sentences ranked for answering it.
    `asked`: the whole question, when `question` is what remains of it once the document it names
    is left out; the gate weighs the whole, since a passage of that document holds its name in its
    title ("de Nationale Technologiestrategie").

    Whether it is answerable is judged on the sentences alone, as the gate was calibrated; which
    sentence answers is judged on the sentences in context, under their document title and
    section: "Het kabinet heeft besloten het programma te verlengen tot en met 2032" names
    neither the programme nor the plan asked about, which its title and first sentence do."""
    if listing_terms(question):
        return _assess_listing(question, hits, embedder)
    candidates = candidate_sentences(hits)
    if not candidates:
        return Relevance(False, 0.0), []
    question_vector = embedder.query(question)
    scored = _scored(question, question_vector, candidates, embedder, vocabulary, statement, in_context=False)
    top_score = _raw_top(scored, question)
    ranked = answer_select.rerank(question, scored, _quoted_text)
    gated = asked or question
    passing, first = _passing(gated, ranked, hits, top_score, vocabulary)
    if not passing:
        return Relevance(False, first.similarity, first), ranked
    in_context = answer_select.rerank(
        question, _scored(question, question_vector, candidates, embedder, vocabulary, statement, in_context=True), _quoted_text
    )
    passing = _passing(gated, in_context, hits, top_score, vocabulary)[0] or passing
    rows = [row for row, _ in passing]
    signals = passing[0][1]
    return Relevance(True, signals.similarity, signals), [*rows, *(row for row in in_context if row not in rows)]


def _passing(
    question: str, ranked: list[ScoredSentence], hits: list[Hit], top_score: float, vocabulary: Vocabulary
) -> tuple[list[tuple[ScoredSentence, relevance.Signals]], relevance.Signals]:
    """The candidates (`ranked`, not empty) whose passage passes the gate, best first, and the best
    candidate's signals.

    The gate judges the passage the answer quotes, not the best of all retrieved passages: a
    question about the Semicon Coalition's budget is not answered by the IPCEI's budget because
    another passage names the coalition. Of the sentences nearly as close as the best, those whose
    passage passes may be quoted; when none does, the question is refused."""
    measured: list[tuple[ScoredSentence, relevance.Signals]] = []
    for position, row in enumerate(ranked):
        if position and (position >= ANSWER_CANDIDATES or row[0] < ranked[0][0] - ANSWER_MARGIN):
            break
        measured.append((row, relevance.measure(question, _hit_holding(row[1], hits), top_score, vocabulary, _quoted_text(row))))
    return [(row, signals) for row, signals in measured if signals.answerable()], measured[0][1]


def _hit_holding(paragraph: Paragraph, hits: list[Hit]) -> list[Hit]:
    """The hit that brought this paragraph (as itself, or as a linked footnote or paragraph)."""
    own = [h for h in hits if h.paragraph.id == paragraph.id]
    return (own or [h for h in hits if any(c.id == paragraph.id for c in h.context)] or hits)[:1]


def _quoted_text(row: ScoredSentence) -> str:
    """What the answer would quote: the sentence and the ones that follow it."""
    _, paragraph, index, _ = row
    return " ".join(split_sentences(paragraph.text)[index : index + 1 + FOLLOWING])


def _assess_listing(question: str, hits: list[Hit], embedder: SentenceEmbedder) -> tuple[Relevance, list[ScoredSentence]]:
    """Every hit is one document's best passage naming the term (the retriever grouped them):
    each document's best sentence, all equally ranked, so that every document is cited."""
    terms = set(listing_terms(question))
    rows = []
    for hit in hits:
        own = [row for row in score_sentences(question, [hit], embedder) if row[1].id == hit.paragraph.id]
        naming = [row for row in own if terms <= set(tokenize(row[1].searchable(row[3])))]
        rows.extend((naming or own)[:1])
    if not rows:
        return Relevance(False, 0.0, listing=True), []
    top = max(row[0] for row in rows)
    ranked = [(top, paragraph, index, sentence) for _, paragraph, index, sentence in rows]
    return Relevance(True, top, listing=True), ranked


def select_quotes(
    scored: list[ScoredSentence], max_quotes: int = 2, max_chars: int = QUOTE_CHARS, relevance: Relevance | None = None
) -> list[Quote]:
    """The best sentence with the sentences that follow it in its paragraph (they often carry the
    answer: "Dit kan alleen door …"), from an earlier sentence of that paragraph on and up to a
    later one when those are nearly as good, plus a second paragraph's best sentence when nearly as
    good; for a listing question, every listed document's sentence."""
    if not scored:
        return []
    if relevance is not None and relevance.listing:
        return [Quote(paragraph, (sentence,), score) for score, paragraph, _, sentence in scored[:MAX_LISTED]]
    quotes: list[Quote] = []
    top = scored[0][0]
    close = [row for row in scored if row[0] >= top - QUOTE_MARGIN]
    for score, paragraph, index, sentence in close:
        if len(quotes) >= max_quotes:
            break
        if any(q.paragraph.id == paragraph.id for q in quotes):
            continue
        all_sentences = split_sentences(paragraph.text)
        near = [i for _, p, i, _ in close if p.id == paragraph.id]
        start, end = min(near, default=index), max(near, default=index)
        while start and CONTINUES.match(all_sentences[start]) and len(" ".join(all_sentences[start - 1 : end + 1])) <= max_chars:
            start -= 1
        sentences = all_sentences[start : end + 1]
        if len(" ".join(sentences)) > max_chars:
            sentences, end = [sentence], index
        for extra in all_sentences[end + 1 : end + 1 + FOLLOWING]:
            if len(" ".join(sentences + [extra])) > max_chars:
                break
            sentences.append(extra)
        quotes.append(Quote(paragraph, tuple(sentences), score))
    return quotes


def closest_paragraphs(hits: list[Hit], n: int = 3) -> list[Paragraph]:
    return [hit.paragraph for hit in hits[:n]]
