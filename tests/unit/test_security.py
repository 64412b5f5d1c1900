"""Access control and admission: admin token, admin endpoints, generation queue, body limits, file routes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from devtools import stress
from assistant.config import Settings
from assistant.types import StreamEvent
from assistant.web import security
from assistant.web.app import create_app
from assistant.web.security import GenerationQueue, RateLimiter, admin_refusal
from tests.fakes.assistant import FakeAssistant

TOKEN = "s3cret-token-for-tests"
INTRANET = "https://intranet.example.nl"
GOOD_TEXT = "Subsidieregeling chipontwerp\n\nDe regeling staat open voor startende ontwerpbedrijven in Nederland.\n"


class IngestingAssistant(FakeAssistant):
    """The fake service plus the two calls the admin endpoints need, recorded."""

    def __init__(self, fail: Exception | None = None, hold: threading.Event | None = None):
        super().__init__()
        self.ingested: list[list[Path] | None] = []
        self.ingest_fail = fail
        self.hold = hold
        self.entered = threading.Event()

    def ingest(self, paths=None):
        self.entered.set()
        if self.hold is not None:
            self.hold.wait(5)
        if self.ingest_fail is not None:
            raise self.ingest_fail
        self.ingested.append(None if paths is None else list(paths))
        return {"documents": len(paths or []) or 2, "skipped": []}

    def read(self, paths=None):
        from ingest.pipeline import IngestReport

        return IngestReport()


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "brief.txt").write_text(GOOD_TEXT, encoding="utf-8")
    return folder


@pytest.fixture
def make(tmp_path, corpus):
    def build(service=None, **overrides):
        values = {"home": tmp_path / "home", "corpus_dir": corpus, "allowed_origins": INTRANET, "admin_token": TOKEN,
                  "rate_limit_per_minute": 1000, "max_file_mb": 0.05, "backend": "extractive"}
        values.update(overrides)
        settings = Settings.load(env={}, **values)
        service = service if service is not None else IngestingAssistant()
        return TestClient(create_app(settings, service, with_ui=False), raise_server_exceptions=False), service

    return build


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- the token check -------------------------------------------------------------------------------


def test_admin_refusal_cases():
    assert admin_refusal("Bearer x", "")[0] == 404
    assert admin_refusal(None, TOKEN)[0] == 401
    assert admin_refusal("Basic abc", TOKEN)[0] == 401
    assert admin_refusal("Bearer ", TOKEN)[0] == 401
    assert admin_refusal("Bearer wrong", TOKEN)[0] == 403
    assert admin_refusal(f"Bearer {TOKEN}x", TOKEN)[0] == 403
    assert admin_refusal(f"bearer  {TOKEN} ", TOKEN) is None
    assert admin_refusal("Bearer \udcff", TOKEN)[0] == 403  # undecodable bytes do not crash the compare


def test_admin_compare_is_constant_time(monkeypatch):
    calls = []
    real = security.hmac.compare_digest
    monkeypatch.setattr(security.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    assert admin_refusal(f"Bearer {TOKEN}", TOKEN) is None
    assert calls == [(TOKEN.encode(), TOKEN.encode())]


@pytest.mark.parametrize("path", ["/api/admin/ingest", "/api/admin/fetch-linked", "/api/admin/upload"])
def test_admin_routes_do_not_exist_without_a_configured_token(make, path):
    http, service = make(admin_token="")
    r = http.post(path, headers=bearer())
    assert r.status_code == 404 and "ASSISTANT_ADMIN_TOKEN" in r.json()["detail"]
    assert service.ingested == []


@pytest.mark.parametrize("path", ["/api/admin/ingest", "/api/admin/fetch-linked", "/api/admin/upload"])
def test_admin_routes_need_the_right_token(make, path):
    http, service = make()
    missing = http.post(path)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert http.post(path, headers=bearer("raden")).status_code == 403
    assert http.post(path, headers={"Authorization": TOKEN}).status_code == 401
    assert service.ingested == []


def test_repeated_wrong_tokens_are_throttled(make):
    http, _ = make()
    codes = [http.post("/api/admin/ingest", headers=bearer(f"gok{i}")).status_code for i in range(12)]
    assert codes[:10] == [403] * 10 and codes[10:] == [429, 429]
    r = http.post("/api/admin/ingest", headers=bearer())
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_browsers_cannot_send_the_token_cross_origin(make):
    http, service = make()
    pre = http.options("/api/admin/ingest", headers={"Origin": INTRANET, "Access-Control-Request-Method": "POST",
                                                     "Access-Control-Request-Headers": "authorization"})
    assert "authorization" not in pre.headers.get("access-control-allow-headers", "").lower()
    foreign = http.post("/api/admin/ingest", headers={**bearer(), "Origin": "https://elders.example.com"})
    assert foreign.status_code == 403 and service.ingested == []


def test_admin_routes_are_not_in_the_ui_or_widget():
    from assistant.web.embed import STATIC_DIR

    for path in STATIC_DIR.iterdir():
        assert "/api/admin" not in path.read_text(encoding="utf-8"), path.name
    assert "/api/admin" not in Path(security.__file__).with_name("ui.py").read_text(encoding="utf-8")


# -- ingest and fetch over HTTP --------------------------------------------------------------------


def test_admin_ingest_whole_corpus_and_named_files(make, corpus):
    http, service = make()
    r = http.post("/api/admin/ingest", headers=bearer())
    assert r.status_code == 200 and r.json()["documents"] == 2
    assert service.ingested == [None]
    r = http.post("/api/admin/ingest", headers=bearer(), json={"files": ["brief.txt"]})
    assert r.status_code == 200 and service.ingested[-1] == [(corpus / "brief.txt").resolve()]


@pytest.mark.parametrize(
    "name, status",
    [("../../etc/passwd", 422), ("/etc/passwd", 422), ("..", 422), ("", 422), (".uploads/x.txt", 422), ("bestaat-niet.txt", 404)],
)
def test_admin_ingest_only_reads_inside_the_corpus(make, name, status):
    http, service = make()
    r = http.post("/api/admin/ingest", headers=bearer(), json={"files": [name]})
    assert r.status_code == status and isinstance(r.json()["detail"], str)
    assert service.ingested == []


def test_admin_ingest_reports_a_file_it_could_not_read(tmp_path, corpus):
    from assistant.service import Assistant
    from index.embeddings import FakeEmbeddings

    (corpus / "kapot.pdf").write_bytes(b"%PDF-1.7\nonzin")
    settings = Settings(home=tmp_path / "home", corpus_dir=corpus, embedding_model="fake", admin_token=TOKEN)
    http = TestClient(create_app(settings, Assistant(settings, embeddings=FakeEmbeddings()), with_ui=False))
    r = http.post("/api/admin/ingest", headers=bearer(), json={"files": ["kapot.pdf"]})
    assert r.status_code == 422 and "kapot.pdf" in r.json()["detail"] and "beschadigd" in r.json()["detail"]
    whole = http.post("/api/admin/ingest", headers=bearer())
    assert whole.status_code == 200 and [s["path"] for s in whole.json()["skipped"]] == [str(corpus / "kapot.pdf")]


def test_one_admin_action_at_a_time(make):
    hold = threading.Event()
    http, service = make(IngestingAssistant(hold=hold))
    first = threading.Thread(target=lambda: http.post("/api/admin/ingest", headers=bearer()))
    first.start()
    try:
        assert service.entered.wait(5)
        r = http.post("/api/admin/ingest", headers=bearer())
        assert r.status_code == 409 and "beheeropdracht" in r.json()["detail"]
        assert upload(http, "nog een.txt", GOOD_TEXT.encode()).status_code == 409
    finally:
        hold.set()
        first.join(5)


def test_a_service_that_cannot_ingest_says_so(make):
    http, _ = make(FakeAssistant())
    r = http.post("/api/admin/ingest", headers=bearer())
    assert r.status_code == 501 and "inlezen" in r.json()["detail"]


def test_fetch_linked_downloads_then_ingests(make, monkeypatch):
    from ingest import fetch

    seen = []
    monkeypatch.setattr(fetch, "fetch_linked", lambda settings, documents: seen.append(documents) or fetch.FetchReport())
    http, service = make()
    r = http.post("/api/admin/fetch-linked", headers=bearer())
    assert r.status_code == 200
    assert r.json()["fetch"]["counts"]["failed"] == 0 and service.ingested == [None] and seen == [[]]


# -- upload ----------------------------------------------------------------------------------------


def upload(http, name: str, data: bytes, token: str = TOKEN):
    return http.post("/api/admin/upload", headers=bearer(token), files={"file": (name, data, "application/octet-stream")})


def test_upload_enters_the_corpus_and_is_ingested(make, corpus):
    http, service = make()
    r = upload(http, "nieuwe notitie.txt", GOOD_TEXT.encode())
    assert r.status_code == 201, r.text
    assert r.json()["document"] == "nieuwe-notitie" and r.json()["replaced"] is False
    assert (corpus / "nieuwe notitie.txt").read_text(encoding="utf-8") == GOOD_TEXT
    assert service.ingested == [[corpus.resolve() / "nieuwe notitie.txt"]]
    assert not (corpus / ".uploads").exists()
    again = upload(http, "nieuwe notitie.txt", (GOOD_TEXT + "\nNog een alinea over talent.\n").encode())
    assert again.status_code == 201 and again.json()["replaced"] is True


@pytest.mark.parametrize("name", sorted(stress.bad_documents(int(0.05 * 2**20))))
def test_bad_uploads_change_nothing(make, corpus, name):
    http, service = make()
    before = sorted(p.name for p in corpus.rglob("*"))
    r = upload(http, name, stress.bad_documents(int(0.05 * 2**20))[name])
    assert r.status_code == (413 if name.startswith("te-groot") else 422)
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "Traceback" not in detail and str(corpus) not in detail
    assert sorted(p.name for p in corpus.rglob("*")) == before
    assert service.ingested == []


def test_every_bad_document_is_refused_with_its_reason(tmp_path):
    from ingest.loader import IngestError, load_document

    paths = stress.write_bad_documents(tmp_path, 65536)
    assert set(paths) == set(stress.BAD_REASONS)
    for name, path in paths.items():
        with pytest.raises(IngestError) as refused:
            load_document(path, 65536)
        assert stress.BAD_REASONS[name] in str(refused.value), name
    listed = (Path(__file__).parents[1] / "fixtures" / "bad" / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in listed and stress.BAD_REASONS[name] in listed for name in paths)


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\win.ini", "programma.exe", ".env", "a/b/../../c.sh", "naam\x00.txt"])
def test_upload_names_are_checked(make, corpus, name):
    http, service = make()
    r = upload(http, name, b"tekst")
    assert r.status_code == 422
    assert sorted(p.name for p in corpus.iterdir()) == ["brief.txt"] and service.ingested == []


def test_upload_with_a_folder_in_the_name_lands_in_the_corpus_root(make, corpus):
    http, _ = make()
    r = upload(http, "../../uitbraak.txt", GOOD_TEXT.encode())
    assert r.status_code == 201 and (corpus / "uitbraak.txt").is_file()
    assert not (corpus.parent.parent / "uitbraak.txt").exists()


def test_upload_clashing_document_id_is_refused(make, corpus):
    http, service = make()
    r = upload(http, "Brief.md", b"# Brief\n\nEen andere brief over chips.\n")
    assert r.status_code == 409 and "brief.txt" in r.json()["detail"] and service.ingested == []


def test_failed_ingest_after_upload_restores_the_corpus(make, corpus):
    from ingest.errors import NotReadyError

    http, _ = make(IngestingAssistant(fail=NotReadyError("De index is niet bereikbaar.")))
    r = upload(http, "brief.txt", b"Een nieuwe versie\n\nMet andere tekst over chips.\n")
    assert r.status_code == 503 and r.json()["detail"] == "De index is niet bereikbaar."
    assert (corpus / "brief.txt").read_text(encoding="utf-8") == GOOD_TEXT
    r = upload(http, "nieuw.txt", GOOD_TEXT.encode())
    assert r.status_code == 503 and not (corpus / "nieuw.txt").exists()


def test_upload_must_be_multipart(make):
    http, _ = make()
    r = http.post("/api/admin/upload", headers=bearer(), json={"file": "x"})
    assert r.status_code == 415
    r = http.post("/api/admin/upload", headers={**bearer(), "Content-Type": "multipart/form-data; boundary=x"}, content=b"--x\r\nkapot")
    assert r.status_code in (400, 422) and "Traceback" not in r.text
    r = http.post("/api/admin/upload", headers=bearer(), files={"anders": ("a.txt", b"x", "text/plain")})
    assert r.status_code == 422 and "'file'" in r.json()["detail"]


def test_upload_limit_is_the_file_limit_not_the_api_limit(make):
    http, _ = make(max_file_mb=2.0)
    # A small PDF padded after %%EOF: over the 1 MB API limit, under the 2 MiB file limit, quick to parse.
    pdf = stress._pdf(["Subsidieregeling chipontwerp", "De regeling staat open voor startende ontwerpbedrijven."])
    big = pdf + b"%" + b"x" * 1_200_000
    assert len(big) > security.MAX_API_BODY_BYTES
    assert upload(http, "groot.pdf", big).status_code == 201
    r = upload(http, "te-groot.pdf", big * 2)
    assert r.status_code == 413 and "MiB" in r.json()["detail"]


# -- body limits and closed routes ------------------------------------------------------------------


def test_chunked_bodies_are_refused(make):
    http, service = make(FakeAssistant())

    def chunks():
        yield b'{"question": '
        yield b'"Wat?"}'

    r = http.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 411 and "Content-Length" in r.json()["detail"]
    assert service.calls == []


def test_gradio_upload_and_url_proxy_routes_are_closed():
    closed = security._closed_gradio_route
    assert closed("/gradio_api/upload") and closed("/gradio_api/upload/") and closed("/upload")
    assert closed("/gradio_api/file=https://example.com/a.png") and closed("/gradio_api/file=http%3A%2F%2F127.0.0.1%3A1%2F")
    assert closed("/gradio_api/file=//evil.example/x")
    assert not closed("/gradio_api/file=/tmp/gradio/abc/gesprek.md")
    assert not closed("/gradio_api/info")


# -- queue and rate limit -------------------------------------------------------------------------------


def test_generation_queue_bounds_and_retry_after():
    now = [0.0]
    queue = GenerationQueue(2, clock=lambda: now[0])
    a, b = queue.try_enter(), queue.try_enter()
    assert a is not None and b is not None and queue.try_enter() is None
    now[0] = 30.0
    queue.leave(a)
    assert queue.busy == 1 and 1 <= queue.retry_after() <= 60
    assert queue.try_enter() is not None
    unlimited = GenerationQueue(0)
    assert all(unlimited.try_enter() is not None for _ in range(100))


def test_rate_limiter_full_and_retry_after():
    now = [100.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert not limiter.full("a")
    limiter.allow("a")
    now[0] = 110.0
    limiter.allow("a")
    assert limiter.full("a") and limiter.retry_after("a") == 50
    now[0] = 161.0
    assert not limiter.full("a")


class SlowStream(FakeAssistant):
    def ask_stream(self, question, history=None, backend=None, documents=None):
        self.calls.append(("ask_stream", backend))
        yield StreamEvent("token", text="Een ")
        yield from super().ask_stream(question, history, backend, documents)


@pytest.fixture
def generative(make):
    http, service = make(SlowStream(), backend="openai/test-model", generation_queue=2)
    return http, service, http.app.state.generation_queue


def test_full_generation_queue_answers_429_with_retry_after(generative):
    http, service, queue = generative
    held = [queue.try_enter(), queue.try_enter()]
    r = http.post("/api/ask", json={"question": "Wat is de rol van Nederland?"})
    assert r.status_code == 429 and r.headers["retry-after"].isdigit() and "taalmodel" in r.json()["detail"]
    assert http.post("/api/ask", json={"question": "Wat?", "stream": True}).status_code == 429
    assert service.calls == []
    extractive = http.post("/api/ask", json={"question": "Wat is de rol van Nederland?", "backend": "extractive"})
    assert extractive.status_code == 200  # extractive answers never wait for the model
    queue.leave(held.pop())
    assert http.post("/api/ask", json={"question": "Wat is de rol van Nederland?"}).status_code == 200
    assert queue.busy == 1


def test_generation_slot_comes_back_after_stream_and_after_errors(make):
    http, _, = make(SlowStream(), backend="openai/test-model", generation_queue=1)
    queue = http.app.state.generation_queue
    for _ in range(3):
        r = http.post("/api/ask", json={"question": "Wat is de rol van Nederland?", "stream": True})
        assert r.status_code == 200 and "event: answer" in r.text
        assert queue.busy == 0
    failing, _ = make(FakeAssistant(fail=RuntimeError("kapot")), backend="openai/test-model", generation_queue=1)
    for stream in (False, True):
        assert failing.post("/api/ask", json={"question": "Wat?", "stream": stream}).status_code == 500
        assert failing.app.state.generation_queue.busy == 0


# -- file routes on a live server with the UI mounted --------------------------------------------------


@pytest.fixture(scope="module")
def live_ui(tmp_path_factory):
    import socket

    import uvicorn

    home = tmp_path_factory.mktemp("live")
    corpus = home / "corpus"
    corpus.mkdir()
    (corpus / "brief.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (home / "feedback.sqlite").write_bytes(b"SQLite format 3\x00geheim")
    settings = Settings(home=home, corpus_dir=corpus, admin_token=TOKEN, rate_limit_per_minute=0)
    app = create_app(settings, FakeAssistant())
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield settings, sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated", "ignore:The copy keyword is deprecated")
def test_no_file_outside_the_assets_is_served(live_ui):
    settings, port = live_ui
    paths = stress.TRAVERSAL_PATHS + stress.private_file_paths(settings)
    outcomes = stress.file_route_outcomes("127.0.0.1", port, paths, [b"geheim", GOOD_TEXT.encode()[:40]])
    assert len(outcomes) >= 25
    assert [(o.name, o.status, o.problem) for o in outcomes if not o.ok] == []


def test_served_assets_still_work(live_ui):
    _, port = live_ui
    for path in ("/web/embed-app.js", "/web/viewer.css", "/embed", "/embed.js", "/", "/gradio_api/info", "/doc/semicon-visie-2035"):
        status, body = stress.raw_get("127.0.0.1", port, path)
        assert status == 200 and body, path


def test_raw_traversal_is_not_normalised_by_the_probe(live_ui):
    _, port = live_ui
    status, body = stress.raw_get("127.0.0.1", port, "/web/../embed")
    # The static route sees '..' literally and refuses it; only a normalising client would get /embed.
    assert status == 404 and b"sv-form" not in body


@pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated", "ignore:The copy keyword is deprecated")
def test_ui_endpoints_share_the_generation_queue(tmp_path):
    settings = Settings(home=tmp_path, backend="openai/test-model", generation_queue=1, rate_limit_per_minute=0)
    app = create_app(settings, FakeAssistant())
    http = TestClient(app)
    app.state.generation_queue.try_enter()
    full = http.post("/gradio_api/api/ask", json={"data": ["Wat is de rol van Nederland?", [], None]})
    assert "te veel vragen op het taalmodel" in full.json()["error"]
    extractive = http.post("/gradio_api/api/ask", json={"data": ["Wat is de rol van Nederland?", [], "extractive"]})
    assert extractive.status_code == 200 and extractive.json()["data"][0]["citations"]
    assert app.state.generation_queue.busy == 1
