"""Questions that ask which documents mention something, and the documents a question names."""

from __future__ import annotations

import re
from typing import Any, Iterable

from index.lexical import fold, tokenize
from ingest.references import find_references

_LISTING = re.compile(
    r"^\s*(?:in\s+)?welke\s+(?:documenten|stukken|kamerstukken|kamerbrieven|brieven|rapporten|bronnen)\s+"
    r"(?:noemen|vermelden|bespreken|behandelen|bevatten|gaan\s+over|spreken\s+over|hebben\s+het\s+over|verwijzen\s+naar)\b(?P<rest>.*)"
    r"|^\s*(?:which|what)\s+(?:documents|papers|sources|reports|letters)\s+(?:mention|discuss|cover|contain|refer\s+to|talk\s+about)\b(?P<rest_en>.*)",
    re.I | re.S,
)
# "het rapport-Wennink", "het rapport van Wennink", "het Wennink-rapport", "de Draghi-rapportage".
_NAMED_REPORT = re.compile(r"\brapport(?:age)?(?:-|\s+van\s+(?:de\s+|het\s+)?)(?P<a>[A-Z][\w]+)|\b(?P<b>[A-Z][\w]+)-rapport(?:age)?\b")


def listing_terms(question: str) -> tuple[str, ...]:
    """The search terms of "Welke documenten noemen Beethoven?" (('beethov',)); () for other questions."""
    match = _LISTING.match(question)
    if not match:
        return ()
    return tuple(dict.fromkeys(tokenize(match.group("rest") or match.group("rest_en") or "")))


def named_documents(question: str, documents: Iterable[dict[str, Any]]) -> list[str]:
    """Ids of the indexed documents the question names: a Kamerstuk reference ("Kamerstuk 33009
    nr. 141") or a report by its author ("het rapport-Wennink"). Documents that merely cite them
    are not named; a named document that is not indexed names nothing."""
    catalogue = list(documents)
    named: list[str] = []
    for ref in find_references(question):
        for doc in catalogue:
            meta = doc.get("metadata") or {}
            if doc["id"] == ref.doc_id or (meta.get("dossier") == ref.dossier and str(meta.get("stuk", "")) == ref.number):
                named.append(doc["id"])
    for match in _NAMED_REPORT.finditer(question):
        name = fold(match.group("a") or match.group("b"))
        for doc in catalogue:
            meta = doc.get("metadata") or {}
            described = " ".join([doc["id"], doc.get("title", ""), *(str(v) for v in meta.values())])
            if re.search(rf"\b{re.escape(name)}\b", fold(described)):
                named.append(doc["id"])
    return list(dict.fromkeys(named))
