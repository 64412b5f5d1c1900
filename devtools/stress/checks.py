"""The checks against a running server and the kill trials; each appends its table rows and figures."""

from __future__ import annotations

import random
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from assistant.config import Settings
from devtools.stress.cli_battery import CliProbe, cli_probes, run_cli_probes
from devtools.stress.corpus import CORPUS_QUESTIONS, OFF_CORPUS_QUESTIONS
from devtools.stress.documents import BAD_SUBFOLDER, write_bad_documents
from devtools.stress.load import client_ip, http_client, run_load
from devtools.stress.probes import Probe, http_fingerprint, http_probes, run_probes, send_probe
from devtools.stress.report import Row, failure_list, failure_note
from devtools.stress.routes import TRAVERSAL_PATHS, file_route_outcomes, private_file_paths
from devtools.fake_llm import FakeLLMServer
from devtools.stress.server import ServerUnderTest
from devtools.stress.sigkill import KillTrial, index_state, kill_times, kill_trial, reference_ingest, trial_settings, write_kill_corpus


@dataclass
class Sizes:
    kill_trials: int
    kill_documents: int
    kill_paragraphs: int
    load_clients: int
    load_questions: int
    queue_rounds: int


# What the server under test is configured with (see runner.py), and what the checks judge against.
LLM_TIMEOUT_S = 2.0
QUEUE_SIZE = 4
GENERATION_DELAY_S = 1.0
RATE_LIMIT = 60
RSS_GROWTH_LIMIT_MB = 60.0


def check_bad_input(server: ServerUnderTest, settings: Settings, workdir: Path, cli: click.Command, rows: list[Row],
                    figures: dict[str, Any]) -> None:
    max_bytes = int(settings.max_file_mb * 2**20)
    corpus = Path(settings.corpus_dir)
    write_bad_documents(corpus / BAD_SUBFOLDER, max_bytes)
    probes = http_probes(settings.max_question_chars, max_bytes, bad_in_corpus=True)
    counter = iter(range(10_000))

    def send(probe: Probe) -> Any:
        # A fresh address per probe: the battery tests input handling, not the rate limit.
        with http_client(server.base_url, client_ip(1000 + next(counter)), 60) as http:
            return send_probe(http, probe, server.token)

    def listing() -> list[tuple[str, int]]:
        return sorted((str(p.relative_to(corpus)), p.stat().st_size) for p in corpus.rglob("*"))

    with http_client(server.base_url, None, 60) as http:
        before, files_before = http_fingerprint(http), listing()
        outcomes = run_probes(probes, send)
        after, files_after = http_fingerprint(http), listing()
    shutil.rmtree(corpus / BAD_SUBFOLDER, ignore_errors=True)
    unchanged = before == after and files_before == files_after
    ok = sum(o.ok for o in outcomes)
    server_errors = sum(o.status >= 500 for o in outcomes)
    figures["bad_input_http"] = {"cases": len(outcomes), "handled": ok, "server_errors": server_errors, "index_unchanged": unchanged,
                                 "failures": failure_list(outcomes)}
    rows.append(Row("bad input via HTTP", f"{ok}/{len(outcomes)} duidelijk afgehandeld, {server_errors} x 5xx{failure_note(outcomes)}",
                    ok == len(outcomes)))
    rows.append(Row("index en corpus ongewijzigd na bad input", "ja" if unchanged else "NEE: records of corpus veranderd", unchanged))

    cli_home = workdir / "cli-home"
    bad_files = write_bad_documents(workdir / "bad", max_bytes)
    base = ["--home", str(cli_home), "--corpus-dir", str(settings.corpus_dir), "--embedding-model", settings.embedding_model,
            "--backend", "extractive", "--max-file-mb", str(settings.max_file_mb)]
    run_cli_probes([CliProbe("voorbereiding: ingest", ("ingest",), 0)], base, cli)
    cli_settings = trial_settings(cli_home, Path(settings.corpus_dir), settings.embedding_model)
    before_state = index_state(cli_settings)
    outcomes = run_cli_probes(cli_probes(bad_files, settings.max_question_chars), base, cli)
    after_state = index_state(cli_settings)
    ok = sum(o.ok for o in outcomes)
    same = before_state.fingerprint == after_state.fingerprint
    figures["bad_input_cli"] = {"cases": len(outcomes), "handled": ok, "index_unchanged": same, "failures": failure_list(outcomes)}
    rows.append(Row("bad input via de CLI", f"{ok}/{len(outcomes)} met duidelijke melding, index {'ongewijzigd' if same else 'VERANDERD'}"
                    f"{failure_note(outcomes)}", ok == len(outcomes) and same))
    healthy = server.status("/healthz") == 200 and server.status("/readyz") == 200
    rows.append(Row("server gezond na bad input", "ja" if healthy else "nee", healthy))


