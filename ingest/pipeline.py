"""Files and folders -> Documents, with a per-file verdict; one bad file never stops the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ingest.loader import FORMATS, IngestError, load_document
from ingest.records import Document


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class IngestReport:
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. a damaged PDF page that was skipped

    @property
    def paragraphs(self) -> int:
        return sum(len(d.paragraphs) for d in self.documents)

    @property
    def footnotes(self) -> int:
        return sum(1 for d in self.documents for p in d.paragraphs if p.kind == "footnote")


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Skipped]]:
    """Files to ingest: folders are walked (hidden files and unknown types in folders are ignored)."""
    files: list[Path] = []
    missing: list[Skipped] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts) and p.suffix.lower() in FORMATS
            )
        elif path.exists():
            files.append(path)
        else:
            missing.append(Skipped(str(path), f"{path}: bestand of map bestaat niet."))
    return files, missing


def read_documents(
    paths: Iterable[Path],
    max_bytes: int,
    progress: Callable[[Path], None] | None = None,
    page_progress: Callable[[Path, int, int], None] | None = None,
) -> IngestReport:
    """`progress(file)` before each file; `page_progress(file, done, total)` after each PDF page."""
    files, missing = discover(paths)
    report = IngestReport(skipped=list(missing))
    seen: dict[str, str] = {}
    for file in files:
        if progress:
            progress(file)
        on_page = (lambda done, total, file=file: page_progress(file, done, total)) if page_progress else None
        try:
            document = load_document(file, max_bytes, on_page, lambda message, file=file: report.warnings.append(f"{file.name}: {message}"))
        except IngestError as exc:
            report.skipped.append(Skipped(str(file), str(exc)))
            continue
        if document.id in seen:
            report.skipped.append(
                Skipped(str(file), f"{file.name}: heeft dezelfde document-id '{document.id}' als {seen[document.id]}; hernoem een van beide.")
            )
            continue
        seen[document.id] = file.name
        report.documents.append(document)
    return report
