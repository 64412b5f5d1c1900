"""Compare PDF text libraries on the project's PDF corpus: fidelity, speed, peak memory.

    python -m devtools.compare_pdf_libraries

Fidelity: each library's plain text of the letter as printed by four producers
(tests/fixtures/pdf/letter-*.pdf) against the words that were printed (the letter's records,
sidebar and page numbers). Reading order differs by design between extractors, so the error
is counted on the bag of words: (words missing + words extra) / words printed. Glued words
("Eensterkeeconomie"), split words and lost or doubled text all count.
Speed and memory: the 150-page two-column report from devtools/pdf_samples.py, each library in
its own process (CPU seconds and peak RSS of that process, so C libraries are measured too).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

from devtools.bench_pdf import own_peak_rss_mib

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "pdf"
PRODUCERS = ("chromium", "libreoffice", "reportlab", "ghostscript")
LIBRARIES = ("pypdf", "pdfminer.six", "pdfplumber", "pypdfium2")


def extract(library: str, data: bytes) -> list[str]:
    """Plain text per page with the library's defaults."""
    import io

    if library == "pypdf":
        from pypdf import PdfReader

        return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    if library == "pdfminer.six":
        from pdfminer.high_level import extract_text

        return extract_text(io.BytesIO(data)).split("\f")
    if library == "pdfplumber":
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            out = []
            for page in pdf.pages:
                out.append(page.extract_text())
                page.close()
            return out
    if library == "pypdfium2":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(data)
        out = []
        for page in pdf:
            textpage = page.get_textpage()
            out.append(textpage.get_text_range())
            textpage.close()
            page.close()
        pdf.close()
        return out
    raise ValueError(library)


def printed_words() -> Counter[str]:
    """The words the letter fixtures print: the model scripts/make_pdf_fixtures.py laid out."""
    spec = importlib.util.spec_from_file_location("make_pdf_fixtures", ROOT / "scripts" / "make_pdf_fixtures.py")
    fixtures = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = fixtures
    spec.loader.exec_module(fixtures)
    from ingest.text import parse_text
    from tests.pdfrender import letter_sidebar

    source = fixtures.LETTER.read_text(encoding="utf-8")
    document = parse_text(source, str(fixtures.LETTER), "kamerbrief-semicon-visie-2035")
    pages = fixtures.letter_pages(document, source)
    words: list[str] = []
    for number, page in enumerate(pages, start=1):
        words += " ".join(" ".join(group) for group in letter_sidebar(document.metadata)).split()
        for item in page.items:
            item_words = ["".join(text for text, _ in word) for word in item.words]
            words += " ".join(item_words).replace(",", "").split() if item.kind == "signature" else item_words
        for mark, note in page.notes:
            words += [mark, *note.split()]
        words += f"Pagina {number} van {len(pages)}".split()
    return Counter(normalize(w) for w in words)


def normalize(word: str) -> str:
    # Ligature characters and soft hyphens (pdfium marks a line-end hyphen as U+FFFE) are
    # typography, not words.
    return unicodedata.normalize("NFKC", word).replace("\u00ad", "").replace("\ufffe", "")


def _dehyphenated(words: list[str], printed: Counter[str]) -> list[str]:
    """Words a renderer hyphenated at a line end count as whole when the whole word was printed."""
    out: list[str] = []
    for word in words:
        if out and out[-1].endswith("-") and out[-1][:-1] + word in printed:
            out[-1] = out[-1][:-1] + word
        else:
            out.append(word)
    return out


def bag_error(printed: Counter[str], text: str) -> float:
    got = Counter(_dehyphenated([normalize(w) for w in text.split()], printed))
    missing = sum((printed - got).values())
    extra = sum((got - printed).values())
    return (missing + extra) / sum(printed.values())


def measure_speed(library: str, path: Path) -> dict:
    """Runs in a child process: pages/s and peak RSS for one library on one file."""

    data = path.read_bytes()
    # CPU time of this process (C libraries included): a busy machine does not skew it.
    start = time.process_time()
    pages = extract(library, data)
    seconds = time.process_time() - start
    return {"pages": len(pages), "seconds": seconds, "peak_rss_mib": own_peak_rss_mib()}


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--speed":
        print(json.dumps(measure_speed(sys.argv[2], Path(sys.argv[3]))))
        return
    sys.path.insert(0, str(ROOT))
    from devtools.pdf_samples import long_report

    printed = printed_words()
    long_path = Path("/tmp") / "compare-pdf-libraries-150.pdf"
    long_path.write_bytes(long_report(150))
    versions = {}
    for library in LIBRARIES:
        from importlib.metadata import version

        versions[library] = version(library)
    print(f"Letter: {sum(printed.values())} printed words; long report: 150 pages, two columns\n")
    header = f"{'library':<14}{'version':<11}" + "".join(f"{p:>13}" for p in PRODUCERS) + f"{'pages/s':>10}{'peak RSS':>11}"
    print(header)
    print("-" * len(header))
    for library in LIBRARIES:
        errors = []
        for producer in PRODUCERS:
            text = "\n".join(extract(library, (FIXTURES / f"letter-{producer}.pdf").read_bytes()))
            errors.append(bag_error(printed, text))
        child = subprocess.run(
            [sys.executable, "-m", "devtools.compare_pdf_libraries", "--speed", library, str(long_path)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )
        speed = json.loads(child.stdout)
        print(
            f"{library:<14}{versions[library]:<11}" + "".join(f"{e:>12.2%} " for e in errors)
            + f"{speed['pages'] / speed['seconds']:>10.1f}{speed['peak_rss_mib']:>8.0f} MiB"
        )
    print("\nColumns per producer: bag-of-words error of the letter (lower is better).")


if __name__ == "__main__":
    main()