def check_access(server: ServerUnderTest, settings: Settings, rows: list[Row], figures: dict[str, Any]) -> None:
    import httpx

    with http_client(server.base_url, client_ip(2000), 60) as http:
        def status(token: str | None) -> int:
            headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
            return http.post("/api/admin/ingest", headers=headers).status_code

        codes = {"geen token": status(None), "fout token": status("fout"), "juist token": status(server.token)}
    expected = {"geen token": 401, "fout token": 403, "juist token": 200}
    ok = codes == expected
    figures["admin"] = codes
    rows.append(Row("beheer vraagt het token", ", ".join(f"{k} {v}" for k, v in codes.items()), ok))

    secrets = [Path(settings.corpus_dir, "notitie-uitvoering.txt").read_bytes()[:60]]
    outcomes = file_route_outcomes(server.host, server.port, TRAVERSAL_PATHS + private_file_paths(settings), secrets)
    ok_count = sum(o.ok for o in outcomes)
    figures["file_routes"] = {"paths": len(outcomes), "refused": ok_count, "failures": [o.name for o in outcomes if not o.ok]}
    rows.append(Row("bestandsroutes (traversal)", f"{ok_count}/{len(outcomes)} geweigerd{failure_note(outcomes)}",
                    ok_count == len(outcomes)))
    try:
        page = httpx.get(server.base_url + "/", timeout=30).text + httpx.get(server.base_url + "/embed", timeout=30).text
        hidden = "/api/admin" not in page
    except httpx.HTTPError:
        hidden = False
    rows.append(Row("UI en widget noemen geen beheerroutes", "ja" if hidden else "NEE", hidden))


def check_load(server: ServerUnderTest, sizes: Sizes, rows: list[Row], figures: dict[str, Any]) -> None:
    questions = CORPUS_QUESTIONS + OFF_CORPUS_QUESTIONS + ["Wat doet het kabinet aan technisch talent?"]
    result = run_load(server.base_url, sizes.load_clients, sizes.load_questions, questions, first_ip=3000)
    figures["load_extractive"] = {
        "clients": sizes.load_clients, "questions_per_client": sizes.load_questions, "requests": result.requests,
        "errors": result.errors, "seconds": round(result.seconds, 2), "throughput_per_s": round(result.throughput, 1),
        "p50_ms": round(result.percentile(50) * 1000, 1), "p95_ms": round(result.percentile(95) * 1000, 1),
        "statuses": dict(result.statuses),
    }
    f = figures["load_extractive"]
    rows.append(Row(f"belasting extractief {sizes.load_clients}x{sizes.load_questions}",
                    f"{f['requests']} vragen, {f['errors']} fouten, {f['throughput_per_s']}/s, p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms",
                    result.errors == 0))


def check_queue(server: ServerUnderTest, model: FakeLLMServer, sizes: Sizes, rows: list[Row], figures: dict[str, Any]) -> None:
    model.delay = GENERATION_DELAY_S
    burst = QUEUE_SIZE * 4
    rss = [server.rss_mb()]
    rounds = []
    for r in range(sizes.queue_rounds):
        result = run_load(server.base_url, burst, 1, [CORPUS_QUESTIONS[0]], backend="openai/stress", first_ip=4000 + r * burst,
                          ok_statuses=(200,))
        rounds.append(result)
        rss.append(server.rss_mb())
    statuses = sum((r.statuses for r in rounds), Counter())
    limited = statuses.get(429, 0)
    answered = statuses.get(200, 0)
    other = sum(v for k, v in statuses.items() if k not in (200, 429))
    missing = sum(r.retry_after_missing for r in rounds)
    growth = rss[-1] - rss[1] if len(rss) > 2 else rss[-1] - rss[0]
    figures["generation_queue"] = {"queue": QUEUE_SIZE, "burst": burst, "rounds": len(rounds), "answered": answered, "rejected_429": limited,
                                   "other": other, "retry_after_missing": missing, "rss_mb": [round(x, 1) for x in rss]}
    ok = limited > 0 and answered >= QUEUE_SIZE * len(rounds) and other == 0 and missing == 0 and server.alive()
    rows.append(Row("wachtrij taalmodel (429)", f"{answered} beantwoord, {limited} x 429 met Retry-After, {other} anders", ok))
    stable = growth <= RSS_GROWTH_LIMIT_MB
    rows.append(Row("geheugen (RSS) server", f"voor {rss[0]:.0f} MB, na {rss[-1]:.0f} MB (groei na eerste ronde {growth:+.0f} MB)", stable))


