"""The answer chain (LCEL): condense -> retrieve -> answer -> verify -> format.

Every backend passes the same relevance gate and the same verification; a generative backend that
fails, times out or produces nothing verifiable falls back to the extractive answer with a notice.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from typing import Any, Callable, Iterator

from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableLambda

import prompts
from assistant import extractive
from assistant.support import SentenceEmbedder, best_support, is_supported, missing_entities
from assistant.sentences import split_sentences
from assistant.types import Answer, Citation, StreamEvent

# "[2]", and the "[1, 2]" or "[1-2]" small models write as well.
MARKER = re.compile(r"\[(\d{1,2}(?:\s*[,;–-]\s*\d{1,2})*)\]")
NOT_FOUND = re.compile(r"\b(?:NIET[_ ]GEVONDEN|NOT[_ ]FOUND)\b")
FOLLOW_UP_WORDS = {
    "erin", "ervan", "daarvan", "daarin", "daarover", "hij", "zij", "ze", "hen", "hun", "die", "dat", "dit", "deze",
    "they", "them", "it", "its", "their", "those", "that", "this", "these", "he", "she",
}

TEXTS = {
    "nl": {
        "intro": "Volgens {title}, {label}:",
        "footnote_anchor": "Deze voetnoot hoort bij de zin:",
        "refusal": "Dat staat niet in de documenten die ik kan raadplegen, dus daar geef ik geen antwoord op.",
        "closest": "Mogelijk relevante passages:",
        "fallback": "Het taalmodel ({backend}) gaf geen bruikbaar antwoord ({reason}); hieronder staan de letterlijke passages.",
        "dropped": "{n} zin(nen) uit het gegenereerde antwoord weggelaten omdat de bronnen ze niet staven.",
    },
    "en": {
        "intro": "According to {title}, {label} (quoted in Dutch):",
        "footnote_anchor": "This footnote belongs to the sentence:",
        "refusal": "The documents I can consult do not say this, so I cannot answer it.",
        "closest": "Possibly relevant passages:",
        "fallback": "The language model ({backend}) gave no usable answer ({reason}); the verbatim passages are shown below.",
        "dropped": "{n} sentence(s) of the generated answer were left out because the sources do not support them.",
    },
}


def embedder_for(assistant: Any) -> SentenceEmbedder:
    """One sentence-embedding cache per assistant."""
    with assistant._lock:
        if getattr(assistant, "_sentence_embedder", None) is None:
            assistant._sentence_embedder = SentenceEmbedder(assistant.embeddings)
        return assistant._sentence_embedder


# -- steps ----------------------------------------------------------------------------------------


def condense(state: dict[str, Any]) -> dict[str, Any]:
    question, history = state["question"], state["history"]
    previous = [m["content"] for m in history if m.get("role") == "user" and m.get("content")]
    state["language"] = extractive.language_of(question)
    state["standalone"] = question
    if not previous or not _looks_like_follow_up(question):
        return state
    model = state.get("model")
    if model is not None:
        try:
            template, _ = prompts.load("condense", state["language"])
            lines = "\n".join(f"{m['role']}: {m['content'][:500]}" for m in history[-6:])
            message = HumanMessage(template.format(history=lines, question=question))
            rewritten = "".join(_stream_within(model, [message], state["deadline"])).strip()
            if 0 < len(rewritten) < 400 and not NOT_FOUND.search(rewritten):
                state["standalone"] = rewritten.splitlines()[0]
                return state
        except Exception:
            pass  # the heuristic below still resolves the follow-up; generation reports the failure
    state["standalone"] = f"{previous[-1]} {question}"
    return state


def _looks_like_follow_up(question: str) -> bool:
    words = re.findall(r"[a-zà-ÿ]+", question.lower())
    return len(words) <= 4 or bool(FOLLOW_UP_WORDS & set(words)) or words[:1] in (["en"], ["and"], ["ook"], ["also"])


def retrieve(state: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    assistant = state["assistant"]
    state["hits"] = assistant.retriever.search(state["standalone"], assistant.settings.top_k)
    state["relevance"], state["scored"] = extractive.assess(
        state["standalone"], state["hits"], state["embedder"], assistant.retriever.vocabulary()
    )
    state["timings"]["retrieve_ms"] = _ms(started)
    return state


def generate(state: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    if not state["relevance"].answerable:
        state["draft"] = None
    elif state.get("model") is None:
        state["draft"] = None
    else:
        state["draft"] = _generate_with_model(state)
    state["timings"]["generate_ms"] = _ms(started)
    return state


def _generate_with_model(state: dict[str, Any]) -> str | None:
    passages = _prompt_passages(state)
    state["passages"] = passages
    template, version = prompts.load("answer", state["language"])
    state["prompt_version"] = version
    context = "\n\n".join(f"[{i}] ({p.doc_title}, {p.label}) {text}" for i, (p, text) in enumerate(passages, start=1))
    message = HumanMessage(template.format(context=context, question=state["standalone"]))
    on_token: Callable[[str], None] | None = state.get("on_token")
    pieces: list[str] = []
    try:
        for text in _stream_within(state["model"], [message], state["deadline"]):
            if not pieces:
                state["timings"]["first_token_ms"] = _ms(state["started"])
            pieces.append(text)
            if on_token:
                on_token(text)
    except TimeoutError:
        seconds = f"{state['assistant'].settings.llm_timeout_s:g}"
        state["fallback_reason"] = f"no answer within {seconds} s" if state["language"] == "en" else f"geen antwoord binnen {seconds} s"
        return None
    except Exception as exc:
        state["fallback_reason"] = str(exc)[:200] or type(exc).__name__
        return None
    return "".join(pieces).strip()


def _stream_within(model: Any, messages: list[Any], deadline: float) -> Iterator[str]:
    """The model's text as it streams, given up (TimeoutError) when the deadline passes.

    The model runs in its own thread: a backend that hangs before its first token, or ignores its
    own timeout, cannot hold the answer back; the abandoned thread ends at its next chunk."""
    if time.monotonic() >= deadline:
        raise TimeoutError
    chunks: queue.Queue = queue.Queue()
    abandoned = threading.Event()

    def pump() -> None:
        try:
            for chunk in model.stream(messages):
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
                item = chunks.get(timeout=max(deadline - time.monotonic(), 0.0))
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


def _prompt_passages(state: dict[str, Any]) -> list[tuple[Any, str]]:
    """The best sentences of the top paragraphs, within the context budget; cited as whole paragraphs."""
    budget = state["assistant"].settings.context_chars
    best_by_paragraph: dict[str, list[int]] = {}
    order: list[Any] = []
    for _, paragraph, index, _ in state["scored"]:
        if paragraph.id not in best_by_paragraph:
            order.append(paragraph)
            best_by_paragraph[paragraph.id] = []
        best_by_paragraph[paragraph.id].append(index)
    passages: list[tuple[Any, str]] = []
    used = 0
    for paragraph in order:
        sentences = split_sentences(paragraph.text)
        keep = sorted(set(best_by_paragraph[paragraph.id][:2]) | {i + 1 for i in best_by_paragraph[paragraph.id][:1] if i + 1 < len(sentences)})
        text = " ".join(sentences[i] for i in keep)
        if paragraph.anchor:
            text = f"{text} (voetnoot bij: {paragraph.anchor})"
        if used + len(text) > budget and passages:
            break
        passages.append((paragraph, text))
        used += len(text)
        if len(passages) >= 4:
            break
    return passages


def verify(state: dict[str, Any]) -> dict[str, Any]:
    """Keep generated sentences only where the cited passages support them; re-cite or drop others."""
    started = time.perf_counter()
    draft = state.get("draft")
    state["claims"] = None
    if draft is not None and NOT_FOUND.search(draft):
        state["model_refused"] = True
    elif draft:
        passages = [p for p, _ in state["passages"]]
        kept: list[tuple[str, list[Any]]] = []
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
            support = _supporting(bare, cited, passages, state["embedder"], state["language"])
            if support:
                kept.append((bare, support))
            else:
                dropped += 1
        if kept and not _rests_on_best_passages(kept, state["scored"]):
            state["fallback_reason"] = (
                "het antwoord steunt niet op de best passende passage" if state["language"] == "nl" else "the answer does not rest on the best-matching passage"
            )
            kept = []
        state["claims"] = kept
        state["dropped"] = dropped
    state["timings"]["verify_ms"] = _ms(started)
    return state


def _rests_on_best_passages(kept: list[tuple[str, list[Any]]], scored: list[tuple[float, Any, int, str]]) -> bool:
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


def _supporting(sentence: str, cited: list[Any], passages: list[Any], embedder: SentenceEmbedder, language: str) -> list[Any]:
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


def _holding_the_rest(sentence: str, cited: list[Any], linked: list[Any]) -> list[Any]:
    """Linked paragraphs whose own text holds names or numbers of the sentence that the cited
    paragraphs' own text lacks (a footnote is checked together with its anchor sentence, but the
    reader sees only the footnote)."""
    missing = set(missing_entities(sentence, " ".join(p.text for p in cited), include_first=True))
    return [p for p in linked if missing - set(missing_entities(sentence, p.text, include_first=True))] if missing else []


def _linked(paragraph: Any, passages: list[Any]) -> list[Any]:
    ids = set(paragraph.footnote_refs) | set(paragraph.referenced_by)
    return [p for p in passages if p.id in ids]


def format_answer(state: dict[str, Any]) -> Answer:
    language = state["language"]
    texts = TEXTS[language]
    backend = state["backend"]
    notice = ""
    claims = state.get("claims")
    relevance = state["relevance"]
    if not relevance.answerable or state.get("model_refused"):
        return _refusal(state, texts)
    if claims:
        citations: list[Any] = []
        lines = []
        for sentence, paragraphs in claims:
            markers = "".join(f"[{_cite(citations, p)}]" for p in paragraphs)
            body, end = re.fullmatch(r"(.*?)([.!?…]*)", sentence.rstrip(), re.S).groups()
            lines.append(f"{body} {markers}{end}")
        if state.get("dropped"):
            notice = texts["dropped"].format(n=state["dropped"])
        return _answer(state, " ".join(lines), True, backend, notice, citations)
    if state.get("model") is not None:
        reason = state.get("fallback_reason") or ("geen controleerbare zinnen" if language == "nl" else "no verifiable sentences")
        notice = texts["fallback"].format(backend=backend, reason=reason)
        backend = f"extractive (fallback van {backend})" if language == "nl" else f"extractive (fallback from {backend})"
    citations = []
    blocks = []
    for quote in extractive.select_quotes(state["scored"], relevance=relevance):
        paragraph = quote.paragraph
        block = f"{texts['intro'].format(title=paragraph.doc_title, label=paragraph.label)} “{quote.text}” [{_cite(citations, paragraph)}]"
        if paragraph.kind == "footnote" and paragraph.anchor:
            referencing = _referencing(state, paragraph)
            if referencing is not None:
                block += f"\n{texts['footnote_anchor']} “{paragraph.anchor}” [{_cite(citations, referencing)}]"
        blocks.append(block)
    return _answer(state, "\n\n".join(blocks), True, backend, notice, citations)


def _referencing(state: dict[str, Any], footnote: Any) -> Any | None:
    for hit in state["hits"]:
        for paragraph in (hit.paragraph, *hit.context):
            if paragraph.id in footnote.referenced_by:
                return paragraph
    return None


def _refusal(state: dict[str, Any], texts: dict[str, str]) -> Answer:
    citations: list[Any] = []
    closest = extractive.closest_paragraphs(state["hits"])
    lines = [texts["refusal"]]
    if closest:
        lines.append(texts["closest"])
        lines.extend(f"- [{_cite(citations, p)}] {p.doc_title}, {p.label}" for p in closest)
    return _answer(state, "\n".join(lines), False, state["backend"], "", citations)


def _cite(citations: list[Any], paragraph: Any) -> int:
    """Dense numbering in order of first use; a paragraph cited twice keeps its number."""
    for n, existing in enumerate(citations, start=1):
        if existing.id == paragraph.id:
            return n
    citations.append(paragraph)
    return len(citations)


def _answer(state: dict[str, Any], text: str, answerable: bool, backend: str, notice: str, cited: list[Any]) -> Answer:
    citations = tuple(Citation.of(n, p) for n, p in enumerate(cited, start=1))
    state["timings"]["total_ms"] = _ms(state["started"])
    return Answer(
        question=state["question"],
        answer=text,
        answerable=answerable,
        backend=backend,
        notice=notice,
        citations=citations,
        timings=dict(state["timings"]),
        language=state["language"],
        prompt_version=state.get("prompt_version", ""),
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


CHAIN = RunnableLambda(condense) | RunnableLambda(retrieve) | RunnableLambda(generate) | RunnableLambda(verify) | RunnableLambda(format_answer)


# -- entry points ---------------------------------------------------------------------------------


def _initial_state(assistant: Any, question: str, history: list[dict[str, str]], backend: str | None) -> dict[str, Any]:
    from assistant.llm import BackendError, resolve_backend

    name = resolve_backend(assistant.settings, backend)
    state: dict[str, Any] = {
        "assistant": assistant,
        "embedder": embedder_for(assistant),
        "question": question,
        "history": [m for m in history if isinstance(m, dict)],
        "backend": name,
        "timings": {},
        "started": time.perf_counter(),
        "model": None,
        # Condensing and answering share one time budget: the extractive answer stays on time.
        "deadline": time.monotonic() + assistant.settings.llm_timeout_s,
    }
    if name != "extractive":
        factory = assistant._chat_model_factory
        try:
            state["model"] = factory(assistant.settings, name) if factory else _chat_model(assistant, name)
        except BackendError as exc:
            state["model"] = _Unavailable(str(exc))
    return state


class _Unavailable:
    """Stands in for a backend that could not be built: generation fails with the reason why."""

    def __init__(self, reason: str):
        self.reason = reason

    def stream(self, messages: Any) -> Iterator[Any]:
        raise RuntimeError(self.reason)


def _chat_model(assistant: Any, name: str) -> Any:
    from assistant.llm import make_chat_model

    with assistant._lock:
        cache = assistant.__dict__.setdefault("_chat_models", {})
        if name not in cache:
            cache[name] = make_chat_model(assistant.settings, name)
        return cache[name]


def answer_question(assistant: Any, question: str, history: list[dict[str, str]], backend: str | None) -> Answer:
    return CHAIN.invoke(_initial_state(assistant, question, history, backend))


def stream_answer(assistant: Any, question: str, history: list[dict[str, str]], backend: str | None) -> Iterator[StreamEvent]:
    """Tokens as the model writes them, then the verified answer (which may differ: it is checked)."""
    state = _initial_state(assistant, question, history, backend)
    events: queue.Queue = queue.Queue()
    state["on_token"] = lambda text: events.put(StreamEvent("token", text=text))

    def run() -> None:
        try:
            events.put(StreamEvent("answer", answer=CHAIN.invoke(state)))
        except Exception as exc:  # delivered to the consumer, which re-raises it in its own thread
            events.put(exc)

    threading.Thread(target=run, daemon=True).start()
    streamed = False
    while True:
        event = events.get()
        if isinstance(event, Exception):
            raise event
        if event.type == "answer":
            if not streamed:
                for word in re.findall(r"\S+\s*", event.answer.answer):
                    yield StreamEvent("token", text=word)
            yield event
            return
        streamed = True
        yield event

