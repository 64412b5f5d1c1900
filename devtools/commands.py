"""`assistant eval`, `assistant bench` and `assistant stress`: registered with the `assistant` command
by `register`, which the CLI calls only when one of these commands is asked for."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ingest.errors import UserError

def register(group: click.Group) -> None:
    for command in (eval_command, bench, stress):
        group.add_command(command)


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"Fout: {message}", err=True)
    sys.exit(code)


def _assistant(ctx: click.Context) -> Any:
    from assistant.service import Assistant

    return Assistant(ctx.obj)


@click.command("eval")
@click.option("--qa", "qa_file", type=click.Path(path_type=Path), help="Questions (JSON lines: id, question, answerable, facts, source).")
@click.option("--claims", "claims_file", type=click.Path(path_type=Path), help="Claims (JSON lines: id, claim, verdict, source).")
@click.option("--baseline", type=click.Choice(["naive"]), help="Also run the textbook LangChain pipeline on the same questions.")
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path, file_okay=False), help="Evaluate against this folder alone, ingested into a temporary index.")
@click.option("--backend", help="Answer backend to evaluate (default: the configured one).")
@click.option("--retrieval-only", is_flag=True, help="Skip answers and claims.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--out", type=click.Path(path_type=Path), help="Write per-item records (JSON lines) here.")
@click.pass_context
def eval_command(ctx: click.Context, qa_file: Path | None, claims_file: Path | None, baseline: str | None, corpus_dir: Path | None,
                 backend: str | None, retrieval_only: bool, as_json: bool, out: Path | None) -> None:
    """Score retrieval (recall@k, MRR), answers, refusals and claim verdicts."""
    from devtools import evaluate

    if not qa_file and not claims_file:
        _fail("geef --qa en/of --claims met een evaluatiebestand.", 2)
    try:
        if corpus_dir:
            with evaluate.corpus_assistant(ctx.obj, corpus_dir) as assistant:
                result, per_item = evaluate.run_evaluation(assistant, qa_file, claims_file, baseline, backend, retrieval_only)
        else:
            assistant = _assistant(ctx)
            assistant.ensure_index()
            result, per_item = evaluate.run_evaluation(assistant, qa_file, claims_file, baseline, backend, retrieval_only)
    except UserError as exc:
        _fail(str(exc))
    if out:
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in per_item), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=None))
        return
    for section, metrics in result.items():
        click.echo(f"{section}: " + ", ".join(f"{k} {v}" for k, v in metrics.items()))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--quick", is_flag=True, help="Smaller sizes, for a smoke test.")
@click.option("--skip-local", is_flag=True, help="Skip the local LLM measurements.")
@click.pass_context
def bench(ctx: click.Context, as_json: bool, quick: bool, skip_local: bool) -> None:
    """Measure ingest throughput, retrieval latency at scale, answer latency and memory."""
    from devtools.bench import run_bench

    try:
        run_bench(ctx.obj, as_json=as_json, quick=quick, skip_local=skip_local, echo=click.echo)
    except UserError as exc:
        _fail(str(exc))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--quick", is_flag=True, help="Fewer trials and clients, for a smoke test.")
@click.pass_context
def stress(ctx: click.Context, as_json: bool, quick: bool) -> None:
    """Bad input, faults and load against a real server on 127.0.0.1; prints the figures."""
    from devtools.stress import run_stress

    if not run_stress(ctx.obj, ctx.find_root().command, as_json=as_json, quick=quick, echo=click.echo):
        sys.exit(1)
