"""`assistant stress`: bad input, faults, load and access checks against a real server on 127.0.0.1.

Everything runs on loopback with bounded counts and time: a temporary home and corpus, the
server as a subprocess (`assistant serve`), fake embeddings unless settings say otherwise, and a
small fake OpenAI-compatible model server in this process (`devtools.fake_llm`) as the generative backend. The same
building blocks (the bad-input probes, the bad documents, the kill trials, the load runner) are
used by the tests, through the names below.
"""

from devtools.stress.cli_battery import CliProbe, cli_probes, run_cli_probes
from devtools.stress.corpus import CORPUS_QUESTIONS, INJECTED_FILES, INJECTION_QUESTIONS, OFF_CORPUS_QUESTIONS, write_stress_corpus
from devtools.stress.documents import BAD_REASONS, BAD_SUBFOLDER, _pdf, bad_documents, write_bad_documents
from devtools.stress.load import run_load
from devtools.stress.probes import _answer_check, http_fingerprint, http_probes, run_probes, send_probe
from devtools.stress.routes import TRAVERSAL_PATHS, file_route_outcomes, private_file_paths, raw_get
from devtools.stress.runner import run_stress
from devtools.stress.server import MODEL_REPLY, closed_port
from devtools.stress.sigkill import index_state, kill_times, kill_trial, reference_ingest, write_kill_corpus

# `_answer_check` and `_pdf` stay private to their modules; tests reach them through this package.
__all__ = [
    "BAD_REASONS",
    "BAD_SUBFOLDER",
    "CORPUS_QUESTIONS",
    "CliProbe",
    "INJECTED_FILES",
    "INJECTION_QUESTIONS",
    "MODEL_REPLY",
    "OFF_CORPUS_QUESTIONS",
    "TRAVERSAL_PATHS",
    "_answer_check",
    "_pdf",
    "bad_documents",
    "cli_probes",
    "closed_port",
    "file_route_outcomes",
    "http_fingerprint",
    "http_probes",
    "index_state",
    "kill_times",
    "kill_trial",
    "private_file_paths",
    "raw_get",
    "reference_ingest",
    "run_cli_probes",
    "run_load",
    "run_probes",
    "run_stress",
    "send_probe",
    "write_bad_documents",
    "write_kill_corpus",
    "write_stress_corpus",
]
