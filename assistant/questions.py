"""The one check every question and claim passes, whichever way it arrives (CLI, HTTP API, UI).

Invisible code points go (control, format such as bidi overrides and zero-width, surrogates,
private use, unassigned): lone surrogates cannot even be written back as UTF-8, and control or
bidi characters only serve to hide what a question says. What remains must be non-empty and
within `settings.max_question_chars`.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Literal

from ingest.errors import UserError

INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
Kind = Literal["question", "claim"]
_NOUN = {"question": "vraag", "claim": "tekst"}
_EMPTY = {
    "question": "De vraag is leeg; typ een vraag over de Semicon Visie.",
    "claim": "De tekst om te controleren is leeg; typ of plak een citaat of bewering.",
}


def clean_text(value: Any) -> Any:
    """Text without invisible code points; anything that is not text is returned unchanged, for a
    type check to refuse."""
    if not isinstance(value, str) or (value.isascii() and value.isprintable()):
        return value
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c) not in INVISIBLE_CATEGORIES)


def validated_text(value: Any, limit: int, kind: Kind = "question") -> str:
    """The cleaned, stripped text, or a UserError that says what to change (422 when it is not
    text or empty, 413 when it is longer than `limit` characters)."""
    noun = _NOUN[kind]
    if not isinstance(value, str):
        raise UserError(f"De {noun} moet tekst zijn.", status=422)
    text = clean_text(value).strip()
    if not text:
        raise UserError(_EMPTY[kind], status=422)
    if len(text) > limit:
        raise UserError(
            f"De {noun} is te lang: maximaal {limit} tekens, dit zijn er {len(text)} "
            f"(het maximum is {limit}, in te stellen met ASSISTANT_MAX_QUESTION_CHARS).",
            status=413,
        )
    return text
