"""`assistant stress`: the whole run, from a temporary home to the printed table."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import click

from assistant.config import Settings
from devtools.fake_llm import fake_llm_server
from devtools.stress.checks import (
    GENERATION_DELAY_S,
    LLM_TIMEOUT_S,
    QUEUE_SIZE,
    RATE_LIMIT,
    Sizes,
    check_access,
    check_bad_input,
    check_kill_trials,
    check_llm_faults,
    check_load,
    check_queue,
    check_rate_limit,
)
from devtools.stress.corpus import write_stress_corpus
from devtools.stress.report import Row, report
from devtools.stress.server import MODEL_REPLY, closed_port, server_process

FULL = Sizes(kill_trials=10, kill_documents=10, kill_paragraphs=60, load_clients=50, load_questions=10, queue_rounds=3)
QUICK = Sizes(kill_trials=2, kill_documents=4, kill_paragraphs=40, load_clients=10, load_questions=5, queue_rounds=1)
MAX_FILE_MB = 1.0


def run_stress(
    settings: Settings, cli: click.Command, *, as_json: bool = False, quick: bool = False, echo: Callable[[str], Any] = print
) -> bool:
    """Run every check (the CLI battery through `cli`, the `assistant` command), print a table (or one
    JSON object); True when all pass."""
    sizes = QUICK if quick else FULL
    embedding_model = settings.stress_embedding_model or "fake"
    workdir = Path(tempfile.mkdtemp(prefix="assistant-stress-"))
    rows: list[Row] = []
    figures: dict[str, Any] = {"mode": "quick" if quick else "full", "embedding_model": embedding_model}
    started = time.monotonic()
    say = (lambda text: None) if as_json else echo
    try:
        corpus = write_stress_corpus(workdir / "corpus", settings.corpus_dir)
        with fake_llm_server(reply=MODEL_REPLY, delay=GENERATION_DELAY_S) as model:
            env = {
                "ASSISTANT_HOME": str(workdir / "home"),
                "ASSISTANT_CORPUS": str(corpus),
                "ASSISTANT_EMBEDDING_MODEL": embedding_model,
                "ASSISTANT_BACKEND": "extractive",
                "ASSISTANT_ADMIN_TOKEN": hashlib.sha256(os.urandom(32)).hexdigest(),
                "ASSISTANT_RATE_LIMIT": str(RATE_LIMIT),
                "ASSISTANT_GENERATION_QUEUE": str(QUEUE_SIZE),
                "ASSISTANT_LLM_TIMEOUT": str(LLM_TIMEOUT_S),
                "ASSISTANT_OPENAI_BASE_URL": f"{model.base_url}/v1",
                "ASSISTANT_OLLAMA_URL": f"http://127.0.0.1:{closed_port()}",
                "ASSISTANT_MAX_FILE_MB": str(MAX_FILE_MB),
            }
            say("De server start (ingest van het testcorpus)…")
            with server_process(env, workdir) as server:
                server_settings = Settings.load(env=env)
                say(f"Server op {server.base_url}; bad input…")
                check_bad_input(server, server_settings, workdir, cli, rows, figures)
                say("Toegang en bestandsroutes…")
                check_access(server, server_settings, rows, figures)
                say(f"Belasting: {sizes.load_clients} clients x {sizes.load_questions} vragen…")
                check_load(server, sizes, rows, figures)
                say("Wachtrij voor het taalmodel…")
                check_queue(server, model, sizes, rows, figures)
                say("Taalmodel traag en onbereikbaar…")
                check_llm_faults(server, model, rows, figures)
                say("Rate limit…")
                check_rate_limit(server, rows, figures)
                healthy = server.alive() and server.status("/healthz") == 200
                rows.append(Row("server gezond na alles", "ja" if healthy else f"nee: {server.log_tail(300)}", healthy))
        say(f"SIGKILL tijdens ingest: {sizes.kill_trials} proeven…")
        check_kill_trials(workdir, corpus, embedding_model, sizes, rows, figures)
    except Exception as exc:
        rows.append(Row("stresstest afgebroken", f"{type(exc).__name__}: {exc}"[:400], False))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    figures["seconds"] = round(time.monotonic() - started, 1)
    return report(rows, figures, as_json=as_json, echo=echo)
