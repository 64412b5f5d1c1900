"""Find references to Kamerstukken in running text and normalise them ("33009-141").

Recognised forms: "Kamerstuk 33 009, nr. 141", "Kamerstukken II 2024/25, 29 826, nrs. 140 en 141",
"Kamerstuk 36 600 XIII, nr. 5", "Kamerstuk 21 501-30, nr. 512", follow-ups after a semicolon
("…, nr. 140; 33 009, nr. 141") and publication ids ("kst-33009-141"). A bare "nr. 5" or a
number without the word Kamerstuk is not a reference: too many other things look like that.
"""

from __future__ import annotations

import re

from ingest.records import KamerstukRef

# Dossier number with an optional sub-dossier ("21 501-30") or budget chapter ("36 600 XIII"):
# both are part of the publication id, so dropping them would point at another document.
_DOSSIER = (
    r"(?P<dossier>\d{2}[\s.]?\d{3})"
    r"(?:-(?P<sub>\d{2})\b|(?:\s?-\s?|\s)(?P<chapter>[IVXLC]+|[A-Z])\b)?"
    r"(?:\s*\(R\d+\))?"
)
_ONE = r"(?i:nr\.?|nummer)"
_MANY = r"(?i:nrs\.?|nummers)"
# A year after a comma ends the list ("nrs. 140 en 141, 2024" is not number 2024).
_NEXT = r"\s*(?:,(?!\s*(?:19|20)\d\d\b)|\ben\b|&)\s*"
_NUMBERS = (
    r"(?:" + _MANY + r"\s*(?P<many>\d{1,5}(?:" + _NEXT + r"(?:" + _ONE + r"\s*)?\d{1,5})*)"
    r"|" + _ONE + r"\s*(?P<one>\d{1,5}(?:" + _NEXT + _ONE + r"\s*\d{1,5})*))\b(?![-/]\d)"
)
# Case-sensitive on purpose: chapter letters are capitals, so "nr" is never read as a chapter.
_PAIR = re.compile(_DOSSIER + r"\s*,?\s*" + _NUMBERS)
_KAMERSTUK = re.compile(
    r"\b(?i:kamerstuk(?:ken)?)"
    r"(?:\s+(?:I{1,2}|TK|EK)\b)?"  # chamber
    r"(?:\s+(?:\d{4}\s*[/–-]\s*\d{2,4}|\d{4}))?"  # session year: 2024/25, 2024-2025
    r",?\s+" + _PAIR.pattern
)
_FOLLOW_UP = re.compile(r"\s*;\s*(?:(?i:kamerstuk(?:ken)?)\s+(?:I{1,2}\s+)?)?(?:\d{4}\s*[/–-]\s*\d{2,4},?\s+)?")
_KST_ID = re.compile(
    r"\bkst-(?P<dossier>\d{5})(?:-(?P<sub>\d{2})|-(?P<chapter>[IVXLC]+|[A-Z]))?-(?P<numbers>\d{1,5})\b",
    re.IGNORECASE,
)


def find_references(text: str) -> tuple[KamerstukRef, ...]:
    """All distinct Kamerstuk references in `text`, in order of first appearance."""
    hits: list[tuple[int, str, list[str], str]] = []
    for match in _KAMERSTUK.finditer(text):
        hits.append((match.start(), _dossier(match), _numbers(match), match.group(0)))
        end = match.end()
        while (lead := _FOLLOW_UP.match(text, end)) and (nxt := _PAIR.match(text, lead.end())):
            hits.append((nxt.start(), _dossier(nxt), _numbers(nxt), nxt.group(0)))
            end = nxt.end()
    for match in _KST_ID.finditer(text):
        hits.append((match.start(), _dossier(match), [match.group("numbers")], match.group(0)))
    found: dict[str, KamerstukRef] = {}
    for _, dossier, numbers, raw in sorted(hits, key=lambda h: h[0]):
        for number in numbers:
            ref = KamerstukRef(dossier=dossier, number=str(int(number)), raw=normalize_raw(raw))
            found.setdefault(ref.key, ref)
    return tuple(found.values())


def _dossier(match: re.Match[str]) -> str:
    dossier = re.sub(r"[\s.]", "", match.group("dossier"))
    if match.group("sub"):
        return f"{dossier}-{match.group('sub')}"
    if match.group("chapter"):
        return f"{dossier}-{match.group('chapter').upper()}"
    return dossier


def _numbers(match: re.Match[str]) -> list[str]:
    groups = match.groupdict()
    listed = groups.get("many") or groups.get("one") or groups.get("numbers") or ""
    return re.findall(r"\d+", re.sub(r"(?i)nr\.?|nummer", " ", listed))


def normalize_raw(raw: str) -> str:
    return re.sub(r"\s+", " ", raw).strip()
