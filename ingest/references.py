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
    found: dict[str, KamerstukRef] = {}
    for match in _reference_matches(text):
        for number in _numbers(match):
            ref = KamerstukRef(dossier=_dossier(match), number=str(int(number)), raw=normalize_raw(match.group(0)))
            found.setdefault(ref.key, ref)
    return tuple(found.values())


def without_references(text: str) -> str:
    """`text` with every Kamerstuk reference blanked out (same length): its numbers ("33 009, nr.
    141") count nothing and date nothing."""
    for match in _reference_matches(text):
        text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return text


def _reference_matches(text: str) -> list[re.Match[str]]:
    """The matches of every reference form, in order of position."""
    matches: list[re.Match[str]] = []
    for match in _KAMERSTUK.finditer(text):
        matches.append(match)
        end = match.end()
        while (lead := _FOLLOW_UP.match(text, end)) and (nxt := _PAIR.match(text, lead.end())):
            matches.append(nxt)
            end = nxt.end()
    matches.extend(_KST_ID.finditer(text))
    return sorted(matches, key=lambda m: m.start())


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
