"""The document filter through every layer: chain, service (answers, summaries, search), the HTTP API
(JSON and SSE), the CLI and the UI's choices (the selector and the widget in a browser:
tests/browser/test_document_filter.py). Fake embeddings over two small letters that
both speak of talent for the chip sector; without a filter the Brainport letter answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assistant import chain
from assistant.cli import cli
from assistant.config import Settings
from assistant.llm import FakeChat
from assistant.service import Assistant
from assistant.web.app import create_app
from assistant.web.ui import document_choices
from index.embeddings import FakeEmbeddings
from ingest.errors import UserError
from tests.fakes.assistant import KAMERSTUK, KAMERSTUK_ANSWER, LETTER, NORMAL_ANSWER, FakeAssistant

BRAINPORT = "kst-33009-141"
TWENTE = "brief-twente"
TALENT_BRAINPORT = "Het kabinet investeert in talent voor de chipsector met een actieplan voor techniekonderwijs in Brainport."
TALENT_TWENTE = "Ook de regio Twente investeert in talent voor de chipsector met een eigen techniekpact voor scholieren."
QUESTION = "Wie investeert in talent voor de chipsector met een actieplan?"
UNKNOWN = "Het document 'bestaat-niet' staat niet in de index; de geldige document-id's staan in GET /api/documents."


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("filter") / "corpus"
    folder.mkdir()
    (folder / f"{BRAINPORT}.md").write_text(
        f"# Kamerstuk 33009, nr. 141: Talent\n\n{TALENT_BRAINPORT}\n\nDe campus in Eindhoven groeit.\n", encoding="utf-8"
    )
    (folder / f"{TWENTE}.md").write_text(f"# Brief over Twente\n\n{TALENT_TWENTE}\n\nDe campus groeit snel.\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def indexed(corpus, tmp_path_factory):
    settings = Settings(
        home=tmp_path_factory.mktemp("filter-home") / "home", corpus_dir=corpus, embedding_model="fake", backend="extractive",
        llm_timeout_s=5.0,
    )
    assistant = Assistant(settings, embeddings=FakeEmbeddings())
    assistant.ingest()
    return settings, assistant.store


@pytest.fixture
def make(indexed):
    settings, store = indexed

    def build(chat=None) -> Assistant:
        factory = (lambda settings, name: chat) if chat is not None else None  # noqa: E731
        return Assistant(settings, embeddings=FakeEmbeddings(), store=store, chat_model_factory=factory)

    return build


@pytest.fixture
def searches(monkeypatch):
    """Patches an assistant's retriever to record the documents of every search."""

    def watch(assistant: Assistant) -> list:
        seen: list = []
        search = assistant.retriever.search

        def recording(query, k=5, documents=None):
            seen.append(documents)
            return search(query, k, documents=documents)

        monkeypatch.setattr(assistant.retriever, "search", recording)
        return seen

    return watch


def cited(answer) -> set[str]:
    return {c.doc_id for c in answer.citations}


# -- chain and service ----------------------------------------------------------------------------


def test_the_chain_retrieves_only_from_the_documents_of_its_state(make, searches):
    assistant = make()
    seen = searches(assistant)
    state = chain.new_state(assistant, QUESTION, [], "extractive", (TWENTE,))
    answer = chain.run(state, assistant)
    assert state.documents == (TWENTE,) and seen == [[TWENTE]]
    assert answer.answerable and cited(answer) == {TWENTE}
    assert cited(chain.answer_question(assistant, QUESTION, [], "extractive")) == {BRAINPORT}


def test_ask_and_stream_answer_from_the_chosen_documents_only(make):
    assistant = make()
    assert cited(assistant.ask(QUESTION)) == {BRAINPORT}  # no filter: as before
    assert cited(assistant.ask(QUESTION, documents=[TWENTE])) == {TWENTE}
    events = list(assistant.ask_stream(QUESTION, documents=[TWENTE]))
    assert [e.type for e in events] == ["extractive", "answer"]
    assert all(cited(e.answer) == {TWENTE} for e in events)


def test_an_empty_list_is_no_filter_and_repeated_ids_count_once(make, searches):
    assistant = make()
    seen = searches(assistant)
    assert cited(assistant.ask(QUESTION, documents=[])) == {BRAINPORT}
    assert cited(assistant.ask(QUESTION, documents=[TWENTE, TWENTE])) == {TWENTE}
    assert seen == [None, [TWENTE]]


def test_search_takes_the_same_filter(make):
    assistant = make()
    assert {h.paragraph.doc_id for h in assistant.search("talent voor de chipsector", 5, documents=[TWENTE])} == {TWENTE}
    assert {h.paragraph.doc_id for h in assistant.search("talent voor de chipsector", 5)} == {BRAINPORT, TWENTE}


def test_unknown_ids_are_one_dutch_sentence_naming_them(make):
    assistant = make()
    with pytest.raises(UserError) as one:
        assistant.ask(QUESTION, documents=["bestaat-niet"])
    assert one.value.status == 400 and str(one.value) == UNKNOWN
    with pytest.raises(UserError) as two:
        assistant.ask_stream(QUESTION, documents=[TWENTE, "x", "y"])  # refused before the first event
    assert str(two.value) == "De documenten 'x', 'y' staan niet in de index; de geldige document-id's staan in GET /api/documents."
    with pytest.raises(UserError, match="'bestaat-niet'"):
        assistant.search(QUESTION, documents=["bestaat-niet"])


