"""`assistant check`: is this quote in the sources (exactly or nearly), or is this claim supported?"""

from __future__ import annotations

import difflib
import re
from typing import Any

from assistant.support import best_support, coverage, missing_entities
from assistant.types import CheckResult, Citation

QUOTE_CHARS = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "–": "-", "—": "-"})
NEAR_MISS = 90.0  # rapidfuzz partial_ratio for a quote that is almost, but not exactly, in a source
CLAIM_SIMILARITY = 0.87
CLAIM_COVERAGE = 0.75


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(QUOTE_CHARS)).strip().lower()


def check_claim(assistant: Any, claim: str) -> CheckResult:
    quote = claim.strip().strip('"“”„\'')
    records = assistant.store.records()
    needle = normalise(quote)
    exact = [p for p in records if needle and needle in normalise(p.text)]
    if exact:
        return CheckResult(claim, "supported", _citations(exact[:3]), match="exact", score=1.0)

    near = _near_miss(quote, records)
    hits = assistant.search(claim, 5)
    paragraphs = _with_context(hits)
    from assistant.chain import embedder_for

    embedder = embedder_for(assistant)
    for paragraph in paragraphs:
        # Names, numbers and dates must stand together in one paragraph (a footnote counts with
        # the sentence it annotates): a date next to one report is no support for another report.
        source = paragraph.search_text
        if missing_entities(claim, source, include_first=True):
            continue
        similarity, _, _ = best_support(claim, [paragraph], embedder)
        if similarity >= CLAIM_SIMILARITY or (coverage(claim, source) >= CLAIM_COVERAGE and similarity >= CLAIM_SIMILARITY - 0.05):
            return CheckResult(claim, "supported", _citations([paragraph]), match="semantic", score=round(similarity, 4))
    if near is not None:
        score, paragraph, window = near
        return CheckResult(
            claim, "not_supported", _citations([paragraph]), match="fuzzy", differences=word_diff(window, quote), score=round(score / 100, 4)
        )
    return CheckResult(claim, "not_supported", _citations([h.paragraph for h in hits[:3]]), match="", score=0.0)


def _near_miss(quote: str, records: list[Any]) -> tuple[float, Any, str] | None:
    from rapidfuzz import fuzz

    needle = normalise(quote)
    if len(needle) < 15:
        return None
    best: tuple[float, Any, str] | None = None
    for paragraph in records:
        alignment = fuzz.partial_ratio_alignment(needle, normalise(paragraph.text))
        if alignment and alignment.score >= NEAR_MISS and (best is None or alignment.score > best[0]):
            text = normalise(paragraph.text)
            best = (alignment.score, paragraph, text[alignment.dest_start : alignment.dest_end])
    return best


def word_diff(source: str, quote: str) -> str:
    """Readable differences: [-source words-] {+quote words+}."""
    a, b = source.split(), normalise(quote).split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b).get_opcodes():
        if op == "equal":
            out.append(" ".join(a[i1:i2]))
        else:
            if i2 > i1:
                out.append("[-" + " ".join(a[i1:i2]) + "-]")
            if j2 > j1:
                out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def _with_context(hits: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for hit in hits:
        for paragraph in (hit.paragraph, *hit.context):
            seen.setdefault(paragraph.id, paragraph)
    return list(seen.values())


def _citations(paragraphs: list[Any]) -> tuple[Citation, ...]:
    return tuple(Citation.of(n, p) for n, p in enumerate(paragraphs, start=1))
