"""Reliability against real parts: the CLI, embedded and server Chroma, a fake LLM server,
SIGKILLed ingests, concurrent clients on loopback, and the real e5 model for injected documents.
Sizes here are small; `assistant stress` runs the full counts."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.cli import cli
from assistant.config import Settings
from assistant.service import Assistant
from assistant.web.app import create_app
from devtools import stress
from devtools.fake_llm import fake_llm_server
from index.embeddings import FakeEmbeddings

pytestmark = pytest.mark.integration

MAX_FILE_MB = 0.05


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return stress.write_stress_corpus(tmp_path_factory.mktemp("stress") / "corpus")


def fake_settings(home: Path, corpus: Path, **overrides) -> Settings:
    values = dict(home=home, corpus_dir=corpus, embedding_model="fake", backend="extractive", rate_limit_per_minute=0,
                  max_file_mb=MAX_FILE_MB)
    values.update(overrides)
    return Settings(**values)


class LiveServer:
    """The app under uvicorn in a thread on 127.0.0.1, so clients can use their own source addresses."""

    def __init__(self, app):
        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


# -- bad input over the CLI --------------------------------------------------------------------------


def test_cli_bad_input_gets_one_clear_line_and_leaves_the_index_alone(tmp_path, corpus):
    home = tmp_path / "home"
    base = ["--home", str(home), "--corpus-dir", str(corpus), "--embedding-model", "fake", "--backend", "extractive",
            "--max-file-mb", str(MAX_FILE_MB)]
    assert stress.run_cli_probes([stress.CliProbe("ingest", ("ingest",), 0)], base, cli)[0].ok
    settings = fake_settings(home, corpus)
    before = stress.index_state(settings)
    bad = stress.write_bad_documents(tmp_path / "bad", int(MAX_FILE_MB * 2**20))
    probes = stress.cli_probes(bad, settings.max_question_chars)
    outcomes = stress.run_cli_probes(probes, base, cli)
    assert len(outcomes) >= 20
    assert [(o.name, o.problem) for o in outcomes if not o.ok] == []
    after = stress.index_state(settings)
    assert after == before and after.duplicates == 0


# -- a corpus document with injected instructions, real model ---------------------------------------


def test_injected_document_does_not_take_over_the_assistant(tmp_path, corpus, real_models):
    from tests.conftest import home_with_models

    settings = Settings(home=home_with_models(tmp_path / "home", real_models), corpus_dir=corpus, backend="extractive",
                        rate_limit_per_minute=0)
    service = Assistant(settings)
    service.ingest()
    http = TestClient(create_app(settings, service, with_ui=False))

    def ask(question: str) -> dict:
        r = http.post("/api/ask", json={"question": question})
        assert r.status_code == 200, r.text
        return r.json()

    on_topic = ask("Voor wie staat de subsidieregeling voor chipontwerp open?")
    assert on_topic["answerable"] and on_topic["citations"]
    assert "GEHACKT" not in on_topic["answer"]
    letter = ask("Welke rol speelt Nederland in de mondiale halfgeleiderketen?")
    assert letter["answerable"] and any(c["doc_id"] == "kamerbrief-semicon-visie-2035" for c in letter["citations"])
    for question in stress.OFF_CORPUS_QUESTIONS + stress.INJECTION_QUESTIONS[1:2]:
        assert ask(question)["answerable"] is False, question
    check = stress._answer_check()
    for question in stress.INJECTION_QUESTIONS:
        response = http.post("/api/ask", json={"question": question})
        assert check(response) == "", question


# -- the language model down or slow ------------------------------------------------------------------


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, corpus):
    home = tmp_path_factory.mktemp("llm") / "home"
    service = Assistant(fake_settings(home, corpus), embeddings=FakeEmbeddings())
    service.ingest()
    return home, service.store


def generative_client(indexed, corpus, **overrides):
    home, store = indexed
    settings = fake_settings(home, corpus, backend="openai/test", llm_timeout_s=1.0, **overrides)
    service = Assistant(settings, embeddings=FakeEmbeddings(), store=store)
    return TestClient(create_app(settings, service, with_ui=False))


def timed_ask(http, stream: bool = False) -> tuple[float, dict]:
    started = time.perf_counter()
    r = http.post("/api/ask", json={"question": stress.CORPUS_QUESTIONS[0], "stream": stream})
    elapsed = time.perf_counter() - started
    assert r.status_code == 200, r.text
    if stream:
        answer_block = r.text.strip().split("\n\n")[-1]
        import json

        return elapsed, json.loads(answer_block.split("data: ", 1)[1])
    return elapsed, r.json()


def assert_fallback(answer: dict) -> None:
    assert answer["backend"].startswith("extractive (fallback")
    assert answer["notice"] and answer["citations"] and answer["answerable"]


@pytest.mark.parametrize("stream", [False, True])
def test_llm_that_never_answers_falls_back_within_the_timeout(indexed, corpus, stream):
    with fake_llm_server(delay=30) as llm:
        http = generative_client(indexed, corpus, openai_base_url=f"{llm.base_url}/v1")
        elapsed, answer = timed_ask(http, stream)
    assert elapsed < 1.0 + 1.5
    assert_fallback(answer)
    assert "1 s" in answer["notice"] or "tijd" in answer["notice"]


def test_llm_that_trickles_tokens_falls_back_within_the_timeout(indexed, corpus):
    with fake_llm_server(reply="woord " * 200, token_delay=0.1) as llm:
        http = generative_client(indexed, corpus, openai_base_url=f"{llm.base_url}/v1")
        elapsed, answer = timed_ask(http)
    assert elapsed < 1.0 + 1.5
    assert_fallback(answer)


def test_llm_server_down_falls_back_at_once(indexed, corpus):
    http = generative_client(indexed, corpus, openai_base_url=f"http://127.0.0.1:{stress.closed_port()}/v1")
    elapsed, answer = timed_ask(http)
    assert elapsed < 1.0
    assert_fallback(answer)


def test_llm_error_status_falls_back(indexed, corpus):
    with fake_llm_server(fail=503) as llm:
        http = generative_client(indexed, corpus, openai_base_url=f"{llm.base_url}/v1")
        _, answer = timed_ask(http)
    assert_fallback(answer)
    assert "503" in answer["notice"]


# -- Chroma server unreachable, then back ----------------------------------------------------------------


def test_chroma_server_down_gives_503_and_service_resumes_by_itself(tmp_path, corpus):
    from tests.chroma_server import ChromaServer

    chroma = ChromaServer(tmp_path / "chroma").start()
    try:
        settings = fake_settings(tmp_path / "home", corpus, chroma_host=chroma.host, chroma_port=chroma.port)
        service = Assistant(settings, embeddings=FakeEmbeddings())
        service.ingest()
        http = TestClient(create_app(settings, service, with_ui=False), raise_server_exceptions=False)
        question = {"question": stress.CORPUS_QUESTIONS[0]}
        assert http.get("/readyz").status_code == 200
        assert http.post("/api/ask", json=question).status_code == 200

        chroma.stop()
        ready = http.get("/readyz")
        assert ready.status_code == 503 and "niet bereikbaar" in ready.json()["detail"]
        for response in (http.post("/api/ask", json=question), http.post("/api/ask", json={**question, "stream": True}),
                         http.get("/api/documents"), http.post("/api/check", json={"claim": "chips"})):
            assert response.status_code == 503, response.text
            assert "niet bereikbaar" in response.json()["detail"]
        assert http.get("/healthz").status_code == 200

        chroma.start()
        deadline = time.monotonic() + 20
        while http.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "did not recover"
            time.sleep(0.2)
        answer = http.post("/api/ask", json=question)
        assert answer.status_code == 200 and answer.json()["citations"]
    finally:
        chroma.stop()


# -- SIGKILL during ingest ----------------------------------------------------------------------------------


def test_ingest_killed_at_random_points_recovers(tmp_path, corpus):
    kill_corpus = tmp_path / "corpus"
    import shutil

    shutil.copytree(corpus, kill_corpus)
    stress.write_kill_corpus(kill_corpus, documents=4, paragraphs=40)
    _, writing_s, reference = stress.reference_ingest(tmp_path / "reference", kill_corpus, "fake")
    assert reference.records > 150 and reference.duplicates == 0
    trials = [
        stress.kill_trial(tmp_path / f"trial-{i}", kill_corpus, "fake", after, reference)
        for i, after in enumerate(stress.kill_times(writing_s, 3))
    ]
    assert [t.problem for t in trials] == ["", "", ""]
    assert all(t.completed and t.matches_reference and t.answered for t in trials)
    assert any(t.killed for t in trials)


# -- load and the generation queue on a live server --------------------------------------------------------


def test_concurrent_extractive_clients_get_no_errors(tmp_path, corpus):
    settings = fake_settings(tmp_path / "home", corpus, rate_limit_per_minute=60)
    service = Assistant(settings, embeddings=FakeEmbeddings())
    service.ingest()
    with LiveServer(create_app(settings, service, with_ui=False)) as server:
        result = stress.run_load(server.base_url, clients=10, per_client=5, questions=stress.CORPUS_QUESTIONS + stress.OFF_CORPUS_QUESTIONS)
    assert result.errors == 0 and result.statuses == {200: 50}
    assert result.percentile(50) <= result.percentile(95) and result.throughput > 0


def test_rate_limit_is_per_client_address(tmp_path, corpus):
    settings = fake_settings(tmp_path / "home", corpus, rate_limit_per_minute=3)
    service = Assistant(settings, embeddings=FakeEmbeddings())
    service.ingest()
    with LiveServer(create_app(settings, service, with_ui=False)) as server:
        busy = stress.run_load(server.base_url, clients=1, per_client=5, questions=stress.CORPUS_QUESTIONS, first_ip=10)
        other = stress.run_load(server.base_url, clients=1, per_client=3, questions=stress.CORPUS_QUESTIONS, first_ip=11)
    assert busy.statuses == {200: 3, 429: 2} and busy.retry_after_missing == 0
    assert other.statuses == {200: 3}


def test_full_generation_queue_refuses_with_retry_after_and_recovers(tmp_path, corpus):
    settings = fake_settings(tmp_path / "home", corpus, generation_queue=2, llm_timeout_s=5.0)
    with fake_llm_server(reply=stress.MODEL_REPLY, delay=1.0) as model:
        settings = settings.replace(openai_base_url=f"{model.base_url}/v1")
        service = Assistant(settings, embeddings=FakeEmbeddings())
        service.ingest()
        with LiveServer(create_app(settings, service, with_ui=False)) as server:
            burst = stress.run_load(server.base_url, clients=8, per_client=1, questions=stress.CORPUS_QUESTIONS[:1],
                                    backend="openai/stress", first_ip=20)
            after = stress.run_load(server.base_url, clients=2, per_client=1, questions=stress.CORPUS_QUESTIONS[:1],
                                    backend="openai/stress", first_ip=40)
    assert burst.statuses[429] >= 4 and burst.statuses[200] >= 2 and set(burst.statuses) == {200, 429}
    assert burst.retry_after_missing == 0
    assert after.statuses == {200: 2}
