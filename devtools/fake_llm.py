"""A fake LLM server on 127.0.0.1 speaking OpenAI chat-completions and Ollama /api/chat: the one
the tests use and the one `assistant stress` runs as its generative backend.

    with fake_llm_server(reply="Het antwoord [1].") as server:
        OpenAICompatibleChat(base_url=server.base_url, model="m")   # POST .../chat/completions
        OllamaChat(base_url=server.base_url, model="m")             # POST /api/chat
        server.requests   # JSON bodies received, in order

Both protocols answer on the same base URL (routing is by path suffix), stream or not as the
request asks. `delay` holds back the whole response (timeouts; it may be changed while the server
runs), `token_delay` paces streamed tokens, `fail` answers HTTP 500 (or the given status) with an
error body.
"""

from __future__ import annotations

import json
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

Reply = str | Callable[[dict[str, Any]], str]


@dataclass
class FakeLLMServer:
    base_url: str
    reply: Reply
    delay: float = 0.0
    token_delay: float = 0.0
    fail: bool | int = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def reply_for(self, body: dict[str, Any]) -> str:
        return self.reply(body) if callable(self.reply) else self.reply


def _words(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


def _handler(server: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return self._json(400, {"error": {"message": "body is not JSON"}})
            server.requests.append(body)
            server.headers.append(dict(self.headers.items()))
            if server.stopping.wait(server.delay):
                return
            if server.fail:
                status = 500 if server.fail is True else int(server.fail)
                return self._json(status, {"error": {"message": "fake failure"}})
            if self.path.endswith("/chat/completions"):
                return self._openai(body)
            if self.path.endswith("/api/chat"):
                return self._ollama(body)
            self._json(404, {"error": {"message": f"no route {self.path}"}})

        def _json(self, status: int, data: dict[str, Any]) -> None:
            payload = json.dumps(data).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its deadline passed)

        def _start_stream(self, content_type: str) -> None:
            # HTTP/1.0 without Content-Length: the body ends when the connection closes.
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.end_headers()

        def _send_line(self, line: str) -> bool:
            try:
                self.wfile.write(line.encode() + b"\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return False  # the client gave up (e.g. its deadline passed)
            return not server.stopping.wait(server.token_delay) if server.token_delay else True

        def _openai(self, body: dict[str, Any]) -> None:
            text, model = server.reply_for(body), body.get("model", "fake")
            if not body.get("stream"):
                return self._json(
                    200,
                    {
                        "id": "fake-1",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": model,
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                        ],
                        "usage": {"prompt_tokens": 10, "completion_tokens": len(_words(text)), "total_tokens": 10 + len(_words(text))},
                    },
                )
            self._start_stream("text/event-stream")
            first = {"choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}
            events = [first] + [
                {"choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]} for w in _words(text)
            ]
            events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            for event in events:
                if not self._send_line(f"data: {json.dumps({'id': 'fake-1', 'model': model, **event})}\n"):
                    return
            self._send_line("data: [DONE]\n")

        def _ollama(self, body: dict[str, Any]) -> None:
            text, model = server.reply_for(body), body.get("model", "fake")
            done = {"model": model, "done": True, "done_reason": "stop", "prompt_eval_count": 10, "eval_count": len(_words(text))}
            if body.get("stream") is False:  # Ollama streams unless told not to
                return self._json(200, {**done, "message": {"role": "assistant", "content": text}})
            self._start_stream("application/x-ndjson")
            for w in _words(text):
                if not self._send_line(json.dumps({"model": model, "message": {"role": "assistant", "content": w}, "done": False})):
                    return
            self._send_line(json.dumps({**done, "message": {"role": "assistant", "content": ""}}))

    return Handler


@contextmanager
def fake_llm_server(
    reply: Reply = "Dit is een antwoord.", delay: float = 0.0, fail: bool | int = False, token_delay: float = 0.0
) -> Iterator[FakeLLMServer]:
    """Run a fake OpenAI/Ollama server on a random 127.0.0.1 port for the duration of the block."""
    state = FakeLLMServer(base_url="", reply=reply, delay=delay, token_delay=token_delay, fail=fail)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stopping.set()  # wakes handlers sleeping in delay/token_delay
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
