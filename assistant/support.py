"""Is a sentence supported by source paragraphs? The one answer, for answer verification and `assistant check`.

Tests, all required: every number (written out or not), date, name and document number in the
sentence occurs in the source text (across languages only the numbers: a name may be translated),
whatever it puts in quotation marks occurs there verbatim, it adds no negation to the source
sentence it matches, a Dutch sentence shares at least half its content words with the
source, and it means nearly the same as some source sentence (cosine of e5 embeddings at or above
SUPPORT_THRESHOLD, calibrated by `python -m devtools.calibrate_support`) or repeats nearly all its
content words (HIGH_COVERAGE).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

from ingest.language import language_of
from ingest.sentences import split_sentences
from index.lexical import fold, tokenize
from ingest.records import Paragraph

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

# The calibration separates paraphrases (0.898 and up, gated) from statements that pass the
# entity, quotation and negation tests without being supported (0.857 and less, or stopped by
# MIN_COVERAGE); `assistant check` used 0.87, which decides every calibration statement the same.
SUPPORT_THRESHOLD = 0.86
# A sentence that repeats this share of a source's content words is supported whatever e5 says.
HIGH_COVERAGE = 0.8
# A Dutch sentence also shares at least this share of its content words with its source: a faithful
# paraphrase keeps most words (0.75 and up in the calibration), an unrelated statement that e5 still
# finds close ("Het kabinet verhoogt de kinderbijslag", 0.88) does not (0.33 and less). English
# sentences are exempt: their words are not those of a Dutch source.
MIN_COVERAGE = 0.5
MONTHS = {
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december",
    "january", "february", "march", "may", "june", "july", "august", "october",
}
# Capitalised words that start sentences or name generic roles rather than specific things.
GENERIC_CAPITALS = {
    "de", "het", "een", "in", "ik", "we", "wij", "dit", "deze", "dat", "die", "ook", "the", "a", "an", "it", "this", "volgens",
    "daarnaast", "bovendien", "verder", "tevens", "daarom", "kortom", "hierbij", "ten", "also", "furthermore", "moreover",
    "however", "therefore", "additionally", "finally",
}
# English words for Dutch things that an English answer may use for a Dutch source ("December"
# is the same word in both languages; "March" is not).
EQUIVALENTS = {
    "january": "januari", "february": "februari", "march": "maart", "may": "mei", "june": "juni", "july": "juli",
    "august": "augustus", "october": "oktober", "netherlands": "nederland", "dutch": "nederland", "europe": "europ",
    "european": "europ",
}
# A negation moves an e5 embedding very little ("speelt geen rol" is close to "speelt een leidende rol").
NEGATIONS = {
    "niet", "geen", "nooit", "niets", "niemand", "nergens", "allesbehalve", "allerminst",
    "not", "no", "never", "nothing", "none", "nobody", "nowhere", "cannot",
}
ARTICLES = {"de", "het", "een", "the", "a", "an"}
QUOTE_CHARS = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "–": "-", "—": "-"})
QUOTED = re.compile(r'"([^"]+)"')
NUMBER = re.compile(r"\d+(?:[ .,/-]\d+)*")
# Numbers written out are numbers too, ordinals included: "in de eerste ronde" states another fact
# than "in de tweede ronde", "activated twice" another than "not yet activated". "een"/"one" are
# left out (far more often an article or a pronoun), and so is "ten" ("ten minste").
_WRITTEN = {
    "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "eleven": 11, "twelve": 12,
    "tweemaal": 2, "driemaal": 3, "twice": 2, "thrice": 3,
    "eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6, "zevende": 7, "achtste": 8, "negende": 9, "tiende": 10,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}
WRITTEN_NUMBER = re.compile(rf"(?<![\w-])({'|'.join(sorted(_WRITTEN, key=len, reverse=True))})(?![\w-])", re.I)
WORD = re.compile(r"[A-Za-zÀ-ÿ][\wÀ-ÿ&'-]*")


def entities(sentence: str, include_first: bool = False) -> list[str]:
    """Numbers, dates, document numbers and names: what must literally occur in the source.

    The first word is capitalised anyway; with include_first it counts unless it is a function
    word (a claim such as "Intel heeft zitting …" starts with the name it is about)."""
    found: list[str] = [re.sub(r"\D", "", n) for n in NUMBER.findall(sentence)]
    words = WORD.findall(re.sub(r"\[\d+\]", "", sentence))
    # "rapport-Draghi": the capitalised part of a compound is a name too.
    words = words[:1] + [part for word in words[1:] for part in word.split("-") if part]
    for index, word in enumerate(words):
        lowered = word.lower()
        if lowered in MONTHS and (lowered != "may" or word[0].isupper()):  # not the verb "may"
            found.append(lowered)
        elif word[0].isupper() and (index > 0 or include_first or word.isupper() and len(word) > 1) and not _function_word(lowered):
            found.append(lowered)
    return [e for e in dict.fromkeys(found) if e]


def _function_word(word: str) -> bool:
    from index.lexical import stopwords

    return word in GENERIC_CAPITALS or word in stopwords()


def in_digits(text: str) -> str:
    """The text with its written-out numbers as digits ("de tweede ronde" -> "de 2 ronde")."""
    return WRITTEN_NUMBER.sub(lambda m: str(_WRITTEN[m.group(1).lower()]), text)


def missing_entities(sentence: str, source: str, include_first: bool = False, written_numbers: bool = False) -> list[str]:
    """The sentence's entities that the source does not hold; with written_numbers, numbers written
    out in either count as numbers."""
    if written_numbers:
        sentence, source = in_digits(sentence), in_digits(source)
    haystack = fold(source)
    digits = re.sub(r"\D", "", haystack)
    missing = []
    for entity in entities(sentence, include_first):
        if entity.isdigit():
            if not re.search(rf"(?<!\d){entity}(?!\d)", re.sub(r"(?<=\d)[ .,/-](?=\d)", "", haystack)) and entity not in digits:
                missing.append(entity)
        elif fold(entity) not in haystack and fold(EQUIVALENTS.get(entity, entity)) not in haystack:
            missing.append(entity)
    return missing


def normalise(text: str) -> str:
    """Lower case, one kind of quotation mark and dash, single spaces: for verbatim comparison."""
    return re.sub(r"\s+", " ", text.translate(QUOTE_CHARS)).strip().lower()


def misquoted(sentence: str, source: str) -> list[str]:
    """What the sentence puts in quotation marks (two words or more) that the source does not say verbatim."""
    haystack = normalise(source)
    fragments = (f.strip(" ,.;:") for f in QUOTED.findall(normalise(sentence)))
    return [f for f in fragments if len(f.split()) >= 2 and f not in haystack]


def negated(text: str) -> bool:
    lowered = text.lower()
    return bool(NEGATIONS & set(re.findall(r"[a-zà-ÿ]+", lowered))) or "n't" in lowered.replace("’", "'")


def adds_negation(sentence: str, source_sentence: str) -> bool:
    """The sentence denies what its closest source sentence states, or states what it denies."""
    if negated(sentence):
        return not negated(source_sentence)
    return source_denies(sentence, source_sentence)


def source_denies(sentence: str, source_sentence: str) -> bool:
    """The source sentence denies what the sentence states: a negation in it stands right before
    words the sentence repeats ("trekt geen afzonderlijk budget uit" against "trekt een
    afzonderlijk budget uit"). A negation elsewhere in the source does not count: a source sentence
    often carries one in a clause the sentence does not repeat; nor does one inside a noun phrase."""
    if negated(sentence):
        return False
    claimed = set(tokenize(sentence))
    words = re.findall(r"[a-zà-ÿ0-9]+", source_sentence.lower())
    negated_words = (
        tokenize(" ".join(words[i + 1 : i + 3]))[:2]
        for i, w in enumerate(words)
        # After an article the negation is part of a noun phrase and denies nothing: "de niet
        # gehaalde mijlpalen" names the ones missed, beside the ones "volledig gehaald".
        if w in NEGATIONS and (i == 0 or words[i - 1] not in ARTICLES)
    )
    return any(denied and set(denied) <= claimed for denied in negated_words)


def coverage(sentence: str, source: str) -> float:
    """Share of the sentence's content words (stemmed) that occur in the source."""
    words = set(tokenize(sentence))
    return len(words & set(tokenize(source))) / len(words) if words else 0.0


class SentenceEmbedder:
    """Embeds source sentences once per process; the cache keeps answers fast after warm-up."""

    def __init__(self, embeddings: Embeddings, size: int = 20000):
        self.embeddings = embeddings
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def passages(self, sentences: list[str]) -> np.ndarray:
        with self._lock:
            missing = [s for s in dict.fromkeys(sentences) if s not in self._cache]
        if missing:
            vectors = self.embeddings.embed_documents(missing)
            with self._lock:
                for sentence, vector in zip(missing, vectors):
                    self._cache[sentence] = np.asarray(vector, dtype=np.float32)
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        with self._lock:
            return np.stack([self._cache[s] for s in sentences]) if sentences else np.zeros((0, 1), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self.embeddings.embed_query(text), dtype=np.float32)

    def claim(self, text: str) -> np.ndarray:
        """A statement compared with source sentences: embedded as a passage, like them."""
        return self.passages([text])[0]


def best_support(sentence: str, paragraphs: list[Paragraph], embedder: SentenceEmbedder) -> tuple[float, Paragraph | None, str]:
    """The source sentence closest in meaning: (similarity, paragraph, sentence)."""
    candidates = [(p, s) for p in paragraphs for s in split_sentences(p.text)]
    if not candidates:
        return 0.0, None, ""
    vectors = embedder.passages([s for _, s in candidates])
    sims = vectors @ embedder.claim(sentence)
    best = int(np.argmax(sims))
    return float(sims[best]), candidates[best][0], candidates[best][1]


def support_similarity(
    sentence: str, paragraphs: list[Paragraph], embedder: SentenceEmbedder, language: str | None = None, authors: tuple[str, ...] = ()
) -> float | None:
    """The similarity of the closest source sentence when `paragraphs` (together) support the
    sentence, else None. language: the sentence's ("nl" or "en"); detected when not given.
    authors: who signed the paragraphs' documents ("voor dit advies heb ik …" is Peter Wennink's)."""
    source = " ".join(p.search_text for p in paragraphs)
    # A paragraph of "Nationale Technologiestrategie" names it even where it says "de strategie":
    # its document's title and section headings count for names, and so does who signed it.
    named = " ".join([source, *dict.fromkeys(t for p in paragraphs for t in (p.doc_title, *p.section)), *authors])
    # The first word counts as a name too: "Intel heeft zitting in de Semicon Board NL" is close
    # in meaning to the member list, and only its first word is wrong.
    language = language or language_of(sentence)
    missing = missing_entities(sentence, named, include_first=True, written_numbers=True)
    if language != language_of(source):
        # Across languages a name is a translation ("National Growth Fund" for "Nationaal
        # Groeifonds", "Germany" for "Duitsland"): only numbers must occur literally.
        missing = [entity for entity in missing if entity.isdigit()]
    if missing or misquoted(sentence, source):
        return None
    similarity, _, closest = best_support(sentence, paragraphs, embedder)
    if adds_negation(sentence, closest):
        return None
    covered = coverage(sentence, source)
    if covered < MIN_COVERAGE and language == "nl":
        return None
    return similarity if similarity >= SUPPORT_THRESHOLD or covered >= HIGH_COVERAGE else None


def is_supported(sentence: str, paragraphs: list[Paragraph], embedder: SentenceEmbedder, language: str | None = None) -> bool:
    return support_similarity(sentence, paragraphs, embedder, language) is not None
