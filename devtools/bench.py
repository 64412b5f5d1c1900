"""`assistant bench`: ingest throughput, retrieval latency at scale, answer latency and memory.

Everything runs in one process on a temporary ASSISTANT_HOME (the model folder is linked in), so
nothing of the user's index is touched. Each ratio compares with a baseline measured in the same
run on the same input (raw encoder, raw llama.cpp), so a busy machine slows both sides alike.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.config import PROJECT_ROOT, Settings

LETTER_NAME = "kamerbrief-semicon-visie-2035.txt"
# Ingest: synthetic letters and body paragraphs each; rounds of alternating baseline and measured runs
# (ingest and local backend); retrieval: index sizes and timed queries per size.
FULL = {"letters": 12, "letter_paragraphs": 24, "rounds": 2, "local_rounds": 3, "sizes": (1_000, 10_000, 50_000), "queries": 60}
QUICK = {"letters": 1, "letter_paragraphs": 14, "rounds": 1, "local_rounds": 1, "sizes": (1_000,), "queries": 20}
RETRIEVAL_PER_DOCUMENT = 100
SIZE_NAMES = {1_000: "1k", 10_000: "10k", 50_000: "50k"}
QUICK_LOCAL_TOKENS = 16

# key: (comparison, bound). Figures without a target are shown for information.
TARGETS: dict[str, tuple[str, float]] = {
    "ingest_ratio": (">=", 0.85),
    "retrieval_p95_ms_10k": ("<=", 60.0),
    "retrieval_p50_ratio_50k_1k": ("<=", 2.0),
    "extractive_p50_ms": ("<=", 300.0),
    "verbatim_p50_ms": ("<=", 300.0),
    "local_verbatim_ms": ("<=", 300.0),
    "local_ttft_s": ("<=", 4.0),
    "local_overhead_ratio": ("<=", 1.10),
    "check_p95_ms_50k": ("<=", 300.0),
    "check_p50_ratio_50k_1k": ("<=", 2.0),
    "document_p95_ms_50k": ("<=", 300.0),
    "document_p50_ratio_50k_1k": ("<=", 2.0),
    "pdf_ratio": (">=", 0.8),
    "pdf_growth": ("<=", 2.2),
}
# PDF ingest: report length (pages) and the fastest of `repeats` runs (see devtools/bench_pdf.py).
PDF_PLAN = {"full": {"pages": 150, "repeats": 2}, "quick": {"pages": 20, "repeats": 1}}
ROWS = (
    ("ingest_paragraphs_per_s", "ingest throughput (paragraphs/s)"),
    ("raw_paragraphs_per_s", "raw encoder, same texts (paragraphs/s)"),
    ("ingest_ratio", "ingest / raw encoder"),
    ("retrieval_p50_ms_1k", "retrieval p50 @ 1k paragraphs (ms)"),
    ("retrieval_p95_ms_1k", "retrieval p95 @ 1k paragraphs (ms)"),
    ("retrieval_p50_ms_10k", "retrieval p50 @ 10k paragraphs (ms)"),
    ("retrieval_p95_ms_10k", "retrieval p95 @ 10k paragraphs (ms)"),
    ("retrieval_p50_ms_50k", "retrieval p50 @ 50k paragraphs (ms)"),
    ("retrieval_p95_ms_50k", "retrieval p95 @ 50k paragraphs (ms)"),
    ("retrieval_p50_ratio_50k_1k", "retrieval p50 50k / 1k"),
    ("check_p50_ms_1k", "assistant check p50 @ 1k paragraphs (ms)"),
    ("check_p95_ms_1k", "assistant check p95 @ 1k paragraphs (ms)"),
    ("check_p50_ms_10k", "assistant check p50 @ 10k paragraphs (ms)"),
    ("check_p95_ms_10k", "assistant check p95 @ 10k paragraphs (ms)"),
    ("check_p50_ms_50k", "assistant check p50 @ 50k paragraphs (ms)"),
    ("check_p95_ms_50k", "assistant check p95 @ 50k paragraphs (ms)"),
    ("check_p50_ratio_50k_1k", "assistant check p50 50k / 1k"),
    ("document_p50_ms_1k", "document view p50 @ 1k paragraphs (ms)"),
    ("document_p95_ms_1k", "document view p95 @ 1k paragraphs (ms)"),
    ("document_p50_ms_10k", "document view p50 @ 10k paragraphs (ms)"),
    ("document_p95_ms_10k", "document view p95 @ 10k paragraphs (ms)"),
    ("document_p50_ms_50k", "document view p50 @ 50k paragraphs (ms)"),
    ("document_p95_ms_50k", "document view p95 @ 50k paragraphs (ms)"),
    ("document_p50_ratio_50k_1k", "document view p50 50k / 1k"),
    ("extractive_p50_ms", "extractive answer p50, warm (ms)"),
    ("extractive_first_p50_ms", "extractive answer p50, first ask (ms)"),
    ("verbatim_p50_ms", "verbatim part on screen p50, warm (ms)"),
    ("local_verbatim_ms", "local: verbatim part on screen, warm (ms)"),
    ("local_ttft_s", "local: summary's first token, warm p50 (s)"),
    ("local_ttft_cold_s", "local: time to first token, first ask (s)"),
    ("local_ttft_warmed_s", "local: first ask after start-up warm-up (s)"),
    ("local_overhead_ratio", "local: chain / raw llama.cpp"),
    ("local_overhead_in_run_ratio", "local: chain / its own llama.cpp call"),
    ("pdf_ingest_pages_per_s", "PDF ingest, long 2-column report (pages/s)"),
    ("pdf_ingest_peak_rss_mib", "PDF ingest peak RSS (MiB)"),
    ("pdf_bare_pages_per_s", "pdfminer.six bare text, same file (pages/s)"),
    ("pdf_ratio", "PDF ingest / bare text"),
    ("pdf_growth", "PDF parse time, 2 x pages / pages"),
    ("peak_rss_mb_without_local", "peak RSS before the local model (MB)"),
    ("peak_rss_mb", "peak RSS (MB)"),
)


def run_bench(
    settings: Settings,
    as_json: bool = False,
    quick: bool = False,
    skip_local: bool = False,
    echo: Callable[[str], Any] = print,
) -> dict[str, Any]:
    """Run every measurement, print a table (or one JSON object) through `echo`, return the figures."""
    plan = QUICK if quick else FULL
    started = time.perf_counter()
    results: dict[str, Any] = {"mode": "quick" if quick else "full"}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        bench = _bench_settings(settings, Path(tmp))
        from assistant.wiring import make_embeddings

        embeddings = make_embeddings(bench)
        results["embedding_model"] = _model_name(embeddings)
        letter = _letter(settings)
        from devtools.bench_data import letter_sentences

        sentences = letter_sentences(letter)

        _progress("ingest throughput")
        results.update(bench_ingest(bench, embeddings, letter, sentences, Path(tmp) / "corpus", plan, notes))
        _progress("retrieval latency")
        results.update(bench_retrieval(bench, embeddings, sentences, plan, notes))
        _progress("extractive answers")
        answers, answerable = bench_extractive(bench.replace(collection="bench-answers"), embeddings, notes)
        results.update(answers)
        _progress("PDF ingest")
        results.update(bench_pdf(quick))
        results["peak_rss_mb_without_local"] = peak_rss_mb()
        if skip_local:
            results.update(_no_local("skipped with --skip-local"))
        else:
            _progress("local backend")
            tokens = QUICK_LOCAL_TOKENS if quick else bench.llm_max_tokens
            # A generous time limit: a run cut short by a busy machine would measure the fallback instead.
            local = bench.replace(collection="bench-answers", llm_max_tokens=tokens, llm_timeout_s=max(bench.llm_timeout_s, 600.0))
            results.update(bench_local(local, embeddings, answerable, plan["local_rounds"], notes))
    results["peak_rss_mb"] = peak_rss_mb()
    results["bench_s"] = round(time.perf_counter() - started, 1)
    results["targets"] = {key: f"{op} {bound:g}" for key, (op, bound) in TARGETS.items()}
    results["passed"] = {key: _passed(key, results.get(key)) for key in TARGETS}
    results["notes"] = notes
    echo(json.dumps(results, ensure_ascii=False, indent=2) if as_json else format_table(results))
    return results


# -- setup ----------------------------------------------------------------------------------------


def _bench_settings(settings: Settings, tmp: Path) -> Settings:
    """Settings on a temporary home that shares the user's model folder (nothing is converted twice)."""
    from assistant.local_model import default_model_path

    home = tmp / "home"
    home.mkdir(parents=True)
    models = Path(settings.models_dir)
    models.mkdir(parents=True, exist_ok=True)
    (home / "models").symlink_to(models.resolve(), target_is_directory=True)
    return settings.replace(
        home=home,
        chroma_host="",
        collection="bench",
        backend="extractive",
        local_model_path=str(default_model_path(settings)),
    )


