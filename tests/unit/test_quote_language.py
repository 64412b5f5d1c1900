"""A quote keeps its own language; the answer's frame says so when it is not the question's."""

from __future__ import annotations

from assistant.chain import quote_intro
from ingest.records import Paragraph

NON_PAPER = "The Netherlands proposes that the Commission decides on state aid notifications within six months."
BRIEF = "Het kabinet investeert in talent voor de chipsector met een actieplan voor techniekonderwijs."


def _paragraph(title: str, text: str) -> Paragraph:
    return Paragraph("d#3", "d", title, "paragraph", 3, "alinea 3", (1,), (), text)


def test_a_quote_in_another_language_than_the_question_is_marked_as_such():
    english = _paragraph("Non-paper on the Chips Act", NON_PAPER)
    dutch = _paragraph("Brief over talent", BRIEF)
    assert quote_intro(english, NON_PAPER, "nl") == "Volgens Non-paper on the Chips Act, alinea 3 (citaat in het Engels):"
    assert quote_intro(english, NON_PAPER, "en") == "According to Non-paper on the Chips Act, alinea 3:"
    assert quote_intro(dutch, BRIEF, "en") == "According to Brief over talent, alinea 3 (quoted in Dutch):"
    assert quote_intro(dutch, BRIEF, "nl") == "Volgens Brief over talent, alinea 3:"
