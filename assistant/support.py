"""Is a sentence supported by source paragraphs? Shared by answer verification and `assistant check`.

Two tests, both required: every number, date, name and document number in the sentence occurs in
the source text, and the sentence means nearly the same as some source sentence (cosine of e5
embeddings above a threshold calibrated by `benchmarks/calibrate_support.py`).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from assistant.sentences import split_sentences
from index.lexical import fold, tokenize

SUPPORT_THRESHOLD = 0.86
MONTHS = {
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december",
    "january", "february", "march", "may", "june", "july", "august", "october",
}
# Capitalised words that start sentences or name generic roles rather than specific things.
GENERIC_CAPITALS = {"de", "het", "een", "in", "ik", "we", "wij", "dit", "deze", "dat", "die", "ook", "the", "a", "an", "it", "this", "volgens"}
NUMBER = re.compile(r"\d+(?:[ .,/-]\d+)*")
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
        if lowered in MONTHS:
            found.append(lowered)
        elif word[0].isupper() and (index > 0 or include_first or word.isupper() and len(word) > 1) and not _function_word(lowered):
            found.append(lowered)
    return [e for e in dict.fromkeys(found) if e]


def _function_word(word: str) -> bool:
    from index.lexical import stopwords

    return word in GENERIC_CAPITALS or word in stopwords()


def missing_entities(sentence: str, source: str, include_first: bool = False) -> list[str]:
    haystack = fold(source)
    digits = re.sub(r"\D", "", haystack)
    missing = []
    for entity in entities(sentence, include_first):
        if entity.isdigit():
            if not re.search(rf"(?<!\d){entity}(?!\d)", re.sub(r"(?<=\d)[ .,/-](?=\d)", "", haystack)) and entity not in digits:
                missing.append(entity)
        elif fold(entity) not in haystack:
            missing.append(entity)
    return missing


def coverage(sentence: str, source: str) -> float:
    """Share of the sentence's content words (stemmed) that occur in the source."""
    words = set(tokenize(sentence))
    return len(words & set(tokenize(source))) / len(words) if words else 0.0


class SentenceEmbedder:
    """Embeds source sentences once per process; the cache keeps answers fast after warm-up."""

    def __init__(self, embeddings: Any, size: int = 20000):
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


def best_support(sentence: str, paragraphs: list[Any], embedder: SentenceEmbedder) -> tuple[float, Any, str]:
    """The source sentence closest in meaning: (similarity, paragraph, sentence)."""
    candidates = [(p, s) for p in paragraphs for s in split_sentences(p.text)]
    if not candidates:
        return 0.0, None, ""
    vectors = embedder.passages([s for _, s in candidates])
    sims = vectors @ embedder.claim(sentence)
    best = int(np.argmax(sims))
    return float(sims[best]), candidates[best][0], candidates[best][1]


def is_supported(sentence: str, paragraphs: list[Any], embedder: SentenceEmbedder, threshold: float = SUPPORT_THRESHOLD) -> bool:
    source = " ".join(p.search_text for p in paragraphs)
    if missing_entities(sentence, source):
        return False
    similarity, _, _ = best_support(sentence, paragraphs, embedder)
    return similarity >= threshold or coverage(sentence, source) >= 0.8
