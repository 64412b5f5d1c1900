"""Download the Kamerstukken the corpus refers to, plus configured extra URLs, into the corpus.

Polite and safe by default: one request at a time with a clear User-Agent, timeouts, retries
with exponential backoff (connection errors, 5xx, 429; never 404), a download cache with
ETag/Last-Modified revalidation so nothing is fetched twice, a size limit, a check that the
bytes are what was asked for (an HTML error page is never saved as XML), and atomic writes so
a crash never leaves half a file in the corpus.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Callable, Iterator
from urllib.parse import unquote, urlsplit

from ingest.errors import UserError
from ingest.kamerstuk import is_html, looks_like_kamerstuk
from ingest.records import Document, KamerstukRef

if TYPE_CHECKING:
    import httpx

USER_AGENT = "SemiconVisieAssistant/0.1 (+contact: see README)"
KAMERSTUK_FORMATS = ("xml", "html", "pdf")  # most structure first
STATUSES = ("downloaded", "cached", "present", "failed")
_KST_FILE = re.compile(r"^kst-(\d{5}(?:-(?:\d{2}|[IVXLC]+|[A-Z]))?)-(\d{1,5})\.(?:xml|html?|pdf)$", re.IGNORECASE)
_MAX_RETRY_AFTER_S = 60.0
_HEAD_BYTES = 65536
# A name ending in anything else ("www.example.org") gets an extension from the content.
_DOCUMENT_EXTENSIONS = {"pdf", "html", "htm", "xml", "txt", "md", "docx", "odt", "rtf", "csv", "json"}

Progress = Callable[["FetchItem", int, int], None]


@dataclass(frozen=True)
class FetchItem:
    """What happened to one referenced Kamerstuk or extra URL."""

    key: str  # "33009-141" for a Kamerstuk, the file name for an extra URL
    url: str
    status: str  # one of STATUSES
    path: str = ""
    error: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class FetchReport:
    items: tuple[FetchItem, ...] = ()

    def counts(self) -> dict[str, int]:
        return {status: sum(1 for item in self.items if item.status == status) for status in STATUSES}

    @property
    def failed(self) -> tuple[FetchItem, ...]:
        return tuple(item for item in self.items if item.status == "failed")

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts(), "items": [item.to_dict() for item in self.items]}


def present_files(corpus_dir: Path | str) -> dict[str, Path]:
    """Kamerstukken already in the corpus by file name (kst-DOSSIER-NR.xml|html|pdf), by key."""
    root = Path(corpus_dir)
    if not root.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("kst-*")):
        match = _KST_FILE.match(path.name)
        if match and path.is_file():
            key = f"{match.group(1).upper()}-{int(match.group(2))}"
            # Prefer the richest format when several are present.
            if key not in found or _format_rank(path) < _format_rank(found[key]):
                found[key] = path
    return found


def present_documents(corpus_dir: Path | str) -> set[str]:
    """Keys ("33009-141") of the Kamerstukken already in the corpus folder."""
    return set(present_files(corpus_dir))


def fetch_linked(
    settings: Any,
    documents: list[Document],
    *,
    client: "httpx.Client | None" = None,
    progress: Progress | None = None,
    backoff_s: float | None = None,
) -> FetchReport:
    """Download referenced Kamerstukken missing from the corpus, and `settings.fetch_urls`.

    Kamerstukken come from `settings.fetch_base_url` as kst-DOSSIER-NR.xml, falling back to
    .html and then .pdf, and are saved under that name in `settings.corpus_dir`. `progress`,
    when given, is called as progress(item, done, total) after each item.
    """
    import httpx

    base = str(settings.fetch_base_url).rstrip("/")
    if not re.match(r"^https?://", base):
        raise UserError(f"Het downloadadres '{base}' moet met http:// of https:// beginnen.")
    corpus = Path(settings.corpus_dir)
    documents = list(documents)
    present = present_files(corpus)
    for doc in documents:
        key = doc.metadata.get("kamerstuk") or (doc.id.removeprefix("kst-") if doc.id.startswith("kst-") else "")
        if key and key not in present:
            present[key] = Path(doc.path)
    own = client is None
    if client is None:
        client = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(float(settings.fetch_timeout_s)),
            follow_redirects=True,
        )
    fetcher = _Fetcher(settings, client, settings.fetch_backoff_s if backoff_s is None else backoff_s)
    refs = _all_references(documents)
    urls = _extra_urls(settings.fetch_urls)
    total = len(refs) + len(urls)
    items: list[FetchItem] = []

    def done(item: FetchItem) -> None:
        items.append(item)
        if progress is not None:
            progress(item, len(items), total)

    try:
        for ref in refs:
            if ref.key in present:
                done(FetchItem(ref.key, ref.url(base, "xml"), "present", str(present[ref.key])))
            else:
                done(_saving(lambda: fetcher.kamerstuk(ref, base, corpus), ref.key, ref.url(base, "xml")))
        used: set[str] = set()
        for url in urls:
            done(_saving(lambda: fetcher.extra(url, corpus, used), safe_filename(url), url))
    finally:
        if own:
            client.close()
    return FetchReport(tuple(items))


def _saving(fetch: Callable[[], FetchItem], key: str, url: str) -> FetchItem:
    """A full disk or a read-only folder fails this item, not the whole run."""
    try:
        return fetch()
    except OSError as exc:
        return FetchItem(key, url, "failed", "", f"Opslaan mislukt: {exc.strerror or exc}.")


def _all_references(documents: list[Document]) -> list[KamerstukRef]:
    refs: dict[str, KamerstukRef] = {}
    for doc in documents:
        for ref in doc.references:
            refs.setdefault(ref.key, ref)
    return list(refs.values())


def _extra_urls(raw: str) -> list[str]:
    return list(dict.fromkeys(u.strip() for u in str(raw or "").split(",") if u.strip()))


def _format_rank(path: Path) -> int:
    suffix = path.suffix.lower().lstrip(".")
    return KAMERSTUK_FORMATS.index("html" if suffix == "htm" else suffix) if suffix in ("xml", "html", "htm", "pdf") else 9


def safe_filename(url: str) -> str:
    """A file name for `url` that is safe on every file system ('report.pdf', 'www.example.org')."""
    parts = urlsplit(url)
    name = unquote(PurePosixPath(parts.path).name)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-_")[:120]
    if not name:
        name = re.sub(r"[^A-Za-z0-9.-]+", "-", parts.hostname or "").strip(".-") or "download"
    return name


class _FetchError(Exception):
    def __init__(self, message: str, *, not_found: bool = False, wrong_content: bool = False) -> None:
        super().__init__(message)
        self.not_found = not_found
        # Another format of the same Kamerstuk may still work; a dead server will not.
        self.try_next_format = not_found or wrong_content


@dataclass(frozen=True)
class _Got:
    path: Path
    status: str  # "downloaded" | "cached"
    content_type: str


class _Fetcher:
    def __init__(self, settings: Any, client: "httpx.Client", backoff_s: float):
        self.client = client
        self.cache = Path(settings.downloads_dir)
        self.timeout = float(settings.fetch_timeout_s)
        self.attempts = max(1, int(settings.fetch_retries))
        self.max_bytes = int(float(settings.max_file_mb) * 1024 * 1024)
        self.max_mb = float(settings.max_file_mb)
        self.backoff = max(0.0, float(backoff_s))

    # ----------------------------------------------------------------- what to fetch

    def kamerstuk(self, ref: KamerstukRef, base: str, corpus: Path) -> FetchItem:
        errors: list[_FetchError] = []
        for fmt in KAMERSTUK_FORMATS:
            url = ref.url(base, fmt)
            try:
                got = self.get(url, _kamerstuk_check(fmt))
            except _FetchError as exc:
                errors.append(exc)
                if exc.try_next_format:
                    continue
                break
            target = corpus / f"kst-{ref.key}.{fmt}"
            _atomic_copy(got.path, target)
            return FetchItem(ref.key, url, got.status, str(target))
        if all(e.not_found for e in errors):
            message = f"Kamerstuk {ref.key} staat niet op {base} (HTTP 404 voor .xml, .html en .pdf)."
        else:
            message = next(str(e) for e in errors if not e.not_found)
        return FetchItem(ref.key, ref.url(base, "xml"), "failed", "", message)

    def extra(self, url: str, corpus: Path, used: set[str]) -> FetchItem:
        name = safe_filename(url)
        if name in used:
            name = _with_suffix_tag(name, hashlib.sha1(url.encode()).hexdigest()[:8])
        used.add(name)
        if not re.match(r"^https?://", url, re.IGNORECASE):
            return FetchItem(name, url, "failed", "", "Alleen http- en https-adressen kunnen worden opgehaald.")
        ext = _known_extension(name)
        existing = corpus / name if ext else next(iter(sorted(corpus.glob(f"{name}.*"))), None)
        if existing is not None and existing.is_file():
            return FetchItem(name, url, "present", str(existing))
        try:
            got = self.get(url, _extension_check(ext))
        except _FetchError as exc:
            return FetchItem(name, url, "failed", "", str(exc))
        target = corpus / (name if ext else f"{name}.{_extension_for(got.content_type, got.path)}")
        _atomic_copy(got.path, target)
        return FetchItem(name, url, got.status, str(target))

    # ------------------------------------------------------------------- one download

    def get(self, url: str, check: Callable[[str, bytes], str | None]) -> _Got:
        """The body of `url` in the cache, revalidated or downloaded; raises _FetchError."""
        body = self.cache / f"{hashlib.sha1(url.encode()).hexdigest()[:12]}-{safe_filename(url)}"
        meta_path = body.with_name(body.name + ".json")
        meta = _read_json(meta_path) if body.is_file() else None
        if meta is not None and not (meta.get("etag") or meta.get("last_modified")):
            return _Got(body, "cached", meta.get("content_type", ""))
        headers = {"User-Agent": USER_AGENT}
        if meta is not None:
            if meta.get("etag"):
                headers["If-None-Match"] = meta["etag"]
            if meta.get("last_modified"):
                headers["If-Modified-Since"] = meta["last_modified"]
        last_error = ""
        for attempt in range(self.attempts):
            wait = self.backoff * (2**attempt)
            try:
                result = self._request(url, headers, body, meta_path, meta, check)
                if isinstance(result, _Got):
                    return result
                last_error, retry_after = result
                if retry_after is not None:
                    wait = retry_after
            except _Timeout:
                last_error = f"geen antwoord binnen {self.timeout:g} s"
            except _Transport as exc:
                last_error = f"verbinding mislukt ({exc})"
            if attempt < self.attempts - 1:
                time.sleep(wait)
        if meta is not None:  # the server is unreachable, but the copy we have is still good
            return _Got(body, "cached", meta.get("content_type", ""))
        attempts = "poging" if self.attempts == 1 else "pogingen"
        raise _FetchError(f"Downloaden van {url} mislukt na {self.attempts} {attempts}: {last_error}.")

    def _request(
        self,
        url: str,
        headers: dict[str, str],
        body: Path,
        meta_path: Path,
        meta: dict[str, Any] | None,
        check: Callable[[str, bytes], str | None],
    ) -> "_Got | tuple[str, float | None]":
        """One attempt. A result, or (error, retry-after) when another attempt may help."""
        import httpx

        try:
            with self.client.stream("GET", url, headers=headers, timeout=self.timeout, follow_redirects=True) as response:
                code = response.status_code
                if code == 304 and meta is not None:
                    return _Got(body, "cached", meta.get("content_type", ""))
                if code in (404, 410):
                    raise _FetchError(f"{url} bestaat niet (HTTP {code}).", not_found=True)
                if code == 429 or code >= 500:
                    return f"HTTP {code}", _retry_after(response.headers.get("Retry-After"))
                if code != 200:
                    raise _FetchError(f"{url} gaf HTTP {code}.")
                content_type = response.headers.get("Content-Type", "")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise _FetchError(f"{url} is groter dan de limiet van {self.max_mb:g} MB.")
                self.cache.mkdir(parents=True, exist_ok=True)
                with _atomic_file(body) as handle:
                    size, head = 0, b""
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise _FetchError(f"{url} is groter dan de limiet van {self.max_mb:g} MB.")
                        if len(head) < _HEAD_BYTES:
                            head += chunk[: _HEAD_BYTES - len(head)]
                        handle.write(chunk)
                    problem = check(content_type, head)
                    if problem:
                        raise _FetchError(f"{url}: {problem}", wrong_content=True)
                _write_json(
                    meta_path,
                    {
                        "url": url,
                        "etag": response.headers.get("ETag", ""),
                        "last_modified": response.headers.get("Last-Modified", ""),
                        "content_type": content_type,
                        "size": size,
                        "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    },
                )
                return _Got(body, "downloaded", content_type)
        except httpx.TimeoutException as exc:
            raise _Timeout() from exc
        except httpx.TransportError as exc:
            raise _Transport(type(exc).__name__) from exc


class _Timeout(Exception):
    pass


class _Transport(Exception):
    pass


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return min(float(value.strip()), _MAX_RETRY_AFTER_S)
    return None


# -------------------------------------------------------------------- content checks


def _looks_html(content_type: str, head: bytes) -> bool:
    """HTML or XHTML, by the declared type or by the root element (XHTML may start with <?xml …?>)."""
    content_type = content_type.lower()
    if "html" in content_type:
        return True
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if start.startswith(b"<!doctype html") or start.startswith(b"<html"):
        return True
    return start.startswith(b"<") and is_html(head)


def _looks_xml(content_type: str, head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    return not _looks_html(content_type, head) and (start.startswith(b"<?xml") or (start.startswith(b"<") and "xml" in content_type.lower()))


def _kamerstuk_check(fmt: str) -> Callable[[str, bytes], str | None]:
    def check(content_type: str, head: bytes) -> str | None:
        if fmt == "xml":
            if not _looks_xml(content_type, head):
                return "de server gaf geen XML maar " + ("een HTML-pagina." if _looks_html(content_type, head) else "iets anders.")
            return None if looks_like_kamerstuk(head) else "de XML is geen Kamerstuk."
        if fmt == "html":
            return None if looks_like_kamerstuk(head) else "de pagina is geen Kamerstuk (mogelijk een foutpagina)."
        return None if head.startswith(b"%PDF-") else "het bestand is geen PDF."

    return check


def _extension_check(ext: str) -> Callable[[str, bytes], str | None]:
    def check(content_type: str, head: bytes) -> str | None:
        if ext == "pdf" and not head.startswith(b"%PDF-"):
            return "het bestand is geen PDF" + (" maar een HTML-pagina." if _looks_html(content_type, head) else ".")
        if ext == "xml" and not _looks_xml(content_type, head):
            return "het bestand is geen XML."
        if ext in ("html", "htm") and not _looks_html(content_type, head):
            return "het bestand is geen HTML-pagina."
        return None

    return check


def _extension_for(content_type: str, path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if _looks_html(content_type, head):
        return "html"
    if _looks_xml(content_type, head):
        return "xml"
    return "txt" if content_type.lower().startswith("text/") else "bin"


def _known_extension(name: str) -> str:
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    return ext if ext in _DOCUMENT_EXTENSIONS else ""


def _with_suffix_tag(name: str, tag: str) -> str:
    path = PurePosixPath(name)
    return f"{path.stem}-{tag}{path.suffix}"


# -------------------------------------------------------------------- atomic files


@contextlib.contextmanager
def _atomic_file(target: Path) -> Iterator[Any]:
    """Write to a temporary file next to `target` and rename it into place only on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _atomic_copy(source: Path, target: Path) -> None:
    with _atomic_file(target) as out, open(source, "rb") as src:
        while chunk := src.read(1 << 20):
            out.write(chunk)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with _atomic_file(path) as handle:
        handle.write(json.dumps(data, indent=2).encode("utf-8"))


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
