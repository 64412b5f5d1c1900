"""JSON/SSE HTTP API: /api/ask, /api/check, /api/documents, /api/feedback, /healthz, /readyz."""

from __future__ import annotations

import json
import logging
import threading
import unicodedata
import weakref
from typing import Annotated, Any, Iterator, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictStr

from assistant.types import AssistantService, StreamEvent
from ingest.errors import UserError
from assistant.web.feedback import FeedbackStore
from assistant.web.security import QUEUE_FULL_MESSAGE, RATE_LIMIT_MESSAGE, GenerationQueue, RateLimiter

log = logging.getLogger(__name__)

MAX_HISTORY_TURNS = 40
MAX_HISTORY_CHARS = 20_000
# Control, format (bidi overrides, zero-width), surrogate, private-use and unassigned code points.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


def clean_text(value: Any) -> Any:
    """Text without invisible code points (anything else unchanged, for the type check to refuse):
    lone surrogates cannot even be written back as UTF-8, and control or bidi characters only
    serve to hide what a question says."""
    if not isinstance(value, str) or (value.isascii() and value.isprintable()):
        return value
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c) not in _INVISIBLE)


Text = Annotated[StrictStr, BeforeValidator(clean_text)]


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: Text = Field(max_length=MAX_HISTORY_CHARS)


class AskRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"question": "Wat is de Semicon Visie 2035?", "stream": False}]})

    question: Text = Field(description="De vraag, niet leeg; maximaal settings.max_question_chars tekens.")
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS, description="Eerdere beurten van het gesprek.")
    backend: Text | None = Field(default=None, max_length=200, description="Antwoordbackend, bv. 'extractive'.")
    stream: StrictBool = Field(default=False, description="Antwoord als text/event-stream: 'token'-events, dan één 'answer'.")


class CheckRequest(BaseModel):
    claim: Text = Field(description="Citaat of bewering om in de bronnen op te zoeken.")


class FeedbackRequest(BaseModel):
    question: Text = Field(max_length=MAX_HISTORY_CHARS)
    answer: Text = Field(max_length=MAX_HISTORY_CHARS)
    citations: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    rating: Literal["up", "down"]
    comment: Text = Field(default="", max_length=2000)


def required_text(value: str, limit: int, what: str) -> str:
    """Stripped text, or a UserError with 422/413 that says what to change."""
    text = value.strip()
    if not text:
        raise _status_error(422, f"De {what} is leeg; typ een {what}.")
    if len(text) > limit:
        raise _status_error(413, f"De {what} is te lang: maximaal {limit} tekens, dit zijn er {len(text)}.")
    return text


def _status_error(status: int, message: str, retry_after: int | None = None) -> UserError:
    error = UserError(message)
    error.status = status
    if retry_after is not None:
        error.headers = {"Retry-After": str(retry_after)}
    return error


def is_generative(settings: Any, backend: str | None) -> bool:
    """Whether answering with `backend` (default: the configured one) waits for a language model."""
    from assistant.llm import resolve_backend

    try:
        return resolve_backend(settings, backend) != "extractive"
    except UserError:
        return False  # the service says what is wrong with the name


