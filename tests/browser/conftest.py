"""Live servers on 127.0.0.1 and a Debian Chromium driven by Playwright.

Three origins: the assistant (fake service), an allowed intranet site serving
examples/intranet.html, and a foreign site that is not on the allow-list.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
EXAMPLE_PAGE = ROOT / "examples" / "intranet.html"
EXAMPLE_ASSISTANT_ORIGIN = "http://127.0.0.1:7860"
# Gradio's queue calls pandas options that pandas 3 deprecates; not ours to fix.
GRADIO_PANDAS_NOISE = [
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@dataclass
class LiveServer:
    origin: str
    server: object
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _origin(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _serve(app, sock: socket.socket) -> LiveServer:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    return LiveServer(_origin(sock), server, thread)


def _page_app(pages: dict[str, str]):
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    def route(path: str, html: str) -> Route:
        async def page(request):
            return HTMLResponse(html)

        return Route(path, page)

    return Starlette(routes=[route(path, html) for path, html in pages.items()])


def foreign_page(assistant: str) -> str:
    """A site not on the allow-list: it embeds the widget page and calls the API directly."""
    return f"""<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Vreemde site</title></head>
<body><h1>Niet toegestaan</h1>
<iframe id="direct" src="{assistant}/embed" title="assistent" width="400" height="300"></iframe>
<script>
window.fetchResult = "pending";
fetch("{assistant}/api/ask", {{method: "POST", headers: {{"Content-Type": "application/json"}},
  body: JSON.stringify({{question: "Wat is de Semicon Visie?"}})}})
  .then(r => {{ window.fetchResult = "status " + r.status; }}, e => {{ window.fetchResult = "refused: " + e.name; }});
</script></body></html>"""


@dataclass
class Sites:
    assistant: str
    intranet: str
    foreign: str
    service: object
    home: Path


@pytest.fixture(scope="session")
def sites(tmp_path_factory):
    from assistant.config import Settings
    from assistant.web.app import create_app
    from tests.fakes.assistant import FakeAssistant

    socks = [_bound_socket() for _ in range(3)]
    assistant, intranet, foreign = (_origin(s) for s in socks)
    home = tmp_path_factory.mktemp("home")
    settings = Settings.load(env={}, home=home, allowed_origins=intranet, rate_limit_per_minute=1000)
    service = FakeAssistant(token_delay_s=0.01)
    example = EXAMPLE_PAGE.read_text(encoding="utf-8").replace(EXAMPLE_ASSISTANT_ORIGIN, assistant)
    floating = example.replace('data-mode="inline"', 'data-mode="floating"')
    servers = [
        _serve(create_app(settings, service), socks[0]),
        _serve(_page_app({"/": example, "/floating": floating}), socks[1]),
        _serve(_page_app({"/": foreign_page(assistant)}), socks[2]),
    ]
    try:
        yield Sites(assistant, intranet, foreign, service, home)
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed: apt-get install -y chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    context.set_default_timeout(20_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def shot(page, name: str, *, full_page: bool = False) -> None:
    """Test artifacts only; the README's screenshots come from the real assistant (scripts/readme_screenshots.py)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
