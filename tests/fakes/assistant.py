"""A canned `AssistantService` for web, CLI and UI tests: no models, no index, deterministic.

Two small documents: the letter (with a footnote, Kamerstuk references and one paragraph full
of HTML/Markdown injection) and one linked Kamerstuk. Questions pick a canned answer by keyword:
"opmaak" returns an answer carrying injected markup, "weer" an unanswerable one; anything else
a normal answer with two citations, or, with a document filter without the letter, one citing the
Kamerstuk. An unknown document id is refused as the real service refuses it.
"""

from __future__ import annotations

import difflib
import re
import time
from typing import Any, Iterator

from assistant.types import Answer, CheckResult, Citation, StreamEvent
from ingest.errors import UserError

LETTER = "semicon-visie-2035"
KAMERSTUK = "kst-29826-277"

# Markup that must stay inert wherever it is shown; each payload sets a distinct marker.
INJECTION_PARAGRAPH = (
    "Testalinea met opmaak: <script>window.__svInjected='script'</script>"
    "<img src=x onerror=\"window.__svInjected='img'\"> en "
    "[klik hier](javascript:window.__svInjected='link') & meer."
)
INJECTION_ANSWER = (
    "Deze alinea bevat opmaak <script>window.__svInjected='answer'</script>"
    "<img src=x onerror=\"window.__svInjected='answer-img'\"> en "
    "[klik](javascript:window.__svInjected='answer-link') [1]."
)
NORMAL_ANSWER = (
    "Nederland speelt een leidende rol in de mondiale halfgeleiderketen [1]. "
    "Het kabinet geeft daarom opvolging aan het Industriebeleid met focus [2]."
)
UNANSWERABLE_ANSWER = "Dat staat niet in de documenten die ik kan raadplegen."
KAMERSTUK_ANSWER = "Het kabinet kiest voor een industriebeleid met focus op sleuteltechnologieën zoals halfgeleiders [1]."


def _rec(doc: str, key: str, kind: str, number: int, label: str, pages: list[int], section: list[str], text: str, **kw: Any) -> dict:
    return {
        "id": f"{doc}:{key}",
        "doc_id": doc,
        "kind": kind,
        "number": number,
        "label": label,
        "pages": pages,
        "page": pages[0] if pages else None,
        "section": section,
        "text": text,
        "footnote_refs": kw.get("footnote_refs", []),
        "referenced_by": kw.get("referenced_by", []),
    }


def _letter_records() -> list[dict]:
    head = ["Betreft Semicon Visie 2035"]
    return [
        _rec(LETTER, "h1", "heading", 1, "kop 1", [1], [], "Betreft Semicon Visie 2035"),
        _rec(LETTER, "p1", "paragraph", 1, "alinea 1", [1], head,
             "Een sterke economie is de basis onder onze welvaart, onze veiligheid en ons welzijn."),
        _rec(LETTER, "p2", "paragraph", 2, "alinea 2", [1], head,
             "Het kabinet geeft daarom verdere opvolging aan het “Industriebeleid met focus”, waarin de bouwstenen "
             "worden aangereikt om onze economie ook in de toekomst te kunnen laten floreren.",
             footnote_refs=[f"{LETTER}:fn1"]),
        _rec(LETTER, "p3", "paragraph", 3, "alinea 3", [1, 2], head,
             "De halfgeleiderindustrie is één van de sectoren die in het “Industriebeleid met focus” wordt aangemerkt "
             "als bijzonder beloftevol. Nederland speelt een leidende rol in de mondiale halfgeleiderketen."),
        _rec(LETTER, "h2", "heading", 2, "kop 2", [2], head, "Talent en onderwijs"),
        _rec(LETTER, "p4", "paragraph", 4, "alinea 4", [2], head + ["Talent en onderwijs"],
             "Het kabinet investeert in technisch talent, zodat bedrijven in de regio Eindhoven voldoende "
             "vakmensen kunnen vinden."),
        _rec(LETTER, "p5", "paragraph", 5, "alinea 5", [2], head + ["Talent en onderwijs"], INJECTION_PARAGRAPH),
        _rec(LETTER, "p6", "paragraph", 6, "alinea 6", [3], head + ["Talent en onderwijs"],
             "Het kabinet zal de Kamer jaarlijks informeren over de voortgang van de Semicon Visie."),
        _rec(LETTER, "fn1", "footnote", 1, "voetnoot 1", [1], head, "Kamerstuk 29826 nr. 277",
             referenced_by=[f"{LETTER}:p2"]),
    ]


