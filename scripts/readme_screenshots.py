"""Screenshots for the README, taken from the real assistant (bundled e5, extractive answers).

Usage: .venv/bin/python scripts/readme_screenshots.py   (needs Debian's chromium; ~1 minute)
Starts `assistant serve` on a free loopback port with a temporary home, serves
examples/intranet.html from a second loopback origin, and writes docs/screenshots/*.png.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
QUESTION = "Wie zitten er in de Semicon Board NL?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"server at {url} did not become ready")


def main() -> None:
    from playwright.sync_api import sync_playwright

    port, page_port = free_port(), free_port()
    assistant, intranet = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{page_port}"
    home = Path(tempfile.mkdtemp(prefix="screenshots-"))
    models = Path(os.environ.get("ASSISTANT_TEST_MODELS", ROOT / ".state" / "models"))
    if models.exists():
        (home / "models").symlink_to(models.resolve(), target_is_directory=True)
    site = Path(tempfile.mkdtemp(prefix="intranet-"))
    (site / "intranet.html").write_text(
        (ROOT / "examples" / "intranet.html").read_text(encoding="utf-8").replace("http://127.0.0.1:7860", assistant), encoding="utf-8"
    )
    env = {**os.environ, "ASSISTANT_HOME": str(home), "ASSISTANT_BACKEND": "extractive", "ASSISTANT_ALLOWED_ORIGINS": intranet}
    server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], env=env, cwd=ROOT)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", page_port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        wait_ready(assistant)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="nl-NL")
            page.goto(assistant + "/")
            box = page.get_by_label("Uw vraag")
            box.fill(QUESTION)
            box.press("Enter")
            page.get_by_text("Bronnen bij het laatste antwoord").wait_for()
            page.wait_for_timeout(2500)
            page.screenshot(path=str(OUT / "main-ui.png"), full_page=True)
            page.goto(intranet + "/intranet.html")
            frame = page.frame_locator("iframe")
            frame.get_by_label("Uw vraag").fill("Welk Kamerstuk is de Nationale Technologiestrategie?")
            frame.get_by_role("button", name="Vraag stellen").click()
            frame.locator("a", has_text="[1]").first.wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / "intranet-widget.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        httpd.shutdown()
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(site, ignore_errors=True)
    print(f"wrote {OUT / 'main-ui.png'} and {OUT / 'intranet-widget.png'}")


if __name__ == "__main__":
    main()
