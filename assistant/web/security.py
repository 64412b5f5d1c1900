"""Who may frame the pages and call the API, and how much: origins, admin token, request limits.

The allow-list (settings.allowed_origins) drives three things: the CSP frame-ancestors
header on every page, CORS headers on the API, and refusing API calls that a browser
makes from any other origin (CORS alone only hides the response; the question would
still be answered, and answers cost CPU).

Admission control keeps one busy client or a slow model from taking the server down:
a per-client rate limit on questions, a bounded number of generative answers in flight,
body size limits, and Gradio's generic file routes narrowed to what the UI uses.
"""

from __future__ import annotations

import hmac
import json
import math
import threading
import time
from collections import deque
from urllib.parse import unquote, urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

# For pages we render ourselves: nothing inline, nothing from elsewhere.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
MAX_API_BODY_BYTES = 1_000_000
UPLOAD_PATH = "/api/admin/upload"
# Multipart framing around an uploaded file: boundaries, part headers.
UPLOAD_OVERHEAD_BYTES = 64 * 1024
# The UI has no upload component and links no remote files: Gradio's generic upload and
# URL-proxy routes would only let anyone fill the temp folder or use the server as a proxy.
_GRADIO_UPLOAD_PATHS = ("/gradio_api/upload", "/upload", "/gradio_api/process_recording", "/process_recording")
_GRADIO_FILE_PREFIXES = ("/gradio_api/file=", "/file=", "/gradio_api/file/", "/file/")


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
    and guards /api/*: browser calls from origins not on the allow-list get 403, bodies over 1 MB
    (uploads: over `upload_bytes`) 413, bodies without a length 411. Gradio's upload route and its
    remote-URL file route are closed."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...], upload_bytes: int = MAX_API_BODY_BYTES):
        self.app = app
        self.origins = origins
        self.upload_bytes = upload_bytes
        self.csp = frame_ancestors(origins).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        refusal = None
        if path.startswith("/api/"):
            refusal = self._refusal(Headers(scope=scope), path)
        elif _closed_gradio_route(path):
            refusal = 404, "Niet gevonden."
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

    def _refusal(self, headers: Headers, path: str) -> tuple[int, str] | None:
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.origins and not is_same_origin(origin, headers):
            return 403, "Deze website mag de assistent niet gebruiken: de herkomst staat niet op de lijst van toegestane origins."
        length = headers.get("content-length", "")
        if path == UPLOAD_PATH:
            if length.isdigit() and int(length) > self.upload_bytes + UPLOAD_OVERHEAD_BYTES:
                return 413, f"Het bestand is groter dan de limiet van {self.upload_bytes / 2**20:g} MiB (ASSISTANT_MAX_FILE_MB)."
        elif length.isdigit() and int(length) > MAX_API_BODY_BYTES:
            return 413, "Het verzoek is te groot."
        # A chunked body has no length to check up front; refusing it keeps every body bounded.
        if not length and "transfer-encoding" in headers:
            return 411, "Stuur de inhoud met een Content-Length-header (geen chunked transfer)."
        return None


def _closed_gradio_route(path: str) -> bool:
    if path.rstrip("/") in _GRADIO_UPLOAD_PATHS:
        return True
    for prefix in _GRADIO_FILE_PREFIXES:
        if path.startswith(prefix):
            target = unquote(path[len(prefix):]).strip().lower()
            return "://" in target or target.startswith("//")
    return False


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

    WINDOW_S = 60.0

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
            while hits and now - hits[0] >= self.WINDOW_S:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle clients so the table stays small
                for stale in [k for k, v in self._hits.items() if not v or now - v[-1] >= self.WINDOW_S]:
                    del self._hits[stale]
            return True

    def full(self, key: str) -> bool:
        """Whether `key` has used up its window, without counting this look."""
        if self.per_minute <= 0:
            return False
        now = self.clock()
        with self._lock:
            hits = self._hits.get(key) or ()
            return sum(1 for t in hits if now - t < self.WINDOW_S) >= self.per_minute

    def retry_after(self, key: str) -> int:
        """Whole seconds until `key` may ask again (for the Retry-After header)."""
        with self._lock:
            hits = self._hits.get(key)
            if not hits:
                return 1
            return max(1, math.ceil(self.WINDOW_S - (self.clock() - hits[0])))


class GenerationQueue:
    """At most `size` generative answers in flight (running or waiting for the model); the next
    one is refused at once, so a slow model cannot pile up threads and memory. 0 means no limit."""

    def __init__(self, size: int, clock=time.monotonic):
        self.size = size
        self.clock = clock
        self._busy = 0
        self._lock = threading.Lock()
        self._average_s = 5.0  # until the first answer tells how long answers take

    @property
    def busy(self) -> int:
        return self._busy

    def try_enter(self) -> float | None:
        """A start time to hand to `leave`, or None when the queue is full."""
        with self._lock:
            if self.size > 0 and self._busy >= self.size:
                return None
            self._busy += 1
            return self.clock()

    def leave(self, started: float) -> None:
        with self._lock:
            self._busy = max(0, self._busy - 1)
            self._average_s = 0.8 * self._average_s + 0.2 * max(0.0, self.clock() - started)

    def retry_after(self) -> int:
        """Seconds after which a slot is likely free: about one average answer, 1-60 s."""
        return int(min(60, max(1, math.ceil(self._average_s))))


def admin_refusal(authorization: str | None, token: str) -> tuple[int, str] | None:
    """Why a request may not perform an admin action, or None when its bearer token is right."""
    if not token:
        return 404, "Beheer via HTTP staat uit: stel ASSISTANT_ADMIN_TOKEN in om het aan te zetten."
    scheme, _, given = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return 401, "Voor beheer is een token nodig: stuur 'Authorization: Bearer <token>'."
    # Constant-time, so response timing does not reveal how much of a guess was right.
    if not hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"), token.encode("utf-8", "surrogateescape")):
        return 403, "Het beheertoken klopt niet."
    return None


RATE_LIMIT_MESSAGE = "U stelt te veel vragen achter elkaar; wacht een minuut en probeer het opnieuw."
QUEUE_FULL_MESSAGE = "Er wachten al te veel vragen op het taalmodel; probeer het over enkele seconden opnieuw."
