"""The answer chain: condense -> retrieve -> generate -> verify -> format, as plain functions.

Each step reads and fills in one `ChainState`. Every backend passes the same relevance gate and the
same verification; a generative backend that fails, times out or produces nothing verifiable falls
back to the extractive answer with a notice. The chat models are LangChain chat models, streamed
in a thread of their own so a deadline holds (`_stream_within`); nothing else here needs LangChain.
"""

from __future__ import annotations

import math
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator

from langchain_core.messages import BaseMessage, HumanMessage

import prompts
from assistant import extractive, generation
from assistant.extractive import Relevance, ScoredSentence
from ingest.language import language_of
from ingest.sentences import split_sentences
from assistant.support import SentenceEmbedder, best_support, is_supported, missing_entities
from assistant.types import Answer, AnswerServices, Citation
from index.listing import DocumentScope
from index.retrieval import Hit
from ingest.records import Paragraph

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.config import Settings

# "[2]", and the "[1, 2]" or "[1-2]" small models write as well.
MARKER = re.compile(r"\[(\d{1,2}(?:\s*[,;–-]\s*\d{1,2})*)\]")
NOT_FOUND = re.compile(r"\b(?:NIET[_ ]GEVONDEN|NOT[_ ]FOUND)\b")
OPENING_QUOTES = "“„‘‚\"'«‹"
FOLLOW_UP_WORDS = {
    "erin", "ervan", "daarvan", "daarin", "daarover", "hij", "zij", "ze", "hen", "hun", "die", "dat", "dit", "deze",
    "they", "them", "it", "its", "their", "those", "that", "this", "these", "he", "she",
}

TEXTS = {
    "nl": {
        "intro": "Volgens {title}, {label}:",
        "intro_other_language": "Volgens {title}, {label} (citaat in het Engels):",
        "footnote_anchor": "Deze voetnoot hoort bij de zin:",
        "refusal": "Dat staat niet in de documenten die ik kan raadplegen, dus daar geef ik geen antwoord op.",
        "refusal_in": "Dat staat niet in {title}, dus daar geef ik geen antwoord op.",
        "closest": "Mogelijk relevante passages:",
        "fallback": "Het taalmodel ({backend}) gaf geen bruikbaar antwoord ({reason}); hieronder staan de letterlijke passages.",
        "dropped": "{n} zin(nen) uit het gegenereerde antwoord weggelaten omdat de bronnen ze niet staven.",
    },
    "en": {
        "intro": "According to {title}, {label}:",
        "intro_other_language": "According to {title}, {label} (quoted in Dutch):",
        "footnote_anchor": "This footnote belongs to the sentence:",
        "refusal": "The documents I can consult do not say this, so I cannot answer it.",
        "refusal_in": "{title} does not say this, so I cannot answer it.",
        "closest": "Possibly relevant passages:",
        "fallback": "The language model ({backend}) gave no usable answer ({reason}); the verbatim passages are shown below.",
        "dropped": "{n} sentence(s) of the generated answer were left out because the sources do not support them.",
    },
}

NOT_ANSWERABLE = Relevance(False, 0.0)
Claim = tuple[str, list[Paragraph]]  # a verified sentence and the paragraphs it cites


@dataclass
class ChainState:
    """One answer in the making. The request comes first; each step fills in the fields below its name."""

    question: str
    history: list[dict[str, str]]
    documents: tuple[str, ...] | None = None  # doc ids to answer from; None: all (or those the question names)
    backend: str = "extractive"
    model: BaseChatModel | None = None  # None: no language model (extractive, or it could not be built)
    model_error: str = ""  # why the backend's model could not be built
    # Condensing and answering share one time budget: the extractive answer stays on time.
    deadline: float = math.inf
    on_token: Callable[[str], None] | None = None
    started: float = field(default_factory=time.perf_counter)
    timings: dict[str, float] = field(default_factory=dict)
    # condense
    language: str = "nl"
    standalone: str = ""
    # retrieve
    searched: tuple[str, ...] = ()  # the documents retrieval was kept to; empty: all
    hits: list[Hit] = field(default_factory=list)
    relevance: Relevance = NOT_ANSWERABLE
    scored: list[ScoredSentence] = field(default_factory=list)
    # generate
    passages: list[tuple[Paragraph, str]] = field(default_factory=list)  # (cited paragraph, text in the prompt)
    prompt_version: str = ""
    draft: str | None = None
    fallback_reason: str = ""
    # verify
    model_refused: bool = False
    claims: list[Claim] = field(default_factory=list)
    dropped: int = 0

    @property
    def generative(self) -> bool:
        """Whether a language model was asked for (built or not)."""
        return self.model is not None or bool(self.model_error)


