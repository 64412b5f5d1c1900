"""SIGKILL during ingest: the index must reopen without duplicates, answer, and recover on the next ingest."""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import Settings
from devtools.stress.corpus import CORPUS_QUESTIONS
from devtools.stress.report import Judged
from devtools.stress.server import child_env, cli_command


@dataclass
class IndexState:
    fingerprint: str
    records: int
    duplicates: int
    documents: int


def index_state(settings: Settings, embeddings: Any = None) -> IndexState:
    """Opens the index under settings.home read-only; raises UserError when there is none yet."""
    from assistant.service import Assistant

    assistant = Assistant(settings, embeddings=embeddings)
    records = assistant.store.records()
    docs = assistant.store.documents()
    ids = [r.id for r in records]
    logical = [(r.doc_id, r.kind, r.number) for r in records]
    duplicates = (len(ids) - len(set(ids))) + (len(logical) - len(set(logical))) + (assistant.store.count() - len(set(ids)))
    rows = sorted(f"{r.id}:{r.hash}" for r in records) + sorted(f"doc:{d['id']}:{d['hash']}" for d in docs)
    return IndexState(hashlib.sha1("\n".join(rows).encode()).hexdigest(), len(records), duplicates, len(docs))


def write_kill_corpus(folder: Path, documents: int, paragraphs: int, seed: int = 7) -> Path:
    """Enough text that an ingest spends most of its time writing to the index."""
    words = (
        "halfgeleider chip ontwerp talent kabinet regio Eindhoven investering onderzoek lithografie fotonica "
        "materialen machine fabriek kennis export keten Europa veiligheid subsidie"
    ).split()
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for d in range(documents):
        body = [f"Testdocument {d}"] + [
            " ".join(rnd.choice(words) for _ in range(30)) + f" (alinea {d}-{i})." for i in range(paragraphs)
        ]
        (folder / f"testdocument-{d:03d}.txt").write_text("\n\n".join(body), encoding="utf-8")
    return folder


@dataclass
class KillTrial(Judged):
    killed_after_s: float
    killed: bool
    opened: str  # "ok", "leeg" (nothing written yet) or the problem
    records: int
    duplicates: int
    answered: bool
    completed: bool
    matches_reference: bool
    problem: str = ""


def ingest_command(home: Path, corpus: Path, embedding_model: str) -> tuple[list[str], dict[str, str]]:
    env = child_env({"ASSISTANT_HOME": str(home), "ASSISTANT_CORPUS": str(corpus), "ASSISTANT_EMBEDDING_MODEL": embedding_model,
                     "ASSISTANT_BACKEND": "extractive"})
    return cli_command("ingest", "--json"), env


def _chroma_file(home: Path) -> Path:
    return home / "index" / "chroma" / "chroma.sqlite3"


def _run_until_writing(command: list[str], env: dict[str, str], home: Path, timeout: float) -> tuple[subprocess.Popen, float, float]:
    """Start an ingest; return it with its start time and when it began to write the index
    (the moment its Chroma file appears; the end of the run if it never does)."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    while process.poll() is None and not _chroma_file(home).exists():
        if time.monotonic() - started > timeout:
            process.kill()
            process.wait()
            raise RuntimeError("ingest schreef niet binnen de tijd naar de index")
        time.sleep(0.005)
    return process, started, time.monotonic()


def reference_ingest(home: Path, corpus: Path, embedding_model: str, timeout: float = 300) -> tuple[float, float, IndexState]:
    """A clean ingest in a subprocess: when it starts writing, how long the writing takes, and the
    index after it (what every interrupted ingest must end up as once the next one completes)."""
    command, env = ingest_command(home, corpus, embedding_model)
    process, started, writing = _run_until_writing(command, env, home, timeout)
    if process.wait(timeout) != 0:
        raise RuntimeError(f"de referentie-ingest faalde met exitcode {process.returncode}")
    ended = time.monotonic()
    return writing - started, ended - writing, index_state(trial_settings(home, corpus, embedding_model))


def trial_settings(home: Path, corpus: Path, embedding_model: str) -> Settings:
    return Settings(home=home, corpus_dir=corpus, embedding_model=embedding_model, backend="extractive")


def kill_trial(home: Path, corpus: Path, embedding_model: str, kill_after_s: float, reference: IndexState,
               question: str = CORPUS_QUESTIONS[0], timeout: float = 300) -> KillTrial:
    """SIGKILL an ingest `kill_after_s` after it began writing the index; then the index must open
    without duplicates, answer, and the next ingest must complete to exactly the reference index."""
    from assistant.service import Assistant
    from ingest.errors import UserError

    command, env = ingest_command(home, corpus, embedding_model)
    process, _, _ = _run_until_writing(command, env, home, timeout)
    try:
        process.wait(kill_after_s)
        killed = False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed = True
    trial = KillTrial(kill_after_s, killed, "", 0, 0, False, False, False)
    settings = trial_settings(home, corpus, embedding_model)
    problems = []
    try:
        state = index_state(settings)
        trial.opened, trial.records, trial.duplicates = "ok", state.records, state.duplicates
        if state.duplicates:
            problems.append(f"{state.duplicates} dubbele records")
    except UserError as exc:
        trial.opened = "leeg" if "nog geen index" in str(exc) else str(exc)
    except Exception as exc:
        trial.opened = f"{type(exc).__name__}: {exc}"[:200]
        problems.append(f"index opent niet: {trial.opened}")
    assistant = Assistant(settings)
    try:
        assistant.ask(question)
        trial.answered = True
    except UserError:
        trial.answered = trial.opened == "leeg"  # no index yet: a clear message is the right answer
    except Exception as exc:
        problems.append(f"vraag faalt: {type(exc).__name__}: {exc}"[:200])
    try:
        assistant.ingest()
        trial.completed = True
        after = index_state(settings)
        trial.matches_reference = after.fingerprint == reference.fingerprint and after.duplicates == 0
        if not trial.matches_reference:
            problems.append(f"index na herstel wijkt af ({after.records} records, referentie {reference.records})")
    except Exception as exc:
        problems.append(f"volgende ingest faalt: {type(exc).__name__}: {exc}"[:200])
    if not trial.answered and not problems:
        problems.append("geen antwoord na de kill")
    trial.problem = "; ".join(problems)
    return trial


def kill_times(writing_s: float, trials: int, seed: int | None = None) -> list[float]:
    """Random moments spread over the writing phase (stratified, so early and late writes both get
    hit); not its very end, which a slower run may not reach at all before it would be killed."""
    rnd = random.Random(seed)
    return [round(writing_s * 0.8 * (i + rnd.random()) / trials, 3) for i in range(trials)]
