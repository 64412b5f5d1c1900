"""The one web process: HTTP API, document viewer, embeddable widget and the Gradio UI at `/`."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.config import Settings
from assistant.types import AssistantService
from assistant.web import admin, api, embed
from assistant.web.embed import STATIC_DIR
from assistant.web.feedback import FeedbackStore
from assistant.web.gate import RequestGate
from assistant.web.security import SecurityHeadersMiddleware, page_csp, parse_origins
from assistant.web.viewer import error_page, render_document
from ingest.errors import UserError

log = logging.getLogger(__name__)

SERVER_ERROR = "Er ging iets mis aan de kant van de server. Probeer het later opnieuw."

_FIELD_PROBLEMS = {
    "missing": "ontbreekt",
    "string_type": "moet tekst zijn",
    "bool_type": "moet true of false zijn",
    "list_type": "moet een lijst zijn",
    "dict_type": "moet een object zijn",
    "model_type": "moet een object zijn",
    "model_attributes_type": "moet een object zijn",
    "literal_error": "heeft een waarde die niet is toegestaan",
    "string_too_long": "is te lang",
    "too_long": "bevat te veel items",
}
# What FastAPI says about a body json.loads cannot even decode (bad UTF-8, a number too long).
_BODY_PARSE_ERROR = "There was an error parsing the body"
_STATUS_TEXT = {
    404: "Niet gevonden.",
    405: "Deze methode is hier niet toegestaan.",
}


def validation_message(errors: list[dict[str, Any]]) -> str:
    """One Dutch sentence about the first problem in a request body."""
    if not errors:
        return "Ongeldig verzoek."
    first = errors[0]
    kind = first.get("type", "")
    loc = [str(part) for part in first.get("loc", ()) if part != "body"]
    if kind == "json_invalid":
        return "Ongeldig verzoek: de inhoud is geen geldige JSON."
    if not loc:
        return "Ongeldig verzoek: stuur een JSON-object, bijvoorbeeld {\"question\": \"…\"}."
    problem = _FIELD_PROBLEMS.get(kind, "is ongeldig")
    return f"Ongeldig verzoek: het veld '{'.'.join(loc)}' {problem}."


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_message(list(exc.errors()))}, status_code=422)

    @app.exception_handler(UserError)
    async def on_user_error(request: Request, exc: UserError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers=exc.headers or None)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _BODY_PARSE_ERROR:
            return JSONResponse({"detail": "Ongeldig verzoek: de inhoud is geen geldige JSON in UTF-8."}, status_code=422)
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail[:1] and not _is_default(exc) else None
        return JSONResponse(
            {"detail": detail or _STATUS_TEXT.get(exc.status_code, "Het verzoek kon niet worden verwerkt.")},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.error("request %s %s failed", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": SERVER_ERROR}, status_code=500)


def _is_default(exc: StarletteHTTPException) -> bool:
    try:
        return exc.detail == HTTPStatus(exc.status_code).phrase
    except ValueError:
        return False


def create_app(settings: Settings, service: AssistantService, *, with_ui: bool = True) -> FastAPI:
    """Build the web app around `service`. `with_ui=False` leaves out Gradio (API-only, faster start)."""
    origins = parse_origins(settings.allowed_origins)
    csp = page_csp(origins)
    feedback = FeedbackStore(settings.home / "feedback.sqlite")
    gate = RequestGate(settings)

    app = FastAPI(
        title="Semicon Visie-assistent",
        description=(
            "Vragen over de Kamerbrief Semicon Visie 2035 en gekoppelde Kamerstukken, met citaten van de exacte alinea. "
            "Foutmeldingen zijn JSON: {\"detail\": \"…\"}."
        ),
        version="1",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.service = service
    app.state.feedback = feedback
    app.state.generation_queue = gate.queue
    _install_error_handlers(app)

    app.include_router(api.build_router(settings, service, feedback, gate))
    app.include_router(admin.build_router(settings, service))
    app.include_router(embed.build_router(settings.max_question_chars, csp))

    @app.get("/doc/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(doc_id: str) -> HTMLResponse:
        headers = {"Content-Security-Policy": csp}
        try:
            doc = service.document(doc_id)
        except UserError as exc:
            page = error_page("Document niet beschikbaar", str(exc))
            return HTMLResponse(page, status_code=exc.status, headers=headers)
        if doc is None:
            page = error_page("Document niet gevonden", "Dit document bestaat niet in de assistent.")
            return HTMLResponse(page, status_code=404, headers=headers)
        return HTMLResponse(render_document(doc), headers=headers)

    app.mount("/web", StaticFiles(directory=STATIC_DIR), name="web")

    # Gradio leaves CORS to the parent app when it has a CORSMiddleware, so this list governs everything.
    # No Authorization header: a page elsewhere can never make an admin call, even on an allowed origin.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept"],
        max_age=600,
    )
    app.add_middleware(SecurityHeadersMiddleware, origins=origins, upload_bytes=settings.max_file_bytes)

    if with_ui:
        _mount_ui(app, settings, service, feedback, gate)
    return app


def _mount_ui(app: FastAPI, settings: Settings, service: AssistantService, feedback: FeedbackStore, gate: RequestGate) -> None:
    import gradio as gr

    from assistant.web.ui import build_ui

    blocks = build_ui(settings, service, feedback, gate)
    gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        server_name=settings.host,
        server_port=settings.port,
        footer_links=["api"],
        run_history=False,
        ssr_mode=False,
        show_error=True,
        # The UI takes no files: these only bound Gradio's generic routes and keep state out of reach.
        max_file_size="1mb",
        blocked_paths=[str(settings.home.resolve()), str(settings.corpus_dir.resolve())],
        theme=gr.themes.Default(primary_hue="blue", neutral_hue="slate"),
        css_paths=[STATIC_DIR / "ui.css"],
        js="() => { document.documentElement.lang = 'nl'; }",
    )
