"""The widget on an allowed intranet origin, and a foreign origin that may neither frame nor call it."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import GRADIO_PANDAS_NOISE, shot
from tests.fakes.assistant import LETTER

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120), *GRADIO_PANDAS_NOISE]


def test_intranet_page_embeds_widget_and_gets_a_cited_answer(sites, page):
    page.goto(sites.intranet + "/")
    widget = page.frame_locator("iframe[title='Semicon Visie-assistent']")
    question = widget.get_by_label("Uw vraag")
    question.fill("Welke rol speelt Nederland in de halfgeleiderketen?")
    question.press("Enter")
    cite = widget.locator(".sv-answer-text .sv-cite").first
    cite.wait_for()
    assert cite.get_attribute("href") == f"{sites.assistant}/doc/{LETTER}#p-{LETTER}:p3"
    assert cite.get_attribute("target") == "_blank"
    assert "leidende rol" in widget.locator(".sv-bot").last.inner_text()
    assert "Nederland speelt een leidende rol" in widget.locator(".sv-sources blockquote").first.inner_text()
    shot(page, "intranet-widget")

    widget.get_by_role("button", name="Ja, nuttig").click()
    widget.get_by_text("Bedankt voor uw feedback.").wait_for()


def test_floating_button_opens_the_widget(sites, page):
    page.goto(sites.intranet + "/floating")
    button = page.get_by_role("button", name="Vraag het de assistent")
    assert page.locator("iframe[title='Semicon Visie-assistent']").count() == 0
    button.click()
    assert page.get_by_role("button", name="Sluit de assistent").get_attribute("aria-expanded") == "true"
    page.frame_locator("iframe[title='Semicon Visie-assistent']").get_by_label("Uw vraag").wait_for()
    shot(page, "intranet-floating")


def test_foreign_origin_can_neither_frame_nor_call(sites, page):
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(sites.foreign + "/")
    page.wait_for_function("() => window.fetchResult !== 'pending'")
    assert page.evaluate("window.fetchResult").startswith("refused")
    deadline = time.monotonic() + 10
    while not any("frame-ancestors" in m for m in messages) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert any("frame-ancestors" in m and sites.assistant in m for m in messages), messages
    frame = next(f for f in page.frames if f is not page.main_frame)
    assert frame.url.startswith("chrome-error://") or frame.locator("#sv-form").count() == 0
    assert not any(call[0] == "ask" and call[1]["question"] == "Wat is de Semicon Visie?" for call in sites.service.calls)
