"""The Gradio Blocks app (Dutch UI): chat with streamed, cited answers; quote check; document list.

Named API endpoints for gradio_client: /ask, /check, /documents. The UI's own events are private.
"""

import logging
import shutil
import tempfile
import time
import uuid
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

    max_chars = settings.max_question_chars

    def checked(text: str | None, kind: Kind) -> str:
        # Gradio sends None for a cleared box: that is an empty question, not a type error.
        return validated_text(text if isinstance(text, str) else "", max_chars, kind)

    def respond(question: str, turns: list[dict[str, Any]] | None, request: gr.Request):
        turns = list(turns or [])
        skip = gr.skip()
        try:
            q = checked(question, "question")
        except UserError as exc:
            gr.Warning(str(exc))
            yield skip, skip, skip, skip, skip, skip
            return
        shown = _messages(turns) + [
            {"role": "user", "content": render.md_escape(q)},
            {"role": "assistant", "content": "*Bezig met zoeken in de bronnen…*"},
        ]
        try:
            place = gate.admit(_client_key(request), None)
        except UserError as exc:
            shown[-1]["content"] = render.md_escape(str(exc))
            yield shown, q, skip, skip, skip, skip
            return
        text, answer, last = "", None, 0.0
        try:
            yield shown, "", skip, skip, skip, skip  # inside the try: a closed page still frees the queue place
            for event in service.ask_stream(q, _history(turns)):
                if event.type == "answer" and event.answer is not None:
                    answer = event.answer.to_dict()
                elif event.type == "token":
                    text += event.text
                    if time.monotonic() - last >= STREAM_YIELD_EVERY_S:
                        last = time.monotonic()
                        shown[-1]["content"] = render.streaming_markdown(text)
                        yield shown, skip, skip, skip, skip, skip
        except UserError as exc:
            shown[-1]["content"] = render.md_escape(str(exc))
            yield shown, q, skip, skip, skip, skip
            return
        except Exception:
            log.exception("answering in the UI failed")
            shown[-1]["content"] = render.md_escape(GENERIC_ERROR)
            yield shown, q, skip, skip, skip, skip
            return
        finally:
            place.release()
        if answer is None:
            shown[-1]["content"] = render.md_escape(GENERIC_ERROR)
            yield shown, q, skip, skip, skip, skip
            return
        turns.append({"question": q, "answer": answer})
        shown[-1]["content"] = render.answer_markdown(answer)
        base = _base_url(request)
        yield (
            shown,
            skip,
            render.sources_html(answer),
            render.answer_as_markdown(answer, base),
            gr.update(value=_write_export(render.conversation_markdown(turns, base)), interactive=True),
            turns,
        )

    def new_conversation():
        return [], "", render.sources_html(None), "", gr.update(value=None, interactive=False), []

    def send_feedback(rating: str | None, comment: str, turns: list[dict[str, Any]] | None):
        if not turns:
            return render.message_html("Er is nog geen antwoord om feedback op te geven.", "warning"), gr.skip(), gr.skip()
        if rating not in ("up", "down"):
            return render.message_html("Kies eerst 👍 of 👎.", "warning"), gr.skip(), gr.skip()
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
        gr.Markdown(INTRO, elem_id="sv-intro")
        with gr.Tabs(overflow_behavior="wrap"):
            with gr.Tab("Vraag stellen", id="vragen"):
                chatbot = gr.Chatbot(
                    label="Gesprek",
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
                        choices=[("👍 Nuttig", "up"), ("👎 Niet nuttig", "down")],
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

        chat_outputs = [chatbot, question, sources, answer_md, export, turns]
        for trigger in (question.submit, send.click):
            trigger(respond, [question, turns], chat_outputs, api_visibility="private", show_progress="hidden")
        clear.click(new_conversation, None, chat_outputs, api_visibility="private")
        chatbot.clear(new_conversation, None, chat_outputs, api_visibility="private")
        copy.click(None, [answer_md], None, js=COPY_JS, api_visibility="private")
        send_feedback_btn.click(send_feedback, [rating, comment, turns], [feedback_status, rating, comment], api_visibility="private")
        for trigger in (claim.submit, check_btn.click):
            trigger(run_check, [claim], [check_out], api_visibility="private")
        docs_tab.select(list_documents, None, [docs_out], api_visibility="private")

        gr.api(ask, api_name="ask")
        gr.api(check, api_name="check")
        gr.api(documents, api_name="documents")

    demo.queue(default_concurrency_limit=None)
    return demo
