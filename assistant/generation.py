"""How a generative backend is asked, and how its reply is read back.

Which source text it gets (numbered single sentences or short passages), which instructions and
Dutch/English worked examples, an optional GBNF grammar (llama.cpp) so every sentence ends in a
marker that names a source it was given, and an optional first line on which the model names the
sentences it will use. The reply comes back as plain sentences with `[n]` markers for verification.
The variants were measured against each other; docs/generation.md has the figures.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Callable

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

import prompts
from ingest.sentences import split_sentences

REFUSAL_WORD = {"nl": "NIET_GEVONDEN", "en": "NOT_FOUND"}
# The line on which a select-first reply names its sentences, and the line the answer starts on.
SELECT_LABEL = {"nl": "Zinnen:", "en": "Sentences:"}
ANSWER_LABEL = {"nl": "Antwoord:", "en": "Answer:"}


@dataclass(frozen=True)
class Strategy:
    name: str
    sentences: bool = False  # number single sentences ("[3] …") rather than passages of a few
    grammar: bool = False  # constrain the reply with GBNF: sentences ending in a valid marker
    select_first: bool = False  # the reply first names the numbers it rests on
    few_shot: bool = False  # worked examples as earlier turns of the conversation
    question_hints: bool = False  # one instruction for the kind of fact asked (who, when, which paper)
    max_sources: int = 4
    max_sentences: int = 3


STRATEGIES = {
    s.name: s
    for s in (
        Strategy("passages"),
        Strategy("sentences+grammar", sentences=True, grammar=True, max_sources=6),
        Strategy("select+grammar", sentences=True, grammar=True, select_first=True, max_sources=6),
        Strategy(
            "select+grammar+fewshot+hints", sentences=True, grammar=True, select_first=True, few_shot=True, question_hints=True, max_sources=6
        ),
        Strategy("sentences+grammar+fewshot+hints", sentences=True, grammar=True, few_shot=True, question_hints=True, max_sources=6),
    )
}
DEFAULT_STRATEGY = "sentences+grammar+fewshot+hints"  # measured best: docs/generation.md


@dataclass(frozen=True)
class Request:
    """One generation call: the messages, the grammar (None: unconstrained), the prompt version,
    and the (paragraph, text) each number [1..n] in the prompt stands for."""

    messages: list[BaseMessage]
    grammar: str | None
    version: str
    sources: list[tuple[Any, str]]
    strategy: Strategy
    language: str


def strategy_named(name: str | None) -> Strategy:
    return STRATEGIES[name or DEFAULT_STRATEGY]


# -- sources --------------------------------------------------------------------------------------


def passages(scored: list[tuple[float, Any, int, str]], budget: int, limit: int = 4) -> list[tuple[Any, str]]:
    """The best sentences of the top paragraphs, within the context budget; cited as whole paragraphs."""
    best_by_paragraph: dict[str, list[int]] = {}
    order: list[Any] = []
    for _, paragraph, index, _ in scored:
        if paragraph.id not in best_by_paragraph:
            order.append(paragraph)
            best_by_paragraph[paragraph.id] = []
        best_by_paragraph[paragraph.id].append(index)
    out: list[tuple[Any, str]] = []
    used = 0
    for paragraph in order:
        sentences = split_sentences(paragraph.text)
        best = best_by_paragraph[paragraph.id]
        keep = sorted(set(best[:2]) | {i + 1 for i in best[:1] if i + 1 < len(sentences)})
        text = _with_anchor(paragraph, " ".join(sentences[i] for i in keep))
        if used + len(text) > budget and out:
            break
        out.append((paragraph, text))
        used += len(text)
        if len(out) >= limit:
            break
    return out


def sentences(scored: list[tuple[float, Any, int, str]], budget: int, limit: int) -> list[tuple[Any, str]]:
    """The best-scoring single sentences, each with the one after the best (answers often continue
    there: "… Dit kan alleen door …"), in reading order per paragraph, within the budget."""
    picked: list[tuple[Any, int]] = []
    for rank, (_, paragraph, index, _) in enumerate(scored):
        if len(picked) >= limit:
            break
        if (paragraph, index) not in picked:
            picked.append((paragraph, index))
        if rank == 0 and index + 1 < len(split_sentences(paragraph.text)) and len(picked) < limit:
            picked.append((paragraph, index + 1))
    # Reading order inside a paragraph, paragraphs in order of their best sentence.
    first_seen = {p.id: n for n, (p, _) in reversed(list(enumerate(picked)))}
    picked.sort(key=lambda pi: (first_seen[pi[0].id], pi[1]))
    out: list[tuple[Any, str]] = []
    used = 0
    for paragraph, index in picked:
        text = _with_anchor(paragraph, split_sentences(paragraph.text)[index])
        if used + len(text) > budget and out:
            break
        out.append((paragraph, text))
        used += len(text)
    return out


def _with_anchor(paragraph: Any, text: str) -> str:
    return f"{text} (voetnoot bij: {paragraph.anchor})" if paragraph.anchor else text


# -- the request ----------------------------------------------------------------------------------


def build_request(question: str, scored: list, language: str, budget: int, strategy: Strategy) -> Request:
    if strategy.sentences:
        sources = sentences(scored, budget, strategy.max_sources)
    else:
        sources = passages(scored, budget, strategy.max_sources)
    if not (strategy.sentences or strategy.few_shot or strategy.select_first):
        # The original single-message prompt (the measured baseline, also with a grammar).
        template, version = prompts.load("answer", language)
        context = "\n\n".join(f"[{i}] ({p.doc_title}, {p.label}) {text}" for i, (p, text) in enumerate(sources, start=1))
        messages: list[BaseMessage] = [HumanMessage(template.format(context=context, question=question))]
    else:
        sources = by_document(sources)
        context = numbered_context([(p.doc_title, text) for p, text in sources], language)
        messages, version = shared_prefix(language, strategy)
        messages.append(HumanMessage(_user_turn(context, question, language, strategy)))
    grammar = reply_grammar(len(sources), language, strategy) if strategy.grammar and sources else None
    version = version if strategy.name == "passages" else f"{version}+{strategy.name}"
    return Request(messages, grammar, version, sources, strategy, language)


def shared_prefix(language: str, strategy: Strategy) -> tuple[list[BaseMessage], str]:
    """The messages every question's request starts with (instructions, worked examples), and the
    prompt version: a local model that has evaluated them once only processes what follows."""
    system, version = prompts.load("generate", language)
    messages: list[BaseMessage] = [SystemMessage(system.format(max_sentences=strategy.max_sentences))]
    if strategy.few_shot:
        for example in examples(language):
            context = numbered_context([(source["document"], source["text"]) for source in example["sources"]], language)
            messages.append(HumanMessage(_user_turn(context, example["question"], language, strategy)))
            messages.append(AIMessage(_example_reply(example, language, strategy)))
    return messages, version


def by_document(sources: list[tuple[Any, str]]) -> list[tuple[Any, str]]:
    """The sources with each document's together, documents in the order of their first source."""
    first = {}
    for n, (paragraph, _) in enumerate(sources):
        first.setdefault(paragraph.doc_title, n)
    return sorted(sources, key=lambda source: first[source[0].doc_title])


