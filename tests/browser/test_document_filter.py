"""The document selector in the UI and the widget's data-documents, in a real Chromium.

A real assistant (fake embeddings, the real chain) over two letters that both speak of talent for
the chip sector: without a filter the Brainport letter answers, with one the chosen letter does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.config import Settings
from tests.browser.conftest import GRADIO_PANDAS_NOISE, _bound_socket, _origin, _page_app, _serve, shot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180), *GRADIO_PANDAS_NOISE]

BRAINPORT = "kst-33009-141"
TWENTE = "brief-twente"
TALENT_TWENTE = "Ook de regio Twente investeert in talent voor de chipsector met een eigen techniekpact voor scholieren."
QUESTION = "Wie investeert in talent voor de chipsector met een actieplan?"
BOT = "#sv-chat [data-testid='bot']"


@dataclass
class Site:
    origin: str
    intranet: str  # an allowed page embedding the widget restricted to the Twente letter
    assistant: object
    corpus: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from assistant.service import Assistant
    from assistant.web.app import create_app
    from index.embeddings import FakeEmbeddings

    root = tmp_path_factory.mktemp("filter")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / f"{BRAINPORT}.md").write_text(
        "# Kamerstuk 33009, nr. 141: Talent\n\nHet kabinet investeert in talent voor de chipsector met een actieplan "
        "voor techniekonderwijs in Brainport.\n\nDe campus in Eindhoven groeit.\n", encoding="utf-8",
    )
    (corpus / f"{TWENTE}.md").write_text(f"# Brief over Twente\n\n{TALENT_TWENTE}\n\nDe campus groeit snel.\n", encoding="utf-8")
    socks = [_bound_socket(), _bound_socket()]
    assistant_origin, intranet = (_origin(s) for s in socks)
    settings = Settings.load(
        env={}, home=root / "home", corpus_dir=corpus, embedding_model="fake", backend="extractive",
        allowed_origins=intranet, rate_limit_per_minute=1000,
    )
    assistant = Assistant(settings, embeddings=FakeEmbeddings())
    assistant.ingest()
    page = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Intranet</title></head><body>'
        '<div id="assistent"></div>'
        f'<script src="{assistant_origin}/embed.js" data-mode="inline" data-target="#assistent" data-documents=" {TWENTE} "></script>'
        "</body></html>"
    )
    servers = [_serve(create_app(settings, assistant), socks[0]), _serve(_page_app({"/": page}), socks[1])]
    try:
        yield Site(assistant_origin, intranet, assistant, corpus)
    finally:
        for server in servers:
            server.stop()


def cited_documents(bubble) -> set[str]:
    hrefs = bubble.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return {href.split("/doc/", 1)[1].split("#", 1)[0] for href in hrefs if "/doc/" in href}


def ask(page, question: str):
    count = page.locator(BOT).count()
    box = page.get_by_label("Uw vraag")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"n => document.querySelectorAll(\"{BOT}\").length > n", arg=count)
    bubble = page.locator(BOT).last
    bubble.get_by_role("link", name="[1]", exact=True).first.wait_for()
    return bubble


def test_a_document_chosen_in_the_selector_is_the_only_one_cited(site, page):
    page.goto(site.origin + "/")
    assert cited_documents(ask(page, QUESTION)) == {BRAINPORT}  # no filter: the best match answers

    selector = page.get_by_label("Zoek alleen in")
    selector.click()
    page.get_by_role("option", name="Brief over Twente").click()
    page.keyboard.press("Escape")
    assert page.locator("#sv-document-filter .token").all_inner_texts() == ["Brief over Twente"]

    bubble = ask(page, QUESTION)
    assert cited_documents(bubble) == {TWENTE}
    assert TALENT_TWENTE in bubble.inner_text()
    assert page.locator("#sv-sources blockquote").all_inner_texts() == [TALENT_TWENTE]
    shot(page, "document-filter")


def test_the_widget_answers_from_its_data_documents_only(site, page):
    page.goto(site.intranet + "/")
    widget = page.frame_locator("iframe[title='Semicon Visie-assistent']")
    question = widget.get_by_label("Uw vraag")
    question.fill(QUESTION)
    question.press("Enter")
    widget.locator(".sv-answer-text .sv-cite").first.wait_for()
    hrefs = widget.locator(".sv-bot a.sv-cite").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and all(h.startswith(f"{site.origin}/doc/{TWENTE}#") for h in hrefs)
    assert TALENT_TWENTE in widget.locator(".sv-sources blockquote").first.inner_text()


def test_the_selector_follows_the_index(site, page):
    page.goto(site.origin + "/")
    selector = page.get_by_label("Zoek alleen in")
    selector.click()
    page.get_by_role("option", name="Brief over Twente").wait_for()
    assert page.get_by_role("option", name="Brief over Delft").count() == 0
    page.keyboard.press("Escape")
    added = site.corpus / "brief-delft.md"
    added.write_text("# Brief over Delft\n\nDelft leidt ingenieurs op voor de chipsector.\n", encoding="utf-8")
    try:
        site.assistant.ingest([added])
        page.get_by_label("Uw vraag").click()
        selector.click()  # opening the selector reads the index again
        page.get_by_role("option", name="Brief over Delft").wait_for()
    finally:
        added.unlink()
        site.assistant.ingest()
