"""HTTP API, document viewer, widget routes and security headers, against the FakeAssistant."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.types import StreamEvent
from ingest.errors import NotReadyError, UserError
from assistant.web import render
from assistant.web.app import create_app
from assistant.web.feedback import FeedbackStore
from assistant.web.security import RateLimiter, parse_origins
from tests.fakes.assistant import INJECTION_ANSWER, LETTER, NORMAL_ANSWER, FakeAssistant, failing

INTRANET = "https://intranet.example.nl"
FOREIGN = "https://elders.example.com"


@pytest.fixture
def make(tmp_path):
    def build(service=None, *, with_ui=False, raise_server_exceptions=True, **overrides):
        values = {"home": tmp_path, "allowed_origins": INTRANET, "max_question_chars": 100, "rate_limit_per_minute": 1000}
        values.update(overrides)
        settings = Settings.load(env={}, **values)
        service = service or FakeAssistant()
        app = create_app(settings, service, with_ui=with_ui)
        return TestClient(app, raise_server_exceptions=raise_server_exceptions), service

    return build


@pytest.fixture
def client(make):
    return make()


def sse_events(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


# -- /api/ask ------------------------------------------------------------------


def test_ask_returns_answer_with_citations(client):
    http, service = client
    r = http.post("/api/ask", json={"question": "  Wat is de rol van Nederland?  "})
    assert r.status_code == 200
    body = r.json()
    assert body["answer"] == NORMAL_ANSWER
    assert [c["n"] for c in body["citations"]] == [1, 2]
    assert body["citations"][0]["url"] == f"/doc/{LETTER}#p-{LETTER}:p3"
    assert service.calls[-1] == ("ask", {"question": "Wat is de rol van Nederland?", "history": [], "backend": None, "documents": None})


def test_ask_passes_history_and_backend(client):
    http, service = client
    history = [{"role": "user", "content": "Eerste vraag"}, {"role": "assistant", "content": "Eerste antwoord"}]
    r = http.post("/api/ask", json={"question": "En verder?", "history": history, "backend": "extractive"})
    assert r.status_code == 200
    assert r.json()["backend"] == "extractive"
    assert service.calls[-1][1]["history"] == history


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"question": ""}, "leeg"),
        ({"question": "   \n\t "}, "leeg"),
        ({"question": 42}, "'question' moet tekst zijn"),
        ({"question": None}, "'question' moet tekst zijn"),
        ({}, "'question' ontbreekt"),
        ({"question": "x", "history": "nee"}, "'history' moet een lijst zijn"),
        ({"question": "x", "history": [{"role": "system", "content": "x"}]}, "'history.0.role'"),
        ({"question": "x", "stream": "ja"}, "'stream' moet true of false zijn"),
        (["question"], "JSON-object"),
    ],
)
def test_ask_rejects_bad_requests_with_one_dutch_sentence(client, body, fragment):
    http, service = client
    r = http.post("/api/ask", json=body)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, str) and fragment in detail
    assert not [c for c in service.calls if c[0] == "ask"]


def test_ask_rejects_invalid_json(client):
    http, _ = client
    r = http.post("/api/ask", content=b"{niet json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json() == {"detail": "Ongeldig verzoek: de inhoud is geen geldige JSON."}


def test_question_too_long_is_413_and_the_limit_itself_is_fine(client):
    http, _ = client
    assert http.post("/api/ask", json={"question": "x" * 100}).status_code == 200
    r = http.post("/api/ask", json={"question": "x" * 101})
    assert r.status_code == 413
    assert "maximaal 100 tekens" in r.json()["detail"]


def test_huge_body_is_refused_before_parsing(client):
    http, service = client
    r = http.post("/api/ask", content=b"x" * 1_000_001, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert service.calls == []


def test_stream_sends_tokens_then_the_answer(client):
    http, _ = client
    r = http.post("/api/ask", json={"question": "Wat is de rol van Nederland?", "stream": True})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.text.endswith("\n\n")
    events = sse_events(r.text)
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"token"} and len(kinds) > 3
    assert "".join(data["text"] for kind, data in events[:-1]) == NORMAL_ANSWER
    final = events[-1][1]
    assert final["answer"] == NORMAL_ANSWER and len(final["citations"]) == 2


def test_stream_from_a_service_that_is_not_ready_is_503_json(make):
    http, _ = make(FakeAssistant(fail=NotReadyError("De index is nog niet gebouwd.")))
    r = http.post("/api/ask", json={"question": "Wat?", "stream": True})
    assert r.status_code == 503
    assert r.json() == {"detail": "De index is nog niet gebouwd."}


def test_stream_sends_the_verbatim_answer_first_then_the_summary(make):
    class Summarising(FakeAssistant):
        def ask_stream(self, question, history=None, backend=None, documents=None):
            verbatim = self.ask(question, history, backend, documents)
            yield StreamEvent("extractive", answer=verbatim)
            yield StreamEvent("token", text="Samen")
            yield StreamEvent("answer", answer=verbatim)

    http, _ = make(Summarising())
    events = sse_events(http.post("/api/ask", json={"question": "Wat is de rol van Nederland?", "stream": True}).text)
    assert [kind for kind, _ in events] == ["extractive", "token", "answer"]
    assert events[0][1]["answer"] == NORMAL_ANSWER and len(events[0][1]["citations"]) == 2
    assert events[1][1] == {"text": "Samen"}


def test_error_in_the_middle_of_a_stream_becomes_an_error_event(make):
    class Breaks(FakeAssistant):
        def ask_stream(self, question, history=None, backend=None, documents=None):
            yield StreamEvent("token", text="Een ")
            raise RuntimeError("geheime details")

    http, _ = make(Breaks())
    r = http.post("/api/ask", json={"question": "Wat?", "stream": True})
    events = sse_events(r.text)
    assert events[0] == ("token", {"text": "Een "})
    assert events[-1][0] == "error" and events[-1][1]["status"] == 500
    assert "geheime" not in r.text


def test_user_error_keeps_its_status_and_message(make):
    http, _ = make(failing(429, "Er wachten al te veel vragen; probeer het zo opnieuw."))
    r = http.post("/api/ask", json={"question": "Wat?"})
    assert r.status_code == 429
    assert r.json() == {"detail": "Er wachten al te veel vragen; probeer het zo opnieuw."}


def test_unexpected_error_is_500_without_internals(make):
    http, _ = make(FakeAssistant(fail=RuntimeError("geheime details")), raise_server_exceptions=False)
    r = http.post("/api/ask", json={"question": "Wat?"})
    assert r.status_code == 500
    assert "geheime" not in r.text and "Traceback" not in r.text
    assert r.json()["detail"].startswith("Er ging iets mis")


def test_rate_limit_per_client(make):
    http, _ = make(rate_limit_per_minute=2)
    codes = [http.post("/api/ask", json={"question": "Wat?"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_rate_limiter_window_slides():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.allow("a") and limiter.allow("a") and not limiter.allow("a")
    assert limiter.allow("b")
    now[0] = 60.0
    assert limiter.allow("a")


# -- /api/check, documents, feedback, health -----------------------------------


def test_check_exact_fuzzy_and_missing(client):
    http, _ = client
    exact = http.post("/api/check", json={"claim": "Nederland speelt een leidende rol in de mondiale halfgeleiderketen."}).json()
    assert exact["verdict"] == "supported" and exact["match"] == "exact"
    assert exact["citations"][0]["paragraph_id"] == f"{LETTER}:p3"
    near = http.post(
        "/api/check",
        json={"claim": "Een sterke economie is de basis onder onze welvaart, onze veiligheid en ons geluk."},
    ).json()
    assert near["match"] == "fuzzy" and "welzijn" in near["differences"]
    missing = http.post("/api/check", json={"claim": "Het kabinet schaft alle belastingen af."}).json()
    assert missing["verdict"] == "not_supported" and missing["citations"] == []


def test_check_validation(client):
    http, _ = client
    assert http.post("/api/check", json={"claim": " "}).status_code == 422
    assert http.post("/api/check", json={"claim": 1}).status_code == 422
    assert http.post("/api/check", json={"claim": "y" * 101}).status_code == 413


def test_documents_and_one_document(client):
    http, _ = client
    docs = http.get("/api/documents").json()
    assert [d["id"] for d in docs] == [LETTER, "kst-29826-277"]
    assert docs[0]["references"][0]["present"] is True and docs[0]["paragraphs"] == 9
    one = http.get(f"/api/documents/{LETTER}").json()
    assert len(one["records"]) == 9
    missing = http.get("/api/documents/bestaat-niet")
    assert missing.status_code == 404 and missing.json() == {"detail": "Dit document bestaat niet in de assistent."}


def test_documents_when_not_ready(make):
    http, _ = make(FakeAssistant(fail=NotReadyError("De index is nog niet gebouwd.")))
    r = http.get("/api/documents")
    assert r.status_code == 503 and r.json()["detail"] == "De index is nog niet gebouwd."


def test_feedback_is_stored(client, tmp_path):
    http, _ = client
    body = {"question": "Wat?", "answer": "Dit [1].", "citations": [{"n": 1}], "rating": "down", "comment": " klopt niet "}
    r = http.post("/api/feedback", json=body)
    assert r.status_code == 201
    rows = FeedbackStore(tmp_path / "feedback.sqlite").all()
    assert len(rows) == 1
    assert rows[0]["rating"] == "down" and rows[0]["comment"] == "klopt niet" and rows[0]["citations"] == [{"n": 1}]
    assert rows[0]["time"].endswith("+00:00")
    assert http.post("/api/feedback", json={**body, "rating": "meh"}).status_code == 422


def test_feedback_store_rejects_bad_input(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite")
    with pytest.raises(UserError):
        store.add("Wat?", "Dit.", [], "sideways")
    with pytest.raises(UserError):
        store.add("", "Dit.", [], "up")
    assert store.all() == []


def test_health_and_readiness(make):
    http, _ = make()
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    http, _ = make(FakeAssistant(ready=False, ready_message="De index is nog niet gebouwd."))
    not_ready = http.get("/readyz")
    assert not_ready.status_code == 503
    body = not_ready.json()
    assert (body["status"], body["detail"]) == ("not_ready", "De index is nog niet gebouwd.")
    assert http.get("/healthz").status_code == 200


def test_readiness_says_what_auto_answers_with_and_why(make):
    http, _ = make()  # settings backend auto, no local model in this test's world
    backend = http.get("/readyz").json()["backend"]
    assert backend["first_answer"] == "extractive" and backend["summary"] is None
    assert backend["reason"].startswith("auto: ") and backend["problem"] == ""
    http, _ = make(backend="local")
    backend = http.get("/readyz").json()["backend"]
    assert backend["summary"] is None and "make setup-local" in backend["problem"]


def test_openapi_lists_the_api(client):
    http, _ = client
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/check", "/api/documents", "/api/documents/{doc_id}", "/healthz", "/readyz"} <= set(paths)
    docs = http.get("/docs")
    assert docs.status_code == 200


def test_api_docs_load_nothing_from_elsewhere(client):
    http, _ = client
    page = http.get("/docs").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(url.startswith("/docs-assets/") for url in sources), sources
    for url in sources:
        asset = http.get(url)
        assert asset.status_code == 200 and len(asset.content) > 100


# -- CORS, CSP -------------------------------------------------------------------


def preflight(http, origin):
    return http.options(
        "/api/ask",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )


def test_cors_allows_listed_origin(client):
    http, _ = client
    pre = preflight(http, INTRANET)
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == INTRANET
    r = http.post("/api/ask", json={"question": "Wat?"}, headers={"Origin": INTRANET})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == INTRANET


def test_cors_refuses_other_origins(client):
    http, service = client
    pre = preflight(http, FOREIGN)
    assert pre.status_code == 403 and "access-control-allow-origin" not in pre.headers
    r = http.post("/api/ask", json={"question": "Wat?"}, headers={"Origin": FOREIGN})
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers
    assert "herkomst" in r.json()["detail"]
    assert service.calls == []


def test_same_origin_browser_calls_are_fine(client):
    http, _ = client
    r = http.post("/api/ask", json={"question": "Wat?"}, headers={"Origin": "http://testserver"})
    assert r.status_code == 200


def test_frame_ancestors_on_pages(client):
    http, _ = client
    for path in ("/embed", f"/doc/{LETTER}"):
        csp = http.get(path).headers["content-security-policy"]
        assert f"frame-ancestors 'self' {INTRANET}" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert http.get("/healthz").headers["content-security-policy"] == f"frame-ancestors 'self' {INTRANET}"


def test_empty_allow_list_means_same_origin_only(make):
    http, _ = make(allowed_origins="")
    assert http.get("/embed").headers["content-security-policy"].endswith("frame-ancestors 'self'")
    assert preflight(http, INTRANET).status_code == 403


def test_parse_origins():
    assert parse_origins(" https://A.example.nl/ , http://b.nl:8080,,https://A.example.nl") == (
        "https://a.example.nl",
        "http://b.nl:8080",
    )
    with pytest.raises(ValueError):
        parse_origins("intranet.example.nl")
    with pytest.raises(ValueError):
        parse_origins("https://intranet.example.nl/pad")


# -- viewer and widget -------------------------------------------------------------


def test_viewer_shows_every_paragraph_with_anchor_label_and_page(client):
    http, _ = client
    r = http.get(f"/doc/{LETTER}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    for key in ("h1", "p1", "p2", "p3", "h2", "p4", "p5", "p6", "fn1"):
        assert f'id="p-{LETTER}:{key}"' in page
        assert f'href="#p-{LETTER}:{key}"' in page  # permalink
    assert "alinea 3" in page and "pagina 1–2" in page and "voetnoot 1" in page
    # footnote linked both ways
    assert f'<a href="#p-{LETTER}:fn1" id="ref-{LETTER}:p2-{LETTER}:fn1"' in page
    assert f'Verwezen vanuit: <a href="#p-{LETTER}:p2">alinea 2</a>' in page
    assert "https://zoek.officielebekendmakingen.nl/kst-29826-277.html" in page
    assert "in de assistent aanwezig" in page and "niet in de assistent aanwezig" in page
    assert '<script src="/web/viewer.js" defer></script>' in page


def test_viewer_escapes_document_text(client):
    http, _ = client
    page = http.get(f"/doc/{LETTER}").text
    assert "&lt;script&gt;window.__svInjected=&#x27;script&#x27;&lt;/script&gt;" in page
    assert "<img" not in page
    assert len(re.findall(r"<script", page)) == 1  # only the viewer's own script tag
    assert 'href="javascript' not in page


def test_viewer_unknown_document_and_not_ready(make):
    http, _ = make()
    r = http.get("/doc/bestaat-niet")
    assert r.status_code == 404 and "Document niet gevonden" in r.text
    http, _ = make(FakeAssistant(fail=NotReadyError("De index is nog niet gebouwd.")))
    r = http.get(f"/doc/{LETTER}")
    assert r.status_code == 503 and "De index is nog niet gebouwd." in r.text


def test_static_assets_are_served(client):
    http, _ = client
    for path in ("/web/viewer.js", "/web/viewer.css", "/web/embed-app.js", "/web/embed.css", "/web/ui.css"):
        assert http.get(path).status_code == 200, path


def test_widget_page_and_loader(client):
    http, _ = client
    page = http.get("/embed")
    assert page.status_code == 200 and 'maxlength="100"' in page.text
    assert '<script src="/web/embed-app.js" defer></script>' in page.text
    loader = http.get("/embed.js")
    assert loader.status_code == 200 and loader.headers["content-type"].startswith("text/javascript")
    assert "data-target" in loader.text and '"/embed"' in loader.text


# -- rendering helpers ------------------------------------------------------------


def test_markdown_escaping_leaves_only_citation_links():
    answer = FakeAssistant().ask("opmaak").to_dict()
    assert answer["answer"] == INJECTION_ANSWER
    md = render.answer_markdown(answer)
    assert "<script" not in md and "<img" not in md
    assert "\\[klik\\]\\(javascript" in md
    links = re.findall(r"\]\(<([^>]*)>\)", md)
    assert links and all(link == f"/doc/{LETTER}#p-{LETTER}:p5" for link in links)


def test_sources_and_check_html_are_escaped():
    service = FakeAssistant()
    answer = service.ask("opmaak").to_dict()
    html = render.sources_html(answer)
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    result = service.check("Testalinea met opmaak: <script>").to_dict()
    assert "<script" not in render.check_html(result)


def test_external_links_must_be_web_links():
    assert render.external_href("https://zoek.officielebekendmakingen.nl/kst-1-2.html")
    assert render.external_href("javascript:alert(1)") is None
    assert render.external_href("data:text/html,hi") is None


def test_markdown_export_quotes_sources():
    answer = FakeAssistant().ask("Wat?").to_dict()
    md = render.conversation_markdown([{"question": "Wat?", "answer": answer}], "http://assistent.example")
    assert "## Vraag: Wat?" in md
    assert f"[1] Kamerbrief Semicon Visie 2035, alinea 3, pagina 1: http://assistent.example/doc/{LETTER}#p-{LETTER}:p3" in md
    assert "> De halfgeleiderindustrie is één van de sectoren" in md


# -- with the Gradio UI mounted ------------------------------------------------------


def test_ui_is_mounted_with_named_endpoints(make):
    http, _ = make(with_ui=True)
    home = http.get("/")
    assert home.status_code == 200 and "text/html" in home.headers["content-type"]
    assert home.headers["content-security-policy"] == f"frame-ancestors 'self' {INTRANET}"
    info = http.get("/gradio_api/info").json()
    assert {"/ask", "/check", "/documents"} <= set(info["named_endpoints"])
    assert http.get("/healthz").json() == {"status": "ok"}  # API routes win over the mount at /


# -- bad input: the whole battery, against the real service over fake embeddings -------------------


@pytest.fixture(scope="module")
def stress_server(tmp_path_factory):
    from devtools import stress
    from assistant.service import Assistant
    from index.embeddings import FakeEmbeddings

    root = tmp_path_factory.mktemp("battery")
    corpus = stress.write_stress_corpus(root / "corpus")
    settings = Settings(home=root / "home", corpus_dir=corpus, embedding_model="fake", backend="extractive",
                        admin_token="battery-token", rate_limit_per_minute=0, max_file_mb=0.05)
    service = Assistant(settings, embeddings=FakeEmbeddings())
    service.ingest()
    # Bad documents inside the corpus folder too, for the admin ingest route (after the first ingest).
    stress.write_bad_documents(corpus / stress.BAD_SUBFOLDER, int(settings.max_file_mb * 2**20))
    return TestClient(create_app(settings, service, with_ui=False), raise_server_exceptions=False), settings


def test_bad_input_battery_is_answered_clearly_and_leaves_the_index_alone(stress_server):
    from devtools import stress

    http, settings = stress_server
    probes = stress.http_probes(settings.max_question_chars, int(settings.max_file_mb * 2**20), bad_in_corpus=True)
    assert len(probes) >= 50

    def listing() -> list[tuple[str, int]]:
        return sorted((str(p.relative_to(settings.corpus_dir)), p.stat().st_size) for p in settings.corpus_dir.rglob("*"))

    before, files = stress.http_fingerprint(http), listing()
    outcomes = stress.run_probes(probes, lambda probe: stress.send_probe(http, probe, settings.admin_token))
    assert [(o.name, o.status, o.problem) for o in outcomes if not o.ok] == []
    assert stress.http_fingerprint(http) == before and listing() == files
    assert {name for name, _ in files if "/" not in name} == {"kamerbrief-semicon-visie-2035.txt", stress.BAD_SUBFOLDER, *stress.INJECTED_FILES}
    assert http.get("/healthz").status_code == 200 and http.get("/readyz").status_code == 200


def test_invisible_characters_are_removed_before_answering(client):
    http, service = client
    r = http.post("/api/ask", content=b'{"question": "Wat\\u0000 is\\u202e de \\ud800rol?"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    assert service.calls[-1][1]["question"] == "Wat is de rol?"
    empty = http.post("/api/ask", json={"question": "\x00\u200b\u202e"})
    assert empty.status_code == 422 and "leeg" in empty.json()["detail"]


def test_undecodable_body_is_422_in_dutch(client):
    http, service = client
    for body in (b'{"question": "caf\xc3 \xff"}', b'{"question": 1' + b"0" * 5000 + b"}"):
        r = http.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 422 and r.json()["detail"] == "Ongeldig verzoek: de inhoud is geen geldige JSON in UTF-8."
    assert service.calls == []


def test_rate_limit_says_when_to_come_back(make):
    http, _ = make(rate_limit_per_minute=1)
    assert http.post("/api/ask", json={"question": "Wat?"}).status_code == 200
    r = http.post("/api/ask", json={"question": "Wat?"})
    assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
    assert http.post("/api/check", json={"claim": "Wat?"}).status_code == 429
