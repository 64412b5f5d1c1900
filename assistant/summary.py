"""The verbatim answer first, the language model's summary on top.

Every question is answered verbatim (extractive: quoted sentences with citations, in milliseconds).
When a generative backend is asked for, its answer is written after that, passes the same
verification, and is added as a second part: a summary by the language model with its own
markers. When verification drops it (or the model finds nothing), the verbatim answer stays.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterator

from assistant.types import Answer, StreamEvent

VERBATIM = "extractive"
TEXTS = {
    "nl": {"model_refused": "Het taalmodel ({backend}) vond het antwoord niet in de passages; het letterlijke antwoord blijft staan."},
    "en": {"model_refused": "The language model ({backend}) did not find the answer in the passages; the verbatim answer stands."},
}


def generative_backend(settings: Any, backend: str | None) -> str | None:
    """The generative backend `backend` (default: the configured one) resolves to, or None."""
    from assistant.llm import resolve_backend

    resolved = resolve_backend(settings, backend)
    return None if resolved == VERBATIM else resolved


def ask(assistant: Any, question: str, history: list[dict[str, str]], backend: str | None) -> Answer:
    from assistant.chain import answer_question

    generative = generative_backend(assistant.settings, backend)
    verbatim = answer_question(assistant, question, history, VERBATIM)
    if generative is None:
        return _alone(verbatim)
    return combine(verbatim, answer_question(assistant, question, history, generative))


def stream(assistant: Any, question: str, history: list[dict[str, str]], backend: str | None) -> Iterator[StreamEvent]:
    """'extractive' as soon as the verbatim answer exists, then the summary's tokens, then 'answer'."""
    from assistant.chain import answer_question, stream_answer

    generative = generative_backend(assistant.settings, backend)
    verbatim = answer_question(assistant, question, history, VERBATIM)
    yield StreamEvent("extractive", answer=verbatim)
    if generative is None:
        yield StreamEvent("answer", answer=_alone(verbatim))
        return
    for event in stream_answer(assistant, question, history, generative):
        if event.type == "answer" and event.answer is not None:
            yield StreamEvent("answer", answer=combine(verbatim, event.answer))
        else:
            yield event


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
    """The generative backend a "Vat samen" request uses when the configured backend answers
    verbatim only: with 'auto', the local model when it is installed; None when there is none
    (or when the configured backend already writes a summary with every answer)."""
    from assistant.llm import local_available

    if (settings.backend or "auto").strip().lower() != "auto" or generative_backend(settings, None):
        return None
    return "local" if local_available(settings) else None
