"""The embeddable widget: /embed (chat page for an iframe) and /embed.js (the loader editors paste)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

STATIC_DIR = Path(__file__).parent / "static"


def build_router(max_question_chars: int, csp: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/embed")
    def embed_page() -> HTMLResponse:
        page = (STATIC_DIR / "embed.html").read_text(encoding="utf-8")
        page = page.replace("{{MAX_QUESTION_CHARS}}", str(int(max_question_chars)))
        return HTMLResponse(page, headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"})

    @router.get("/embed.js")
    def embed_loader() -> Response:
        return Response(
            (STATIC_DIR / "embed.js").read_text(encoding="utf-8"),
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=300"},
        )

    return router
