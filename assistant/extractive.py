"""The extractive backend: answer with verbatim sentences from the retrieved paragraphs.

Also the relevance gate that every backend passes first: is anything retrieved close enough to
the question to answer it from the documents at all?
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.language import language_of
from assistant.sentences import split_sentences
from assistant.support import EQUIVALENTS, SentenceEmbedder, entities
from index.lexical import tokenize
from index.retrieval import Hit
from ingest.records import Paragraph

# (score, paragraph, index of the sentence in the paragraph, sentence), best first.
ScoredSentence = tuple[float, Paragraph, int, str]

# Calibrated on the development and own question sets (see README, "Refusals"): sentence-level
# e5 similarity of the best source sentence, the share of the question's content words that occur
# nowhere in the corpus (Dutch questions only: English words are absent by language), and names
# and numbers that occur nowhere in the corpus ("2026", "Delft", "France": in either language).
MIN_SIMILARITY = 0.80
CONFIDENT_SIMILARITY = 0.85
MAX_UNKNOWN_SHARE = 0.5


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
    unknown_share: float
    best: Quote | None
    unknown_names: tuple[str, ...] = ()


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


def score_sentences(question: str, hits: list[Hit], embedder: SentenceEmbedder) -> list[ScoredSentence]:
    candidates = candidate_sentences(hits)
    if not candidates:
        return []
    # A footnote is judged together with the sentence it annotates ("Kamerstuk 33 009 nr. 140"
    # answers "which paper is the technology strategy?" only through its anchor).
    texts = [p.searchable(s) for p, _, s in candidates]
    sims = embedder.passages(texts) @ embedder.query(question)
    question_words = set(tokenize(question))
    scored = []
    for (paragraph, index, sentence), text, sim in zip(candidates, texts, sims):
        overlap = len(question_words & set(tokenize(text))) / len(question_words) if question_words else 0.0
        scored.append((float(sim) + 0.05 * overlap, paragraph, index, sentence))
    scored.sort(key=lambda row: row[0], reverse=True)
    return scored


def assess(question: str, hits: list[Hit], embedder: SentenceEmbedder, vocabulary: set[str]) -> tuple[Relevance, list[ScoredSentence]]:
    scored = score_sentences(question, hits, embedder)
    if not scored:
        return Relevance(False, 0.0, 1.0, None), scored
    words = set(tokenize(question))
    unknown = [w for w in words if w not in vocabulary]
    unknown_share = len(unknown) / len(words) if words else 1.0
    top_score, paragraph, index, sentence = scored[0]
    similarity = top_score
    if language_of(question) == "en":
        answerable = similarity >= MIN_SIMILARITY
    else:
        answerable = similarity >= MIN_SIMILARITY and (unknown_share < MAX_UNKNOWN_SHARE or similarity >= CONFIDENT_SIMILARITY + 0.01 * len(unknown))
    names = unknown_names(question, vocabulary)
    if names and similarity < CONFIDENT_SIMILARITY + 0.01 * len(names):
        answerable = False
    return Relevance(answerable, similarity, unknown_share, Quote(paragraph, (sentence,), top_score), names), scored


def unknown_names(question: str, vocabulary: set[str]) -> tuple[str, ...]:
    """The question's names and numbers that no document contains (an English name of a Dutch
    thing, "Netherlands", counts as its Dutch word)."""
    unknown = []
    for entity in entities(question):
        tokens = tokenize(entity)
        if not tokens or all(t in vocabulary for t in tokens):
            continue
        equivalent = EQUIVALENTS.get(entity)
        if equivalent and any(word.startswith(equivalent) for word in vocabulary):
            continue
        unknown.append(entity)
    return tuple(unknown)


def select_quotes(scored: list[ScoredSentence], max_quotes: int = 2, max_chars: int = 420) -> list[Quote]:
    """The best sentence with the sentences that follow it in its paragraph (they often carry the
    answer: "Dit kan alleen door …"), plus a second paragraph's best sentence when nearly as good."""
    if not scored:
        return []
    quotes: list[Quote] = []
    top = scored[0][0]
    for score, paragraph, index, sentence in scored:
        if len(quotes) >= max_quotes or score < top - 0.015:
            break
        if any(q.paragraph.id == paragraph.id for q in quotes):
            continue
        sentences = [sentence]
        following = split_sentences(paragraph.text)[index + 1 :]
        for extra in following[:2]:
            if len(" ".join(sentences + [extra])) > max_chars:
                break
            sentences.append(extra)
        quotes.append(Quote(paragraph, tuple(sentences), score))
    return quotes


def closest_paragraphs(hits: list[Hit], n: int = 3) -> list[Paragraph]:
    return [hit.paragraph for hit in hits[:n]]
