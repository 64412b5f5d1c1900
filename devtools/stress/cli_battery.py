"""The bad-input battery for the CLI: each command must exit with a clear message, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from devtools.stress.corpus import CORPUS_QUESTIONS, HTML_PAYLOADS, INJECTION_QUESTIONS
from devtools.stress.documents import BAD_REASONS
from devtools.stress.report import Outcome


@dataclass(frozen=True)
class CliProbe:
    name: str
    args: tuple[str, ...]
    exit_code: int
    output: str = ""  # a fragment the output must contain


def cli_probes(bad_files: dict[str, Path], max_chars: int) -> list[CliProbe]:
    probes = [
        CliProbe("ask: lege vraag", ("ask", ""), 1, "leeg"),
        CliProbe("ask: witruimte", ("ask", "  \t "), 1, "leeg"),
        CliProbe("ask: stuurtekens", ("ask", "\x01\x02\x1b"), 1, "leeg"),
        CliProbe("ask: ongeldige UTF-8", ("ask", "\udcff\udcfe"), 1, "leeg"),
        CliProbe("ask: 100.000 tekens", ("ask", "chips " * 16_667), 1, f"maximum is {max_chars}"),
        CliProbe("ask: HTML", ("ask", "--json", HTML_PAYLOADS[0]), 0, '"answer"'),
        CliProbe("ask: promptinjectie", ("ask", "--json", INJECTION_QUESTIONS[1]), 0, '"answerable": false'),
        CliProbe("ask: onbekende backend", ("ask", "--backend", "bestaat/niet", CORPUS_QUESTIONS[0]), 1, "backend"),
        CliProbe("check: lege tekst", ("check", " "), 1, "leeg"),
        CliProbe("check: 100.000 tekens", ("check", "y" * 100_000), 1, f"maximum is {max_chars}"),
        CliProbe("ingest: bestaat niet", ("ingest", "/bestaat/niet.pdf"), 1, "bestaat niet"),
    ]
    for name, path in bad_files.items():
        probes.append(CliProbe(f"ingest: {name}", ("ingest", str(path)), 1, BAD_REASONS[name]))
    return probes


def run_cli_probes(probes: list[CliProbe], base_args: list[str], cli: click.Command) -> list[Outcome]:
    """Each probe through `cli` (the `assistant` command, handed in: devtools does not import the CLI)."""
    from click.testing import CliRunner

    runner = CliRunner()
    outcomes = []
    for probe in probes:
        result = runner.invoke(cli, [*base_args, *probe.args], catch_exceptions=True)
        output = result.output + (result.stderr if result.stderr_bytes is not None else "")
        problems = []
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            problems.append(f"uitzondering {type(result.exception).__name__}: {result.exception}")
        if result.exit_code != probe.exit_code:
            problems.append(f"exitcode {result.exit_code}, verwacht {probe.exit_code}")
        if "Traceback" in output:
            problems.append("traceback")
        if probe.output and probe.output.lower() not in output.lower():
            problems.append(f"'{probe.output}' ontbreekt")
        outcomes.append(Outcome(probe.name, result.exit_code, "; ".join(problems)[:300]))
    return outcomes