# -- steps ----------------------------------------------------------------------------------------


def condense(state: ChainState) -> None:
    """A follow-up question made standalone: by the model's condense prompt, else heuristically."""
    question, history = state.question, state.history
    previous = [m["content"] for m in history if m.get("role") == "user" and m.get("content")]
    state.language = language_of(question)
    state.standalone = question
    if not previous or not _looks_like_follow_up(question):
        return
    if state.model is not None:
        try:
            template, _ = prompts.load("condense", state.language)
            lines = "\n".join(f"{m['role']}: {m['content'][:500]}" for m in history[-6:])
            message = HumanMessage(template.format(history=lines, question=question))
            rewritten = "".join(_stream_within(state.model, [message], state.deadline)).strip()
            if 0 < len(rewritten) < 400 and not NOT_FOUND.search(rewritten):
                state.standalone = rewritten.splitlines()[0]
                return
        except Exception:
            pass  # the heuristic below still resolves the follow-up; generation reports the failure
    state.standalone = f"{previous[-1]} {question}"


def _looks_like_follow_up(question: str) -> bool:
    words = re.findall(r"[a-zà-ÿ]+", question.lower())
    return len(words) <= 4 or bool(FOLLOW_UP_WORDS & set(words)) or words[:1] in (["en"], ["and"], ["ook"], ["also"])


def retrieve(state: ChainState, services: AnswerServices) -> None:
    """The paragraphs for the standalone question, and the relevance gate's verdict on them."""
    started = time.perf_counter()
    documents = list(state.documents) if state.documents else None
    state.hits, state.relevance, state.scored, state.searched = find_answer(state.standalone, services, documents)
    state.timings["retrieve_ms"] = _ms(started)


def find_answer(
    question: str, services: AnswerServices, documents: list[str] | None = None
) -> tuple[list[Hit], extractive.Relevance, list[extractive.ScoredSentence], tuple[str, ...]]:
    """The hits for a question, whether they answer it, their sentences ranked for answering, and
    the documents the search was kept to (none: all)."""
    retriever = services.retriever
    scope = retriever.scope(question)
    if documents is None:
        # A question that names its document is answered from it, on the words that remain.
        documents = list(scope.documents) or None
    elif not set(scope.documents) <= set(documents):
        # Kept to other documents than it names: the names are words to search on.
        scope = DocumentScope((), question)
    hits = retriever.search(scope.topic, services.settings.top_k, documents=documents)
    verdict, scored = extractive.assess(
        scope.topic, hits, services.sentence_embedder(), retriever.vocabulary(), statement=scope.statement,
        asked=scope.asked or None,
    )
    return hits, verdict, scored, tuple(documents or ())


def generate(state: ChainState, services: AnswerServices) -> None:
    """The model's draft answer (None: no model, nothing relevant, or it failed: fallback_reason)."""
    started = time.perf_counter()
    state.draft = None
    if state.relevance.answerable and state.model_error:
        state.fallback_reason = state.model_error
    elif state.relevance.answerable and state.model is not None:
        state.draft = _generate_with_model(state, state.model, services.settings)
    state.timings["generate_ms"] = _ms(started)