def _kamerstuk_records() -> list[dict]:
    return [
        _rec(KAMERSTUK, "h1", "heading", 1, "kop 1", [1], [], "Industriebeleid met focus"),
        _rec(KAMERSTUK, "p1", "paragraph", 1, "alinea 1", [1], ["Industriebeleid met focus"],
             "Het kabinet kiest voor een industriebeleid met focus op sleuteltechnologieën zoals halfgeleiders."),
    ]


def _reference(dossier: str, number: str, present: bool) -> dict:
    key = f"{dossier}-{number}"
    return {
        "key": key,
        "dossier": dossier,
        "number": number,
        "raw": f"Kamerstuk {dossier} nr. {number}",
        "url": f"https://zoek.officielebekendmakingen.nl/kst-{key}.html",
        "present": present,
    }


def _documents() -> list[dict]:
    letter = _letter_records()
    kst = _kamerstuk_records()
    return [
        {
            "id": LETTER,
            "title": "Kamerbrief Semicon Visie 2035",
            "path": "corpus/kamerbrief-semicon-visie-2035.txt",
            "format": "txt",
            "metadata": {"afzender": "Minister van Economische Zaken"},
            "references": [_reference("29826", "277", True), _reference("30821", "215", False)],
            "records": letter,
        },
        {
            "id": KAMERSTUK,
            "title": "Industriebeleid met focus (Kamerstuk 29826 nr. 277)",
            "path": "downloads/kst-29826-277.html",
            "format": "html",
            "metadata": {},
            "references": [],
            "records": kst,
        },
    ]


