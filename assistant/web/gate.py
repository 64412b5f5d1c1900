"""The one admission path for questions and claims over HTTP and in the UI: the client's rate
limit first, then, for an answer a language model writes, a place in the generation queue.

Refusals are UserErrors with status 429 and a Retry-After header: the API answers them as they
are, the UI shows their sentence.
"""

from __future__ import annotations

import threading

from assistant.config import Settings
from assistant.llm import resolve_backend
from assistant.web.security import QUEUE_FULL_MESSAGE, RATE_LIMIT_MESSAGE, GenerationQueue, RateLimiter
from ingest.errors import UserError


class Place:
    """A place in the generation queue (or none, for an extractive answer); `release` gives it
    back, once however often it is called, and so does leaving a `with` block."""

    def __init__(self, queue: GenerationQueue | None = None, started: float | None = None):
        self._queue, self._started = queue, started
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            queue, self._queue = self._queue, None
        if queue is not None and self._started is not None:
            queue.leave(self._started)

    def __enter__(self) -> Place:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class RequestGate:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        self.queue = GenerationQueue(settings.generation_queue)

    def limit(self, client: str) -> None:
        """Counts one request of `client`; UserError 429 when it asked too often this minute."""
        if not self.limiter.allow(client):
            raise UserError(RATE_LIMIT_MESSAGE, status=429, headers={"Retry-After": str(self.limiter.retry_after(client))})

    def place(self, backend: str | None) -> Place:
        """A place in the generation queue when `backend` (default: the configured one) waits for
        a language model; UserError 429 when the queue is full."""
        if not self.is_generative(backend):
            return Place()
        started = self.queue.try_enter()
        if started is None:
            raise UserError(QUEUE_FULL_MESSAGE, status=429, headers={"Retry-After": str(self.queue.retry_after())})
        return Place(self.queue, started)

    def admit(self, client: str, backend: str | None) -> Place:
        """The rate limit, then the generation queue: what every question passes."""
        self.limit(client)
        return self.place(backend)

    def is_generative(self, backend: str | None) -> bool:
        try:
            return resolve_backend(self.settings, backend) != "extractive"
        except UserError:
            return False  # the service says what is wrong with the name