def _generate_with_model(state: ChainState, model: BaseChatModel, settings: Settings) -> str | None:
    request = generation.build_request(
        state.standalone, state.scored, state.language, settings.context_chars, generation.strategy_named(None)
    )
    state.passages = request.sources
    state.prompt_version = request.version
    visible = generation.VisibleText(request, state.on_token) if state.on_token else None
    pieces: list[str] = []
    try:
        for text in _stream_within(model, request.messages, state.deadline, request.grammar):
            if not pieces:
                state.timings["first_token_ms"] = _ms(state.started)
            pieces.append(text)
            if visible:
                visible(text)
    except TimeoutError:
        seconds = f"{settings.llm_timeout_s:g}"
        state.fallback_reason = f"no answer within {seconds} s" if state.language == "en" else f"geen antwoord binnen {seconds} s"
        return None
    except Exception as exc:
        state.fallback_reason = str(exc)[:200] or type(exc).__name__
        return None
    return generation.answer_part("".join(pieces), request)


def _stream_within(
    model: BaseChatModel, messages: list[BaseMessage], deadline: float, grammar: str | None = None
) -> Iterator[str]:
    """The model's text as it streams, given up (TimeoutError) when the deadline passes.

    The model runs in its own thread: a backend that hangs before its first token, or ignores its
    own timeout, cannot hold the answer back; the abandoned thread ends at its next chunk."""
    if time.monotonic() >= deadline:
        raise TimeoutError
    chunks: queue.Queue[str | Exception | None] = queue.Queue()
    abandoned = threading.Event()

    def pump() -> None:
        try:
            for chunk in model.stream(messages, **({"grammar": grammar} if grammar else {})):
                if abandoned.is_set():
                    return
                chunks.put(chunk.content if isinstance(chunk.content, str) else "")
        except Exception as exc:  # re-raised in the consumer's thread
            chunks.put(exc)
            return
        chunks.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        while True:
            try:
                item = chunks.get(timeout=min(max(deadline - time.monotonic(), 0.0), threading.TIMEOUT_MAX))
            except queue.Empty:
                raise TimeoutError from None
            if item is None:
                return
            if isinstance(item, Exception):
                raise item
            if item:
                yield item
            if time.monotonic() > deadline:
                raise TimeoutError
    finally:
        abandoned.set()


def verify(state: ChainState, services: AnswerServices) -> None:
    """Keep generated sentences only where the cited passages support them; re-cite or drop others."""
    started = time.perf_counter()
    draft = state.draft
    if draft is not None and NOT_FOUND.search(draft):
        state.model_refused = True
    elif draft:
        embedder = services.sentence_embedder()
        passages = [p for p, _ in state.passages]
        kept: list[Claim] = []
        dropped = 0
        # "… gegaan. [1] De …": the marker belongs to the sentence before it.
        draft = re.sub(rf"([.!?…])((?:\s*{MARKER.pattern})+)", lambda m: m.group(2) + m.group(1), draft.replace("\n", " "))
        for sentence in split_sentences(draft):
            # A marker outside 1..len(passages) names nothing that was retrieved: it is ignored.
            found = (int(n) for group in MARKER.findall(sentence) for n in re.findall(r"\d+", group))
            numbers = dict.fromkeys(n for n in found if 0 < n <= len(passages))
            cited = [passages[n - 1] for n in numbers]
            bare = re.sub(r"\s+([.,;:!?…])", r"\1", re.sub(r"\s{2,}", " ", MARKER.sub("", sentence))).strip()
            if len(re.findall(r"\w+", bare)) < 2:
                continue
            support = _supporting(bare, cited, passages, embedder, state.language)
            if support:
                kept.append((bare, list({p.id: p for p in support}.values())))  # sources may number one paragraph twice
            else:
                dropped += 1
        if kept and not _rests_on_best_passages(kept, state.scored):
            state.fallback_reason = (
                "het antwoord steunt niet op de best passende passage" if state.language == "nl" else "the answer does not rest on the best-matching passage"
            )
            kept = []
        state.claims = kept
        state.dropped = dropped
    state.timings["verify_ms"] = _ms(started)


