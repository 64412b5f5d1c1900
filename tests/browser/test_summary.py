"""Verbatim answer first, the language model's summary streaming under it, in a real Chromium.

A real assistant over the bundled letter (fake embeddings, real chain and verification) with an
OpenAI-compatible backend played by the fake LLM server, which writes slowly enough to watch.
"""

from __future__ import annotations

import re

import pytest

from assistant.config import PROJECT_ROOT, Settings
from tests.browser.conftest import GRADIO_PANDAS_NOISE, _bound_socket, _origin, _serve, shot
from devtools.fake_llm import fake_llm_server

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180), *GRADIO_PANDAS_NOISE]

QUESTION = "Wanneer is de Semicon Board NL van start gegaan?"
SUMMARY = "De Semicon Board NL is begin 2025 van start gegaan [{n}]. Het Kabinet heeft opdracht gegeven om op basis van een gedegen analyse werk te maken van een integrale publiek-private visie [{n}]."


def _reply(body: dict) -> str:
    prompt = body["messages"][-1]["content"]
    numbers = [n for n, text in re.findall(r"^\[(\d+)\] (.*)$", prompt, re.M) if "begin 2025" in text]
    return SUMMARY.format(n=numbers[0]) if numbers else "NIET_GEVONDEN"


def _site(tmp_path_factory, backend: str):
    """A live assistant answering with `backend`, its model played by the fake LLM server."""
    from assistant.service import Assistant
    from assistant.web.app import create_app
    from index.embeddings import FakeEmbeddings

    with fake_llm_server(reply=_reply, token_delay=0.15) as llm:
        settings = Settings.load(
            env={}, home=tmp_path_factory.mktemp("summary") / "home", corpus_dir=PROJECT_ROOT / "corpus",
            embedding_model="fake", backend=backend, openai_base_url=llm.base_url + "/v1", rate_limit_per_minute=1000,
        )
        assistant = Assistant(settings, embeddings=FakeEmbeddings())
        assistant.ingest()
        sock = _bound_socket()
        server = _serve(create_app(settings, assistant), sock)
        try:
            yield _origin(sock)
        finally:
            server.stop()


@pytest.fixture(scope="module")
def summarising_site(tmp_path_factory):
    yield from _site(tmp_path_factory, "openai/fake")


@pytest.fixture(scope="module")
def on_request_site(tmp_path_factory):
    # `auto` with an installed local model offers "Vat samen"; the fake server stands in for that model.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("assistant.summary.on_request_backend", lambda settings: "openai/fake")
        yield from _site(tmp_path_factory, "auto")


def test_verbatim_answer_first_then_the_summary_streams_below_it(summarising_site, context, page):
    page.goto(summarising_site + "/")
    box = page.get_by_label("Uw vraag")
    box.fill(QUESTION)
    box.press("Enter")
    bubble = page.locator("#sv-chat [data-testid='bot']").last

    # The verbatim answer with its citation is on screen while the model is still writing.
    bubble.get_by_role("link", name="[1]", exact=True).first.wait_for()
    page.wait_for_function(
        "() => { const b = [...document.querySelectorAll(\"#sv-chat [data-testid='bot']\")].pop();"
        " return b && b.innerText.includes('Samenvatting door het taalmodel') && b.innerText.includes('▌'); }"
    )
    streaming = bubble.inner_text()
    assert "Volgens Kamerbrief Semicon Visie 2035" in streaming and "“" in streaming
    assert streaming.index("Volgens Kamerbrief") < streaming.index("Samenvatting door het taalmodel")
    shot(page, "summary-streaming")

    # The finished summary, verified, with its own markers; the verbatim part stays above it.
    page.wait_for_function(
        "() => { const b = [...document.querySelectorAll(\"#sv-chat [data-testid='bot']\")].pop();"
        " return b && b.innerText.includes('integrale publiek-private visie') && !b.innerText.includes('▌'); }"
    )
    final = bubble.inner_text()
    summary = final[final.index("Samenvatting door het taalmodel"):]
    assert "De Semicon Board NL is begin 2025 van start gegaan" in summary
    assert "Volgens Kamerbrief Semicon Visie 2035" in final[: final.index("Samenvatting door het taalmodel")]
    assert page.locator("#sv-sources h2").all_inner_texts() == [
        "Bronnen bij het letterlijke antwoord", "Bronnen bij de samenvatting door het taalmodel"
    ]
    shot(page, "summary-done", full_page=True)

    # A citation in the summary opens the cited paragraph, highlighted.
    summary_links = bubble.get_by_role("link", name="[1]", exact=True)
    assert summary_links.count() >= 2  # one in the verbatim part, one in the summary
    with context.expect_page() as opened:
        summary_links.last.click()
    viewer = opened.value
    viewer.wait_for_load_state()
    target = viewer.url.split("#", 1)[1]
    viewer.wait_for_function("id => document.getElementById(id).classList.contains('sv-highlight')", arg=target)
    assert "begin 2025 de Semicon Board NL van start gegaan" in viewer.locator(f"[id='{target}']").inner_text()


def test_widget_shows_the_verbatim_answer_then_the_summary(summarising_site, page):
    page.goto(summarising_site + "/embed")
    page.get_by_label("Uw vraag").fill(QUESTION)
    page.get_by_label("Uw vraag").press("Enter")
    bot = page.locator(".sv-bot").last
    bot.locator(".sv-answer-text a.sv-cite").first.wait_for()  # verbatim, with its citation link
    bot.locator(".sv-summary-text").wait_for()  # the summary streaming under it, verbatim still shown
    assert bot.locator(".sv-answer-text a.sv-cite").count() >= 1
    page.wait_for_function("() => !!document.querySelector('.sv-bot .sv-summary .sv-sources')")  # the verified summary
    text = bot.inner_text()
    assert text.index("Volgens Kamerbrief Semicon Visie 2035") < text.index("Samenvatting door het taalmodel")
    assert "De Semicon Board NL is begin 2025 van start gegaan" in bot.locator(".sv-summary").inner_text()
    assert bot.get_by_role("button", name="Ja, nuttig").inner_text() == "Ja"
    shot(page, "widget-summary")


def test_auto_answers_verbatim_and_summarises_on_request(on_request_site, page):
    page.goto(on_request_site + "/")
    box = page.get_by_label("Uw vraag")
    box.fill(QUESTION)
    box.press("Enter")
    bubble = page.locator("#sv-chat [data-testid='bot']").last
    bubble.get_by_role("link", name="[1]", exact=True).first.wait_for()
    summarize = page.get_by_role("button", name="Vat samen")
    summarize.wait_for()
    assert "Samenvatting door het taalmodel" not in bubble.inner_text()  # nobody waited for a model
    summarize.click()
    page.wait_for_function(
        "() => { const b = [...document.querySelectorAll(\"#sv-chat [data-testid='bot']\")].pop();"
        " return b && b.innerText.includes('integrale publiek-private visie [1]') && !b.innerText.includes('▌'); }"
    )
    final = bubble.inner_text()
    assert final.index("Volgens Kamerbrief") < final.index("Samenvatting door het taalmodel")
    assert summarize.is_hidden()
