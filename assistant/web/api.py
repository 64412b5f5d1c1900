"""JSON/SSE HTTP API: /api/ask, /api/check, /api/documents, /api/feedback, /healthz, /readyz."""

from __future__ import annotations

import json
import logging
import weakref
from typing import Annotated, Any, Callable, Iterator, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictStr, StringConstraints

from assistant.config import Settings
from assistant.questions import clean_text, validated_text
from assistant.types import AssistantService, StreamEvent
from assistant.web.feedback import FeedbackStore
from assistant.web.gate import RequestGate
from ingest.errors import UserError

log = logging.getLogger(__name__)

MAX_HISTORY_TURNS = 40
MAX_HISTORY_CHARS = 20_000
MAX_FILTER_DOCUMENTS = 500
Text = Annotated[StrictStr, BeforeValidator(clean_text)]
DocumentId = Annotated[StrictStr, StringConstraints(max_length=200), BeforeValidator(clean_text)]


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: Text = Field(max_length=MAX_HISTORY_CHARS)


class AskRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"question": "Wat is de Semicon Visie 2035?", "stream": False}]})

    question: Text = Field(description="De vraag, niet leeg; maximaal settings.max_question_chars tekens.")
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS, description="Eerdere beurten van het gesprek.")
    backend: Text | None = Field(default=None, max_length=200, description="Antwoordbackend, bv. 'extractive'.")
    documents: list[DocumentId] | None = Field(
        default=None, max_length=MAX_FILTER_DOCUMENTS,
        description="Zoek alleen in deze documenten: document-id's uit GET /api/documents. Weglaten of een lege lijst: "
        "alle documenten. Een onbekend id geeft 400.",
    )
    stream: StrictBool = Field(default=False, description="Antwoord als text/event-stream: eerst 'extractive' (het letterlijke antwoord), dan 'token'-events van de samenvatting door het taalmodel (als dat meeschrijft), dan één 'answer'.")


class CheckRequest(BaseModel):
    claim: Text = Field(description="Citaat of bewering om in de bronnen op te zoeken.")


class FeedbackRequest(BaseModel):
    question: Text = Field(max_length=MAX_HISTORY_CHARS)
    answer: Text = Field(max_length=MAX_HISTORY_CHARS)
    citations: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    rating: Literal["up", "down"]
    comment: Text = Field(default="", max_length=2000)


def _client_key(request: Request) -> str:
    return request.client.host if request.client else "onbekend"


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _event_bytes(event: StreamEvent) -> bytes:
    # 'extractive': the verbatim answer, before any model writes; 'answer': the final one.
    if event.type in ("extractive", "answer") and event.answer is not None:
        return _sse(event.type, event.answer.to_dict())
    return _sse("token", {"text": event.text})


def _stream(first: StreamEvent | None, rest: Iterator[StreamEvent], done: Callable[[], None]) -> Iterator[bytes]:
    try:
        if first is not None:
            yield _event_bytes(first)
        for event in rest:
            yield _event_bytes(event)
    except UserError as exc:
        yield _sse("error", {"detail": str(exc), "status": exc.status})
    except Exception:
        log.exception("streaming answer failed")
        yield _sse("error", {"detail": "Er ging iets mis bij het maken van het antwoord. Probeer het opnieuw.", "status": 500})
    finally:
        done()


def build_router(settings: Settings, service: AssistantService, feedback: FeedbackStore, gate: RequestGate) -> APIRouter:
    router = APIRouter()
    max_chars = settings.max_question_chars

    @router.post(
        "/api/ask",
        tags=["assistent"],
        summary="Stel een vraag",
        response_model=None,
        responses={429: {"description": "Te veel vragen van deze client, of de wachtrij voor het taalmodel is vol (met Retry-After)."}},
    )
    def ask(body: AskRequest, request: Request) -> Any:
        """Antwoord (Answer-JSON) met citaten; met `stream: true` als text/event-stream; met `documents` alleen uit die documenten."""
        question = validated_text(body.question, max_chars)
        history = [t.model_dump() for t in body.history]
        place = gate.admit(_client_key(request), body.backend)
        if not body.stream:
            with place:
                return service.ask(question, history, body.backend, body.documents).to_dict()
        try:
            events = iter(service.ask_stream(question, history, body.backend, body.documents))
            # Pull the first event now, so a service that is not ready still gets a proper status code.
            first = next(events, None)
        except BaseException:
            place.release()
            raise
        body_iter = _stream(first, events, place.release)
        # A client that hangs up before the first byte leaves the generator unstarted, so its
        # `finally` never runs; the place in the queue still comes back when it is collected.
        weakref.finalize(body_iter, place.release)
        return StreamingResponse(body_iter, media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @router.post("/api/check", tags=["assistent"], summary="Controleer een citaat")
    def check(body: CheckRequest, request: Request) -> dict[str, Any]:
        """Zoekt de tekst letterlijk, bijna letterlijk of inhoudelijk in de bronnen (CheckResult-JSON)."""
        claim = validated_text(body.claim, max_chars, "claim")
        gate.limit(_client_key(request))
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
        gate.limit(_client_key(request))
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