def check_llm_faults(server: ServerUnderTest, model: FakeLLMServer, rows: list[Row], figures: dict[str, Any]) -> None:
    import httpx

    results = {}
    with http_client(server.base_url, client_ip(5000), 60) as http:
        for label, backend, delay in (("traag", "openai/stress", 30.0), ("onbereikbaar", "ollama/stress", 0.0)):
            model.delay = delay
            started = time.perf_counter()
            try:
                response = http.post("/api/ask", json={"question": CORPUS_QUESTIONS[0], "backend": backend})
                body = response.json() if response.status_code == 200 else {}
            except httpx.HTTPError:
                response, body = None, {}
            elapsed = time.perf_counter() - started
            fallback = str(body.get("backend", "")).startswith("extractive") and bool(body.get("notice")) and bool(body.get("citations"))
            results[label] = {"seconds": round(elapsed, 2), "status": response.status_code if response else 0, "fallback": fallback,
                              "notice": body.get("notice", "")}
            within = elapsed <= LLM_TIMEOUT_S + 2.0
            rows.append(Row(f"taalmodel {label} -> extractief", f"{elapsed:.2f} s (tijdslimiet {LLM_TIMEOUT_S:g} s), melding: "
                            f"{'ja' if fallback else 'NEE'}", fallback and within))
    model.delay = GENERATION_DELAY_S
    figures["llm_fallback"] = results


def check_rate_limit(server: ServerUnderTest, rows: list[Row], figures: dict[str, Any]) -> None:
    statuses: Counter = Counter()
    retry_after = ""
    with http_client(server.base_url, client_ip(6000), 60) as http:
        for _ in range(RATE_LIMIT + 5):
            response = http.post("/api/ask", json={"question": CORPUS_QUESTIONS[0]})
            statuses[response.status_code] += 1
            if response.status_code == 429:
                retry_after = response.headers.get("retry-after", "")
    ok = statuses.get(200) == RATE_LIMIT and statuses.get(429) == 5 and retry_after.isdigit()
    figures["rate_limit"] = {"limit_per_minute": RATE_LIMIT, "sent": RATE_LIMIT + 5, "statuses": dict(statuses), "retry_after": retry_after}
    rows.append(Row("rate limit per client", f"{statuses.get(200, 0)} x 200, {statuses.get(429, 0)} x 429 (Retry-After {retry_after or '-'} s)", ok))


def check_kill_trials(workdir: Path, corpus: Path, embedding_model: str, sizes: Sizes, rows: list[Row], figures: dict[str, Any]) -> None:
    kill_corpus = workdir / "kill-corpus"
    shutil.copytree(corpus, kill_corpus)
    write_kill_corpus(kill_corpus, sizes.kill_documents, sizes.kill_paragraphs)
    start_s, writing_s, reference = reference_ingest(workdir / "kill-reference", kill_corpus, embedding_model)
    trials: list[KillTrial] = []
    # An ingest that happens to finish before its kill still counts as checked, but not as a kill:
    # keep going (within twice the count) until the asked number of kills hit a running ingest.
    moments = kill_times(writing_s, sizes.kill_trials)
    while sum(t.killed for t in trials) < sizes.kill_trials and len(trials) < 2 * sizes.kill_trials:
        after = moments[len(trials)] if len(trials) < len(moments) else random.uniform(0, writing_s * 0.5)
        trials.append(kill_trial(workdir / f"kill-{len(trials)}", kill_corpus, embedding_model, after, reference))
    ok = sum(t.ok for t in trials)
    killed = [t for t in trials if t.killed]
    partial = sorted(t.records for t in killed)
    figures["sigkill_ingest"] = {
        "trials": len(trials), "killed_mid_ingest": len(killed), "passed": ok, "reference_start_s": round(start_s, 2),
        "reference_writing_s": round(writing_s, 2), "reference_records": reference.records,
        "trials_detail": [t.__dict__ for t in trials],
    }
    spread = f"{partial[0]}-{partial[-1]} van {reference.records} records op het moment van de kill" if partial else "geen echt onderbroken"
    rows.append(Row(f"SIGKILL tijdens ingest ({len(killed)}x)",
                    f"{ok}/{len(trials)} proeven hersteld zonder dubbelen, {len(killed)} tijdens het schrijven gedood ({spread})" +
                    ("; " + "; ".join(t.problem for t in trials if not t.ok)[:300] if ok < len(trials) else ""),
                    ok == len(trials) and len(killed) >= sizes.kill_trials))
