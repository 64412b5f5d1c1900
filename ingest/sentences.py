"""Dutch-aware sentence splitting that survives abbreviations such as "nr.", "o.a." and "d.w.z."."""

from __future__ import annotations

import re

ABBREVIATIONS = {
    "nr", "nrs", "o.a", "d.w.z", "bijv", "bv", "b.v", "e.d", "e.a", "m.b.t", "t.o.v", "i.v.m", "m.n", "z.g", "zgn",
    "etc", "enz", "resp", "incl", "excl", "ca", "circa", "mr", "mw", "dhr", "dr", "drs", "ir", "ing", "prof", "jr", "sr",
    "art", "lid", "blz", "p", "pp", "vs", "e.g", "i.e", "no", "jl", "a.s", "t.a.v", "v.w.b", "mln", "mld", "min",
    "st", "afd", "tel", "fig", "hfst", "par", "vgl", "zie", "kst", "stb", "stcrt",
}
_CANDIDATE = re.compile(r"(?<=[.!?…])[”\"’')\]]*\s+(?=[“\"‘'(\[]?[A-ZÀ-Ý0-9])")


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        before = text[start : match.start()].rstrip("”\"’')]")
        if _ends_with_abbreviation(before):
            continue
        sentences.append(text[start : match.start() + len(match.group(0).rstrip())].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def _ends_with_abbreviation(text: str) -> bool:
    word = re.search(r"(\S+)\.$", text)
    if not word:
        return False
    token = word.group(1).lower().lstrip("(“\"‘'")
    if token in ABBREVIATIONS or re.fullmatch(r"[a-z]", token):
        return True  # listed abbreviation or an initial ("J. de Vries")
    return bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", token))  # any dotted abbreviation: "o.a", "d.w.z"
