"""Which language a question or sentence is in: Dutch unless its function words are English.

A bottom module: retrieval (BM25 cannot match across languages), the relevance gate, the answer chain,
verification and `assistant check` all ask it.
"""

from __future__ import annotations

import re

ENGLISH_HINTS = {
    "the", "what", "who", "which", "is", "are", "of", "in", "does", "did", "how", "why", "when", "where", "letter",
    "according", "to", "and", "a", "an", "at", "by", "for", "with", "about", "government", "cabinet", "do",
}
DUTCH_HINTS = {"de", "het", "een", "wat", "wie", "welke", "is", "van", "in", "en", "hoe", "waarom", "wanneer", "zijn", "brief", "er"}


def language_of(text: str) -> str:
    """'en' or 'nl'."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    english = sum(w in ENGLISH_HINTS for w in words)
    dutch = sum(w in DUTCH_HINTS for w in words)
    return "en" if english > dutch else "nl"
