"""The verbatim answer first, the language model's summary on top.

Every question is answered verbatim (extractive: quoted sentences with citations, in milliseconds).
When a generative backend is asked for, its answer is written after that, passes the same
verification, and is added as a second part: a summary by the language model with its own
markers. When verification drops it (or the model finds nothing), the verbatim answer stays.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from dataclasses import dataclass
from typing import Any, Iterator

from assistant.types import Answer, StreamEvent

VERBATIM = "extractive"
SUMMARY_HEADING = "Samenvatting door het taalmodel"
TEXTS = {
    "nl": {"model_refused": "Het taalmodel ({backend}) vond het antwoord niet in de passages; het letterlijke antwoord blijft staan."},
    "en": {"model_refused": "The language model ({backend}) did not find the answer in the passages; the verbatim answer stands."},
}


@dataclass(frozen=True)
class BackendChoice:
    """What answers come from, for `assistant settings`, /readyz and start-up."""

    summary: str | None  # the generative backend of the summary, None: verbatim answers only
    on_request: bool  # the summary is written when asked ("Vat samen"), not with every answer
    reason: str  # one sentence: why
    problem: str = ""  # one sentence when a configured backend cannot run

    def to_dict(self) -> dict[str, Any]:
        return {"first_answer": VERBATIM, "summary": self.summary, "summary_on_request": self.on_request, "reason": self.reason, "problem": self.problem}


def backend_choice(settings: Any) -> BackendChoice:
    from assistant.llm import local_available, resolve_backend
    from assistant.local_model import default_model_path

    name = (settings.backend or "auto").strip().lower()
    resolved = resolve_backend(settings)
    local_ok = local_available(settings)
    if name == "auto":
        if local_ok:
            return BackendChoice(
                "local", True,
                "auto: eerst het letterlijke antwoord, want het lokale taalmodel scoort op de evaluatiesets lager "
                f"(docs/generation.md); 'Vat samen' vraagt het lokale taalmodel ({default_model_path(settings)}) om een samenvatting.",
            )
        return BackendChoice(None, False, "auto: letterlijke antwoorden; er is geen lokaal taalmodel geïnstalleerd (`make setup-local`), dus geen samenvattingen.")
    if resolved == VERBATIM:
        return BackendChoice(None, False, "ingesteld op extractive: letterlijke antwoorden, geen taalmodel.")
    if resolved == "local" and not local_ok:
        return BackendChoice(
            None, False, "ingesteld op local, maar het lokale taalmodel ontbreekt: letterlijke antwoorden.",
            f"ASSISTANT_BACKEND=local, maar het lokale taalmodel ontbreekt ({default_model_path(settings)} of llama-cpp-python); "
            "de assistent antwoordt letterlijk tot `make setup-local` is uitgevoerd.",
        )
    return BackendChoice(resolved, False, f"ingesteld op {resolved}: eerst het letterlijke antwoord, daaronder bij elk antwoord een gecontroleerde samenvatting.")


def generative_backend(settings: Any, backend: str | None) -> str | None:
    """The generative backend `backend` (default: the configured one) resolves to, or None: with
    'auto' or 'extractive', and for a configured 'local' without the local model (start-up says so
    once; a request that names a missing backend gets the fallback notice with its answer)."""
    from assistant.llm import local_available, resolve_backend

    resolved = resolve_backend(settings, backend)
    if resolved == VERBATIM or (backend is None and resolved == "local" and not local_available(settings)):
        return None
    return resolved


def ask(
    assistant: Any, question: str, history: list[dict[str, str]], backend: str | None, documents: tuple[str, ...] | None = None
) -> Answer:
    """Both parts retrieve from the same documents (`documents`: doc ids, None: all)."""
    from assistant.chain import answer_question

    generative = generative_backend(assistant.settings, backend)
    verbatim = answer_question(assistant, question, history, VERBATIM, documents)
    if generative is None:
        return _alone(verbatim)
    return combine(verbatim, answer_question(assistant, question, history, generative, documents))


def stream(
    assistant: Any, question: str, history: list[dict[str, str]], backend: str | None, documents: tuple[str, ...] | None = None
) -> Iterator[StreamEvent]:
    """'extractive' as soon as the verbatim answer exists, then the summary's tokens as the model
    writes them, then 'answer' (a summary that fails verification is simply not in it). Both parts
    retrieve from the same documents."""
    from assistant.chain import answer_question, new_state, run

    generative = generative_backend(assistant.settings, backend)
    verbatim = answer_question(assistant, question, history, VERBATIM, documents)
    yield StreamEvent("extractive", answer=verbatim)
    if generative is None:
        yield StreamEvent("answer", answer=_alone(verbatim))
        return
    state = new_state(assistant, question, history, generative, documents)
    events: queue.Queue[StreamEvent | Exception] = queue.Queue()
    state.on_token = lambda text: events.put(StreamEvent("token", text=text))

    def produce() -> None:
        try:
            events.put(StreamEvent("answer", answer=combine(verbatim, run(state, assistant))))
        except Exception as exc:  # re-raised in the consumer's thread
            events.put(exc)

    threading.Thread(target=produce, daemon=True).start()
    while True:
        event = events.get()
        if isinstance(event, Exception):
            raise event
        yield event
        if event.type == "answer":
            return


def _alone(verbatim: Answer) -> Answer:
    return dataclasses.replace(verbatim, extractive=verbatim if verbatim.answerable else None)


def is_verified_summary(generated: Answer) -> bool:
    """Whether the generative backend's answer is its own verified text (not a fallback or refusal)."""
    return generated.answerable and not generated.backend.startswith(VERBATIM)


def combine(verbatim: Answer, generated: Answer) -> Answer:
    """The answer with both parts: `answer` is the summary when it was verified, else the verbatim one.

    The generative pass condenses a follow-up with the model, so it may answer where the verbatim
    pass (which condenses by rule) could not; its own verbatim fallback then stands in."""
    timings = {**generated.timings, "extractive_ms": verbatim.timings.get("total_ms", 0.0)}
    shown = verbatim if verbatim.answerable else None
    if is_verified_summary(generated):
        return dataclasses.replace(generated, timings=timings, extractive=shown, generated=generated)
    if generated.answerable:  # fell back to the verbatim answer: keep the fallback's name and notice
        base = shown or dataclasses.replace(generated, backend=VERBATIM, notice="")
        return dataclasses.replace(
            base, backend=generated.backend, notice=generated.notice, timings=timings,
            prompt_version=generated.prompt_version, extractive=base,
        )
    if shown is None:  # nothing to answer from
        return dataclasses.replace(generated, timings=timings)
    backend = f"{VERBATIM} (fallback van {generated.backend})" if verbatim.language == "nl" else f"{VERBATIM} (fallback from {generated.backend})"
    notice = TEXTS[verbatim.language]["model_refused"].format(backend=generated.backend)
    return dataclasses.replace(verbatim, backend=backend, notice=notice, timings=timings, prompt_version=generated.prompt_version, extractive=verbatim)


def on_request_backend(settings: Any) -> str | None:
    """The generative backend a "Vat samen" request uses, when summaries are written on request."""
    choice = backend_choice(settings)
    return choice.summary if choice.on_request else None
