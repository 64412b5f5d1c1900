"""BM25 over paragraph records with Dutch normalisation and Snowball stemming."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache

import numpy as np

TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# "33 009" and "33009" are the same dossier number.
DIGIT_GROUPS = re.compile(r"\b(\d{2,3}) (\d{3})\b")


# Words of the question itself, not of its subject ("volgens de brief", "what", "which").
QUESTION_WORDS = {
    "welk", "welke", "wie", "wat", "waar", "hoe", "hoeveel", "wanneer", "waarom", "waarin", "waarmee", "volgens",
    "brief", "kamerbrief", "staat", "staan", "noemt", "noemen", "genoemd", "verwijst", "verwijzen", "verwezen",
    "zegt", "zeggen", "schrijft", "beschrijft", "vermeldt", "vermeld", "gaat", "betekent", "bedoelt",
    "what", "which", "who", "whom", "whose", "where", "when", "why", "how", "many", "much", "does", "did", "do",
    "is", "are", "was", "were", "according", "letter", "document", "say", "says", "mention", "mentioned",
    "refer", "refers", "referred", "describe", "describes",
}


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("dutch")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

    return frozenset(STOPWORDS_DUTCH) | frozenset(STOPWORDS_EN) | QUESTION_WORDS


def fold(text: str) -> str:
    """Lowercase, strip accents, join split digit groups."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return DIGIT_GROUPS.sub(r"\1\2", text)


def tokenize(text: str) -> list[str]:
    stop = stopwords()
    words = []
    for token in TOKEN.findall(fold(text)):
        parts = [token] + (token.split("-") if "-" in token else [])
        words.extend(p for p in parts if p and p not in stop)
    return _stemmer().stemWords(words)


class LexicalIndex:
    def __init__(self, texts: list[str], abbreviations: dict[str, str] | None = None):
        import bm25s

        self.size = len(texts)
        corpus = [tokenize(t) or ["_"] for t in texts]
        # Search term -> number of records holding it: membership tells a term the corpus lacks,
        # the count how specific a term is (idf).
        self.vocabulary = Vocabulary(Counter(token for tokens in corpus for token in set(tokens)), len(texts), abbreviations)
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if corpus:  # bm25s cannot index an empty corpus (an emptied index)
            self._bm25.index(corpus, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        return self.term_scores(tokenize(query))

    def term_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 scores of every record for search terms already tokenized."""
        if not tokens or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        ids = self._bm25.get_tokens_ids(tokens)
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return self._bm25.get_scores(ids)


class Vocabulary(Counter):
    """Search terms with the number of records that hold each (a term's document frequency), and
    the abbreviations the records define (short form -> long form)."""

    def __init__(self, counts: Counter | None = None, records: int = 0, abbreviations: dict[str, str] | None = None):
        super().__init__(counts or {})
        self.records = records
        self.abbreviations = abbreviations or {}

    def idf(self, token: str) -> float:
        """How specific a term is; a term that no record holds is the most specific of all."""
        return math.log((self.records + 1) / (self.get(token, 0) + 0.5))
