"""The server a stress run talks to: `assistant serve` as a subprocess (the fake model is devtools.fake_llm)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator


def child_env(variables: dict[str, str]) -> dict[str, str]:
    """This environment without its ASSISTANT_* settings (a child gets only the ones given), plus `variables`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(variables, TOKENIZERS_PARALLELISM="false")
    return env


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", *args]


# What the fake model server (devtools.fake_llm) answers during a stress run: a sentence of the letter, cited.
MODEL_REPLY = "Nederland speelt een leidende rol in de mondiale halfgeleiderketen [1]."


def closed_port() -> int:
    """A loopback port nothing listens on (the 'model server is down' case)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the server under test --------------------------------------------------------------------------


@dataclass
class ServerUnderTest:
    process: subprocess.Popen
    host: str
    port: int
    token: str
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def rss_mb(self) -> float:
        import psutil

        return psutil.Process(self.process.pid).memory_info().rss / 2**20

    def status(self, path: str, timeout: float = 10) -> int:
        """The status of a GET of `path`; 0 when the server does not answer."""
        import httpx

        try:
            return httpx.get(self.base_url + path, timeout=timeout).status_code
        except httpx.HTTPError:
            return 0

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@contextmanager
def server_process(env_settings: dict[str, str], workdir: Path, start_timeout: float = 120.0) -> Iterator[ServerUnderTest]:
    """`assistant serve` on a free 127.0.0.1 port with these ASSISTANT_* variables; ready when it yields."""
    port = closed_port()
    token = env_settings["ASSISTANT_ADMIN_TOKEN"]
    env = child_env({**env_settings, "ASSISTANT_HOST": "127.0.0.1", "ASSISTANT_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False"})
    log = workdir / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(cli_command("serve"), env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = ServerUnderTest(process, "127.0.0.1", port, token, log)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if not server.alive():
                raise RuntimeError(f"de server stopte bij het starten: {server.log_tail()}")
            if server.status("/readyz", timeout=2) == 200:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"de server was niet binnen {start_timeout:.0f} s gereed: {server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        if server.alive():
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
