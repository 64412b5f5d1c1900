"""File routes: nothing outside the served assets and the corpus, whatever the path says."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

from devtools.stress.report import Outcome

PASSWD_MARK = "root:x:0:0"

TRAVERSAL_PATHS = [
    "/gradio_api/file=/etc/passwd",
    "/file=/etc/passwd",
    "/gradio_api/file=../../etc/passwd",
    "/gradio_api/file=..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/gradio_api/file=%2fetc%2fpasswd",
    "/gradio_api/file/etc/passwd",
    "/gradio_api/file=/proc/self/environ",
    "/gradio_api/file=http://127.0.0.1:1/",
    "/gradio_api/file=file:///etc/passwd",
    "/web/../../etc/passwd",
    "/web/..%2f..%2f..%2fetc%2fpasswd",
    "/web/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/web//etc/passwd",
    "/doc/..%2f..%2fetc%2fpasswd",
    "/doc/../../etc/passwd",
    "/api/documents/..%2f..%2fetc%2fpasswd",
    "/static/../../../../etc/passwd",
    "/assets/../../../../etc/passwd",
    "/gradio_api/static/../../../../etc/passwd",
    "/favicon.ico/../../etc/passwd",
]


def private_file_paths(settings: Any) -> list[str]:
    """File routes aimed at the server's own files: settings, index, feedback, the raw corpus."""
    home = Path(settings.home).resolve()
    corpus = Path(settings.corpus_dir).resolve()
    from assistant.config import PROJECT_ROOT

    targets = [home / "feedback.sqlite", home / "index" / "chroma" / "chroma.sqlite3", PROJECT_ROOT / "pyproject.toml",
               Path(sys.executable), *sorted(p for p in corpus.glob("*") if p.is_file())[:2]]
    paths = []
    for target in targets:
        paths += [f"/gradio_api/file={target}", f"/file={target}"]
    return paths


def raw_get(host: str, port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """GET exactly `path` (no client-side normalisation of '..'), the status and the body."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        status = 0
    return status, body


def file_route_outcomes(host: str, port: int, paths: list[str], secrets: list[bytes] = ()) -> list[Outcome]:
    outcomes = []
    for path in paths:
        try:
            status, body = raw_get(host, port, path)
        except OSError as exc:
            outcomes.append(Outcome(path, 0, f"verbinding: {exc}"))
            continue
        problem = ""
        if status >= 500:
            problem = f"serverfout {status}"
        elif status == 200 or PASSWD_MARK.encode() in body or any(s and s in body for s in secrets):
            problem = f"bestand geleverd (status {status})"
        outcomes.append(Outcome(path, status, problem))
    return outcomes
