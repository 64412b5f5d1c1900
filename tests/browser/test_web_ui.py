"""The Gradio UI and the document viewer in a real Chromium."""

from __future__ import annotations

import pytest

from assistant.web.feedback import FeedbackStore
from tests.browser.conftest import GRADIO_PANDAS_NOISE, shot
from tests.fakes.assistant import LETTER

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120), *GRADIO_PANDAS_NOISE]

P3_TEXT = (
    "De halfgeleiderindustrie is één van de sectoren die in het “Industriebeleid met focus” wordt aangemerkt "
    "als bijzonder beloftevol. Nederland speelt een leidende rol in de mondiale halfgeleiderketen."
)


def open_ui(page, url):
    page.goto(url + "/")
    box = page.get_by_label("Uw vraag")
    box.wait_for()
    return box


def ask(page, box, question):
    box.fill(question)
    box.press("Enter")  # keyboard only
    last = page.locator("#sv-chat [data-testid='bot']").last
    last.get_by_role("link", name="[1]", exact=True).first.wait_for()
    return last


def test_answer_with_citation_opens_highlighted_paragraph(sites, context, page):
    box = open_ui(page, sites.assistant)
    answer = ask(page, box, "Welke rol speelt Nederland in de halfgeleiderketen?")
    assert "leidende rol in de mondiale halfgeleiderketen" in answer.inner_text()
    assert page.locator("#sv-sources blockquote").first.inner_text() == P3_TEXT
    assert page.get_by_label("Uw vraag").input_value() == ""
    shot(page, "main-ui", full_page=True)

    with context.expect_page() as opened:
        answer.get_by_role("link", name="[1]", exact=True).click()
    viewer = opened.value
    viewer.wait_for_load_state()
    target_id = f"p-{LETTER}:p3"
    assert viewer.url.endswith(f"/doc/{LETTER}#{target_id}")
    paragraph = viewer.locator(f"[id='{target_id}']")
    paragraph.wait_for()
    viewer.wait_for_function("id => document.getElementById(id).classList.contains('sv-highlight')", arg=target_id)
    assert paragraph.evaluate("el => el.matches(':target')")
    assert paragraph.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert paragraph.inner_text().endswith(P3_TEXT)
    box_ = paragraph.bounding_box()
    assert box_ and 0 <= box_["y"] < viewer.viewport_size["height"]
    shot(viewer, "viewer")

    # footnote links work both ways
    viewer.locator(f"[id='p-{LETTER}:p2'] sup a").click()
    viewer.wait_for_function("() => location.hash.endsWith(':fn1')")
    assert viewer.locator(f"[id='p-{LETTER}:fn1']").evaluate("el => el.matches(':target')")
    viewer.locator(f"[id='p-{LETTER}:fn1'] .sv-backrefs a").click()
    viewer.wait_for_function("() => location.hash.endsWith(':p2')")


def test_copy_export_and_feedback(sites, context, page):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sites.assistant)
    box = open_ui(page, sites.assistant)
    ask(page, box, "Wat is de rol van Nederland?")

    page.locator("#sv-copy").click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()).includes('**Bronnen**')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "[1] Kamerbrief Semicon Visie 2035, alinea 3, pagina 1: " + sites.assistant in copied
    assert "> " + P3_TEXT in copied

    with page.expect_download() as download:
        page.locator("#sv-export").click()
    exported = open(download.value.path(), encoding="utf-8").read()
    assert exported.startswith("# Gesprek met de Semicon Visie-assistent")
    assert "## Vraag: Wat is de rol van Nederland?" in exported

    page.get_by_label("Nuttig", exact=True).check()
    page.get_by_label("Opmerking (optioneel)").fill("Duidelijk antwoord")
    page.get_by_role("button", name="Feedback versturen").click()
    page.get_by_text("Bedankt voor uw feedback.").wait_for()
    row = FeedbackStore(sites.home / "feedback.sqlite").all()[-1]
    assert row["rating"] == "up" and row["comment"] == "Duidelijk antwoord"
    assert row["question"] == "Wat is de rol van Nederland?" and len(row["citations"]) == 2


