"""Find references to Kamerstukken in running text and normalise them ("33009-141")."""

from __future__ import annotations

import re

from ingest.records import KamerstukRef

_DOSSIER = r"(?P<dossier>\d{2}\s?\d{3})(?:[\s-]*(?:\(R\d+\)|[A-Z]{1,3}))?"
_NUMBERS = r"(?P<numbers>\d+(?:\s*(?:,|en|&)\s*(?:nr\.?\s*)?\d+)*)"
_KAMERSTUK = re.compile(
    r"Kamerstuk(?:ken)?"
    r"(?:\s+(?:I{1,2}|[12]))?"  # chamber: I, II
    r"(?:\s+\d{4}\s*[/–-]\s*\d{2,4})?"  # session year: 2024/25
    r",?\s+" + _DOSSIER + r"\s*,?\s*(?:nrs?\.?|nummers?)\s*" + _NUMBERS,
    re.IGNORECASE,
)
_KST_ID = re.compile(r"\bkst-(?P<dossier>\d{5,6})-(?P<numbers>\d+)\b", re.IGNORECASE)


def find_references(text: str) -> tuple[KamerstukRef, ...]:
    """All distinct Kamerstuk references in `text`, in order of first appearance."""
    found: dict[str, KamerstukRef] = {}
    matches = sorted(list(_KAMERSTUK.finditer(text)) + list(_KST_ID.finditer(text)), key=lambda m: m.start())
    for match in matches:
        dossier = re.sub(r"\s", "", match.group("dossier"))
        for number in re.findall(r"\d+", match.group("numbers")):
            ref = KamerstukRef(dossier=dossier, number=str(int(number)), raw=normalize_raw(match.group(0)))
            found.setdefault(ref.key, ref)
    return tuple(found.values())


def normalize_raw(raw: str) -> str:
    return re.sub(r"\s+", " ", raw).strip()
