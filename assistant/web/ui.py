"""The Gradio Blocks app (Dutch UI): chat with streamed, cited answers; quote check; document list.

Named API endpoints for gradio_client: /ask, /check, /documents. The UI's own events are private.
"""

import logging
import shutil
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.questions import Kind, validated_text
from assistant.types import AssistantService
from assistant.web import render
from assistant.web.feedback import FeedbackStore
from assistant.web.gate import RequestGate
from ingest.errors import UserError

log = logging.getLogger(__name__)

EXAMPLES = [
    "Wat is het doel van de Semicon Visie 2035?",
    "Welke rol speelt Nederland in de mondiale halfgeleiderketen?",
    "Wie zitten er in de Semicon Board NL?",
    "Naar welke Kamerstukken verwijst de brief?",
]
INTRO = (
    "# Semicon Visie-assistent\n"
    "Stel een vraag over de Kamerbrief *Semicon Visie 2035* en de Kamerstukken waarnaar die verwijst. "
    "Elk antwoord noemt de alinea’s waarop het steunt: klik op een bronnummer zoals **[1]** om de alinea in het document te lezen. "
    "De assistent kan zich vergissen; controleer belangrijke uitspraken altijd in de bron."
)
GENERIC_ERROR = "Er ging iets mis bij het beantwoorden. Probeer het opnieuw."
EXPORT_DIR_NAME = "semicon-assistant-exports"
EXPORT_MAX_AGE_S = 3600
STREAM_YIELD_EVERY_S = 0.05

COPY_JS = """
(md) => {
  const text = md || "";
  if (!text) { return; }
  const fallback = () => {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { area.remove(); }
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).catch(fallback);
  } else {
    fallback();
  }
}
"""


def _base_url(request: Any) -> str:
    headers = getattr(request, "headers", None) or {}
    host = headers.get("x-forwarded-host") or headers.get("host") or ""
    proto = headers.get("x-forwarded-proto") or "http"
    return f"{proto}://{host}" if host else ""


def _client_key(request: Any) -> str:
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "onbekend"


def _history(turns: list[dict[str, Any]]) -> list[dict[str, str]]:
    history: list[dict[str, str]] = []
    for turn in turns:
        history.append({"role": "user", "content": turn["question"]})
        history.append({"role": "assistant", "content": turn["answer"].get("answer", "")})
    return history


def _messages(turns: list[dict[str, Any]]) -> list[dict[str, str]]:
    shown: list[dict[str, str]] = []
    for turn in turns:
        shown.append({"role": "user", "content": render.md_escape(turn["question"])})
        shown.append({"role": "assistant", "content": render.answer_markdown(turn["answer"])})
    return shown


