"""Abbreviations the documents define: "de Rijksdienst voor Ondernemend Nederland (RVO)".

Found with the algorithm of Schwartz and Hearst ("A simple algorithm for identifying abbreviation
definitions in biomedical text", 2003): a short form in parentheses, and before it the shortest run
of words that holds the short form's characters in order, its first character starting a word. A
later paragraph writes only "het IPCEI AST" or only "de Nationale Technologiestrategie"; with the
definitions, a passage that writes one form also names the other. (The `abbreviations` package
implements the same algorithm, but configures the root logger when imported.)
"""

from __future__ import annotations

import re

from index.lexical import fold

SHORT_FORM = re.compile(r"(?<=\s)\(([^()\n]{2,10})\)")
WORD = re.compile(r"\w+")


def definitions(texts: list[str]) -> dict[str, str]:
    """Short form -> long form, for every definition in the texts (the last one wins)."""
    found: dict[str, str] = {}
    for text in texts:
        if " (" not in text:
            continue
        for match in SHORT_FORM.finditer(text):
            short = match.group(1).strip()
            if not _viable(short):
                continue
            long = _long_form(short, text[: match.start()].rstrip())
            if long:
                found[short] = long
    return found


def with_abbreviations(text: str, pairs: dict[str, str]) -> str:
    """The text, followed by the other form of each abbreviation it writes in one form."""
    folded = fold(text)
    words = set(WORD.findall(folded))
    extra = []
    for short, long in pairs.items():
        short_folded, long_folded = fold(short), fold(long)
        if long_folded in folded and short_folded not in folded:
            extra.append(short)
        elif set(WORD.findall(short_folded)) <= words and long_folded not in folded:
            extra.append(long)
    return " ".join([text, *extra]) if extra else text


def _viable(short: str) -> bool:
    """2-10 characters, at most two words, starting with a letter or digit (Schwartz and Hearst);
    and two capitals at least, so that a word in parentheses ("(zie bijlage)") is no abbreviation."""
    return (
        len(short.split()) <= 2
        and short[0].isalnum()
        and any(c.isalpha() for c in short)
        and sum(c.isupper() for c in short) >= 2
    )


def _long_form(short: str, before: str) -> str | None:
    """The shortest end of `before` holding the short form's characters in order, read from the
    end, the first of them starting a word; at most min(|short| + 5, 2 |short|) words."""
    limit = min(len(short) + 5, 2 * len(short))
    words = re.split(r"[()]", before)[-1].split()[-limit:]
    candidate = " ".join(words)
    position = len(candidate) - 1
    for index in range(len(short) - 1, -1, -1):
        char = short[index].lower()
        if not char.isalnum():
            continue
        while position >= 0 and (
            candidate[position].lower() != char
            or (index == 0 and position > 0 and candidate[position - 1].isalnum())
        ):
            position -= 1
        if position < 0:
            return None
        if index:
            position -= 1
    long = candidate[position:]
    if short in long.split() or len(long) <= len(short):
        return None
    return long