def test_check_and_documents_tabs(sites, page):
    open_ui(page, sites.assistant)
    page.get_by_role("tab", name="Controleer een citaat").click()
    claim = page.get_by_label("Citaat of bewering")
    claim.fill("Een sterke economie is de basis onder onze welvaart, onze veiligheid en ons geluk.")
    page.locator("#sv-check").click()
    result = page.locator("#sv-check-result .sv-check")
    result.wait_for()
    assert "Gevonden in de bronnen" in result.inner_text()
    assert "bijna letterlijk" in result.inner_text()
    assert "welzijn" in page.locator("#sv-check-result .sv-diff").inner_text()

    page.get_by_role("tab", name="Documenten").click()
    table = page.locator("#sv-documents table.sv-docs")
    table.wait_for()
    link = table.get_by_role("link", name="Kamerstuk 29826 nr. 277", exact=True)
    assert link.get_attribute("href") == "https://zoek.officielebekendmakingen.nl/kst-29826-277.html"
    text = table.inner_text()
    assert "Kamerbrief Semicon Visie 2035" in text and "niet aanwezig" in text and "aanwezig" in text


def test_injected_markup_stays_inert(sites, context, page):
    box = open_ui(page, sites.assistant)
    answer = ask(page, box, "Wat staat er over opmaak?")
    assert "<script>window.__svInjected='answer'</script>" in answer.inner_text()
    assert "<script>window.__svInjected='script'</script>" in page.locator("#sv-sources").inner_text()
    assert page.evaluate("window.__svInjected") is None
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("#sv-chat img, #sv-sources img").count() == 0

    viewer = context.new_page()
    viewer.goto(f"{sites.assistant}/doc/{LETTER}#p-{LETTER}:p5")
    viewer.locator(f"[id='p-{LETTER}:p5']").wait_for()
    assert "<img src=x onerror=" in viewer.locator(f"[id='p-{LETTER}:p5']").inner_text()
    assert viewer.evaluate("window.__svInjected") is None

    widget = context.new_page()
    widget.goto(f"{sites.assistant}/embed")
    widget.get_by_label("Uw vraag").fill("Wat staat er over opmaak?")
    widget.get_by_label("Uw vraag").press("Enter")
    widget.locator(".sv-cite").first.wait_for()
    assert "<script>window.__svInjected='answer'</script>" in widget.locator(".sv-bot").inner_text()
    assert widget.evaluate("window.__svInjected") is None
    assert widget.locator("a[href^='javascript'], .sv-log img").count() == 0


def test_narrow_screen_360px(sites, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-NL", device_scale_factor=1)
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        box = open_ui(page, sites.assistant)
        no_sideways = "() => document.documentElement.scrollWidth <= window.innerWidth"
        assert page.evaluate(no_sideways)
        ask(page, box, "Welke rol speelt Nederland in de halfgeleiderketen?")
        assert page.evaluate(no_sideways)
        box.scroll_into_view_if_needed()
        rect = box.bounding_box()
        assert box.is_visible() and rect and rect["x"] >= 0 and rect["x"] + rect["width"] <= 360
        assert page.get_by_role("button", name="Vraag stellen").is_visible()
        assert page.get_by_role("tab", name="Documenten").is_visible()
        shot(page, "main-ui-360", full_page=True)

        page.goto(f"{sites.assistant}/doc/{LETTER}#p-{LETTER}:p5")
        page.locator(f"[id='p-{LETTER}:p5']").wait_for()
        assert page.evaluate(no_sideways)
        page.goto(f"{sites.assistant}/embed")
        page.get_by_label("Uw vraag").wait_for()
        assert page.evaluate(no_sideways)
    finally:
        context.close()