def test_the_summary_reads_the_same_documents_as_the_verbatim_answer(make, searches):
    prompts: list[str] = []

    def reply(messages):
        prompts.append(messages[-1].content)
        return "NIET_GEVONDEN"

    assistant = make(FakeChat(responses=reply))
    seen = searches(assistant)
    answer = assistant.ask(QUESTION, backend="openai/fake", documents=[TWENTE])
    streamed = list(assistant.ask_stream(QUESTION, backend="openai/fake", documents=[TWENTE]))
    assert seen == [[TWENTE]] * 4  # verbatim and summary, asked and streamed
    assert prompts and all(TALENT_TWENTE in p and TALENT_BRAINPORT not in p for p in prompts)
    assert cited(answer) == {TWENTE} and cited(streamed[-1].answer) == {TWENTE}


# -- HTTP API ------------------------------------------------------------------------------------


@pytest.fixture
def api(tmp_path):
    def build(service):
        settings = Settings.load(env={}, home=tmp_path, rate_limit_per_minute=1000)
        return TestClient(create_app(settings, service, with_ui=False))

    return build


def sse(text: str) -> list[tuple[str, dict]]:
    blocks = [dict(line.split(": ", 1) for line in block.splitlines()) for block in text.strip().split("\n\n")]
    return [(b["event"], json.loads(b["data"])) for b in blocks]


def test_api_passes_the_documents_in_json_and_sse(api):
    service = FakeAssistant()
    http = api(service)
    r = http.post("/api/ask", json={"question": "Wat is de rol van Nederland?", "documents": [KAMERSTUK]})
    assert r.status_code == 200 and r.json()["answer"] == KAMERSTUK_ANSWER
    assert {c["doc_id"] for c in r.json()["citations"]} == {KAMERSTUK}
    assert service.calls[-1][1]["documents"] == [KAMERSTUK]
    events = sse(http.post("/api/ask", json={"question": "Wat?", "documents": [KAMERSTUK], "stream": True}).text)
    assert events[-1][0] == "answer" and {c["doc_id"] for c in events[-1][1]["citations"]} == {KAMERSTUK}
    assert service.calls[-1][1]["documents"] == [KAMERSTUK]


def test_api_clients_without_documents_keep_working(api):
    service = FakeAssistant()
    http = api(service)
    for body in ({"question": "Wat?"}, {"question": "Wat?", "documents": None}):
        r = http.post("/api/ask", json=body)
        assert r.status_code == 200 and r.json()["answer"] == NORMAL_ANSWER
        assert service.calls[-1][1]["documents"] is None


@pytest.mark.parametrize(
    "documents, fragment",
    [("semicon-visie-2035", "'documents' moet een lijst zijn"), ([5], "'documents.0' moet tekst zijn"), (["x" * 201], "'documents.0' is te lang")],
)
def test_api_refuses_a_malformed_filter_with_one_dutch_sentence(api, documents, fragment):
    service = FakeAssistant()
    r = api(service).post("/api/ask", json={"question": "Wat?", "documents": documents})
    assert r.status_code == 422 and fragment in r.json()["detail"]
    assert service.calls == []


def test_api_refuses_unknown_ids_with_400_from_the_real_service(api, make):
    http = api(make())
    for stream in (False, True):
        r = http.post("/api/ask", json={"question": QUESTION, "documents": ["bestaat-niet"], "stream": stream})
        assert r.status_code == 400 and r.json() == {"detail": UNKNOWN}
    r = http.post("/api/ask", json={"question": QUESTION, "documents": [TWENTE]})
    assert r.status_code == 200 and {c["doc_id"] for c in r.json()["citations"]} == {TWENTE}


def test_the_filter_is_documented_in_the_openapi_schema(api):
    schema = api(FakeAssistant()).get("/openapi.json").json()
    field = schema["components"]["schemas"]["AskRequest"]["properties"]["documents"]
    assert "GET /api/documents" in field["description"] and "alle documenten" in field["description"]


# -- CLI -----------------------------------------------------------------------------------------


def test_cli_ask_takes_repeatable_document_options(indexed):
    settings, _ = indexed
    env = {"ASSISTANT_HOME": str(settings.home), "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
           "ASSISTANT_EMBEDDING_MODEL": "fake", "ASSISTANT_BACKEND": "extractive"}
    plain = json.loads(CliRunner().invoke(cli, ["ask", QUESTION, "--json"], env=env).output)
    assert {c["doc_id"] for c in plain["citations"]} == {BRAINPORT}
    only = json.loads(CliRunner().invoke(cli, ["ask", QUESTION, "--document", TWENTE, "--json"], env=env).output)
    assert {c["doc_id"] for c in only["citations"]} == {TWENTE}
    both = CliRunner().invoke(cli, ["ask", QUESTION, "--document", TWENTE, "--document", BRAINPORT], env=env)
    assert both.exit_code == 0 and "\nBronnen:\n[1] " in both.output
    wrong = CliRunner().invoke(cli, ["ask", QUESTION, "--document", "bestaat-niet"], env=env)
    assert wrong.exit_code == 1 and wrong.stderr.strip() == f"Fout: {UNKNOWN}"


# -- UI -------------------------------------------------------------------------------------


def test_selector_choices_are_titles_with_ids_and_shared_titles_show_their_id():
    docs = [{"id": "b", "title": "Brief"}, {"id": "a", "title": "Agenda"}, {"id": "c", "title": "Brief"}, {"id": "d", "title": ""}]
    assert document_choices(docs) == [("Agenda", "a"), ("Brief (b)", "b"), ("Brief (c)", "c"), ("d", "d")]
    assert document_choices(FakeAssistant().documents())[1] == ("Kamerbrief Semicon Visie 2035", LETTER)