def _rests_on_best_passages(kept: list[Claim], scored: list[ScoredSentence]) -> bool:
    """A verified answer can still answer another question than the one asked (a small model
    copying the wrong footnote): it must cite a passage that matches the question about as well as
    the best one does."""
    if not scored:
        return True
    top = scored[0][0]
    leaders = [paragraph for score, paragraph, _, _ in scored if score >= top - 0.02]
    # A footnote and the paragraph it annotates answer together.
    best = {p.id for p in leaders} | {ref for p in leaders for ref in (*p.footnote_refs, *p.referenced_by)}
    return any(p.id in best for _, paragraphs in kept for p in paragraphs)


def _supporting(sentence: str, cited: list[Paragraph], passages: list[Paragraph], embedder: SentenceEmbedder, language: str) -> list[Paragraph]:
    """The paragraphs to cite for a sentence: those it cites if they support it, else the one that
    does; a footnote and the paragraph it annotates support together and are then cited together."""
    if cited:
        linked = [c for p in cited for c in _linked(p, passages) if c not in cited]
        if is_supported(sentence, cited + linked, embedder, language=language):
            return cited + _holding_the_rest(sentence, cited, linked)
    _, paragraph, _ = best_support(sentence, passages, embedder)
    if paragraph is not None and is_supported(sentence, [paragraph], embedder, language=language):
        return [paragraph] + _holding_the_rest(sentence, [paragraph], _linked(paragraph, passages))
    return []


def _holding_the_rest(sentence: str, cited: list[Paragraph], linked: list[Paragraph]) -> list[Paragraph]:
    """Linked paragraphs whose own text holds names or numbers of the sentence that the cited
    paragraphs' own text lacks (a footnote is checked together with its anchor sentence, but the
    reader sees only the footnote)."""
    missing = set(missing_entities(sentence, " ".join(p.text for p in cited), include_first=True, written_numbers=True))
    return [p for p in linked if missing - set(missing_entities(sentence, p.text, include_first=True, written_numbers=True))] if missing else []


def _linked(paragraph: Paragraph, passages: list[Paragraph]) -> list[Paragraph]:
    ids = set(paragraph.footnote_refs) | set(paragraph.referenced_by)
    return [p for p in passages if p.id in ids]


def format_answer(state: ChainState) -> Answer:
    """The verified sentences with dense citation markers; else the extractive quotes (with a
    fallback notice when a model was asked), or the refusal with the closest passages."""
    language = state.language
    texts = TEXTS[language]
    backend = state.backend
    notice = ""
    if not state.relevance.answerable or state.model_refused:
        return _refusal(state, texts)
    if state.claims:
        citations: list[Paragraph] = []
        lines = []
        for sentence, paragraphs in state.claims:
            markers = "".join(f"[{_cite(citations, p)}]" for p in paragraphs)
            body, end = re.fullmatch(r"(.*?)([.!?…]*)", sentence.rstrip(), re.S).groups()
            lines.append(f"{body} {markers}{end}")
        if state.dropped:
            notice = texts["dropped"].format(n=state.dropped)
        return _answer(state, " ".join(lines), True, backend, notice, citations)
    if state.generative:
        reason = state.fallback_reason or ("geen controleerbare zinnen" if language == "nl" else "no verifiable sentences")
        notice = texts["fallback"].format(backend=backend, reason=reason)
        backend = f"extractive (fallback van {backend})" if language == "nl" else f"extractive (fallback from {backend})"
    citations = []
    blocks = []
    for quote in extractive.select_quotes(state.scored, relevance=state.relevance):
        paragraph = quote.paragraph
        block = f"{quote_intro(paragraph, quote.text, language)} {quoted(quote.text)} [{_cite(citations, paragraph)}]"
        # "… vier criteria gehanteerd:" says what follows; the items are the answer.
        for item in _announced_items(state.hits, paragraph) if quote.text.rstrip().endswith(":") else ():
            block += f"\n- {quoted(item.text)} [{_cite(citations, item)}]"
        if paragraph.kind == "footnote" and paragraph.anchor:
            referencing = _referencing(state.hits, paragraph)
            if referencing is not None:
                block += f"\n{texts['footnote_anchor']} {quoted(paragraph.anchor)} [{_cite(citations, referencing)}]"
        blocks.append(block)
    return _answer(state, "\n\n".join(blocks), True, backend, notice, citations)


