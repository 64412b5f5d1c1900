"""Generation strategies: which sources a model gets, its prompt, its grammar, how its reply is read."""

from __future__ import annotations

import dataclasses
import re

import pytest
from langchain_core.messages import AIMessage, SystemMessage

from assistant import generation
from ingest.records import Paragraph


def paragraph(n: int, text: str, anchor: str = "") -> Paragraph:
    return Paragraph(
        id=f"d#p{n}", doc_id="d", doc_title="Brief", kind="footnote" if anchor else "paragraph", number=n,
        label=f"§{n}", pages=(1,), section=(), text=text, anchor=anchor,
    )


P1 = paragraph(1, "Het net komt er. Gasunie legt het aan. Dat kost tijd.")
P2 = paragraph(2, "Kamerstuk 29 023, nr. 512", anchor="het eerdere besluit")
SCORED = [(0.9, P1, 1, "Gasunie legt het aan."), (0.85, P2, 0, "Kamerstuk 29 023, nr. 512"), (0.8, P1, 0, "Het net komt er.")]


def test_sentences_keep_the_one_after_the_best_and_read_in_order():
    sources = generation.sentences(SCORED, budget=1000, limit=6)
    assert [text for _, text in sources] == [
        "Het net komt er.", "Gasunie legt het aan.", "Dat kost tijd.", "Kamerstuk 29 023, nr. 512 (voetnoot bij: het eerdere besluit)"
    ]
    assert generation.sentences(SCORED, budget=1000, limit=2) == [(P1, "Gasunie legt het aan."), (P1, "Dat kost tijd.")]


def test_passages_are_whole_paragraph_extracts_within_the_budget():
    sources = generation.passages(SCORED, budget=10)
    assert sources == [(P1, "Het net komt er. Gasunie legt het aan. Dat kost tijd.")]


@pytest.mark.parametrize("name", sorted(generation.STRATEGIES))
def test_every_strategy_numbers_its_sources_in_the_last_message(name):
    strategy = generation.STRATEGIES[name]
    request = generation.build_request("Wie legt het net aan?", SCORED, "nl", 1000, strategy)
    last = request.messages[-1].content
    if name == "passages":
        numbered = re.findall(r"^\[(\d+)\] \(Brief, §\d\) (.*)$", last, re.M)
    else:  # the document's title once, above its sources
        assert "\nUit Brief:\n[1] " in last
        numbered = re.findall(r"^\[(\d+)\] (.*)$", last, re.M)
    assert [text for _, text in numbered] == [text for _, text in request.sources]
    assert "Wie legt het net aan?" in last
    assert (request.grammar is not None) is strategy.grammar
    if strategy.few_shot:
        assert isinstance(request.messages[0], SystemMessage) and any(isinstance(m, AIMessage) for m in request.messages)


def test_question_hints_name_the_kind_of_fact():
    assert "nummer" in generation.question_hint("Welk Kamerstuk is de Nationale Technologiestrategie?", "nl")
    assert "persoon" in generation.question_hint("Wie vertegenwoordigt het mkb?", "nl")
    assert "date" in generation.question_hint("When was it sent?", "en")
    assert generation.question_hint("Wat is het doel?", "nl") == ""


@pytest.mark.parametrize("select_first", [False, True])
def test_the_grammar_names_only_given_sources_and_bounds_the_sentences(select_first):
    # What llama.cpp makes of it is checked with the real model (tests/integration/test_local_llm.py).
    strategy = generation.Strategy("t", sentences=True, grammar=True, select_first=select_first, max_sentences=2)
    rules = dict(line.split(" ::= ", 1) for line in generation.reply_grammar(3, "nl", strategy).splitlines())
    assert rules["num"] == '"3" | "2" | "1"'
    assert rules["root"].startswith('"NIET_GEVONDEN" | ')
    assert rules["root"].endswith('sentence (" " sentence){0,1}')
    assert ('"Zinnen: " num' in rules["root"]) is select_first
    assert rules["sentence"].endswith('" " marker marker? "."') and "[^\\[\\]\\n\\r\\t]" in rules["sentence"]


def test_a_select_first_reply_is_read_as_its_answer_and_streams_only_that():
    request = generation.build_request("Wie?", SCORED, "nl", 1000, generation.STRATEGIES["select+grammar"])
    reply = "Zinnen: 2\nAntwoord: Gasunie legt het aan [2]."
    assert generation.answer_part(reply, request) == "Gasunie legt het aan [2]."
    shown: list[str] = []
    visible = generation.VisibleText(request, shown.append)
    for token in ["Zin", "nen: 2", "\nAnt", "woord: Gas", "unie", " legt"]:
        visible(token)
    assert "".join(shown) == "Gasunie legt"
    plain = generation.build_request("Wie?", SCORED, "nl", 1000, generation.STRATEGIES["passages"])
    assert generation.answer_part(" Gasunie [1]. ", plain) == "Gasunie [1]."


def test_examples_are_not_about_the_corpus():
    corpus_words = {"semicon", "asml", "chip", "halfgeleider", "beethoven", "ipcei", "33 009"}
    for language in ("nl", "en"):
        text = generation._examples_text(language).lower()
        assert not [w for w in corpus_words if w in text]


def test_sources_are_grouped_under_their_document_in_order_of_first_source():
    other = dataclasses.replace(P1, id="x#1", doc_id="x", doc_title="Rapport")
    grouped = generation.by_document([(P1, "a"), (other, "b"), (P1, "c")])
    assert [text for _, text in grouped] == ["a", "c", "b"]
    context = generation.numbered_context([(p.doc_title, text) for p, text in grouped], "nl")
    assert context == "Uit Brief:\n[1] a\n[2] c\nUit Rapport:\n[3] b"