DOCUMENT_HEADING = {"nl": "Uit {title}:", "en": "From {title}:"}


def numbered_context(sources: list[tuple[str, str]], language: str) -> str:
    """Numbered source texts under one heading per document: the title is said once, not before
    every sentence (each token here is prompt the model must read before its first word)."""
    lines, current = [], None
    for number, (title, text) in enumerate(sources, start=1):
        if title != current:
            lines.append(DOCUMENT_HEADING[language].format(title=title))
            current = title
        lines.append(f"[{number}] {text}")
    return "\n".join(lines)


def _user_turn(context: str, question: str, language: str, strategy: Strategy) -> str:
    labels = {"nl": ("Bronnen", "Vraag"), "en": ("Sources", "Question")}[language]
    turn = f"{labels[0]}:\n{context}\n\n{labels[1]}: {question}"
    hint = question_hint(question, language) if strategy.question_hints else ""
    return f"{turn}\n{hint}" if hint else turn


def _example_reply(example: dict[str, Any], language: str, strategy: Strategy) -> str:
    if example["answer"] == "":
        return REFUSAL_WORD[language]
    answer = example["answer"]
    if strategy.select_first:
        numbers = ", ".join(str(n) for n in dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", answer)))
        return f"{SELECT_LABEL[language]} {numbers}\n{ANSWER_LABEL[language]} {answer}"
    return answer


@lru_cache(maxsize=None)
def _examples_text(language: str) -> str:
    return resources.files(prompts.__name__).joinpath(f"examples.{language}.json").read_text(encoding="utf-8")


def examples(language: str) -> list[dict[str, Any]]:
    """Worked examples on made-up letters (nothing from the corpus or the eval sets)."""
    return json.loads(_examples_text(language))


HINTS = {
    "nl": [
        (r"\b(?:welk|welke)\s+(?:kamerstuk|kamerstukken|nummer|kenmerk)", "Noem het nummer of kenmerk letterlijk, met alle cijfers."),
        (r"^\s*wie\b|\bdoor wie\b|\bnamens wie\b", "Noem de persoon of organisatie letterlijk zoals in de bron."),
        (r"^\s*wanneer\b|\bin welk jaar\b|\bop welke datum\b", "Noem de datum of het jaar letterlijk zoals in de bron."),
        (r"^\s*hoeveel\b|\bhoe groot\b|\bwelk bedrag\b", "Noem het getal of bedrag letterlijk zoals in de bron."),
        (r"^\s*waarom\b", "Geef de reden zoals de bron die noemt."),
    ],
    "en": [
        (r"\bwhich\s+(?:parliamentary paper|paper|number|reference)", "Give the number or reference verbatim, with all digits."),
        (r"^\s*who\b|\bby whom\b", "Name the person or organisation as the source does."),
        (r"^\s*when\b|\bwhich year\b|\bwhat date\b", "Give the date or year as the source does."),
        (r"^\s*how (?:many|much)\b", "Give the number or amount as the source does."),
        (r"^\s*why\b", "Give the reason the source gives."),
    ],
}


def question_hint(question: str, language: str) -> str:
    for pattern, hint in HINTS[language]:
        if re.search(pattern, question, re.I):
            return hint
    return ""


def reply_grammar(source_count: int, language: str, strategy: Strategy) -> str:
    """GBNF for a reply of 1..max_sentences sentences, each ending in markers that name a given
    source, or exactly the refusal word; with select_first, a first line naming the sources."""
    numbers = " | ".join(f'"{n}"' for n in range(source_count, 0, -1))  # "12" before "1"
    answer = f'sentence (" " sentence){{0,{strategy.max_sentences - 1}}}'
    if strategy.select_first:
        select, label = json.dumps(SELECT_LABEL[language] + " "), json.dumps("\n" + ANSWER_LABEL[language] + " ")
        answer = f'{select} num (", " num){{0,3}} {label} {answer}'
    return "\n".join(
        [
            f'root ::= {json.dumps(REFUSAL_WORD[language])} | {answer}',
            # Sentence text cannot hold "[" or a line break or tab (the model padded with carriage returns):
            # the only bracket is a marker.
            'sentence ::= [^\\[\\]\\n\\r\\t] [^\\[\\]\\n\\r\\t]{3,300} " " marker marker? "."',
            'marker ::= "[" num "]"',
            f"num ::= {numbers}",
        ]
    )


# -- the reply ------------------------------------------------------------------------------------


def answer_part(reply: str, request: Request) -> str:
    """The answer of a reply: after a select-first line when there is one."""
    label = ANSWER_LABEL[request.language]
    head, found, rest = reply.partition(label)
    if found and (request.strategy.select_first or head.strip().startswith(SELECT_LABEL[request.language])):
        return rest.strip()
    return reply.strip()


class VisibleText:
    """Feeds on streamed tokens and passes on only the answer part (a select-first line is held
    back until the answer label has gone by)."""

    def __init__(self, request: Request, emit: Callable[[str], None]):
        self.holding = request.strategy.select_first
        self.label = ANSWER_LABEL[request.language]
        self.buffer = ""
        self.emit = emit

    def __call__(self, text: str) -> None:
        if not self.holding:
            self.emit(text)
            return
        self.buffer += text
        head, found, rest = self.buffer.partition(self.label)
        if found:
            self.holding = False
            if rest.lstrip():
                self.emit(rest.lstrip())
        elif REFUSAL_WORD["nl"] in self.buffer or REFUSAL_WORD["en"] in self.buffer:
            self.holding = False