def _letter(settings: Settings) -> Path:
    for candidate in (Path(settings.corpus_dir) / LETTER_NAME, PROJECT_ROOT / "corpus" / LETTER_NAME):
        if candidate.is_file():
            return candidate
    from ingest.errors import UserError

    raise UserError(f"De benchmark heeft de brief {LETTER_NAME} nodig; die staat niet in {settings.corpus_dir}.")


def _questions(name: str, field: str = "question") -> list[dict[str, Any]]:
    from devtools.evaluate import load_jsonl

    return load_jsonl(PROJECT_ROOT / "eval" / name, [field])


def _progress(step: str) -> None:
    print(f"bench: {step} ...", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 1)


# -- ingest ---------------------------------------------------------------------------------------


class _TimedEmbeddings(Embeddings):
    """Passes everything through to the real embeddings and adds up the time spent embedding."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.seconds = 0.0
        self.model_id = getattr(inner, "model_id", type(inner).__name__)

    @property
    def dimension(self) -> int:
        return int(self.inner.dimension)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        started = time.perf_counter()
        try:
            return self.inner.embed_documents(texts)
        finally:
            self.seconds += time.perf_counter() - started

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def raw_encode(embeddings: Any, texts: list[str]) -> None:
    """What the encoder alone does with the texts ingest embeds: same prefix, same batch size, one call."""
    if hasattr(embeddings, "encode_raw"):
        embeddings.encode_raw([embeddings.passage_prefix + t for t in texts])
    else:
        embeddings.embed_documents(texts)


def bench_ingest(
    settings: Settings, embeddings: Any, letter: Path, sentences: list[str], corpus: Path, plan: dict, notes: list[str]
) -> dict[str, Any]:
    """Assistant.ingest (parse + embed + Chroma upsert) against the raw encoder on the same texts
    (the paragraphs and their sentences).

    Rounds alternate encoder and ingest, each ingest into a fresh collection; the best round of each
    counts, so a neighbour's burst of CPU use costs neither side more than the other."""
    import shutil

    from devtools.bench_data import write_letters
    from assistant.service import Assistant
    from index.vectorstore import sentences_of
    from ingest.pipeline import read_documents

    corpus.mkdir(parents=True)
    shutil.copy(letter, corpus / letter.name)
    write_letters(corpus, sentences, plan["letters"], plan["letter_paragraphs"])
    started = time.perf_counter()
    report = read_documents([corpus], int(settings.max_file_mb * 2**20))
    parse_s = time.perf_counter() - started
    texts = [p.search_text for d in report.documents for p in d.paragraphs]
    # Ingest embeds each paragraph and each sentence of a paragraph of two or more: the encoder does the same.
    encoded = texts + [s for d in report.documents for p in d.paragraphs for s in sentences_of(p)]
    raw_encode(embeddings, texts[:16])  # warm-up: weights paged in, threads started

    raw_runs, ingest_runs = [], []
    for round_ in range(plan["rounds"]):
        started = time.perf_counter()
        raw_encode(embeddings, encoded)
        raw_runs.append(time.perf_counter() - started)

        timed = _TimedEmbeddings(embeddings)
        assistant = Assistant(settings.replace(collection=f"bench-ingest-{round_}", corpus_dir=corpus), embeddings=timed)
        started = time.perf_counter()
        result = assistant.ingest()
        total = time.perf_counter() - started
        if result.embedded != len(texts):
            notes.append(f"ingest embedded {result.embedded} of {len(texts)} paragraphs")
        ingest_runs.append((total, timed.seconds))
    raw_s = min(raw_runs)
    ingest_s, embed_s = min(ingest_runs)
    ingest_rate = len(texts) / ingest_s
    raw_rate = len(texts) / raw_s
    return {
        "ingest_documents": len(report.documents),
        "ingest_paragraphs": len(texts),
        "ingest_paragraphs_per_s": round(ingest_rate, 1),
        "raw_paragraphs_per_s": round(raw_rate, 1),
        "ingest_ratio": round(ingest_rate / raw_rate, 3),
        # Where one ingest went: parsing (measured apart), embedding calls, and the rest (Chroma, hashing).
        "ingest_breakdown_s": {
            "total": round(ingest_s, 2),
            "parse": round(parse_s, 2),
            "embed": round(embed_s, 2),
            "store_and_other": round(ingest_s - parse_s - embed_s, 2),
            "raw_encoder": round(raw_s, 2),
        },
    }


