"""Questions that ask which documents mention something, and the documents a question names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from index.lexical import fold, stopwords, tokenize
from ingest.references import find_references

_LISTING = re.compile(
    r"^\s*(?:in\s+)?welke\s+(?:documenten|stukken|kamerstukken|kamerbrieven|brieven|rapporten|bronnen)\s+"
    r"(?:noemen|vermelden|bespreken|behandelen|bevatten|gaan\s+over|spreken\s+over|hebben\s+het\s+over|verwijzen\s+naar)\b(?P<rest>.*)"
    r"|^\s*(?:which|what)\s+(?:documents|papers|sources|reports|letters)\s+(?:mention|discuss|cover|contain|refer\s+to|talk\s+about)\b(?P<rest_en>.*)",
    re.I | re.S,
)
# "het rapport-Wennink", "het rapport van Wennink", "het Wennink-rapport", "de Draghi-rapportage";
# "the Wennink report", "Wennink's report", "the report by Wennink".
_NAMED_REPORT = re.compile(
    r"\brapport(?:age)?(?:-|\s+van\s+(?:de\s+|het\s+)?)(?P<a>[A-Z]\w+)|\b(?P<b>[A-Z]\w+)(?:-|\s+)rapport(?:age)?\b"
    r"|\b(?P<c>[A-Z]\w+)(?:['’]s)?\s+report\b|\breport\s+(?:by|of)\s+(?:the\s+)?(?P<d>[A-Z]\w+)"
)


def listing_terms(question: str) -> tuple[str, ...]:
    """The search terms of "Welke documenten noemen Beethoven?" (('beethov',)); () for other questions."""
    match = _LISTING.match(question)
    if not match:
        return ()
    return tuple(dict.fromkeys(tokenize(match.group("rest") or match.group("rest_en") or "")))


# "de Kamerbrief over de Semicon Visie 2035", "the letter on the Semicon Visie 2035", the covering
# letter "de brief bij de Semicon Visie 2035": a kind of document, then words of its title (matched
# against the catalogue, word by word).
_DOCUMENT_BY_TITLE = re.compile(
    r"\b(?:de|het|the)\s+(?:begeleidende\s+|covering\s+)?[\w-]*?(?:brief|rapportage|rapport|letter|report|paper)\s+"
    r"(?:over|on|about|van|of|inzake|betreffende|regarding|bij|accompanying)\s+(?:de\s+|het\s+|the\s+)?(?P<title>[^,.;:?!]+)",
    re.I,
)
# "de Nederlandse non-paper", "de Kamerbrief", "het Actieplan techniektalent", "de Nationale
# Technologiestrategie": a kind of document that only one indexed title has.
_DOCUMENT_BY_KIND = re.compile(
    r"\b(?:de|het|the)\s+(?:[\w-]+\s+)?"
    r"(?P<kind>[\w-]*(?:brief|rapportage|rapport|letter|report|paper|notitie|verslag|strategie|strategy|plan|agenda))\b",
    re.I,
)
_WORD = re.compile(r"[\w-]+")
_WORDS = re.compile(r"\w+")
_TITLE_WORD = re.compile(r"[\w-]+")
# Connecting words that may lie inside the title part of such a phrase without being title words.
_JOINERS = {"de", "het", "the", "van", "of", "en", "and", "over", "on", "about", "in", "voor", "for"}
# What leads into a document's name ("volgens het", "according to the") goes with it.
_LEAD = re.compile(r"(?:\b(?:volgens|van|in|uit|according\s+to|from|of)\s+)?(?:\b(?:de|het|the)\s+)?$", re.I)


# "In welk document staat dat …?", "Which document says that …?": the statement after the frame is
# what a paragraph must say; the frame itself is in no paragraph.
_STATEMENT_FRAME = re.compile(
    r"^\s*(?:in\s+)?welk(?:e)?\s+(?:document|stuk|kamerstuk|brief|rapport|bron)\s+"
    r"(?:staat|stond|meldt|noemt|zegt|schrijft|vermeldt|leest\s+u)\s+(?:er\s+)?(?:dat\s+)?(?P<nl>.+)"
    r"|^\s*(?:in\s+)?which\s+(?:document|paper|report|letter|source)\s+(?:says|states|mentions|reports|notes|writes)\s+(?:that\s+)?(?P<en>.+)",
    re.I | re.S,
)


@dataclass(frozen=True)
class DocumentScope:
    """The documents a question names, and the question without the words that name them: once
    retrieval is kept inside those documents, "de Kamerbrief over de Semicon Visie 2035" says
    nothing about which paragraph answers, and its words would favour every paragraph repeating
    the title."""

    documents: tuple[str, ...]
    topic: str
    # "In welk document staat dat …?": the topic is a statement that a sentence must make.
    statement: bool = False
    # The question as the relevance gate weighs it: the words that name a document stay where that
    # document's title holds them (a passage of "Nationale Technologiestrategie" holds the name).
    asked: str = ""


def document_scope(question: str, documents: Iterable[dict[str, Any]]) -> DocumentScope:
    """The indexed documents the question names: by a Kamerstuk reference ("Kamerstuk 33009
    nr. 141"), a report by its author ("het rapport-Wennink") or a kind of document and its
    title ("de brief over de Semicon Visie 2035"). Documents that merely cite them are not named; a
    named document that is not indexed names nothing, and its words stay in the topic."""
    catalogue = list(documents)
    named: list[str] = []
    spans: list[tuple[int, int]] = []

    def name(ids: list[str], span: tuple[int, int]) -> None:
        if ids:
            named.extend(ids)
            spans.append(span)

    for ref in find_references(question):
        ids = [
            doc["id"] for doc in catalogue
            if doc["id"] == ref.doc_id or ((doc.get("metadata") or {}).get("dossier") == ref.dossier and str((doc.get("metadata") or {}).get("stuk", "")) == ref.number)
        ]
        start = question.find(ref.raw)
        name(ids, (start, start + len(ref.raw)) if start >= 0 else (0, 0))
    for match in _NAMED_REPORT.finditer(question):
        author = fold(next(group for group in match.groups() if group))
        if author in stopwords():  # "The report says …", "Which report …"
            continue
        name([doc["id"] for doc in catalogue if re.search(rf"\b{re.escape(author)}\b", _described(doc))], match.span())
    for match in _DOCUMENT_BY_TITLE.finditer(question):
        ids, end = _titled(match, catalogue)
        name(ids, (match.start(), end))
    for match in _DOCUMENT_BY_KIND.finditer(question):
        kind = fold(match.group("kind"))
        ids = [doc["id"] for doc in catalogue if kind in _TITLE_WORD.findall(fold(doc.get("title", "")))]
        if len(ids) == 1 and not any(start <= match.start() < end for start, end in spans):
            name(ids, match.span())
    topic = asked = question
    held = set(_WORDS.findall(" ".join(_described(doc) for doc in catalogue if doc["id"] in named)))
    for start, end in _merged(spans):
        lead = _LEAD.search(topic, 0, start)
        topic = topic[: lead.start() if lead else start] + topic[end:]
        kept = [w for w in _WORD.findall(asked[start:end]) if set(_WORDS.findall(fold(w))) <= held]
        asked = asked[:start] + " ".join(kept) + asked[end:]
    topic, asked = _tidy(topic), _tidy(asked)
    framed = _STATEMENT_FRAME.match(topic)
    if framed:
        topic = framed.group("nl") or framed.group("en")
    if not tokenize(topic):
        return DocumentScope(tuple(dict.fromkeys(named)), question, asked=question)
    return DocumentScope(tuple(dict.fromkeys(named)), topic, statement=bool(framed), asked=asked)


def _tidy(text: str) -> str:
    return re.sub(r"\s+([,?.!])", r"\1", re.sub(r"\s+", " ", text)).strip(" ,")


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans joined where they overlap, last first (so that cutting one keeps the others' offsets)."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined[::-1]


def _described(doc: dict[str, Any]) -> str:
    meta = doc.get("metadata") or {}
    return fold(" ".join([doc["id"], doc.get("title", ""), *(str(v) for v in meta.values())]))


def _titled(match: re.Match[str], catalogue: list[dict[str, Any]]) -> tuple[list[str], int]:
    """The documents whose title holds the longest run of words after "de brief over", and where
    that run ends; none when the run holds no word that tells documents apart."""
    best: tuple[list[str], int] = ([], match.start())
    words = list(_WORD.finditer(match.group("title")))
    for doc in catalogue:
        title = set(_TITLE_WORD.findall(fold(" ".join([doc.get("title", ""), str((doc.get("metadata") or {}).get("betreft", ""))]))))
        run = 0
        while run < len(words) and (fold(words[run].group(0)) in title):
            run += 1
        while run and fold(words[run - 1].group(0)) in _JOINERS:
            run -= 1
        if not run or not tokenize(" ".join(w.group(0) for w in words[:run])):
            continue
        end = match.start("title") + words[run - 1].end()
        if end > best[1]:
            best = ([doc["id"]], end)
        elif end == best[1]:
            best[0].append(doc["id"])
    return best if len(best[0]) < len(catalogue) or len(catalogue) == 1 else ([], match.start())
