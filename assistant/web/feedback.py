"""Thumbs up/down on answers, kept in SQLite under the assistant's home folder."""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from ingest.errors import UserError

RATINGS = ("up", "down")
MAX_COMMENT_CHARS = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT ''
)
"""


class FeedbackStore:
    """Append-only; the file and table are created on first write, not at start-up."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            conn = sqlite3.connect(self.path, timeout=10)
            try:
                with conn:  # commits, or rolls back on error
                    conn.execute(_SCHEMA)
                    yield conn
            finally:
                conn.close()

    def add(self, question: str, answer: str, citations: list[dict[str, Any]], rating: str, comment: str = "") -> int:
        if rating not in RATINGS:
            raise UserError("Kies duim omhoog of duim omlaag.")
        if not question.strip() or not answer.strip():
            raise UserError("Er is nog geen antwoord om feedback op te geven.")
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT_CHARS:
            raise UserError(f"De opmerking is te lang: maximaal {MAX_COMMENT_CHARS} tekens.")
        row = (
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            question,
            answer,
            json.dumps(citations, ensure_ascii=False),
            rating,
            comment,
        )
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO feedback (time, question, answer, citations, rating, comment) VALUES (?, ?, ?, ?, ?, ?)", row
            )
            return int(cursor.lastrowid)

    def all(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self._connect() as conn:
            conn.row_factory = sqlite3.Row
            rows = conn.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [{**dict(r), "citations": json.loads(r["citations"])} for r in rows]
