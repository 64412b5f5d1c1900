"""The relevance gate: do the retrieved passages say what the question asks?

Every signal is measured on the retrieved passages themselves, never on the corpus as a whole
(in a real corpus nearly every word occurs somewhere):

- similarity: e5 cosine of the question with the best source sentence;
- coverage: the share of the question's content words, weighted by how specific they are (idf),
  that the best-covering passage holds (with its footnotes, document title, id and section), where a
  word also counts when it is part of a compound ("voorstellen" in "projectvoorstellen");
- missing names: the question's names and numbers that no single retrieved passage (with its
  title) contains ("Axelera", "2023", "Twente"); an abbreviation the documents define counts in
  either form ("IPCEI AST" in "IPCEI Advanced Semiconductor Technologies").

Thresholds are calibrated on the multi-document tuning questions; `devtools/calibrate_gate.py`
prints every question's signals and the decision.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from assistant import answer_select
from ingest.language import language_of
from ingest.sentences import split_sentences
from assistant.support import EQUIVALENTS, entities, missing_entities
from index.abbreviations import with_abbreviations
from index.lexical import Vocabulary, fold, tokenize

MIN_SIMILARITY = 0.80  # below this nothing retrieved is about the question (either language)
# A question is answered when the best sentence is this close, or when one passage holds most of
# the question's words (idf-weighted). Tuning questions (devtools/calibrate_gate.py): below
# 0.875 the unanswerable ones cover 0.61 at most, the answerable ones 0.77 and up.
CONFIDENT_SIMILARITY = 0.875
FULL_COVERAGE = 0.7
# A name or number of the question that no retrieved passage holds: answered only when a
# sentence is very close all the same (a paraphrase that names the thing differently).
NAMES_SIMILARITY = 0.93
CROSS_NAMES_SIMILARITY = 0.85
# However close the best sentence, the quoted passage holds at least this share of the question's
# words (idf-weighted): below it, the passage is about the question's subject, not its point.
MIN_ANSWER_COVERAGE = 0.35
PASSAGES = 3  # the best-covering passage is sought among this many hits
WORD = re.compile(r"\w+")
COMPOUND_MIN = 5  # shortest word part that counts inside a compound

@dataclass(frozen=True)
class Signals:
    similarity: float
    coverage: float
    missing_names: tuple[str, ...]
    language: str
    missing_words: tuple[str, ...] = ()
    # The best-covering passage is in the question's language.
    same_language: bool = True
    # A "hoeveel" or "wanneer" question: whether the quoted sentences hold an amount or a date
    # that the question does not give itself (None: no such question, or not measured).
    holds_expected: bool | None = None
    # "Wie is de voorzitter van …?": whether the passage names the role at all (None: not asked).
    holds_role: bool | None = None

    def answerable(self) -> bool:
        if self.similarity < MIN_SIMILARITY:
            return False
        # Across languages (an English question about a Dutch passage, or the reverse) the words
        # differ by language: coverage says nothing and numbers must literally occur. A name may be
        # a translation ("National Technology Strategy"), so a missing one only asks for a closer
        # sentence ("quantum computing in Delft" is not about any passage).
        across = not self.same_language
        if across and self.similarity < CROSS_NAMES_SIMILARITY and any(not n.isdigit() for n in self.missing_names):
            return False
        names = [n for n in self.missing_names if n.isdigit()] if across else self.missing_names
        if names and self.similarity < NAMES_SIMILARITY:
            return False
        if self.holds_expected is False:
            return False
        if across:
            return True
        if self.holds_role is False:
            return False
        if self.coverage < MIN_ANSWER_COVERAGE:
            return False
        return self.similarity >= CONFIDENT_SIMILARITY or self.coverage >= FULL_COVERAGE


def passage_text(hit: Any) -> str:
    """What a hit offers as evidence: its text, its linked footnotes or anchor paragraph, and the
    document title and section it stands under (a paragraph of "Nationale Technologiestrategie"
    is about that strategy even when it says "de strategie")."""
    paragraph = hit.paragraph
    parts = [p.search_text for p in (paragraph, *hit.context)]
    # The document's id is its file name ("rapport-wennink-2025"): a question may name it so.
    parts += [paragraph.doc_title, paragraph.doc_id, *paragraph.section]
    return " ".join(parts)


def measure(question: str, hits: list[Any], similarity: float, vocabulary: Vocabulary, quoted: str | None = None) -> Signals:
    """The gate's signals; a question of several sentences counts by its best-covered sentence
    (an instruction appended to a real question does not make the question unanswerable).
    `quoted`: the sentences the answer would quote, checked for the amount or date asked for."""
    parts = [part for part in split_sentences(question) if tokenize(part)] or [question]
    measured = [_measure_part(part, hits, similarity, vocabulary) for part in parts]
    best = max(measured, key=lambda signals: (signals.coverage, -len(signals.missing_names)))
    kind = answer_select.expected_kind(question)
    if quoted is not None and kind in answer_select.TYPED_KINDS:
        best = dataclasses.replace(best, holds_expected=answer_select.holds(kind, quoted, question))
    role = answer_select.asked_role(question)
    if role and hits and tokenize(role):
        terms = set(tokenize(passage_text(hits[0])))
        best = dataclasses.replace(best, holds_role=all(_holds(terms, word) for word in tokenize(role)))
    return best


def _measure_part(question: str, hits: list[Any], similarity: float, vocabulary: Vocabulary) -> Signals:
    language = language_of(question)
    words = set(tokenize(question))
    names = entities(question)
    best_coverage, best_missing, best_text = 0.0, tuple(sorted(words)), ""
    fewest_names: list[str] | None = None
    for hit in hits[:PASSAGES]:
        text = with_abbreviations(passage_text(hit), getattr(vocabulary, "abbreviations", {}))
        terms = set(tokenize(text))
        missing = [w for w in words if not _holds(terms, w)]
        coverage = coverage_of(words, terms, vocabulary)
        if coverage > best_coverage or not best_text:
            best_coverage, best_missing, best_text = coverage, tuple(sorted(missing)), hit.paragraph.text
        words_of_text = set(WORD.findall(fold(text)))
        absent = [
            n for n in missing_entities(question, text)
            if n in names and not _equivalent_present(n, terms) and not _compound_present(n, words_of_text, vocabulary)
        ]
        if fewest_names is None or len(absent) < len(fewest_names):
            fewest_names = absent
    return Signals(
        similarity=round(similarity, 4),
        coverage=round(best_coverage, 4) if words else 1.0,
        missing_names=tuple(fewest_names or ()),
        language=language,
        missing_words=best_missing if words else (),
        same_language=bool(best_text) and language_of(best_text) == language,
    )


def coverage_of(words: set[str], terms: set[str], vocabulary: Vocabulary) -> float:
    """The idf-weighted share of `words` that `terms` hold (a compound counts)."""
    if not words:
        return 0.0
    weight = sum(_idf(vocabulary, w) for w in words) or 1.0
    return sum(_idf(vocabulary, w) for w in words if _holds(terms, w)) / weight


def _idf(vocabulary: Vocabulary, word: str) -> float:
    return vocabulary.idf(word) if isinstance(vocabulary, Vocabulary) else 1.0


def _holds(terms: set[str], word: str) -> bool:
    """The passage has the word, or a compound with it ("projectvoorstel"), or the word is a
    compound of a passage word ("halfgeleider-ipcei")."""
    if word in terms:
        return True
    if len(word) < COMPOUND_MIN - 1:
        return False
    return any(word in term or (len(term) >= COMPOUND_MIN and term in word) for term in terms)


def _compound_present(name: str, words: set[str], vocabulary: Vocabulary) -> bool:
    """A compound of a name and a common word, the name in the passage: "Brainportregio" under a
    title naming "Brainport", "Groeifondsprojecten" in a passage of the Groeifonds' report. The
    compound begins with a word of the passage and ends in a word of the corpus (a real compound,
    not "Eindhovense"); whether the passage holds that word is for coverage to weigh."""
    for word in words:
        if len(word) >= COMPOUND_MIN and name.startswith(word) and len(name) - len(word) >= COMPOUND_MIN - 2:
            rest = tokenize(name[len(word) :])
            if rest and all(part in vocabulary for part in rest):
                return True
    return False


def _equivalent_present(name: str, terms: set[str]) -> bool:
    equivalent = EQUIVALENTS.get(name)
    return bool(equivalent) and any(t.startswith(equivalent) for t in terms)
