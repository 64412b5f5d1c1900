"""Who may frame the pages and call the API from a browser, plus a per-client rate limit.

The allow-list (settings.allowed_origins) drives three things: the CSP frame-ancestors
header on every page, CORS headers on the API, and refusing API calls that a browser
makes from any other origin (CORS alone only hides the response; the question would
still be answered, and answers cost CPU).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

# For pages we render ourselves: nothing inline, nothing from elsewhere.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
MAX_API_BODY_BYTES = 1_000_000


def parse_origins(raw: str) -> tuple[str, ...]:
    """'https://a.nl, https://b.nl/' -> ('https://a.nl', 'https://b.nl'); invalid entries raise ValueError."""
    origins = []
    for item in (raw or "").split(","):
        item = item.strip().rstrip("/")
        if not item:
            continue
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
            raise ValueError(f"Setting 'allowed_origins' expects origins like https://intranet.example.nl, got {item!r}.")
        origins.append(f"{parts.scheme}://{parts.netloc}".lower())
    return tuple(dict.fromkeys(origins))


def frame_ancestors(origins: tuple[str, ...]) -> str:
    return " ".join(["frame-ancestors", "'self'", *origins])


def page_csp(origins: tuple[str, ...]) -> str:
    return f"{STRICT_CSP}; {frame_ancestors(origins)}"


def is_same_origin(origin: str, headers: Headers) -> bool:
    netloc = urlsplit(origin).netloc.lower()
    # Behind a reverse proxy the Host header may name the backend; the proxy's host counts too.
    hosts = {headers.get("host", "").lower(), headers.get("x-forwarded-host", "").split(",")[0].strip().lower()}
    return bool(netloc) and netloc in hosts


class SecurityHeadersMiddleware:
    """Adds frame-ancestors (unless a route set a fuller CSP) and nosniff to every response,
    and guards /api/*: browser calls from origins not on the allow-list get 403, bodies over 1 MB 413."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]):
        self.app = app
        self.origins = origins
        self.csp = frame_ancestors(origins).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/api/"):
            refusal = self._refusal(Headers(scope=scope))
            if refusal is not None:
                await _send_json(send, *refusal)
                return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = []
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", self.csp))
                if b"x-content-type-options" not in names:
                    extra.append((b"x-content-type-options", b"nosniff"))
                extra.append((b"referrer-policy", b"strict-origin-when-cross-origin"))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, headers: Headers) -> tuple[int, str] | None:
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.origins and not is_same_origin(origin, headers):
            return 403, "Deze website mag de assistent niet gebruiken: de herkomst staat niet op de lijst van toegestane origins."
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_API_BODY_BYTES:
            return 413, "Het verzoek is te groot."
        return None


async def _send_json(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RateLimiter:
    """Sliding one-minute window per client key; limit 0 disables it."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.per_minute <= 0:
            return True
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= 60.0:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle clients so the table stays small
                for stale in [k for k, v in self._hits.items() if not v or now - v[-1] >= 60.0]:
                    del self._hits[stale]
            return True


RATE_LIMIT_MESSAGE = "U stelt te veel vragen achter elkaar; wacht een minuut en probeer het opnieuw."
