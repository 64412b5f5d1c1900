"""PDF ingest benchmark: a long two-column report through the full PDF ingest, next to the
library's own bare text extraction of the same file, and the same at twice the length.

    python -m devtools.bench_pdf [pages]

Each measurement runs in a fresh process, so peak RSS is that run's own; times are CPU
seconds of that process, and the fastest of `repeats` runs counts (the machine may be busy).
Figures:
  - ingest pages/s and peak RSS (ingest.pdf.parse_pdf: layout, structure rules, records);
  - bare pages/s and peak RSS (pdfminer.six `extract_text` with its defaults);
  - ratio = ingest pages/s / bare pages/s (target >= 0.8);
  - growth = parse time at 2 x pages / parse time at pages (target <= 2.2: linear).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def own_peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux keeps that across exec,
    so a child started by a large parent would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _measure(kind: str, path: Path) -> dict:
    """In the child process: one run of `kind` on `path`."""
    import io

    data = path.read_bytes()
    # CPU time: other processes on a shared machine do not count against the parser.
    start = time.process_time()
    if kind == "ingest":
        from ingest.pdf import parse_pdf

        pages = []
        parse_pdf(data, path.name, "bench", progress=lambda done, total: pages.append(done))
        count = len(pages)
    else:
        from pdfminer.high_level import extract_text

        count = extract_text(io.BytesIO(data)).count("\f")
    seconds = time.process_time() - start
    return {"pages": count, "seconds": seconds, "peak_rss_mib": own_peak_rss_mib()}


def _child(kind: str, path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "devtools.bench_pdf", "--measure", kind, str(path)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _best(kind: str, path: Path, repeats: int) -> dict:
    runs = [_child(kind, path) for _ in range(max(1, repeats))]
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "peak_rss_mib": max(r["peak_rss_mib"] for r in runs)}


def run(pages: int = 150, repeats: int = 2, progress=None) -> dict:
    """Benchmark figures for a `pages`-page report (and one of 2 x pages) as a dict."""
    from devtools.pdf_samples import long_report

    with tempfile.TemporaryDirectory() as tmp:
        single, double = Path(tmp) / f"rapport-{pages}.pdf", Path(tmp) / f"rapport-{2 * pages}.pdf"
        single.write_bytes(long_report(pages))
        double.write_bytes(long_report(2 * pages))
        steps = (("ingest", single), ("bare", single), ("ingest", double))
        results = []
        for index, (kind, path) in enumerate(steps):
            if progress:
                progress(f"{kind} {path.name}", index, len(steps))
            results.append(_best(kind, path, repeats))
    ingest, bare, longer = results
    ingest_rate = ingest["pages"] / ingest["seconds"]
    bare_rate = bare["pages"] / bare["seconds"]
    return {
        "pages": pages,
        "ingest_pages_per_s": round(ingest_rate, 1),
        "ingest_peak_rss_mib": round(ingest["peak_rss_mib"]),
        "bare_pages_per_s": round(bare_rate, 1),
        "bare_peak_rss_mib": round(bare["peak_rss_mib"]),
        "ratio": round(ingest_rate / bare_rate, 2),
        "seconds": round(ingest["seconds"], 2),
        "double_pages": 2 * pages,
        "double_seconds": round(longer["seconds"], 2),
        "double_peak_rss_mib": round(longer["peak_rss_mib"]),
        "growth": round(longer["seconds"] / ingest["seconds"], 2),
        "library": "pdfminer.six",
    }


def format_figures(figures: dict) -> str:
    return "\n".join([
        f"PDF ingest, {figures['pages']}-page two-column report ({figures['library']}):",
        f"  ingest      {figures['ingest_pages_per_s']:>6.1f} pages/s   peak RSS {figures['ingest_peak_rss_mib']:>4} MiB",
        f"  bare text   {figures['bare_pages_per_s']:>6.1f} pages/s   peak RSS {figures['bare_peak_rss_mib']:>4} MiB",
        f"  ratio       {figures['ratio']:.2f} (ingest / bare, target >= 0.8)",
        f"  {figures['double_pages']} pages  {figures['double_seconds']:.1f} s vs {figures['pages']} pages "
        f"{figures['seconds']:.1f} s: x{figures['growth']:.2f} (target <= 2.2), peak RSS {figures['double_peak_rss_mib']} MiB",
    ])


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        print(json.dumps(_measure(sys.argv[2], Path(sys.argv[3]))))
        return
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    print(format_figures(run(pages)))


if __name__ == "__main__":
    main()
