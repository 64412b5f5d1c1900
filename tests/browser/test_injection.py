"""Injected markup in a real corpus stays inert: the real Assistant (fake embeddings, embedded Chroma)
over a corpus with a document full of <script>, <img onerror> and javascript: links, answering
extractively (quoting that document) and generatively (a FakeChat whose output carries markup too).
The UI, the widget and the document viewer must show it all as text and run none of it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from devtools import stress
from tests.browser.conftest import GRADIO_PANDAS_NOISE, _bound_socket, _serve

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180), *GRADIO_PANDAS_NOISE]

DOC = "subsidieregeling-chipontwerp"
MODEL_REPLY = (
    "De subsidieregeling voor chipontwerp staat open voor startende ontwerpbedrijven in Nederland "
    "<script>window.__svInjected='llm'</script> [1]. "
    "Zie ook <img src=x onerror=\"window.__svInjected='llm-img'\"> en [de regeling](javascript:window.__svInjected='llm-link') [1]."
)
SETTLE_MS = 600  # time for a failed <img> load to fire onerror, if an <img> had been made


@pytest.fixture(scope="module", params=["extractive", "openai/fake"])
def real_site(request, tmp_path_factory):
    from assistant.config import Settings
    from assistant.llm.fake import FakeChat
    from assistant.service import Assistant
    from assistant.web.app import create_app
    from index.embeddings import FakeEmbeddings

    root = tmp_path_factory.mktemp("injection")
    corpus = stress.write_stress_corpus(root / "corpus")
    settings = Settings(home=root / "home", corpus_dir=corpus, embedding_model="fake", backend=request.param,
                        rate_limit_per_minute=0)
    service = Assistant(settings, embeddings=FakeEmbeddings(),
                        chat_model_factory=lambda _settings, _name: FakeChat(responses=[MODEL_REPLY]))
    service.ingest()
    server = _serve(create_app(settings, service), _bound_socket())
    try:
        yield request.param, server.origin
    finally:
        server.stop()


@pytest.fixture
def watched(context):
    """Pages in this context, with every dialog (alert/confirm) they try to open recorded."""
    dialogs: list[str] = []

    def new_page():
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        return page

    return new_page, dialogs


def assert_inert(page, *scopes: str) -> None:
    page.wait_for_timeout(SETTLE_MS)
    assert page.evaluate("window.__svInjected") is None
    assert page.locator("a[href^='javascript'], iframe[src^='javascript'], [onerror], [onload]").count() == 0
    made = ", ".join(f"{scope} {tag}" for scope in scopes for tag in ("img", "script", "iframe"))
    assert page.locator(made).count() == 0


def ui_ask(page, question: str):
    bots = page.locator("#sv-chat [data-testid='bot']")
    before = bots.count()
    box = page.get_by_label("Uw vraag")
    box.fill(question)
    box.press("Enter")
    answer = bots.nth(before)
    answer.get_by_role("link", name="[1]", exact=True).first.wait_for()
    page.locator("#sv-sources .sv-source").first.wait_for()
    return answer


def test_ui_shows_injected_document_and_model_output_as_text(real_site, watched):
    backend, origin = real_site
    new_page, dialogs = watched
    page = new_page()
    page.goto(origin + "/")
    page.get_by_label("Uw vraag").wait_for()

    answer = ui_ask(page, stress.CORPUS_QUESTIONS[1])
    if backend != "extractive":
        # The verbatim answer (with its [1]) comes first; the model's summary streams in under it.
        expect(answer).to_contain_text("window.__svInjected='llm'", timeout=30_000)
    shown = answer.inner_text()
    if backend == "extractive":
        assert "<script>window.__svInjected='doc-script'</script>" in shown
    else:
        assert "<script>window.__svInjected='llm'</script>" in shown
    sources = page.locator("#sv-sources").inner_text()
    assert "<script>window.__svInjected='doc-script'</script>" in sources
    assert_inert(page, "#sv-chat", "#sv-sources")

    ui_ask(page, stress.CORPUS_QUESTIONS[2])
    page.wait_for_function("() => document.querySelector('#sv-sources').innerText.includes('<img src=x onerror=')")
    assert_inert(page, "#sv-chat", "#sv-sources")

    page.get_by_role("tab", name="Controleer een citaat").click()
    page.get_by_label("Citaat of bewering").fill("Meer informatie staat op [de website](javascript:window.__svInjected='doc-link')")
    page.locator("#sv-check").click()
    result = page.locator("#sv-check-result .sv-check")
    result.wait_for()
    assert "javascript:window.__svInjected='doc-link'" in result.inner_text()
    page.get_by_role("tab", name="Documenten").click()
    page.locator("#sv-documents table.sv-docs").wait_for()
    assert_inert(page, "#sv-check-result", "#sv-documents")
    assert dialogs == []


def test_widget_shows_injected_text_while_streaming_and_after(real_site, watched):
    backend, origin = real_site
    new_page, dialogs = watched
    widget = new_page()
    widget.goto(origin + "/embed")
    # Record every text the answer bubble shows while tokens stream in, and any node it ever gets.
    widget.evaluate(
        """() => {
        window.__svSeen = [];
        new MutationObserver(() => {
          const bot = document.querySelector('.sv-bot:last-of-type');
          if (bot) { window.__svSeen.push(bot.textContent); }
          if (document.querySelector('.sv-log img, .sv-log script, .sv-log iframe')) { window.__svNode = true; }
        }).observe(document.getElementById('sv-log'), {childList: true, subtree: true, characterData: true});
      }"""
    )
    for i, question in enumerate(stress.CORPUS_QUESTIONS[1:]):
        widget.get_by_label("Uw vraag").fill(question)
        widget.get_by_label("Uw vraag").press("Enter")
        widget.locator(".sv-bot").nth(i).locator(".sv-sources .sv-cite").first.wait_for()
    text = widget.locator(".sv-log").inner_text()
    assert "<script>window.__svInjected=" in text and "<img src=x onerror=" in text
    if backend != "extractive":
        seen = " ".join(widget.evaluate("window.__svSeen"))
        assert "javascript:window.__svInjected='llm-link'" in seen  # streamed, then dropped by verification
    assert widget.evaluate("window.__svNode") is None
    assert_inert(widget, ".sv-log")
    assert dialogs == []


def test_viewer_shows_the_injected_document_as_text(real_site, watched):
    _, origin = real_site
    new_page, dialogs = watched
    viewer = new_page()
    viewer.goto(f"{origin}/doc/{DOC}")
    viewer.locator("article.sv-doc").wait_for()
    body = viewer.locator("article.sv-doc").inner_text()
    for payload in ("<script>window.__svInjected='doc-script'</script>", "<img src=x onerror=",
                    "[de website](javascript:window.__svInjected='doc-link')", "<a href=\"javascript:window.__svInjected='doc-a'\">"):
        assert payload in body
    assert_inert(viewer, "article")
    assert dialogs == []
