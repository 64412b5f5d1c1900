"""Evaluation over JSON-lines question and claim sets: retrieval, answers, refusals, claims."""

from __future__ import annotations

import json
import re
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from ingest.errors import UserError


def load_jsonl(path: Path, required: Iterable[str]) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UserError(f"Evaluatiebestand {path} bestaat niet.") from None
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(f"{path.name} regel {number}: geen geldige JSON ({exc.msg}).") from None
        missing = [key for key in required if key not in item]
        if missing:
            raise UserError(f"{path.name} regel {number}: veld(en) {', '.join(missing)} ontbreken.")
        items.append(item)
    return items


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def contains_source(text: str, source: str) -> bool:
    return bool(source) and squash(source) in squash(text)


def ranking_metrics(ranks: list[int | None], n: int) -> dict[str, float]:
    """recall@k and MRR from the 1-based rank of the first relevant result (None: not found)."""
    def recall(k: int) -> float:
        return round(sum(1 for r in ranks if r is not None and r <= k) / n, 4) if n else 0.0

    mrr = round(sum(1.0 / r for r in ranks if r) / n, 4) if n else 0.0
    return {"recall@1": recall(1), "recall@3": recall(3), "recall@5": recall(5), "mrr": mrr, "n": n}


def evaluate_retrieval(assistant: Any, items: list[dict[str, Any]], k: int = 5) -> tuple[dict[str, float], list[dict[str, Any]]]:
    answerable = [item for item in items if item.get("answerable", True) and item.get("source")]
    ranks: list[int | None] = []
    records = []
    for item in answerable:
        started = time.perf_counter()
        hits = assistant.search(item["question"], k)
        rank = next((i for i, hit in enumerate(hits, start=1) if contains_source(hit.paragraph.text, item["source"])), None)
        ranks.append(rank)
        records.append(
            {
                "id": item["id"],
                "question": item["question"],
                "rank": rank,
                "retrieved": [f"{h.paragraph.doc_id} {h.paragraph.label}" for h in hits],
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )
    return ranking_metrics(ranks, len(answerable)), records


def evaluate_naive_baseline(assistant: Any, items: list[dict[str, Any]], k: int = 5) -> dict[str, float]:
    """The textbook pipeline: 1000/200 character chunks of the raw text, same embedder, Chroma top-k."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from ingest.loader import FORMATS, decode_text
    from ingest.pipeline import discover

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    files, _ = discover([assistant.settings.corpus_dir])
    texts = []
    for file in files:
        if FORMATS.get(file.suffix.lower()) in ("text", "markdown"):
            texts.extend(splitter.split_text(decode_text(file.read_bytes(), file.name)))
        else:
            texts.extend(splitter.split_text("\n\n".join(p.text for p in assistant.read([file]).documents[0].paragraphs)))
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma(client=client, collection_name=f"naive-{time.time_ns()}", embedding_function=_QueryPrefixed(assistant.embeddings))
    store.add_texts(texts)
    answerable = [item for item in items if item.get("answerable", True) and item.get("source")]
    ranks = []
    for item in answerable:
        chunks = store.similarity_search(item["question"], k=k)
        ranks.append(next((i for i, d in enumerate(chunks, start=1) if contains_source(d.page_content, item["source"])), None))
    client.delete_collection(store._collection.name)
    return ranking_metrics(ranks, len(answerable))


class _QueryPrefixed:
    """Hands LangChain's Chroma the same embedder (with its own query/passage prefixes)."""

    def __init__(self, embeddings: Any):
        self.embeddings = embeddings

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embeddings.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.embeddings.embed_query(text)


def fact_present(answer: str, fact: str) -> bool:
    folded = squash(answer).lower()
    return any(squash(alternative).lower() in folded for alternative in fact.split("|"))


def evaluate_answers(assistant: Any, items: list[dict[str, Any]], backend: str | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    records = []
    correct = cited = refused_right = false_refusals = 0
    answerable_n = unanswerable_n = 0
    for item in items:
        answer = assistant.ask(item["question"], [], backend)
        record = {"id": item["id"], "question": item["question"], "answerable": answer.answerable, "answer": answer.answer, "backend": answer.backend}
        if item.get("answerable", True):
            answerable_n += 1
            ok = answer.answerable and all(fact_present(answer.answer, fact) for fact in item.get("facts", []))
            hit = answer.answerable and any(contains_source(c.text, item.get("source", "")) for c in answer.citations)
            correct += ok
            cited += hit
            false_refusals += not answer.answerable
            record.update(correct=ok, citation_hit=hit)
        else:
            unanswerable_n += 1
            refused_right += not answer.answerable
            record.update(correct=not answer.answerable)
        records.append(record)
    metrics = {
        "accuracy": round(correct / answerable_n, 4) if answerable_n else 0.0,
        "citation_hit": round(cited / answerable_n, 4) if answerable_n else 0.0,
        "refusal_accuracy": round(refused_right / unanswerable_n, 4) if unanswerable_n else 0.0,
        "false_refusal": round(false_refusals / answerable_n, 4) if answerable_n else 0.0,
        "n": len(items),
    }
    if backend and backend != "extractive":
        # How often the model's answer was dropped and the verbatim one stood in (issue 12: ≤ 10 %).
        answered = [r for r in records if r["answerable"]]
        fallbacks = sum("fallback" in r["backend"] for r in answered)
        metrics["fallbacks"] = round(fallbacks / len(answered), 4) if answered else 0.0
    return metrics, records


def evaluate_claims(assistant: Any, claims: list[dict[str, Any]]) -> tuple[float, list[dict[str, Any]]]:
    records = []
    right = 0
    for item in claims:
        result = assistant.check(item["claim"])
        ok = result.verdict == item["verdict"]
        right += ok
        records.append({"id": item["id"], "claim": item["claim"], "expected": item["verdict"], "verdict": result.verdict, "correct": ok})
    return (round(right / len(claims), 4) if claims else 0.0), records


@contextmanager
def corpus_assistant(settings: Any, corpus_dir: Path) -> Iterator[Any]:
    """An assistant over `corpus_dir` alone, ingested into a temporary embedded index (same
    embedding model and model cache): each evaluation set runs against its own corpus."""
    from assistant.service import Assistant

    if not corpus_dir.is_dir():
        raise UserError(f"Corpusmap {corpus_dir} bestaat niet.")
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        # The model cache is shared: a model folder is built once per machine, not per run.
        settings.models_dir.mkdir(parents=True, exist_ok=True)
        (home / "models").symlink_to(settings.models_dir.resolve(), target_is_directory=True)
        scoped = settings.replace(home=home, corpus_dir=corpus_dir, chroma_host="")
        assistant = Assistant(scoped)
        assistant.ingest()
        yield assistant


def run_evaluation(
    assistant: Any, qa_file: Path | None, claims_file: Path | None, baseline: str | None, backend: str | None, retrieval_only: bool
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The figures `assistant eval` prints and the per-item records behind them."""
    result: dict[str, Any] = {}
    per_item: list[dict[str, Any]] = []
    if qa_file:
        items = load_jsonl(qa_file, ["id", "question"])
        result["retrieval"], records = evaluate_retrieval(assistant, items)
        per_item += [{"kind": "retrieval", **r} for r in records]
        if baseline:
            result["baseline"] = evaluate_naive_baseline(assistant, items)
        if not retrieval_only:
            result["answers"], records = evaluate_answers(assistant, items, backend)
            per_item += [{"kind": "answer", **r} for r in records]
    if claims_file and not retrieval_only:
        claims = load_jsonl(claims_file, ["id", "claim", "verdict"])
        accuracy, records = evaluate_claims(assistant, claims)
        result.setdefault("answers", {})["claims_accuracy"] = accuracy
        per_item += [{"kind": "claim", **r} for r in records]
    return result, per_item
