"""Admin actions over HTTP: ingest, fetch the linked Kamerstukken, upload a document.

Each needs `Authorization: Bearer <settings.admin_token>`; with no token configured they do not
exist (404). One admin action runs at a time. An upload is parsed before it enters the corpus
folder, so a file that cannot be read changes neither the corpus nor the index.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Iterator

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, StrictStr
from starlette.concurrency import run_in_threadpool

from assistant.config import Settings
from assistant.types import AssistantService
from assistant.web.security import RateLimiter, admin_refusal
from ingest.errors import UserError

# Hidden, so a half-written upload is never picked up by an ingest of the whole folder.
STAGING_DIR = ".uploads"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ ()-]{0,150}$")
_FAILED_LOGINS_PER_MINUTE = 10
_CHUNK = 1 << 20


class IngestRequest(BaseModel):
    files: list[StrictStr] = Field(
        default_factory=list,
        max_length=200,
        description="Bestanden in de corpusmap (namen relatief aan die map); leeg: de hele corpusmap.",
    )


class _AdminState:
    def __init__(self, settings: Settings, service: AssistantService):
        self.settings = settings
        self.service = service
        self.token = settings.admin_token
        self.failures = RateLimiter(_FAILED_LOGINS_PER_MINUTE)
        self.busy = threading.Lock()

    def authorize(self, request: Request) -> None:
        client = request.client.host if request.client else "onbekend"
        if self.token and self.failures.full(client):
            raise UserError("Te veel mislukte beheerpogingen; wacht een minuut.", status=429, headers={"Retry-After": str(self.failures.retry_after(client))})
        refusal = admin_refusal(request.headers.get("authorization"), self.token)
        if refusal is None:
            return
        status, message = refusal
        if status in (401, 403):
            self.failures.allow(client)
        raise UserError(message, status=status, headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        if not self.busy.acquire(blocking=False):
            raise UserError("Er loopt al een beheeropdracht; probeer het opnieuw als die klaar is.", status=409)
        try:
            yield
        finally:
            self.busy.release()

    def capable(self, *names: str) -> None:
        if not all(callable(getattr(self.service, n, None)) for n in names):
            raise UserError("Deze assistent kan niet via HTTP inlezen.", status=501)

    @property
    def corpus(self) -> Path:
        return Path(self.settings.corpus_dir).resolve()

    def max_bytes(self) -> int:
        return self.settings.max_file_bytes


def corpus_file(corpus: Path, name: str) -> Path:
    """The file `name` inside the corpus folder, or a UserError (422) for anything outside it."""
    if not name.strip() or "\x00" in name:
        raise UserError("Geef de naam van een bestand in de corpusmap.", status=422)
    target = (corpus / name).resolve()
    if target == corpus or corpus not in target.parents:
        raise UserError(f"'{name}' ligt buiten de corpusmap; alleen bestanden in de corpusmap kunnen worden ingelezen.", status=422)
    if any(part.startswith(".") for part in target.relative_to(corpus).parts):
        raise UserError(f"'{name}' is een verborgen bestand; dat wordt niet ingelezen.", status=422)
    if not target.is_file():
        raise UserError(f"'{name}' staat niet in de corpusmap.", status=404)
    return target


def upload_name(raw: str | None) -> str:
    """The bare file name of an upload, or a UserError (422): no folders, no odd characters."""
    from ingest.loader import FORMATS

    name = PureWindowsPath(PurePosixPath(raw or "").name).name.strip()
    if not name:
        raise UserError("Het bestand heeft geen naam.", status=422)
    if not _SAFE_NAME.match(name):
        raise UserError("Gebruik een bestandsnaam met alleen letters, cijfers, spaties, '.', '_', '-' en haakjes.", status=422)
    if Path(name).suffix.lower() not in FORMATS:
        raise UserError(f"Bestandstype '{Path(name).suffix or '(geen)'}' wordt niet ondersteund; gebruik {', '.join(sorted(FORMATS))}.", status=422)
    return name


def _summary(result: Any) -> dict[str, Any]:
    return result.summary() if hasattr(result, "summary") else dict(result or {})


def build_router(settings: Settings, service: AssistantService) -> APIRouter:
    state = _AdminState(settings, service)
    router = APIRouter(prefix="/api/admin", tags=["beheer"], dependencies=[Depends(state.authorize)])

    @router.post("/ingest", summary="Corpus (of enkele bestanden daaruit) inlezen en de index bijwerken")
    def ingest(body: IngestRequest | None = None) -> dict[str, Any]:
        """Zonder `files` is de corpusmap de hele waarheid: documenten die er niet meer in staan verdwijnen uit de index."""
        state.capable("ingest")
        paths = [corpus_file(state.corpus, name) for name in (body.files if body else [])]
        with state.exclusive():
            summary = _summary(state.service.ingest(paths or None))
        if paths and summary.get("skipped") and not summary.get("documents"):
            raise UserError(" ".join(item["reason"] for item in summary["skipped"]), status=422)
        return summary

    @router.post("/fetch-linked", summary="Gekoppelde Kamerstukken downloaden en daarna inlezen")
    def fetch_linked() -> dict[str, Any]:
        from ingest.fetch import fetch_linked as fetch

        state.capable("read", "ingest")
        with state.exclusive():
            report = fetch(settings, state.service.read().documents)
            summary = _summary(state.service.ingest())
        return {"fetch": report.to_dict(), "ingest": summary}

    @router.post("/upload", summary="Een document uploaden naar de corpusmap en inlezen", status_code=201)
    async def upload(request: Request) -> dict[str, Any]:
        """Multipart-formulier met één bestand in het veld `file` (pdf, docx, html, xml, txt, md)."""
        state.capable("ingest")
        form = await _form(request, state.max_bytes())
        try:
            item = form.get("file")
            if item is None or isinstance(item, str) or not hasattr(item, "read"):
                raise UserError("Stuur het document als multipart-formulier in het veld 'file'.", status=422)
            name = upload_name(item.filename)
            staged = state.corpus / STAGING_DIR / uuid.uuid4().hex / name
            try:
                staged.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                raise UserError("De corpusmap is niet schrijfbaar; controleer ASSISTANT_CORPUS op de server.", status=503) from None
            try:
                await _save(item, staged, state.max_bytes())
                with state.exclusive():
                    return await run_in_threadpool(_admit, state, staged, name)
            finally:
                shutil.rmtree(staged.parent, ignore_errors=True)
                with suppress(OSError):
                    staged.parent.parent.rmdir()  # only when no other upload is under way
        finally:
            await form.close()

    return router


async def _form(request: Request, max_bytes: int) -> Any:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise UserError("Stuur het document als multipart/form-data met het bestand in het veld 'file'.", status=415)
    try:
        return await request.form(max_files=1, max_fields=5, max_part_size=max_bytes + 1)
    except Exception as exc:  # malformed multipart framing, too many parts
        detail = getattr(exc, "detail", "") or "het formulier is onleesbaar"
        raise UserError(f"Ongeldig uploadformulier: {detail}.".replace("..", "."), status=400) from None


async def _save(item: Any, target: Path, max_bytes: int) -> None:
    size = 0
    with open(target, "wb") as out:
        while chunk := await item.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise UserError(f"Het bestand is groter dan de limiet van {max_bytes / 2**20:g} MiB (ASSISTANT_MAX_FILE_MB).", status=413)
            out.write(chunk)


def _admit(state: _AdminState, staged: Path, name: str) -> dict[str, Any]:
    """Parse the staged file; only a readable one moves into the corpus and gets ingested. A failed
    ingest puts the corpus back as it was."""
    from ingest.loader import IngestError, doc_id_for, load_document

    try:
        document = load_document(staged, state.max_bytes())
    except IngestError as exc:
        raise UserError(str(exc).replace(str(staged.parent) + os.sep, ""), status=422) from None
    target = state.corpus / name
    clash = [p.name for p in state.corpus.iterdir() if p.is_file() and p.name != name and doc_id_for(p) == document.id]
    if clash:
        raise UserError(f"Er staat al een document met dezelfde id '{document.id}' in de corpusmap ({clash[0]}); hernoem het bestand.", status=409)
    backup = staged.parent / "vorige-versie"
    replaced = target.exists()
    if replaced:
        os.replace(target, backup)
    os.replace(staged, target)
    try:
        result = state.service.ingest([target])
    except BaseException:
        target.unlink(missing_ok=True)
        if replaced:
            os.replace(backup, target)
        raise
    summary = _summary(result)
    return {"file": name, "document": document.id, "replaced": replaced, **summary}