class FakeAssistant:
    """Implements `assistant.types.AssistantService` with canned data; records every call."""

    def __init__(self, *, ready: bool = True, ready_message: str = "", token_delay_s: float = 0.0, fail: Exception | None = None):
        self._docs = _documents()
        self._ready = ready
        self._ready_message = ready_message or ("Klaar." if ready else "De index is nog niet gebouwd.")
        self.token_delay_s = token_delay_s
        self.fail = fail
        self.calls: list[tuple[str, Any]] = []

    # -- lookups -------------------------------------------------------------
    def _doc(self, doc_id: str) -> dict | None:
        return next((d for d in self._docs if d["id"] == doc_id), None)

    def record(self, paragraph_id: str) -> dict:
        doc_id = paragraph_id.split(":", 1)[0]
        doc = self._doc(doc_id)
        assert doc is not None, paragraph_id
        return next(r for r in doc["records"] if r["id"] == paragraph_id)

    def citation(self, n: int, paragraph_id: str) -> Citation:
        rec = self.record(paragraph_id)
        doc = self._doc(rec["doc_id"])
        return Citation(
            n=n,
            doc_id=rec["doc_id"],
            doc_title=doc["title"],
            paragraph_id=rec["id"],
            label=rec["label"],
            page=rec["page"],
            text=rec["text"],
            url=f"/doc/{rec['doc_id']}#p-{rec['id']}",
        )

    def _raise_if_failing(self) -> None:
        if self.fail is not None:
            raise self.fail

    # -- AssistantService ----------------------------------------------------
    def ask(
        self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None,
        documents: list[str] | None = None,
    ) -> Answer:
        self.calls.append(("ask", {"question": question, "history": history, "backend": backend, "documents": documents}))
        self._raise_if_failing()
        unknown = [d for d in documents or [] if self._doc(d) is None]
        if unknown:
            raise UserError(f"Het document '{unknown[0]}' staat niet in de index; de geldige document-id's staan in GET /api/documents.")
        q = question.lower()
        if documents and LETTER not in documents:
            return Answer(question, KAMERSTUK_ANSWER, True, backend or "fake", citations=(self.citation(1, f"{KAMERSTUK}:p1"),),
                          timings={"total": 0.01}, prompt_version="fake-1")
        if "opmaak" in q:
            return Answer(question, INJECTION_ANSWER, True, backend or "fake", citations=(self.citation(1, f"{LETTER}:p5"),),
                          timings={"total": 0.01}, prompt_version="fake-1")
        if "weer" in q:
            return Answer(question, UNANSWERABLE_ANSWER, False, backend or "fake",
                          notice="Deze vraag gaat niet over de Semicon Visie 2035.", timings={"total": 0.01}, prompt_version="fake-1")
        citations = (self.citation(1, f"{LETTER}:p3"), self.citation(2, f"{LETTER}:p2"))
        return Answer(question, NORMAL_ANSWER, True, backend or "fake", citations=citations,
                      timings={"total": 0.01}, prompt_version="fake-1")

    def ask_stream(
        self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None,
        documents: list[str] | None = None,
    ) -> Iterator[StreamEvent]:
        answer = self.ask(question, history, backend, documents)
        for token in re.findall(r"\S+\s*", answer.answer):
            if self.token_delay_s:
                time.sleep(self.token_delay_s)
            yield StreamEvent("token", text=token)
        yield StreamEvent("answer", answer=answer)

    def check(self, claim: str) -> CheckResult:
        self.calls.append(("check", claim))
        self._raise_if_failing()
        wanted = " ".join(claim.split())
        best: tuple[float, dict | None] = (0.0, None)
        for doc in self._docs:
            for rec in doc["records"]:
                if wanted and wanted in rec["text"]:
                    return CheckResult(claim, "supported", (self.citation(1, rec["id"]),), "exact", "", 1.0)
                score = difflib.SequenceMatcher(None, wanted, rec["text"]).ratio()
                if score > best[0]:
                    best = (score, rec)
        score, rec = best
        if rec is not None and score >= 0.85:
            diff = "\n".join(
                line for line in difflib.ndiff(rec["text"].split(), wanted.split()) if line[:1] in "+-"
            )
            return CheckResult(claim, "supported", (self.citation(1, rec["id"]),), "fuzzy", diff, round(score, 3))
        return CheckResult(claim, "not_supported", (), "", "", round(score, 3))

    def documents(self) -> list[dict[str, Any]]:
        self.calls.append(("documents", None))
        self._raise_if_failing()
        return [self._summary(d) for d in self._docs]

    def document(self, doc_id: str) -> dict[str, Any] | None:
        self.calls.append(("document", doc_id))
        self._raise_if_failing()
        doc = self._doc(doc_id)
        if doc is None:
            return None
        return {**self._summary(doc), "records": [dict(r) for r in doc["records"]]}

    def ready(self) -> tuple[bool, str]:
        return self._ready, self._ready_message

    @staticmethod
    def _summary(doc: dict) -> dict:
        records = doc["records"]
        return {
            "id": doc["id"],
            "title": doc["title"],
            "path": doc["path"],
            "format": doc["format"],
            "metadata": dict(doc["metadata"]),
            "references": [dict(r) for r in doc["references"]],
            "paragraphs": len(records),
            "footnotes": sum(1 for r in records if r["kind"] == "footnote"),
        }


def failing(status: int = 400, message: str = "Deze vraag kan ik niet verwerken.") -> FakeAssistant:
    """A fake whose calls raise a UserError with the given status."""
    error = UserError(message)
    error.status = status
    return FakeAssistant(fail=error)
