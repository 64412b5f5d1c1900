"""The `assistant` command: a thin layer over `assistant.service.Assistant`."""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import threading
from pathlib import Path
from typing import Any

import click

from assistant.config import Settings
from assistant.summary import SUMMARY_HEADING
from ingest.errors import UserError

log = logging.getLogger(__name__)

REBUILT_DAMAGED = "De index was beschadigd (een eerdere ingest is afgebroken) en is opnieuw opgebouwd uit de documenten."


def _settings_options(func: Any) -> Any:
    """One option per setting, with its help text, environment variable and default."""
    for name, env, help_text, default in reversed(Settings.describe()):
        func = click.option(
            f"--{name.replace('_', '-')}",
            name,
            default=None,
            help=f"{help_text} [env: {env}; default: {default}]",
            show_default=False,
        )(func)
    return func


# Provided by the development tools (devtools.commands), imported only when one of them is asked for.
DEVTOOLS_COMMANDS = ("bench", "eval", "stress")


class _Commands(click.Group):
    """The core commands, plus the development tools' once one of those is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *DEVTOOLS_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in DEVTOOLS_COMMANDS and name not in self.commands:
            from devtools.commands import register

            register(self)
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@_settings_options
@click.pass_context
def cli(ctx: click.Context, **flags: Any) -> None:
    """Semicon Visie assistant: answers about 'Semicon Visie 2035' with paragraph citations."""
    try:
        ctx.obj = Settings.load(**{k: v for k, v in flags.items() if v is not None})
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _assistant(ctx: click.Context) -> Any:
    from assistant.service import Assistant

    return Assistant(ctx.obj)


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"Fout: {message}", err=True)
    sys.exit(code)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=None))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read and parse only; do not touch the index.")
@click.option("--json", "as_json", is_flag=True, help="Print records (with --dry-run) or the summary as JSON.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], dry_run: bool, as_json: bool) -> None:
    """Read documents (default: the corpus folder) into paragraph records and update the index."""
    from tqdm import tqdm

    assistant = _assistant(ctx)
    targets = list(paths) or [ctx.obj.corpus_dir]
    bar = tqdm(desc="Inlezen", unit=" pagina", file=sys.stderr, disable=as_json or not sys.stderr.isatty())

    def file_started(path: Path) -> None:
        if path.suffix.lower() != ".pdf":
            bar.update(1)  # a PDF counts its pages as they are read

    def page_read(path: Path, done: int, total: int) -> None:
        bar.set_postfix_str(f"{path.name} {done}/{total}", refresh=False)
        bar.update(1)

    try:
        if dry_run:
            report = assistant.read(targets, progress=file_started, page_progress=page_read)
            bar.close()
            if as_json:
                for document in report.documents:
                    for paragraph in document.paragraphs:
                        _echo_json(paragraph.to_dict())
            summary = {
                "documents": len(report.documents),
                "paragraphs": report.paragraphs,
                "footnotes": report.footnotes,
                "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
            }
            if not as_json:
                _print_summary(summary)
            skipped, warnings = report.skipped, report.warnings
        else:
            result = assistant.ingest(targets, progress=file_started, page_progress=page_read)
            bar.close()
            summary = result.summary()
            _echo_json(summary) if as_json else _print_summary(summary)
            skipped, warnings = result.report.skipped, result.report.warnings
    except UserError as exc:
        _fail(str(exc))
    for warning in warnings:
        click.echo(f"Waarschuwing: {warning}", err=True)
    for item in skipped:
        click.echo(f"Overgeslagen: {item.reason}", err=True)
    if skipped:
        sys.exit(1)


def _ensure_index(assistant: Any) -> None:
    """Build the index on first use, or again when it is damaged; only the repair is worth a word."""
    result = assistant.ensure_index()
    if result is not None and result.rebuilt_damaged:
        click.echo(REBUILT_DAMAGED, err=True)


def _print_summary(summary: dict[str, Any]) -> None:
    line = f"{summary['documents']} documenten, {summary['paragraphs']} paragrafen ({summary['footnotes']} voetnoten)"
    if "embedded" in summary:
        line += (
            f"; index: {summary['embedded']} ingebed, {summary['updated']} bijgewerkt, "
            f"{summary['unchanged']} ongewijzigd, {summary['deleted']} verwijderd"
        )
    line += f"; {len(summary['skipped'])} overgeslagen."
    click.echo(line)
    if summary.get("rebuilt_damaged"):
        click.echo(REBUILT_DAMAGED)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """List the documents in the corpus, their Kamerstuk references and whether each is present."""
    from ingest.fetch import present_documents

    assistant = _assistant(ctx)
    report = assistant.read()
    present = present_documents(ctx.obj.corpus_dir)
    rows = []
    for document in report.documents:
        refs = [{**r.to_dict(), "url": r.url(ctx.obj.fetch_base_url), "present": r.key in present} for r in document.references]
        rows.append({"id": document.id, "title": document.title, "path": document.path, "paragraphs": len(document.paragraphs), "references": refs})
    if as_json:
        _echo_json(rows)
    else:
        for row in rows:
            click.echo(f"{row['id']}  {row['title']}  ({row['paragraphs']} paragrafen)")
            for ref in row["references"]:
                mark = "aanwezig" if ref["present"] else "ontbreekt"
                click.echo(f"    {ref['key']:<12} {mark:<9} {ref['url']}")
    for item in report.skipped:
        click.echo(f"Overgeslagen: {item.reason}", err=True)


@cli.command("fetch-linked")
@click.option("--no-ingest", is_flag=True, help="Download only; do not ingest afterwards.")
@click.pass_context
def fetch_linked_command(ctx: click.Context, no_ingest: bool) -> None:
    """Download the referenced Kamerstukken (and configured extra URLs) into the corpus, then ingest."""
    from ingest.fetch import fetch_linked

    assistant = _assistant(ctx)
    report = fetch_linked(ctx.obj, assistant.read().documents)
    failed = False
    for item in report.items:
        click.echo(f"{item.status:<10} {item.key:<14} {item.url}" + (f"  {item.error}" if item.error else ""))
        failed = failed or item.status == "failed"
    if not no_ingest:
        ctx.invoke(ingest)
    if failed:
        sys.exit(1)


@cli.command("index")
@click.option("--rebuild", is_flag=True, help="Drop the index and embed the whole corpus again (after changing the embedding model).")
@click.pass_context
def index_command(ctx: click.Context, rebuild: bool) -> None:
    """Show the index status, or rebuild it."""
    assistant = _assistant(ctx)
    try:
        if rebuild:
            assistant.rebuild_index()
            ctx.invoke(ingest)
            return
        ok, message = assistant.ready()
        count = assistant.store.count() if ok else 0
        click.echo(f"Index: {count} paragrafen, model {ctx.obj.embedding_model}; {message}")
    except UserError as exc:
        _fail(str(exc))


@cli.command()
@click.argument("question")
@click.option("--backend", help="Answer backend: extractive, local, openai/<model>, ollama/<model> (default: the configured one).")
@click.option(
    "--document", "documents", multiple=True, metavar="ID",
    help="Answer from this document only (repeatable); the ids are in `assistant sources` and GET /api/documents.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON (as the HTTP API returns it).")
@click.pass_context
def ask(ctx: click.Context, question: str, backend: str | None, documents: tuple[str, ...], as_json: bool) -> None:
    """Answer a question with citations to source paragraphs."""
    assistant = _assistant(ctx)
    try:
        _ensure_index(assistant)
        if as_json:
            _echo_json(assistant.ask(question, [], backend, list(documents)).to_dict())
            return
        answer, written = None, ""
        for event in assistant.ask_stream(question, [], backend, list(documents)):
            if event.type == "extractive" and event.answer is not None:
                click.echo(event.answer.answer)  # the verbatim answer, before any model writes
            elif event.type == "token":
                if not written:
                    click.echo(f"\n{SUMMARY_HEADING}:")
                written += event.text
                click.echo(event.text, nl=False)
            else:
                answer = event.answer
    except UserError as exc:
        _fail(str(exc))
    click.echo("")
    if answer.generated and answer.generated.answer != written.strip():
        click.echo(f"\nNa controle tegen de bronnen: {answer.generated.answer}")
    if answer.notice:
        click.echo(f"\nLet op: {answer.notice}")
    parts = [("Bronnen", answer.extractive or answer)]
    if answer.generated:
        parts.append((f"Bronnen bij de {SUMMARY_HEADING.lower()}", answer.generated))
    for title, part in parts:
        if part.citations:
            click.echo(f"\n{title}:")
            for c in part.citations:
                page = f", p. {c.page}" if c.page else ""
                click.echo(f"[{c.n}] {c.doc_title}, {c.label}{page}: {c.text}")


@cli.command()
@click.argument("claim")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@click.pass_context
def check(ctx: click.Context, claim: str, as_json: bool) -> None:
    """Check whether a quote or claim is in the sources (exact, near miss with differences, or supported)."""
    assistant = _assistant(ctx)
    try:
        _ensure_index(assistant)
        result = assistant.check(claim)
    except UserError as exc:
        _fail(str(exc))
    if as_json:
        _echo_json(result.to_dict())
        return
    verdict = "gesteund door de bronnen" if result.verdict == "supported" else "niet gevonden in de bronnen"
    click.echo(f"Oordeel: {verdict}" + (f" ({result.match})" if result.match else ""))
    if result.differences:
        click.echo(f"Verschillen met de bron: {result.differences}")
    for c in result.citations:
        click.echo(f"[{c.n}] {c.doc_title}, {c.label}: {c.text}")


@cli.command()
@click.option("--host", help="Address to listen on (default: the host setting).")
@click.option("--port", type=int, help="Port to listen on (default: the port setting).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the web UI, the widget and the HTTP API; ingests the corpus first when the index is empty."""
    import uvicorn

    from assistant.web.app import create_app

    settings = ctx.obj.replace(**{k: v for k, v in {"host": host, "port": port}.items() if v is not None})
    assistant = _assistant(ctx)
    assistant.settings = settings
    try:
        result = assistant.ensure_index()
    except UserError as exc:
        _fail(str(exc))
    if result is not None:
        _print_summary(result.summary())
    from assistant.summary import backend_choice

    choice = backend_choice(settings)
    if choice.problem:
        click.echo(choice.problem, err=True)
    click.echo(f"De assistent draait op http://{settings.host}:{settings.port}/")
    threading.Thread(target=_warm_up, args=(assistant,), daemon=True, name="warm-up").start()
    uvicorn.run(create_app(settings, assistant), host=settings.host, port=settings.port, log_level="warning")


@cli.command()
@click.pass_context
def settings(ctx: click.Context) -> None:
    """Show every setting with its current value and where to change it."""
    for field in dataclasses.fields(Settings):
        value = getattr(ctx.obj, field.name)
        shown = "***" if field.metadata["secret"] and value else value
        click.echo(f"{field.name} = {shown}    [{field.metadata['env']}] {field.metadata['help']}")
    from assistant.summary import backend_choice

    choice = backend_choice(ctx.obj)
    summary = "geen" if choice.summary is None else f"{choice.summary} ({'op verzoek: Vat samen' if choice.on_request else 'bij elk antwoord'})"
    why = " ".join(filter(None, [choice.reason, choice.problem]))
    click.echo(f"answers = eerst letterlijk (extractive), samenvatting: {summary}    [ASSISTANT_BACKEND] {why}")


def _warm_up(assistant: Any) -> None:
    try:
        assistant.warm_up()
    except Exception:  # a model that cannot load is reported by the backend choice and per answer
        log.warning("warming up failed", exc_info=True)


def main() -> None:
    cli(prog_name="assistant")


if __name__ == "__main__":
    main()
