"""The real local LLM (Qwen2.5-Coder-1.5B-Instruct GGUF via llama-cpp-python) answering in Dutch.

Needs `make setup-local`. Prints time-to-first-token and tokens/s for a ~700-token prompt
(run with -s to see them).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.config import Settings
from assistant.llm import LocalLlamaChat, local, local_available, make_chat_model
from assistant.local_model import default_model_path

pytestmark = pytest.mark.integration

SYSTEM = "Je beantwoordt vragen in het Nederlands, alleen op basis van de gegeven context. Antwoord in één zin."
CONTEXT = (
    "[1] Het kabinet presenteerde op 12 december 2025 de Semicon Visie 2035. "
    "Daarin staat dat Nederland tot 2035 jaarlijks investeert in onderzoek naar chips en in technisch talent."
)
QUESTION = "Wanneer presenteerde het kabinet de Semicon Visie 2035?"

# Filler paragraphs bring the prompt to about 700 tokens, the size of a real retrieved context.
FILLER = [
    "De halfgeleiderindustrie is van groot belang voor de Nederlandse economie en voor de strategische "
    "autonomie van Europa. Bedrijven in de regio Eindhoven vormen samen een ecosysteem van toeleveranciers, "
    "kennisinstellingen en start-ups dat wereldwijd een sterke positie heeft.",
    "Het kabinet wil het tekort aan technisch personeel aanpakken door meer studenten op te leiden in "
    "techniek, door kennismigranten beter te ontvangen en door samen te werken met het onderwijs in de regio.",
    "Ook de energie-infrastructuur en de netcongestie verdienen aandacht, omdat nieuwe fabrieken veel "
    "stroom nodig hebben en de aansluiting op het net nu vaak jaren op zich laat wachten.",
]


def _messages(context: str, question: str) -> list:
    return [SystemMessage(SYSTEM), HumanMessage(f"Context:\n{context}\n\nVraag: {question}")]


@pytest.fixture(scope="module")
def model() -> LocalLlamaChat:
    settings = Settings.load()
    assert local_available(settings), f"No local model at {default_model_path(settings)}; run `make setup-local`."
    model = make_chat_model(settings, "local")
    assert isinstance(model, LocalLlamaChat)
    model = model.model_copy(update={"max_tokens": 64})
    start = time.monotonic()
    model.invoke("Zeg ja.")  # loads the GGUF once for the module
    print(f"\n[local-llm] load + first short answer: {time.monotonic() - start:.1f} s")
    return model


def test_a_fresh_assistant_home_still_finds_the_assembled_model(tmp_path):
    settings = Settings.load(env={"ASSISTANT_HOME": str(tmp_path / "fresh")})
    path = default_model_path(settings)
    assert path.is_file() and not path.is_relative_to(tmp_path), f"no assembled model outside {tmp_path}: {path}"
    assert isinstance(make_chat_model(settings, "local"), LocalLlamaChat)


def test_answers_a_dutch_question_from_context(model):
    answer = model.invoke(_messages(CONTEXT, QUESTION)).content
    print(f"\n[local-llm] answer: {answer!r}")
    assert answer.strip()
    assert "2025" in answer


def test_streams_tokens_and_reports_speed(model):
    llama_tokens = _count_tokens(model, _messages(_long_context(), QUESTION))
    start = time.monotonic()
    first_at, pieces = None, []
    for chunk in model.stream(_messages(_long_context(), QUESTION)):
        if chunk.content:
            first_at = first_at or time.monotonic()
            pieces.append(chunk.content)
    end = time.monotonic()
    assert first_at is not None, "the model streamed no text"
    assert len(pieces) > 1
    rate = (len(pieces) - 1) / (end - first_at) if end > first_at else float("inf")
    print(
        f"\n[local-llm] prompt {llama_tokens} tokens: time to first token {first_at - start:.1f} s, "
        f"{len(pieces)} tokens at {rate:.1f} tok/s; answer {''.join(pieces)!r}"
    )
    assert "".join(pieces).strip()


def _long_context() -> str:
    return "\n\n".join([CONTEXT] + [f"[{i + 2}] {p}" for i, p in enumerate(FILLER * 3)])


def _count_tokens(model: LocalLlamaChat, messages: list) -> int:
    # The chat template adds a few tokens; counting the raw text is close enough for a report.
    llama, _ = local._LLAMAS[str(Path(model.model_path).resolve())]
    text = "\n".join(str(m.text) for m in messages)
    return len(llama.tokenize(text.encode(), add_bos=False))


def test_the_grammar_makes_every_sentence_end_in_a_marker_it_was_given(model):
    from assistant import generation

    one_sentence = generation.Strategy("one", sentences=True, grammar=True, max_sentences=1)
    gbnf = generation.reply_grammar(2, "nl", one_sentence)
    context = CONTEXT.replace("Daarin", "\n[2] Daarin")
    long_enough = model.model_copy(update={"max_tokens": 120, "timeout": None})  # a sentence is at most ~80 tokens
    reply = "".join(chunk.content for chunk in long_enough.stream(_messages(context, QUESTION), grammar=gbnf))
    print(f"\n[local-llm] constrained reply: {reply!r}")
    assert reply == "NIET_GEVONDEN" or re.fullmatch(r"[^\[\]\n\r\t]{4,301} (?:\[[12]\]){1,2}\.", reply)