# -- retrieval ------------------------------------------------------------------------------------


def random_unit_vectors(count: int, dimension: int, rng: np.random.Generator) -> list[list[float]]:
    """Vectors for stored paragraphs, so a 50k-paragraph index costs no encoder time."""
    vectors = rng.standard_normal((count, dimension)).astype(np.float32)
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).tolist()


def bench_retrieval(settings: Settings, embeddings: Any, sentences: list[str], plan: dict, notes: list[str]) -> dict[str, Any]:
    """HybridRetriever.search (query embedding, Chroma query, BM25, fusion) on one index per size.

    Each index is bulk-loaded through the store's public `add_embedded` with random unit vectors (queries
    still go through the real encoder, as in the application). The timed queries go round the sizes in
    turn, so a neighbour's burst of CPU use slows every size alike and the 50k/1k ratio stays fair. A
    size at which the real code fails is reported as not measured, with the error; larger sizes are
    then not tried."""
    from assistant.wiring import make_store
    from devtools.bench_data import synthetic_documents
    from index.retrieval import HybridRetriever

    dimension = int(embeddings.dimension)
    rng = np.random.default_rng(2035)
    questions = [q["question"] for q in _questions("dev_qa.jsonl") + _questions("own_qa.jsonl")]
    notes.append(
        f"retrieval: synthetic paragraphs ({RETRIEVAL_PER_DOCUMENT} per document) with random unit vectors "
        f"({dimension} dims), bulk-loaded with ParagraphStore.add_embedded; queries embedded by "
        f"{_model_name(embeddings)} inside each search, {len(questions)} eval questions in turn, sizes interleaved"
    )
    results: dict[str, Any] = {f"retrieval_{p}_ms_{SIZE_NAMES[size]}": None for size in FULL["sizes"] for p in ("p50", "p95")}
    live: dict[int, tuple[Any, Any]] = {}
    for size in plan["sizes"]:
        name = SIZE_NAMES[size]
        store = make_store(settings.replace(collection=f"bench-retrieval-{name}"), embeddings)
        retriever = HybridRetriever(store, embeddings)
        try:
            documents = synthetic_documents(sentences, 0, size // RETRIEVAL_PER_DOCUMENT, RETRIEVAL_PER_DOCUMENT)
            vectors = random_unit_vectors(sum(len(d.paragraphs) for d in documents), dimension, rng)
            started = time.perf_counter()
            store.add_embedded(documents, vectors)
            results[f"retrieval_insert_s_{name}"] = round(time.perf_counter() - started, 1)
            # The first search on a changed index loads the records and builds BM25.
            started = time.perf_counter()
            retriever.search(questions[0])
            results[f"retrieval_first_ms_{name}"] = round((time.perf_counter() - started) * 1000, 1)
        except Exception as exc:
            cause = exc.__cause__ or exc.__context__ or exc
            results[f"retrieval_error_{name}"] = f"{exc} [{type(cause).__name__}: {cause}]"
            notes.append(f"retrieval at {size} paragraphs failed: {results[f'retrieval_error_{name}']}")
            break
        live[size] = (store, retriever)
    times: dict[int, list[float]] = {size: [] for size in live}
    for i in range(-2, plan["queries"]):  # two untimed rounds first
        question = questions[i % len(questions)]
        for size, (_, retriever) in live.items():
            started = time.perf_counter()
            retriever.search(question)
            if i >= 0:
                times[size].append((time.perf_counter() - started) * 1000)
    for size, (store, retriever) in live.items():
        name = SIZE_NAMES[size]
        results[f"retrieval_p50_ms_{name}"] = _percentile(times[size], 50)
        results[f"retrieval_p95_ms_{name}"] = _percentile(times[size], 95)
        results[f"retrieval_breakdown_ms_{name}"] = _retrieval_breakdown(store, retriever, embeddings, questions)
    results.update(_bench_check_and_document(settings, embeddings, live, plan))
    for what in ("retrieval", "check", "document"):
        both = results.get(f"{what}_p50_ms_50k") is not None and results.get(f"{what}_p50_ms_1k")
        results[f"{what}_p50_ratio_50k_1k"] = round(results[f"{what}_p50_ms_50k"] / results[f"{what}_p50_ms_1k"], 2) if both else None
    if len(plan["sizes"]) < len(FULL["sizes"]):
        notes.append("retrieval at 10k and 50k paragraphs is not measured in --quick mode")
    return results


def _bench_check_and_document(settings: Settings, embeddings: Any, live: dict[int, tuple[Any, Any]], plan: dict) -> dict[str, Any]:
    """`Assistant.check` (eval claims and quotes) and `Assistant.document` (the viewer's read) on the
    indexes of `bench_retrieval`, sizes interleaved: neither may read every record per request."""
    from assistant.service import Assistant

    claims = [c["claim"] for name in ("dev_claims.jsonl", "own_claims.jsonl") for c in _questions(name, "claim")]
    results: dict[str, Any] = {f"{what}_{p}_ms_{SIZE_NAMES[size]}": None for what in ("check", "document") for size in FULL["sizes"] for p in ("p50", "p95")}
    services = {size: Assistant(settings, embeddings=embeddings, store=store) for size, (store, _) in live.items()}
    doc_ids = {size: [d["id"] for d in store.documents()] for size, (store, _) in live.items()}
    times = {(what, size): [] for what in ("check", "document") for size in live}
    rounds = max(4, plan["queries"] // 3)
    for i in range(-1, rounds):  # one untimed round first (BM25 snapshot, sentence cache)
        for size, assistant in services.items():
            for what, call in (("check", lambda: assistant.check(claims[i % len(claims)])),
                               ("document", lambda: assistant.document(doc_ids[size][(i * 37) % len(doc_ids[size])]))):
                started = time.perf_counter()
                call()
                if i >= 0:
                    times[(what, size)].append((time.perf_counter() - started) * 1000)
    for (what, size), values in times.items():
        results[f"{what}_p50_ms_{SIZE_NAMES[size]}"] = _percentile(values, 50)
        results[f"{what}_p95_ms_{SIZE_NAMES[size]}"] = _percentile(values, 95)
    return results


def _model_name(embeddings: Any) -> str:
    return getattr(embeddings, "model_id", type(embeddings).__name__)


def _retrieval_breakdown(store: Any, retriever: Any, embeddings: Any, questions: list[str]) -> dict[str, float]:
    """Median time of the steps HybridRetriever.search takes, called one by one, to show where it
    goes; "rest" is ranking, fusion and building the hits."""
    from index.retrieval import CANDIDATES

    lexical = retriever.snapshot().lexical
    steps: dict[str, list[float]] = {"embed_query": [], "store_version": [], "chroma_query": [], "bm25_scores": [], "search_total": []}
    for question in questions[:20]:
        started = time.perf_counter()
        vector = embeddings.embed_query(question)
        steps["embed_query"].append(time.perf_counter() - started)
        started = time.perf_counter()
        store.version()
        steps["store_version"].append(time.perf_counter() - started)
        started = time.perf_counter()
        store.query(vector, CANDIDATES)
        steps["chroma_query"].append(time.perf_counter() - started)
        started = time.perf_counter()
        lexical.scores(question)
        steps["bm25_scores"].append(time.perf_counter() - started)
        started = time.perf_counter()
        retriever.search(question)
        steps["search_total"].append(time.perf_counter() - started)
    out = {step: round(statistics.median(values) * 1000, 1) for step, values in steps.items()}
    out["rest"] = round(max(0.0, out["search_total"] - sum(v for k, v in out.items() if k != "search_total")), 1)
    return out


# -- answers --------------------------------------------------------------------------------------


def bench_extractive(settings: Settings, embeddings: Any, notes: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Assistant.ask with the extractive backend over the dev questions, on the real corpus.

    The first pass meets an empty sentence-embedding cache for most retrieved paragraphs; the second
    pass is the warm figure a running server gives. Also returns the questions that were answered."""
    from assistant.service import Assistant

    assistant = Assistant(settings, embeddings=embeddings)
    assistant.ingest()
    questions = [q["question"] for q in _questions("dev_qa.jsonl")]
    assistant.ask(_questions("own_qa.jsonl")[0]["question"], backend="extractive")  # loads retriever state
    passes: list[list[float]] = []
    answerable: list[str] = []
    for _ in range(2):
        times = []
        for question in questions:
            started = time.perf_counter()
            answer = assistant.ask(question, backend="extractive")
            times.append((time.perf_counter() - started) * 1000)
            if answer.answerable and question not in answerable:
                answerable.append(question)
        passes.append(times)
    on_screen = []
    for question in questions:  # warm: what a running server shows first, whatever the backend
        started = time.perf_counter()
        for event in assistant.ask_stream(question, backend="extractive"):
            if event.type == "extractive":
                on_screen.append((time.perf_counter() - started) * 1000)
                break
    results = {
        "extractive_questions": len(questions),
        "verbatim_p50_ms": _percentile(on_screen, 50),
        "extractive_first_p50_ms": _percentile(passes[0], 50),
        "extractive_p50_ms": _percentile(passes[1], 50),
        "extractive_p95_ms": _percentile(passes[1], 95),
    }
    notes.append(
        f"extractive: {len(questions)} dev questions over the corpus folder ({settings.corpus_dir}), "
        f"{len(answerable)} answered; warm = second pass, sentence embeddings cached"
    )
    return results, answerable


def bench_pdf(quick: bool) -> dict[str, Any]:
    """PDF figures, each run in its own process (so its peak RSS is its own), prefixed `pdf_`."""
    from devtools import bench_pdf as pdf

    figures = pdf.run(**PDF_PLAN["quick" if quick else "full"])
    return {f"pdf_{key}": value for key, value in figures.items()}


def _no_local(reason: str) -> dict[str, Any]:
    return {
        "local_ttft_s": None, "local_verbatim_ms": None, "local_ttft_cold_s": None, "local_ttft_warmed_s": None,
        "local_overhead_ratio": None, "local_reason": reason,
    }


WARM_QUESTIONS = 5


def bench_local(settings: Settings, embeddings: Any, answerable: list[str], rounds: int, notes: list[str]) -> dict[str, Any]:
    """Time to first token through the chain, and the chain's total time against llama.cpp alone
    on the very messages the chain sent, with the same max_tokens and the same loaded model.
    Only a question that passes the relevance gate reaches the model, hence `answerable`."""
    from assistant.llm import local_available
    from assistant.llm.local import LocalLlamaChat, cpu_count, load_llama
    from assistant.local_model import default_model_path

    if not local_available(settings):
        return _no_local(f"local backend not installed (llama-cpp-python and {default_model_path(settings)})")
    if not answerable:
        return _no_local("no dev question passed the relevance gate, so nothing would be generated")
    path = str(default_model_path(settings))
    threads = settings.llm_threads or cpu_count()
    started = time.perf_counter()
    # The chain's model is loaded with LocalLlamaChat's default context size; this is that instance.
    llama, lock = load_llama(path, LocalLlamaChat.model_fields["n_ctx"].default, threads)

    def raw_completion(messages: list[dict[str, str]], max_tokens: int) -> tuple[dict[str, Any], float]:
        # On a fresh thread, as the chain's generation runs: llama.cpp and torch share one OpenMP
        # runtime, which spins less once several threads own thread teams, so a call from the main
        # thread (where torch already ran) would be ~5% faster than the chain's for that reason alone.
        with lock:
            started = time.perf_counter()
            out = _on_thread(lambda: llama.create_chat_completion(messages=messages, temperature=0.0, max_tokens=max_tokens, stop=[]))
            return out, time.perf_counter() - started

    raw_completion([{"role": "user", "content": "Hallo"}], 1)
    load_s = time.perf_counter() - started

    def reset() -> None:
        # An empty KV cache: llama.cpp would otherwise reuse the prompt prefix left by the last run.
        with lock:
            llama.reset()

    first, second = answerable[0], answerable[1 % len(answerable)]
    chain = _LocalRun(settings, embeddings, path, threads, max_tokens=settings.llm_max_tokens)
    chain_runs, raw_runs = [], []
    raw: dict[str, Any] = {}
    for _ in range(rounds):
        reset()
        chain_runs.append(chain.ask(first))
        if not chain.sent:
            return _no_local(f"the chain did not call the local model ({chain_runs[-1]['notice'] or 'no notice'})")
        reset()
        raw, seconds = raw_completion(chain.sent[-1], chain.max_tokens)
        raw_runs.append(seconds)
    # A running server keeps the last prompt in the KV cache, so the next question reuses the shared
    # instruction prefix: the time to first token every question but the first one sees.
    # The warm ask stops after a few tokens; its paragraphs' sentence embeddings are cached first, as
    # in a server that has answered for a while.
    chain.model.max_tokens = 4
    # A served assistant warms up at start-up (`Assistant.warm_up`): its first question finds the
    # shared prompt prefix in the KV cache already.
    reset()
    chain.assistant.warm_up()
    warmed = chain.ask(first)
    # The warm figure is the median over several questions: the first token waits for each
    # question's own sources, whose length in tokens differs from question to question.
    warm_runs = []
    for question in answerable[1:WARM_QUESTIONS + 1] or [second]:
        chain.assistant.ask(question, backend="extractive")
        warm_runs.append(chain.ask(question))
    timed = sorted((run for run in warm_runs if run["ttft_s"] is not None), key=lambda run: run["ttft_s"])
    warm = timed[len(timed) // 2] if timed else warm_runs[0]
    best = min(chain_runs, key=lambda run: run["total_s"])
    if best["backend"] != "local":
        notes.append(f"local: the chain fell back ({best['notice']}), so its time is not a full generation")
    notes.append(
        f"local: {Path(path).name} on {threads} threads, context budget {settings.context_chars} chars, "
        f"max_tokens {chain.max_tokens}; best of {rounds} alternating chain/raw runs, each from an empty KV cache; "
        f"time to first token from the call to Assistant.ask_stream, first ask {first!r} from an empty KV cache, "
        f"warm: median of {len(warm_runs)} questions asked after it (first token of each, s: "
        f"{', '.join(str(run['ttft_s']) for run in warm_runs)})"
    )
    usage = raw.get("usage", {})
    return {
        "local_ttft_s": warm["ttft_s"],
        "local_verbatim_ms": warm["verbatim_ms"],
        "local_ttft_cold_s": min((run["ttft_s"] for run in chain_runs if run["ttft_s"] is not None), default=None),
        "local_ttft_warmed_s": warmed["ttft_s"],
        "local_overhead_ratio": round(best["total_s"] / min(raw_runs), 3),
        # The same comparison inside one run (chain total / its own llama.cpp call): immune to the
        # run-to-run noise of a shared machine, which can exceed the overhead being measured.
        "local_overhead_in_run_ratio": round(best["total_s"] / best["llm_s"], 3) if best["llm_s"] else None,
        "local_chain_s": best["total_s"],
        "local_raw_s": round(min(raw_runs), 2),
        "local_chain_streamed_pieces": best["pieces"],
        "local_raw_completion_tokens": usage.get("completion_tokens"),
        "local_prompt_tokens": usage.get("prompt_tokens"),
        "local_load_s": round(load_s, 2),
        "local_backend_used": best["backend"],
        "local_reason": None,
    }


def _on_thread(call: Callable[[], Any]) -> Any:
    """call() on a new thread; its result, or its exception raised here."""
    import threading

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


class _LocalRun:
    """Questions through the real chain with the local model; records the messages it sends."""

    def __init__(self, settings: Settings, embeddings: Any, path: str, threads: int, max_tokens: int):
        from assistant.llm.base import to_chat_messages
        from assistant.llm.local import LocalLlamaChat
        from assistant.service import Assistant

        sent = self.sent = []
        spent = self.spent = []

        class RecordingChat(LocalLlamaChat):
            def deltas(self, messages: list, stop: list[str] | None, grammar: str | None = None):  # type: ignore[override]
                sent.append(to_chat_messages(messages))
                started = time.perf_counter()
                yield from super().deltas(messages, stop, grammar)
                spent.append(time.perf_counter() - started)

        self.max_tokens = max_tokens
        model = self.model = RecordingChat(model_path=path, n_threads=threads, max_tokens=max_tokens, timeout=settings.llm_timeout_s)
        self.assistant = Assistant(settings.replace(backend="local"), embeddings=embeddings, chat_model_factory=lambda s, name: model)
        self.assistant.ask(_questions("own_qa.jsonl")[0]["question"], backend="extractive")  # retriever state, not the model

    def ask(self, question: str) -> dict[str, Any]:
        ttft = answer = verbatim = None
        pieces = 0
        self.spent.clear()
        started = time.perf_counter()
        for event in self.assistant.ask_stream(question, backend="local"):
            if event.type == "extractive":
                verbatim = time.perf_counter() - started
            elif event.type == "token":
                pieces += 1
                ttft = ttft if ttft is not None else time.perf_counter() - started
            elif event.type == "answer":
                answer = event.answer
        return {
            "ttft_s": None if ttft is None else round(ttft, 2),
            "verbatim_ms": None if verbatim is None else round(verbatim * 1000, 1),
            "total_s": round(time.perf_counter() - started, 2),
            "pieces": pieces,
            "llm_s": round(sum(self.spent), 2),
            "backend": answer.backend if answer else None,
            "notice": answer.notice if answer else "",
        }


# -- output ---------------------------------------------------------------------------------------


def _passed(key: str, value: Any) -> bool | None:
    if value is None:
        return None
    op, bound = TARGETS[key]
    return value >= bound if op == ">=" else value <= bound


def format_table(results: dict[str, Any]) -> str:
    lines = [f"assistant bench ({results['mode']}, {results['bench_s']} s, embeddings {results['embedding_model']})", ""]
    lines.append(f"{'figure':<42} {'value':>10}  {'target':<9} result")
    for key, label in ROWS:
        value = results.get(key)
        target = " ".join(results["targets"][key].split()) if key in TARGETS else ""
        mark = {True: "pass", False: "MISS", None: "-"}[results["passed"].get(key)] if key in TARGETS else ""
        shown = "n/a" if value is None else f"{value:g}"
        lines.append(f"{label:<42} {shown:>10}  {target:<9} {mark}".rstrip())
    if results.get("local_reason"):
        lines.append(f"\nlocal backend not measured: {results['local_reason']}")
    for key in sorted(k for k in results if k.endswith("_breakdown_s") or "_breakdown_ms_" in k):
        parts = ", ".join(f"{step} {value:g}" for step, value in results[key].items())
        lines.append(f"{key}: {parts}")
    lines.extend(f"note: {note}" for note in results["notes"])
    return "\n".join(lines)