def quote_intro(paragraph: Paragraph, quote: str, language: str) -> str:
    """"Volgens <document>, <label>:"; a quote stays in its own language, and the frame says so
    when that is not the question's."""
    texts = TEXTS[language]
    intro = texts["intro"] if language_of(quote) == language else texts["intro_other_language"]
    return intro.format(title=paragraph.doc_title, label=paragraph.label)


def quoted(text: str) -> str:
    """Verbatim text in quotation marks; text that itself opens with one ("“De Route naar 2035” is …")
    is shown as it is, not as ““De Route…"."""
    return text if text[:1] in OPENING_QUOTES else f"“{text}”"


def _announced_items(hits: list[Hit], paragraph: Paragraph) -> list[Paragraph]:
    """The list items that the paragraph announces (linked to it by the retriever)."""
    for hit in hits:
        if hit.paragraph.id == paragraph.id:
            return [p for p in hit.context if p.kind == "list_item"]
    return []


def _referencing(hits: list[Hit], footnote: Paragraph) -> Paragraph | None:
    for hit in hits:
        for paragraph in (hit.paragraph, *hit.context):
            if paragraph.id in footnote.referenced_by:
                return paragraph
    return None


def _refusal(state: ChainState, texts: dict[str, str]) -> Answer:
    citations: list[Paragraph] = []
    closest = extractive.closest_paragraphs(state.hits)
    # Kept to one document (named in the question or chosen): say which one does not say it.
    only = state.hits[0].paragraph.doc_title if len(state.searched) == 1 and state.hits else ""
    lines = [texts["refusal_in"].format(title=only) if only else texts["refusal"]]
    if closest:
        lines.append(texts["closest"])
        lines.extend(f"- [{_cite(citations, p)}] {p.doc_title}, {p.label}" for p in closest)
    return _answer(state, "\n".join(lines), False, state.backend, "", citations)


def _cite(citations: list[Paragraph], paragraph: Paragraph) -> int:
    """Dense numbering in order of first use; a paragraph cited twice keeps its number."""
    for n, existing in enumerate(citations, start=1):
        if existing.id == paragraph.id:
            return n
    citations.append(paragraph)
    return len(citations)


def _answer(state: ChainState, text: str, answerable: bool, backend: str, notice: str, cited: list[Paragraph]) -> Answer:
    citations = tuple(Citation.of(n, p) for n, p in enumerate(cited, start=1))
    state.timings["total_ms"] = _ms(state.started)
    return Answer(
        question=state.question,
        answer=text,
        answerable=answerable,
        backend=backend,
        notice=notice,
        citations=citations,
        timings=dict(state.timings),
        language=state.language,
        prompt_version=state.prompt_version,
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


# -- entry points ---------------------------------------------------------------------------------


def run(state: ChainState, services: AnswerServices) -> Answer:
    condense(state)
    retrieve(state, services)
    generate(state, services)
    verify(state, services)
    return format_answer(state)


def new_state(
    services: AnswerServices, question: str, history: list[dict[str, str]], backend: str | None,
    documents: tuple[str, ...] | None = None,
) -> ChainState:
    """The request, with the backend resolved and its chat model built (or why it could not be);
    `documents` (doc ids, checked by the service) limits retrieval to those documents."""
    from assistant.llm import BackendError, resolve_backend

    name = resolve_backend(services.settings, backend)
    state = ChainState(
        question=question,
        history=[m for m in history if isinstance(m, dict)],
        documents=documents or None,
        backend=name,
        deadline=time.monotonic() + services.settings.llm_timeout_s,
    )
    if name != "extractive":
        try:
            state.model = services.chat_model(name)
        except BackendError as exc:
            state.model_error = str(exc)[:200] or type(exc).__name__
    return state


def answer_question(
    services: AnswerServices, question: str, history: list[dict[str, str]], backend: str | None,
    documents: tuple[str, ...] | None = None,
) -> Answer:
    return run(new_state(services, question, history, backend, documents), services)
