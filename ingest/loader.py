"""Read one file into a Document: type dispatch, size limit, encoding detection, clear errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from ingest.records import Document

PageProgress = Callable[[int, int], None]  # (pages done, pages in the file)
Warn = Callable[[str], None]

FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xml": "xml",
    ".docx": "docx",
    ".md": "markdown",
    ".markdown": "markdown",
}


class IngestError(Exception):
    """A file that cannot be ingested; the message says what is wrong and what to do."""


def doc_id_for(path: Path) -> str:
    from ingest.kamerstuk import official_id

    # A Kamerstuk keeps its official id ("kst-37020-X-1"), the form its source_url and references use.
    return official_id(path.stem) or re.sub(r"[^a-z0-9._-]+", "-", path.stem.lower()).strip("-") or "document"


def load_document(path: Path, max_bytes: int, on_page: PageProgress | None = None, warn: Warn | None = None) -> Document:
    """`on_page(done, total)` follows a PDF page by page; `warn` hears about pages that were skipped."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        supported = ", ".join(sorted(FORMATS))
        raise IngestError(f"{path.name}: bestandstype '{path.suffix or '(geen)'}' wordt niet ondersteund; gebruik {supported}.")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(
                f"{path.name}: bestand is {_size(size)}, groter dan de limiet van {_size(max_bytes)} (ASSISTANT_MAX_FILE_MB)."
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(f"{path.name}: bestand is verdwenen tijdens het inlezen; controleer of het nog bestaat.") from None
    except IsADirectoryError:
        raise IngestError(f"{path.name}: is een map, geen bestand.") from None
    except PermissionError:
        raise IngestError(f"{path.name}: geen leesrechten op dit bestand.") from None
    if not data.strip():
        raise IngestError(f"{path.name}: bestand is leeg.")
    return parse_bytes(data, fmt, str(path), doc_id_for(path), on_page, warn)


def _size(nbytes: int) -> str:
    # Small limits (tests, tight deployments) must not read as "0 MiB".
    return f"{nbytes / 2**20:.1f} MiB" if nbytes >= 2**20 else f"{max(nbytes / 1024, 0.1):.1f} KiB"


def parse_bytes(
    data: bytes, fmt: str, path: str, doc_id: str, on_page: PageProgress | None = None, warn: Warn | None = None
) -> Document:
    name = Path(path).name
    try:
        document = _parse(data, fmt, path, doc_id, on_page, warn)
    except IngestError:
        raise
    except Exception as exc:  # every parser failure becomes one line for people
        reason = str(exc) if type(exc).__name__.endswith("Error") and str(exc) else f"kon het bestand niet lezen ({type(exc).__name__})"
        raise IngestError(f"{name}: {reason}.".replace("..", ".")) from None
    if not document.paragraphs:
        raise IngestError(f"{name}: geen tekst gevonden om te citeren.")
    return document


def _parse(data: bytes, fmt: str, path: str, doc_id: str, on_page: PageProgress | None, warn: Warn | None) -> Document:
    if fmt == "pdf":
        from ingest.pdf import parse_pdf

        return parse_pdf(data, path, doc_id, on_page, warn)
    if fmt == "docx":
        from ingest.docx import parse_docx

        return parse_docx(data, path, doc_id)
    if fmt in ("html", "xml"):
        from ingest import kamerstuk

        if kamerstuk.looks_like_kamerstuk(data):
            parse = kamerstuk.parse_kamerstuk_xml if fmt == "xml" else kamerstuk.parse_kamerstuk_html
            return parse(data, path, doc_id)
        if fmt == "xml":
            raise IngestError(f"{Path(path).name}: XML-bestand is geen Kamerstuk in het formaat van officielebekendmakingen.nl.")
        from ingest.html import parse_html

        return parse_html(data, path, doc_id)
    text = decode_text(data, Path(path).name)
    if len(re.findall(r"[\x00-\x08\x0e-\x1f]", text)) > max(2, len(text) // 100):
        # Indexing binary junk would replace good records of this document with garbage.
        raise IngestError(f"{Path(path).name}: bevat binaire gegevens in plaats van tekst; is het bestand beschadigd?")
    if fmt == "markdown":
        from ingest.markdown import parse_markdown

        return parse_markdown(text, path, doc_id)
    from ingest.text import parse_text

    return parse_text(text, path, doc_id)


def decode_text(data: bytes, name: str) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" not in data:
        # Dutch text that is not UTF-8 is nearly always Windows-1252 (or its subset Latin-1);
        # statistical detection guesses wrong on short texts ("één" as "ťťn").
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = ""
        if text and not re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text):
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise IngestError(f"{name}: tekstcodering niet te herkennen; sla het bestand op als UTF-8.")
    return str(best)
