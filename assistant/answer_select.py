"""Typed expectations: what kind of sentence answers this question?

A "waarom" is answered by a reason (a sentence with "omdat", "doordat", "want", …, or the sentence
before a "Daarom …" conclusion), a "wanneer" by a date, a "wie" by names, a "hoeveel" by a number.
Among the sentences about as close to the question as the best one, those that hold what the
question expects go first; the similarity alone picks the sentence that repeats the question.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from assistant.support import entities
from index.lexical import tokenize
from ingest.references import without_references

# Sentences within this e5 margin of the best one compete on type (calibrated: a reason or a
# date sits within 0.03 of the sentence that merely repeats the question's words).
TYPE_MARGIN = 0.03
TYPE_BONUS = 0.03

KINDS = (
    ("reason", re.compile(r"^\s*(?:waarom|why)\b|\b(?:waarom|why|om welke reden|for what reason)\b", re.I)),
    ("date", re.compile(r"^\s*(?:wanneer|sinds wanneer|van wanneer|when)\b|\b(?:wanneer|in welk jaar|op welke datum|when|what date|which year)\b", re.I)),
    ("amount", re.compile(
        r"\b(?:hoeveel|hoe groot|hoe hard|hoe hoog|welk bedrag|welk percentage|how many|how much|how often|hoe vaak)\b"
        r"|\b(?:wat (?:is|was|zijn|waren) (?:het|de)|what (?:is|was|are|were) the) (?:budget|bedrag|kosten|amount|costs?)\b",
        re.I,
    )),
    ("place", re.compile(r"^\s*(?:waar|where)\b(?!\s*(?:over|om|voor|door|mee|aan|op|in|uit|van|naar))", re.I)),
    ("names", re.compile(
        r"^\s*(?:wie|who)\b|\b(?:welke? (?:bedrijf|bedrijven|organisaties?|land|landen|lidstaat|lidstaten|partij|partijen|ministers?|instellingen?|universiteit(?:en)?)"
        r"|which (?:company|companies|organisations?|organizations?|country|countries|member states?|universit(?:y|ies)))\b", re.I)),
)
REASON = re.compile(r"\b(?:omdat|doordat|want|aangezien|vanwege|dankzij|zodat|teneinde|because|since|due to|owing to)\b", re.I)
# A conclusion drawn from the sentence before: "Daarom …", also after the verb ("Nederland zal daarom …").
CONCLUSION = re.compile(r"\b(?:daarom|hierom|om die reden|dat is (?:de reden|waarom)|therefore|that is why|hence)\b", re.I)
MONTHS = r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|january|february|march|may|june|july|august|october)"
DATE = re.compile(
    rf"\b\d{{1,2}} {MONTHS}\b|\b{MONTHS} (?:19|20)\d\d\b"
    r"|\b(?:begin|eind|medio|najaar|voorjaar|zomer|winter|sinds|in|vanaf|tot)(?: van)? (?:19|20)\d\d\b",
    re.I,
)
NUMBER = re.compile(r"\d")
# Kinds whose answer has a form that can be checked (a number, a date): in the sentences a quote
# would show, by the gate and by typed selection alike.
TYPED_KINDS = ("amount", "date")
# What a "hoeveel" asks for. Money ("hoeveel geld", "welk bedrag") is answered by an amount of
# money; a count ("hoeveel studenten", "how many companies") by a number that is no year, day,
# amount of money or percentage; a rise, difference or share ("met hoeveel", "hoeveel lager",
# "hoe hard") by any number.
MONEY_ASKED = re.compile(
    r"\b(?:geld|subsidie\w*|budget\w*|bedrag\w*|investering\w*|middelen|kosten|euro|inkomen\w*|salaris\w*"
    r"|toekenning\w*|bijdrage\w*|reservering\w*|financiering\w*|begroting\w*"
    r"|money|funding|subsid\w*|costs?|investments?|income|salar\w+)\b",
    re.I,
)
ANY_NUMBER_ASKED = re.compile(
    r"\b(?:procent\w*|percent\w*|aandeel|share|met hoeveel|hoeveel (?:lager|hoger|meer|minder|groter|kleiner)"
    r"|hoeveel (?:bedraagt|bedroeg|bedragen|bedroegen)"
    r"|hoe hard|hoe snel|hoe sterk|hoe groot|hoe hoog|hoe vaak|"
    r"how fast|how big|how large|how high|how often|how much)\b",
    re.I,
)
SHARE_ASKED = re.compile(r"\b(?:procent|percent|percentage|welk aandeel|what share)\b", re.I)
COUNT_ASKED = re.compile(r"\b(?:hoeveel|how many)\b", re.I)
COUNTED = re.compile(r"\b(?:hoeveel|how many)\s+([\w-]+)", re.I)  # what a count counts: "hoeveel promovendi"
SHARE_OF = re.compile(r"\s*(?:procent|percent|%)?\s*(?:van|of)\s+(?:de|het|alle|the|all)?\s*((?:[\w-]+\s+){0,2}[\w-]+)", re.I)
# A number written out ("drie keer per jaar", "twelve projects") is a number too, a share too
# ("een derde", "de helft": answering "met hoeveel", "welk aandeel", not "hoeveel studenten");
# "een"/"one" are left out (far more often an article or a pronoun), and so is "ten" ("ten minste").
_UNITS_NL = r"(?:twee|drie|vier|vijf|zes|zeven|acht|negen)"
_UNITS_EN = r"(?:two|three|four|five|six|seven|eight|nine)"
NUMBER_WORD = (
    rf"(?:{_UNITS_NL}|tien|elf|twaalf|dertien|veertien|vijftien|zestien|zeventien|achttien|negentien"
    rf"|(?:(?:een|vier|vijf|zes|zeven|acht|negen)en|(?:twee|drie)ën)?(?:twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig)"
    rf"|{_UNITS_NL}?(?:honderd|duizend)"
    rf"|{_UNITS_EN}|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    rf"|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-{_UNITS_EN})?|dozen|hundred|thousand"
    # A share in words: "een derde van de promovendi", "de helft", "driekwart", "a third of".
    rf"|(?<=een )(?:derde|vierde|vijfde|kwart)|(?<=twee )derde|(?<=de )helft|driekwart|(?<=a )(?:third|quarter)|half)"
)
FRACTION = re.compile(r"derde|vierde|vijfde|kwart|helft|driekwart|third|quarter|half", re.I)
AMOUNT = re.compile(rf"(?P<currency>(?:€|EUR)\s?)?(?P<number>\d+(?:[.,]\d+)*|\b{NUMBER_WORD}\b)", re.I)
MONEY_AFTER = re.compile(
    r"\s*(?:(?:tot|to|en|and|-|–)\s*\d+(?:[.,]\d+)*\s*)?(?:(?:miljoen|miljard|million|billion|mln|mld)\b\s*(?:euro|EUR)?|euro\b|EUR\b|€)", re.I
)
SHARE_AFTER = re.compile(r"\s*(?:procent|percent|procentpunt\w*|%)", re.I)
DAY_AFTER = re.compile(rf"\s+{MONTHS}\b", re.I)
YEAR = re.compile(r"(?:19|20)\d\d")


# "Wie is de voorzitter van …?": the role asked about; a passage that never names it cannot say who holds it.
ROLE_ASKED = re.compile(r"^\s*(?:wie\s+is\s+(?:de\s+|het\s+)?|who\s+is\s+the\s+)(?P<role>[\w-]+)\s+(?:van|bij|of|at)\b", re.I)


def asked_role(question: str) -> str | None:
    match = ROLE_ASKED.match(question)
    return match.group("role") if match else None


def expected_kind(question: str) -> str | None:
    for kind, pattern in KINDS:
        if pattern.search(question):
            return kind
    return None


def holds(kind: str, sentence: str, question: str, shares_count: bool = True) -> bool:
    """The sentence holds an answer of this kind that the question does not already give.
    `shares_count`: a share of what a "hoeveel" counts answers it ("een derde van de promovendi");
    ranking prefers the count itself ("37 projectvoorstellen") to a share of it."""
    if kind == "reason":
        return bool(REASON.search(sentence))
    if kind == "date":
        asked = set(re.findall(r"\d+", question))
        return any(not set(re.findall(r"\d+", m.group(0))) <= asked for m in DATE.finditer(sentence))
    if kind == "amount":
        asked = set(re.findall(r"\d+(?:[.,]\d+)?", question))
        wanted = _amount_asked(question)
        counted = COUNTED.search(question) if wanted == "count" else None
        amounts = _amounts(sentence, counted.group(1) if counted and shares_count else None)
        return any(n not in asked and (wanted is None or form == wanted) for n, form in amounts)
    new_names = set(entities(sentence)) - set(entities(question, include_first=True))
    return bool(new_names)


def _share_of(rest: str, counted: str) -> bool:
    """The text after a share ("procent van de internationale studenten") names what is counted."""
    group = SHARE_OF.match(rest)
    return bool(group) and bool(set(tokenize(counted)) & set(tokenize(group.group(1))))


def _amount_asked(question: str) -> str | None:
    """'money', 'count', or None (any number answers). A share asked for is a share even of money
    ("met hoeveel procent bleven de uitgaven achter bij de begroting")."""
    if SHARE_ASKED.search(question):
        return None
    if MONEY_ASKED.search(question):
        return "money"
    if ANY_NUMBER_ASKED.search(question):
        return None
    return "count" if COUNT_ASKED.search(question) else None


def _amounts(sentence: str, counted: str | None = None) -> list[tuple[str, str]]:
    """Each number of the sentence with its form: money, share, day, year or count; not the
    numbers of a Kamerstuk reference ("Kamerstuk 33 009, nr. 141" counts no companies). A share
    of what the question counts is a count of it: "een derde van de promovendi" answers "hoeveel
    promovendi"."""
    sentence = without_references(sentence)
    found = []
    for match in AMOUNT.finditer(sentence):
        number, rest = match.group("number"), sentence[match.end() :]
        if match.group("currency") or MONEY_AFTER.match(rest):
            form = "money"
        elif SHARE_AFTER.match(rest) or FRACTION.fullmatch(number):
            form = "count" if counted and _share_of(rest, counted) else "share"
        elif DAY_AFTER.match(rest):
            form = "day"
        elif YEAR.fullmatch(number):
            form = "year"
        else:
            form = "count"
        found.append((number, form))
    return found


def rerank(
    question: str, scored: list[tuple[float, Any, int, str]], quoted: Callable[[tuple[float, Any, int, str]], str] | None = None
) -> list[tuple[float, Any, int, str]]:
    """`scored` (similarity, paragraph, sentence index, sentence), best first, with the sentences
    that hold the expected kind of answer moved ahead of those that do not. `quoted(row)`: what
    the answer would quote from that sentence on; an amount or a date counts there, as the gate
    checks it there ("… via een interessepeiling. Daarop zijn 37 voorstellen ingediend …")."""
    kind = expected_kind(question)
    if kind is None or not scored:
        return scored
    top = scored[0][0]
    rows = list(scored)
    if kind == "reason":
        rows = _reasons_before_conclusions(rows)
    adjusted = []
    for score, paragraph, index, sentence in rows:
        text = quoted((score, paragraph, index, sentence)) if quoted and kind in TYPED_KINDS else sentence
        if score >= top - TYPE_MARGIN and holds(kind, text, question, shares_count=False):
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