class _Release:
    """A place in the generation queue, taken on creation (or a 429 UserError with Retry-After
    when the queue is full); calling it gives the place back, once however often it is called."""

    def __init__(self, queue: GenerationQueue):
        started = queue.try_enter()
        if started is None:
            raise _status_error(429, QUEUE_FULL_MESSAGE, queue.retry_after())
        self._queue, self._started = queue, started
        self._lock = threading.Lock()
        self._done = False

    def __call__(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        self._queue.leave(self._started)


def _client_key(request: Request) -> str:
    return request.client.host if request.client else "onbekend"


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _event_bytes(event: StreamEvent) -> bytes:
    if event.type == "answer" and event.answer is not None:
        return _sse("answer", event.answer.to_dict())
    return _sse("token", {"text": event.text})


def _stream(first: StreamEvent | None, rest: Iterator[StreamEvent], done: Any = None) -> Iterator[bytes]:
    try:
        if first is not None:
            yield _event_bytes(first)
        for event in rest:
            yield _event_bytes(event)
    except UserError as exc:
        yield _sse("error", {"detail": str(exc), "status": getattr(exc, "status", 400)})
    except Exception:
        log.exception("streaming answer failed")
        yield _sse("error", {"detail": "Er ging iets mis bij het maken van het antwoord. Probeer het opnieuw.", "status": 500})
    finally:
        if done is not None:
            done()


def build_router(
    settings: Any, service: AssistantService, feedback: FeedbackStore, limiter: RateLimiter, queue: GenerationQueue | None = None
) -> APIRouter:
    router = APIRouter()
    max_chars = int(getattr(settings, "max_question_chars", 2000))
    queue = queue or GenerationQueue(int(getattr(settings, "generation_queue", 4)))

    def _limit(request: Request) -> None:
        key = _client_key(request)
        if not limiter.allow(key):
            raise _status_error(429, RATE_LIMIT_MESSAGE, limiter.retry_after(key))

    @router.post(
        "/api/ask",
        tags=["assistent"],
        summary="Stel een vraag",
        response_model=None,
        responses={429: {"description": "Te veel vragen van deze client, of de wachtrij voor het taalmodel is vol (met Retry-After)."}},
    )
    def ask(body: AskRequest, request: Request) -> Any:
        """Antwoord (Answer-JSON) met citaten; met `stream: true` als text/event-stream."""
        question = required_text(body.question, max_chars, "vraag")
        _limit(request)
        history = [t.model_dump() for t in body.history]
        release = _Release(queue) if is_generative(settings, body.backend) else None
        if not body.stream:
            try:
                return service.ask(question, history, body.backend).to_dict()
            finally:
                if release:
                    release()
        try:
            events = iter(service.ask_stream(question, history, body.backend))
            # Pull the first event now, so a service that is not ready still gets a proper status code.
            first = next(events, None)
        except BaseException:
            if release:
                release()
            raise
        body_iter = _stream(first, events, release)
        if release:
            # A client that hangs up before the first byte leaves the generator unstarted, so its
            # `finally` never runs; the place in the queue still comes back when it is collected.
            weakref.finalize(body_iter, release)
        return StreamingResponse(body_iter, media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @router.post("/api/check", tags=["assistent"], summary="Controleer een citaat")
    def check(body: CheckRequest, request: Request) -> dict[str, Any]:
        """Zoekt de tekst letterlijk, bijna letterlijk of inhoudelijk in de bronnen (CheckResult-JSON)."""
        claim = required_text(body.claim, max_chars, "tekst")
        _limit(request)
        return service.check(claim).to_dict()

    @router.get("/api/documents", tags=["documenten"], summary="Ingelezen documenten")
    def documents() -> list[dict[str, Any]]:
        return service.documents()

    @router.get("/api/documents/{doc_id}", tags=["documenten"], summary="Eén document met alle alinea's")
    def document(doc_id: str) -> dict[str, Any]:
        doc = service.document(doc_id)
        if doc is None:
            raise HTTPException(404, "Dit document bestaat niet in de assistent.")
        return doc

    @router.post("/api/feedback", tags=["assistent"], summary="Duim omhoog of omlaag bij een antwoord", status_code=201)
    def add_feedback(body: FeedbackRequest, request: Request) -> dict[str, Any]:
        _limit(request)
        fid = feedback.add(body.question, body.answer, body.citations, body.rating, body.comment)
        return {"id": fid}

    @router.get("/healthz", tags=["beheer"], summary="Het proces leeft")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", tags=["beheer"], summary="De assistent kan vragen beantwoorden")
    def readyz() -> JSONResponse:
        try:
            ok, message = service.ready()
        except Exception:
            log.exception("readiness check failed")
            ok, message = False, "De gereedheid kon niet worden vastgesteld."
        from assistant.summary import backend_choice

        backend = backend_choice(settings).to_dict()
        if ok:
            return JSONResponse({"status": "ready", "detail": message, "backend": backend})
        return JSONResponse({"status": "not_ready", "detail": message, "backend": backend}, status_code=503)

    return router
