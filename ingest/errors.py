"""Errors meant for people, shared by every layer (ingest, index, the app and its web layer)."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; the message is one clear sentence meant for people.

    `status` and `headers` tell the HTTP layer how to answer (e.g. 429 with Retry-After).
    """

    status = 400

    def __init__(self, message: str = "", *, status: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status
        self.headers: dict[str, str] = dict(headers or {})


class NotReadyError(UserError):
    """A service the assistant depends on is not available right now."""

    status = 503
