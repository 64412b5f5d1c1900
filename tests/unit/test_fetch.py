"""fetch_linked against a real HTTP server on 127.0.0.1 that plays officielebekendmakingen.nl."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.config import Settings
from ingest.fetch import USER_AGENT, FetchItem, fetch_linked, present_documents, present_files, safe_filename
from ingest.kamerstuk import parse_kamerstuk, parse_kamerstuk_xml
from ingest.records import Document, KamerstukRef

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "kst"
PDF = b"%PDF-1.4\n% testfixture\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ERROR_PAGE = b"<!DOCTYPE html><html><head><title>Fout</title></head><body><h1>Er is iets misgegaan</h1></body></html>"


class Site:
    """Routes and a log of what the server saw; each route is a function of (handler, visit)."""

    def __init__(self) -> None:
        self.routes: dict[str, object] = {}
        self.log: list[tuple[str, dict[str, str]]] = []
        self.visits: dict[str, int] = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def hits(self, path: str) -> int:
        return self.visits.get(path, 0)

    def seen(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.log if p == path]


def ok(body: bytes, content_type: str, **headers: str):
    def route(handler, visit):
        for name in ("If-None-Match", "If-Modified-Since"):
            wanted = headers.get("ETag" if name == "If-None-Match" else "Last-Modified")
            if wanted and handler.headers.get(name) == wanted:
                return 304, {}, b""
        return 200, {"Content-Type": content_type, **headers}, body

    return route


def fail_then(times: int, code: int, then):
    def route(handler, visit):
        return (code, {"Retry-After": "0"} if code == 429 else {}, b"busy") if visit <= times else then(handler, visit)

    return route


def slow(seconds: float):
    def route(handler, visit):
        handler.server.site.stop.wait(seconds)
        return 200, {"Content-Type": "application/xml"}, (FIXTURES / "kst-33009-140.xml").read_bytes()

    return route


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server API)
        site: Site = self.server.site
        path = self.path.split("?")[0]
        with site.lock:
            site.visits[path] = site.visits.get(path, 0) + 1
            visit = site.visits[path]
            site.log.append((path, dict(self.headers.items())))
        route = site.routes.get(path)
        code, headers, body = route(self, visit) if route else (404, {"Content-Type": "text/html"}, b"niet gevonden")
        try:
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    server.site = site
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield site
    site.stop.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=2)


def settings_for(tmp_path: Path, site: Site, **overrides) -> Settings:
    values = dict(
        home=tmp_path / "home",
        corpus_dir=tmp_path / "corpus",
        fetch_base_url=site.base,
        fetch_timeout_s=0.3,
        fetch_retries=3,
    )
    values.update(overrides)
    return Settings(**values)


def letter(*keys: str) -> Document:
    refs = tuple(KamerstukRef(*key.split("-")) for key in keys)
    return Document(id="semicon-visie", title="Kamerbrief", path="brief.txt", format="text", references=refs)


def by_key(report) -> dict[str, FetchItem]:
    return {item.key: item for item in report.items}


def test_downloads_links_with_format_fallbacks_retries_and_clear_failures(tmp_path, site):
    xml_141 = (FIXTURES / "kst-33009-141.xml").read_bytes()
    site.routes.update(
        {
            # 33009-140: the server is busy twice, then answers.
            "/kst-33009-140.xml": fail_then(2, 503, ok((FIXTURES / "kst-33009-140.xml").read_bytes(), "text/xml")),
            # 29826-277: no XML, the site answers with an HTML error page and status 200; the page exists.
            "/kst-29826-277.xml": ok(ERROR_PAGE, "text/html; charset=utf-8"),
            "/kst-29826-277.html": ok((FIXTURES / "kst-29826-277.html").read_bytes(), "text/html; charset=utf-8"),
            # 29826-140: only a PDF.
            "/kst-29826-140.pdf": ok(PDF, "application/pdf"),
            # 29826-141: too slow every time.
            "/kst-29826-141.xml": slow(1.0),
            # 33009-166 does not exist at all (every format 404).
        }
    )
    source = parse_kamerstuk_xml(xml_141, str(FIXTURES / "kst-33009-141.xml"))
    seen = []
    settings = settings_for(tmp_path, site)
    report = fetch_linked(settings, [source], progress=lambda item, done, total: seen.append((item.key, done, total)), backoff_s=0.01)
    items = by_key(report)
    corpus = tmp_path / "corpus"

    assert set(items) == {"29826-140", "29826-141", "29826-277", "33009-140", "33009-166"}
    assert [s[1:] for s in seen] == [(i, 5) for i in range(1, 6)]

    assert items["33009-140"].status == "downloaded"
    assert items["33009-140"].path == str(corpus / "kst-33009-140.xml")
    assert site.hits("/kst-33009-140.xml") == 3
    assert parse_kamerstuk((corpus / "kst-33009-140.xml").read_bytes(), "kst-33009-140.xml").metadata["kamerstuk"] == "33009-140"

    assert items["29826-277"].status == "downloaded"
    assert items["29826-277"].url == f"{site.base}/kst-29826-277.html"
    assert (corpus / "kst-29826-277.html").read_bytes() == (FIXTURES / "kst-29826-277.html").read_bytes()
    assert not (corpus / "kst-29826-277.xml").exists()
    assert site.hits("/kst-29826-277.xml") == 1  # wrong content is not retried

    assert items["29826-140"].status == "downloaded"
    assert (corpus / "kst-29826-140.pdf").read_bytes() == PDF

    assert items["29826-141"].status == "failed"
    assert "geen antwoord binnen 0.3 s" in items["29826-141"].error
    assert "3 pogingen" in items["29826-141"].error
    assert site.hits("/kst-29826-141.xml") == 3
    assert site.hits("/kst-29826-141.html") == 0  # a dead server is not asked for other formats

    assert items["33009-166"].status == "failed"
    assert items["33009-166"].error == f"Kamerstuk 33009-166 staat niet op {site.base} (HTTP 404 voor .xml, .html en .pdf)."
    assert [site.hits(f"/kst-33009-166.{ext}") for ext in ("xml", "html", "pdf")] == [1, 1, 1]  # 404 is not retried

    assert report.counts() == {"downloaded": 3, "cached": 0, "present": 0, "failed": 2}
    assert {headers.get("User-Agent") for _, headers in site.log} == {USER_AGENT}
    leftovers = [p.name for p in tmp_path.rglob("*.part")]
    assert leftovers == []


def test_etag_revalidation_reuses_the_cache_and_present_files_are_not_fetched(tmp_path, site):
    path = "/kst-33009-141.xml"
    site.routes[path] = ok((FIXTURES / "kst-33009-141.xml").read_bytes(), "application/xml", ETag='"v1"')
    settings = settings_for(tmp_path, site)
    target = tmp_path / "corpus" / "kst-33009-141.xml"

    first = by_key(fetch_linked(settings, [letter("33009-141")]))["33009-141"]
    assert first.status == "downloaded" and target.is_file()

    target.unlink()
    second = by_key(fetch_linked(settings, [letter("33009-141")]))["33009-141"]
    assert second.status == "cached"
    assert target.read_bytes() == (FIXTURES / "kst-33009-141.xml").read_bytes()
    assert [h.get("If-None-Match") for h in site.seen(path)] == [None, '"v1"']

    third = by_key(fetch_linked(settings, [letter("33009-141")]))["33009-141"]
    assert third.status == "present" and third.path == str(target)
    assert site.hits(path) == 2


def test_extra_urls_with_last_modified_and_safe_names(tmp_path, site):
    stamp = "Wed, 01 Jan 2025 10:00:00 GMT"
    site.routes["/rapport/Semicon%20Visie%202035.pdf"] = ok(PDF, "application/pdf", **{"Last-Modified": stamp})
    site.routes["/rapport/kapot.pdf"] = ok(ERROR_PAGE, "text/html")
    site.routes["/druk"] = fail_then(1, 429, ok(b"platte tekst", "text/plain"))
    urls = f"{site.base}/rapport/Semicon%20Visie%202035.pdf, {site.base}/rapport/kapot.pdf,{site.base}/druk, ftp://example.org/x.pdf"
    settings = settings_for(tmp_path, site, fetch_urls=urls)

    items = by_key(fetch_linked(settings, [], backoff_s=0.01))
    assert items["Semicon-Visie-2035.pdf"].status == "downloaded"
    assert (tmp_path / "corpus" / "Semicon-Visie-2035.pdf").read_bytes() == PDF
    assert items["kapot.pdf"].status == "failed" and "geen PDF maar een HTML-pagina" in items["kapot.pdf"].error
    assert not (tmp_path / "corpus" / "kapot.pdf").exists()
    assert items["druk"].status == "downloaded" and items["druk"].path.endswith("druk.txt")
    assert site.hits("/druk") == 2
    assert items["x.pdf"].status == "failed" and "http" in items["x.pdf"].error

    (tmp_path / "corpus" / "Semicon-Visie-2035.pdf").unlink()
    again = by_key(fetch_linked(settings, [], backoff_s=0.01))
    assert again["Semicon-Visie-2035.pdf"].status == "cached"
    assert site.seen("/rapport/Semicon%20Visie%202035.pdf")[-1].get("If-Modified-Since") == stamp
    assert again["druk"].status == "present"


def test_size_limit_and_connection_errors(tmp_path, site):
    site.routes["/groot.pdf"] = ok(PDF + b"0" * 4096, "application/pdf")
    settings = settings_for(tmp_path, site, fetch_urls=f"{site.base}/groot.pdf", max_file_mb=0.001)
    item = fetch_linked(settings, []).items[0]
    assert item.status == "failed" and "groter dan de limiet" in item.error
    assert not (tmp_path / "corpus" / "groot.pdf").exists()
    assert list(tmp_path.rglob("*.part")) == []

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    dead = settings_for(tmp_path, site, fetch_base_url=f"http://127.0.0.1:{closed}", fetch_retries=2)
    item = fetch_linked(dead, [letter("33009-141")], backoff_s=0.01).items[0]
    assert item.status == "failed"
    assert "verbinding mislukt" in item.error and "2 pogingen" in item.error


def test_documents_in_the_corpus_count_as_present(tmp_path, site):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "kst-29826-277.html").write_bytes((FIXTURES / "kst-29826-277.html").read_bytes())
    (corpus / "sub" / "kst-21501-30-512.pdf").write_bytes(PDF)
    (corpus / "kst-21501-30-512.xml").write_text("<officiele-publicatie/>")
    (corpus / "notities.txt").write_text("Kamerstuk 33009 nr. 141")
    (corpus / "kst-nieuw.xml").write_text("x")
    assert present_documents(corpus) == {"29826-277", "21501-30-512"}
    assert present_files(corpus)["21501-30-512"].suffix == ".xml"
    assert present_documents(tmp_path / "bestaat-niet") == set()

    already = Document(id="kst-33009-140", title="t", path="elders/kst-33009-140.xml", format="kamerstuk-xml",
                       metadata={"kamerstuk": "33009-140"})
    report = fetch_linked(settings_for(tmp_path, site), [letter("29826-277", "33009-140"), already])
    assert [(i.key, i.status) for i in report.items] == [("29826-277", "present"), ("33009-140", "present")]
    assert site.log == []


def test_safe_filename():
    assert safe_filename("https://x.nl/a/Semicon%20Visie%202035.pdf?download=1") == "Semicon-Visie-2035.pdf"
    assert safe_filename("https://x.nl/../../etc/passwd") == "passwd"
    assert safe_filename("https://www.example.org/") == "www.example.org"
    assert safe_filename("https://x.nl/..") == "x.nl"


def test_extra_url_without_a_document_extension_gets_one_from_the_content(tmp_path, site):
    site.routes["/"] = ok(PDF, "application/octet-stream")
    settings = settings_for(tmp_path, site, fetch_urls=f"{site.base}/")
    item = fetch_linked(settings, []).items[0]
    assert item.status == "downloaded"
    assert item.key == "127.0.0.1" and item.path.endswith("127.0.0.1.pdf")


def test_an_unwritable_corpus_fails_the_item_not_the_run(tmp_path, site):
    site.routes["/kst-33009-141.xml"] = ok((FIXTURES / "kst-33009-141.xml").read_bytes(), "application/xml")
    (tmp_path / "corpus").write_text("dit is een bestand, geen map")
    report = fetch_linked(settings_for(tmp_path, site), [letter("33009-141")])
    assert report.items[0].status == "failed" and report.items[0].error.startswith("Opslaan mislukt")


def test_the_fetcher_accepts_every_format_the_parser_accepts(tmp_path, site):
    from ingest.loader import load_document

    xhtml = (FIXTURES / "ah-tk-20222023-3456.html").read_bytes()
    site.routes.update(
        {
            # The older kamerwrk schema, as the site serves stukken up to about 2009.
            "/kst-25900-XIII-4.xml": ok((FIXTURES / "kst-25900-XIII-4.xml").read_bytes(), "text/xml"),
            "/kst-37020-X-1.xml": ok((FIXTURES / "kst-37020-X-1.xml").read_bytes(), "application/xml"),
            # No XML; the page is XHTML that starts with an XML declaration.
            "/kst-21501-30-612.html": ok(xhtml.replace(b"ah-tk-20222023-3456", b"kst-21501-30-612"), "application/xhtml+xml"),
            "/kst-33009-141.html": ok((FIXTURES / "kst-33009-141.html").read_bytes(), "text/html"),
            "/kst-29826-140.pdf": ok(PDF, "application/pdf"),
            # An extra URL without an extension whose server calls XHTML "application/xml".
            "/vragen": ok(xhtml, "application/xml"),
        }
    )
    settings = settings_for(tmp_path, site, fetch_urls=f"{site.base}/vragen")
    keys = ("25900-XIII-4", "37020-X-1", "21501-30-612", "33009-141", "29826-140")
    refs = tuple(KamerstukRef(*key.rsplit("-", 1)) for key in keys)
    brief = Document(id="brief", title="Brief", path="brief.txt", format="text", references=refs)
    items = by_key(fetch_linked(settings, [brief], backoff_s=0.01))
    assert {key: Path(item.path).name for key, item in items.items() if item.status == "downloaded"} == {
        "25900-XIII-4": "kst-25900-XIII-4.xml",
        "37020-X-1": "kst-37020-X-1.xml",
        "21501-30-612": "kst-21501-30-612.html",
        "33009-141": "kst-33009-141.html",
        "29826-140": "kst-29826-140.pdf",
        "vragen": "vragen.html",
    }
    for key in ("25900-XIII-4", "37020-X-1", "21501-30-612", "33009-141", "vragen"):
        doc = load_document(Path(items[key].path), 10_000_000)
        assert doc.format.startswith("kamerstuk-") and doc.paragraphs
        if key != "vragen":
            assert doc.id == f"kst-{key}"
