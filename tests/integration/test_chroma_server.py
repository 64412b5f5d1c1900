"""Client-server Chroma: a real `chroma run` on 127.0.0.1 holds the index; outages are 503s
that end by themselves when the server is back."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.service import Assistant
from ingest.errors import NotReadyError
from index.embeddings import FakeEmbeddings
from tests.chroma_server import ChromaServer
from tests.conftest import CORPUS, EVAL_DIR, home_with_models
from tests.integration.test_retrieval_real import check_report, run_eval

pytestmark = pytest.mark.integration

QUESTION = "Wanneer is de Semicon Board NL van start gegaan?"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    chroma = ChromaServer(tmp_path_factory.mktemp("chroma") / "data")
    with chroma:
        yield chroma


@pytest.fixture(scope="module")
def server_settings(server: ChromaServer, tmp_path_factory: pytest.TempPathFactory, real_models: Path) -> Settings:
    home = home_with_models(tmp_path_factory.mktemp("server") / "home", real_models)
    return Settings(home=home, corpus_dir=CORPUS, backend="extractive", chroma_host="127.0.0.1", chroma_port=server.port)


def test_ingest_and_search_against_the_server(server_settings: Settings):
    assistant = Assistant(server_settings)

    first = assistant.ingest()
    again = Assistant(server_settings).ingest()

    assert first.embedded == first.report.paragraphs > 0
    assert (again.embedded, again.unchanged) == (0, first.embedded)
    assert assistant.ready() == (True, "ok")
    top = assistant.search(QUESTION, 1)[0]
    assert any("begin 2025 de Semicon Board" in p.text for p in (top.paragraph, *top.context))
    # Nothing went to an embedded index under the home folder.
    assert not (server_settings.index_dir / "chroma").exists()


def test_dev_eval_floors_against_the_server(server_settings: Settings, tmp_path: Path):
    qa_file = EVAL_DIR / "dev_qa.jsonl"
    out = tmp_path / "items.jsonl"
    env = {"ASSISTANT_CHROMA_HOST": "127.0.0.1", "ASSISTANT_CHROMA_PORT": str(server_settings.chroma_port)}

    report = run_eval(server_settings.home, qa_file, out, env=env)

    check_report(report, qa_file, out)
    assert not (server_settings.index_dir / "chroma").exists()


def test_outage_is_not_ready_and_service_resumes_by_itself(tmp_path: Path, settings: Settings):
    # Its own server: stopping the shared one would break the tests above when run alone.
    chroma = ChromaServer(tmp_path / "chroma")
    with chroma:
        served = settings.replace(chroma_host="127.0.0.1", chroma_port=chroma.port)
        assistant = Assistant(served, embeddings=FakeEmbeddings())
        count = assistant.ingest().embedded
        assert assistant.ready() == (True, "ok") and assistant.search(QUESTION)

        chroma.stop()
        ok, message = assistant.ready()
        assert not ok and "niet bereikbaar" in message and f"127.0.0.1:{chroma.port}" in message
        for _ in range(2):  # the cached connection, then a fresh one: both a clear 503
            with pytest.raises(NotReadyError) as raised:
                assistant.search(QUESTION)
            assert raised.value.status == 503
        # A process that starts while the server is down is not ready either.
        assert Assistant(served, embeddings=FakeEmbeddings()).ready()[0] is False

        chroma.start()
        assert assistant.ready() == (True, "ok")
        assert assistant.store.count() == count
        assert "Semicon Board" in assistant.search(QUESTION, 1)[0].paragraph.text


def test_server_back_after_a_search_failed_mid_flight(tmp_path: Path, settings: Settings):
    """No readiness probe in between: the first search after the restart must work by itself."""
    chroma = ChromaServer(tmp_path / "chroma")
    with chroma:
        assistant = Assistant(settings.replace(chroma_host="127.0.0.1", chroma_port=chroma.port), embeddings=FakeEmbeddings())
        assistant.ingest()
        assert assistant.search(QUESTION)

        chroma.stop()
        with pytest.raises(NotReadyError):
            assistant.search(QUESTION)
        chroma.start()

        assert "Semicon Board" in assistant.search(QUESTION, 1)[0].paragraph.text
        assert assistant.ready() == (True, "ok")

        # A restart between two searches: the pooled connection is dead, the search still answers.
        chroma.stop()
        chroma.start()
        assert "Semicon Board" in assistant.search(QUESTION, 1)[0].paragraph.text