def document_choices(docs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(title, id) per indexed document for the document selector; a title that two documents
    share gets its id, so the two can be told apart."""
    titles = [d.get("title") or d["id"] for d in docs]
    shared = {t for t, n in Counter(titles).items() if n > 1}
    return sorted(
        ((f"{t} ({d['id']})" if t in shared else t, d["id"]) for t, d in zip(titles, docs)),
        key=lambda choice: choice[0].casefold(),
    )


def _write_export(markdown: str) -> str:
    """A per-answer file for the download button; Gradio copies it into its cache, old ones are pruned."""
    root = Path(tempfile.gettempdir()) / EXPORT_DIR_NAME
    root.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in root.iterdir():
        try:
            if now - old.stat().st_mtime > EXPORT_MAX_AGE_S:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue
    folder = root / uuid.uuid4().hex
    folder.mkdir()
    path = folder / "gesprek-semicon-visie.md"
    path.write_text(markdown, encoding="utf-8")
    return str(path)


def build_ui(settings: Settings, service: AssistantService, feedback: FeedbackStore, gate: RequestGate):
    import gradio as gr

    from assistant.summary import on_request_backend

    max_chars = settings.max_question_chars

    def checked(text: str | None, kind: Kind) -> str:
        # Gradio sends None for a cleared box: that is an empty question, not a type error.
        return validated_text(text if isinstance(text, str) else "", max_chars, kind)

    generative_default = gate.is_generative(None)
    summary_backend = on_request_backend(settings)

    def stream_into(shown: list[dict[str, str]], events: Any, generative: bool):
        """(chat messages, sources update, final answer or None) as the events of one answer come in:
        the verbatim answer as soon as it exists, then (with a language model) its summary streaming
        under it, then the finished answer. Tokens are what a language model writes; a service
        without an 'extractive' event streams its one answer as tokens."""
        verbatim, text, last = None, "", 0.0
        for event in events:
            if event.type == "answer" and event.answer is not None:
                yield shown, gr.skip(), event.answer.to_dict()
                return
            if event.type == "extractive" and event.answer is not None:
                verbatim = event.answer.to_dict()
                pending = generative and verbatim.get("answerable")
                shown[-1]["content"] = render.verbatim_with_pending_summary(verbatim) if pending else render.answer_markdown(verbatim)
                yield shown, render.sources_html(verbatim), None
            elif event.type == "token":
                text += event.text
                if time.monotonic() - last >= STREAM_YIELD_EVERY_S:
                    last = time.monotonic()
                    if verbatim is not None and verbatim.get("answerable"):
                        shown[-1]["content"] = render.verbatim_with_pending_summary(verbatim, text)
                    else:
                        shown[-1]["content"] = render.streaming_markdown(text)
                    yield shown, gr.skip(), None

    def respond(question: str, documents: list[str] | None, turns: list[dict[str, Any]] | None, request: gr.Request):
        turns = list(turns or [])
        documents = list(documents or [])
        skip = gr.skip()
        try:
            q = checked(question, "question")
        except UserError as exc:
            gr.Warning(str(exc))
            yield skip, skip, skip, skip, skip, skip, skip
            return
        shown = _messages(turns) + [
            {"role": "user", "content": render.md_escape(q)},
            {"role": "assistant", "content": "*Bezig met zoeken in de bronnen…*"},
        ]
        try:
            place = gate.admit(_client_key(request), None)
        except UserError as exc:
            shown[-1]["content"] = render.md_escape(str(exc))
            yield shown, q, skip, skip, skip, skip, skip
            return
        answer = None
        try:
            yield shown, "", skip, skip, skip, skip, gr.update(visible=False)  # inside the try: a closed page still frees the queue place
            events = service.ask_stream(q, _history(turns), documents=documents or None)
            for update, sources_update, final in stream_into(shown, events, generative_default):
                answer = final or answer
                yield update, skip, sources_update, skip, skip, skip, skip
        except UserError as exc:
            shown[-1]["content"] = render.md_escape(str(exc))
            yield shown, q, skip, skip, skip, skip, skip
            return
        except Exception:
            log.exception("answering in the UI failed")
            shown[-1]["content"] = render.md_escape(GENERIC_ERROR)
            yield shown, q, skip, skip, skip, skip, skip
            return
        finally:
            place.release()
        if answer is None:
            shown[-1]["content"] = render.md_escape(GENERIC_ERROR)
            yield shown, q, skip, skip, skip, skip, skip
            return
        turns.append({"question": q, "answer": answer, "documents": documents})
        yield finished(shown, turns, answer, request)

    def finished(shown: list[dict[str, str]], turns: list[dict[str, Any]], answer: dict[str, Any], request: Any) -> tuple:
        shown[-1]["content"] = render.answer_markdown(answer)
        base = _base_url(request)
        return (
            shown,
            gr.skip(),
            render.sources_html(answer),
            render.answer_as_markdown(answer, base),
            gr.update(value=_write_export(render.conversation_markdown(turns, base)), interactive=True),
            turns,
            gr.update(visible=can_summarize(answer)),
        )

    def can_summarize(answer: dict[str, Any]) -> bool:
        """'Vat samen' is offered under a verbatim answer when a language model can be asked for it."""
        return bool(summary_backend) and bool(answer.get("answerable")) and not answer.get("generated")

    def summarize(turns: list[dict[str, Any]] | None, request: gr.Request):
        """The language model's summary for the last answer, streamed under its verbatim part."""
        turns = list(turns or [])
        skip = gr.skip()
        if not turns or not summary_backend:
            yield skip, skip, skip, skip, skip, skip, gr.update(visible=False)
            return
        last = turns[-1]
        shown = _messages(turns)
        try:
            place = gate.admit(_client_key(request), summary_backend)
        except UserError as exc:
            gr.Warning(str(exc))
            yield skip, skip, skip, skip, skip, skip, skip
            return
        answer = None
        try:
            yield skip, skip, skip, skip, skip, skip, gr.update(visible=False)
            # The summary reads the same documents as the answer it summarises.
            events = service.ask_stream(last["question"], _history(turns[:-1]), summary_backend, last.get("documents") or None)
            for update, _, final in stream_into(shown, events, True):
                answer = final or answer
                yield update, skip, skip, skip, skip, skip, skip
        except UserError as exc:
            gr.Warning(str(exc))
        except Exception:
            log.exception("summarising in the UI failed")
            gr.Warning(GENERIC_ERROR)
        finally:
            place.release()
        if answer is None:
            yield _messages(turns), skip, skip, skip, skip, skip, skip
            return
        turns[-1] = {**last, "answer": answer}
        done = finished(shown, turns, answer, request)
        yield (*done[:-1], gr.update(visible=False))

    def new_conversation():
        return [], "", render.sources_html(None), "", gr.update(value=None, interactive=False), [], gr.update(visible=False)

    def send_feedback(rating: str | None, comment: str, turns: list[dict[str, Any]] | None):
        if not turns:
            return render.message_html("Er is nog geen antwoord om feedback op te geven.", "warning"), gr.skip(), gr.skip()
        if rating not in ("up", "down"):
            return render.message_html("Kies eerst ‘Nuttig’ of ‘Niet nuttig’.", "warning"), gr.skip(), gr.skip()
        last = turns[-1]
        try:
            feedback.add(last["question"], last["answer"].get("answer", ""), last["answer"].get("citations", []), rating, comment)
        except UserError as exc:
            return render.message_html(str(exc), "warning"), gr.skip(), gr.skip()
        return render.message_html("Bedankt voor uw feedback.", "ok"), None, ""

    def run_check(claim: str, request: gr.Request) -> str:
        try:
            text = checked(claim, "claim")
            gate.limit(_client_key(request))
            return render.check_html(service.check(text).to_dict())
        except UserError as exc:
            return render.message_html(str(exc), "warning")
        except Exception:
            log.exception("check in the UI failed")
            return render.message_html(GENERIC_ERROR, "warning")

    def refresh_selector(selected: list[str] | None, offered: list[tuple[str, str]] | None):
        """The selector's choices from the index as it is now, and those choices for the session
        to remember; a chosen document that left the index is no longer chosen. Choices the
        selector already offers are not sent again (an open list stays as it is)."""
        try:
            choices = document_choices(service.documents())
        except Exception:
            log.exception("listing documents for the selector failed")
            return gr.skip(), gr.skip()
        ids = {doc_id for _, doc_id in choices}
        kept = [doc_id for doc_id in selected or [] if doc_id in ids]
        if choices == offered and kept == list(selected or []):
            return gr.skip(), gr.skip()
        return gr.update(choices=choices, value=kept), choices

    def list_documents() -> str:
        try:
            return render.documents_html(service.documents())
        except UserError as exc:
            return render.message_html(str(exc), "warning")
        except Exception:
            log.exception("listing documents failed")
            return render.message_html(GENERIC_ERROR, "warning")

    # Named endpoints for gradio_client; errors reach the client as one readable sentence.
    def ask(question: str, history: list[dict] | None = None, backend: str | None = None) -> dict:
        """Beantwoordt een vraag met citaten (Answer als JSON)."""
        try:
            text = checked(question, "question")
            with gate.place(backend or None):
                return service.ask(text, history or [], backend or None).to_dict()
        except UserError as exc:
            raise gr.Error(str(exc)) from None

    def check(claim: str) -> dict:
        """Zoekt een citaat of bewering op in de bronnen (CheckResult als JSON)."""
        try:
            return service.check(checked(claim, "claim")).to_dict()
        except UserError as exc:
            raise gr.Error(str(exc)) from None

    def documents() -> list:
        """De ingelezen documenten met aantallen alinea's en gekoppelde Kamerstukken."""
        try:
            return service.documents()
        except UserError as exc:
            raise gr.Error(str(exc)) from None

    with gr.Blocks(title="Semicon Visie-assistent", analytics_enabled=False) as demo:
        turns = gr.State([])
        offered = gr.State(None)  # the selector's choices as last sent to this page
        gr.Markdown(INTRO, elem_id="sv-intro")
        with gr.Tabs(overflow_behavior="wrap"):
            with gr.Tab("Vraag stellen", id="vragen"):
                chatbot = gr.Chatbot(
                    label="Gesprek",
                    show_label=False,  # Gradio's floating label covered the first line of the first answer
                    elem_id="sv-chat",
                    height=440,
                    latex_delimiters=[],
                    sanitize_html=True,
                    allow_tags=False,
                    render_markdown=True,
                    feedback_options=None,
                    buttons=[],
                    placeholder="Stel hieronder een vraag over de Semicon Visie 2035.",
                )
                with gr.Row(equal_height=True, elem_id="sv-ask-row"):
                    question = gr.Textbox(
                        label="Uw vraag",
                        placeholder="Bijvoorbeeld: wat wil het kabinet met de halfgeleiderindustrie?",
                        lines=1,  # with one line Enter submits; Shift+Enter still adds a line
                        max_lines=6,
                        max_length=max_chars,
                        scale=5,
                        min_width=200,
                        elem_id="sv-question",
                        info="Enter verstuurt, Shift+Enter geeft een nieuwe regel.",
                    )
                    send = gr.Button("Vraag stellen", variant="primary", scale=1, min_width=120, elem_id="sv-send")
                selector = gr.Dropdown(
                    choices=[],  # filled from the index when the page loads
                    value=[],
                    multiselect=True,
                    label="Zoek alleen in",
                    info="Leeg: alle documenten.",
                    elem_id="sv-document-filter",
                )
                summarize_btn = gr.Button(
                    "Vat samen", size="sm", visible=False, elem_id="sv-summarize",
                )
                gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="Voorbeeldvragen")
                sources = gr.HTML(render.sources_html(None), elem_id="sv-sources", label="Bronnen")
                with gr.Row(elem_id="sv-actions"):
                    copy = gr.Button("Kopieer antwoord als Markdown", size="sm", min_width=160, elem_id="sv-copy")
                    export = gr.DownloadButton(
                        "Gesprek exporteren (Markdown)", value=None, interactive=False, size="sm", min_width=160, elem_id="sv-export"
                    )
                    clear = gr.Button("Nieuw gesprek", size="sm", min_width=120, elem_id="sv-clear")
                with gr.Accordion("Antwoord als Markdown", open=False):
                    answer_md = gr.Textbox(
                        label="Laatste antwoord met bronnen (Markdown)",
                        lines=6,
                        interactive=False,
                        buttons=["copy"],
                        elem_id="sv-answer-md",
                    )
                with gr.Group(elem_id="sv-feedback"):
                    rating = gr.Radio(
                        # Text, not emoji: without an emoji font those render as empty boxes.
                        choices=[("Nuttig", "up"), ("Niet nuttig", "down")],
                        label="Was het laatste antwoord nuttig?",
                        elem_id="sv-rating",
                    )
                    comment = gr.Textbox(label="Opmerking (optioneel)", lines=2, max_length=2000, elem_id="sv-comment")
                    send_feedback_btn = gr.Button("Feedback versturen", size="sm", elem_id="sv-send-feedback")
                    feedback_status = gr.HTML("", elem_id="sv-feedback-status")
            with gr.Tab("Controleer een citaat", id="controleer"):
                gr.Markdown(
                    "Plak een citaat of bewering. De assistent zoekt of die letterlijk, bijna letterlijk "
                    "of inhoudelijk in de documenten staat, en toont de verschillen bij een bijna-treffer."
                )
                claim = gr.Textbox(label="Citaat of bewering", lines=4, max_length=max_chars, elem_id="sv-claim")
                check_btn = gr.Button("Controleer", variant="primary", elem_id="sv-check")
                check_out = gr.HTML("", elem_id="sv-check-result")
            with gr.Tab("Documenten", id="documenten") as docs_tab:
                docs_out = gr.HTML(render.message_html("De lijst wordt geladen…"), elem_id="sv-documents")

        chat_outputs = [chatbot, question, sources, answer_md, export, turns, summarize_btn]
        for trigger in (question.submit, send.click):
            trigger(respond, [question, selector, turns], chat_outputs, api_visibility="private", show_progress="hidden")
        summarize_btn.click(summarize, [turns], chat_outputs, api_visibility="private", show_progress="hidden")
        clear.click(new_conversation, None, chat_outputs, api_visibility="private")
        chatbot.clear(new_conversation, None, chat_outputs, api_visibility="private")
        copy.click(None, [answer_md], None, js=COPY_JS, api_visibility="private")
        send_feedback_btn.click(send_feedback, [rating, comment, turns], [feedback_status, rating, comment], api_visibility="private")
        for trigger in (claim.submit, check_btn.click):
            trigger(run_check, [claim], [check_out], api_visibility="private")
        docs_tab.select(list_documents, None, [docs_out], api_visibility="private")
        # The selector follows the index: on load, when it is opened, and with the document list.
        for trigger in (demo.load, selector.focus, docs_tab.select):
            trigger(refresh_selector, [selector, offered], [selector, offered], api_visibility="private", show_progress="hidden")

        gr.api(ask, api_name="ask")
        gr.api(check, api_name="check")
        gr.api(documents, api_name="documents")

    demo.queue(default_concurrency_limit=None)
    return demo
