"""Typed expectations: what kind of sentence answers this question?

A "waarom" is answered by a reason (a sentence with "omdat", "doordat", "want", …, or the sentence
before a "Daarom …" conclusion), a "wanneer" by a date, a "wie" by names, a "hoeveel" by a number.
Among the sentences about as close to the question as the best one, those that hold what the
question expects go first; the similarity alone picks the sentence that repeats the question.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.support import entities

# Sentences within this e5 margin of the best one compete on type (calibrated: a reason or a
# date sits within 0.03 of the sentence that merely repeats the question's words).
TYPE_MARGIN = 0.03
TYPE_BONUS = 0.03

KINDS = (
    ("reason", re.compile(r"^\s*(?:waarom|why)\b|\b(?:waarom|why|om welke reden|for what reason)\b", re.I)),
    ("date", re.compile(r"^\s*(?:wanneer|sinds wanneer|van wanneer|when)\b|\b(?:wanneer|in welk jaar|op welke datum|when|what date|which year)\b", re.I)),
    ("amount", re.compile(r"\b(?:hoeveel|hoe groot|hoe hard|hoe hoog|welk bedrag|welk percentage|how many|how much|how often|hoe vaak)\b", re.I)),
    ("place", re.compile(r"^\s*(?:waar|where)\b(?!\s*(?:over|om|voor|door|mee|aan|op|in|uit|van|naar))", re.I)),
    ("names", re.compile(r"^\s*(?:wie|who)\b|\b(?:welke (?:bedrijven|organisaties?|landen|lidstaten|partijen|ministers?|instellingen)|which (?:companies|organisations?|organizations?|countries|member states))\b", re.I)),
)
REASON = re.compile(r"\b(?:omdat|doordat|want|aangezien|vanwege|dankzij|zodat|teneinde|because|since|due to|owing to)\b", re.I)
CONCLUSION = re.compile(r"^\s*(?:daarom|hierom|om die reden|dat is (?:de reden|waarom)|therefore|that is why|hence)\b", re.I)
MONTHS = r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|january|february|march|may|june|july|august|october)"
DATE = re.compile(rf"\b\d{{1,2}} {MONTHS}\b|\b{MONTHS} (?:19|20)\d\d\b|\b(?:begin|eind|medio|najaar|voorjaar|zomer|winter|sinds|in|vanaf|tot) (?:19|20)\d\d\b", re.I)
NUMBER = re.compile(r"\d")


def expected_kind(question: str) -> str | None:
    for kind, pattern in KINDS:
        if pattern.search(question):
            return kind
    return None


def holds(kind: str, sentence: str, question: str) -> bool:
    """The sentence holds an answer of this kind that the question does not already give."""
    if kind == "reason":
        return bool(REASON.search(sentence))
    if kind == "date":
        asked = set(re.findall(r"\d+", question))
        return any(not set(re.findall(r"\d+", m.group(0))) <= asked for m in DATE.finditer(sentence))
    if kind == "amount":
        asked = set(re.findall(r"\d+(?:[.,]\d+)?", question))
        return any(n not in asked for n in re.findall(r"\d+(?:[.,]\d+)?", sentence))
    new_names = set(entities(sentence)) - set(entities(question, include_first=True))
    return bool(new_names)


def rerank(question: str, scored: list[tuple[float, Any, int, str]]) -> list[tuple[float, Any, int, str]]:
    """`scored` (similarity, paragraph, sentence index, sentence), best first, with the sentences
    that hold the expected kind of answer moved ahead of those that do not."""
    kind = expected_kind(question)
    if kind is None or not scored:
        return scored
    top = scored[0][0]
    rows = list(scored)
    if kind == "reason":
        rows = _reasons_before_conclusions(rows)
    adjusted = []
    for score, paragraph, index, sentence in rows:
        if score >= top - TYPE_MARGIN and holds(kind, sentence, question):
            score += TYPE_BONUS
        adjusted.append((score, paragraph, index, sentence))
    adjusted.sort(key=lambda row: row[0], reverse=True)
    return adjusted


def _reasons_before_conclusions(rows: list[tuple[float, Any, int, str]]) -> list[tuple[float, Any, int, str]]:
    """A "Daarom …" sentence draws a conclusion; the reason is the sentence before it, which
    takes the conclusion's score and a reason's bonus."""
    by_position = {(p.id, i): (score, p, i, s) for score, p, i, s in rows}
    for score, paragraph, index, sentence in rows:
        previous = by_position.get((paragraph.id, index - 1))
        if CONCLUSION.search(sentence) and previous is not None:
            by_position[(paragraph.id, index - 1)] = (max(previous[0], score) + TYPE_BONUS, *previous[1:])
            by_position[(paragraph.id, index)] = (score - TYPE_BONUS, paragraph, index, sentence)
    return sorted(by_position.values(), key=lambda row: row[0], reverse=True)
