"""The library core that the CLI, the HTTP API and the UI share."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from assistant.config import Settings
from assistant.questions import validated_text
from assistant.types import Answer, CheckResult, StreamEvent
from index.vectorstore import DamagedIndexError
from ingest.errors import NotReadyError, UserError
from ingest.pipeline import IngestReport, read_documents
from ingest.records import Paragraph

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.support import SentenceEmbedder

# Builds the chat model for a backend name ('local', 'openai/<model>', …); tests pass fakes.
ChatModelFactory = Callable[[Settings, str], "BaseChatModel | None"]


@dataclass
class IngestResult:
    report: IngestReport
    embedded: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    removed_documents: tuple[str, ...] = ()
    rebuilt_damaged: bool = False

    def summary(self) -> dict[str, Any]:
        return {
            "documents": len(self.report.documents),
            "paragraphs": self.report.paragraphs,
            "footnotes": self.report.footnotes,
            "embedded": self.embedded,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "removed_documents": list(self.removed_documents),
            "rebuilt_damaged": self.rebuilt_damaged,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.report.skipped],
        }


class Assistant:
    """Everything a user can do, over one settings object; outside services are built lazily."""

    def __init__(self, settings: Settings, embeddings: Any = None, store: Any = None, chat_model_factory: ChatModelFactory | None = None):
        self.settings = settings
        self._embeddings = embeddings
        self._store = store
        self._retriever = None
        self._chat_model_factory = chat_model_factory
        self._sentence_embedder: SentenceEmbedder | None = None
        self._chat_models: dict[str, BaseChatModel | None] = {}
        self._lock = threading.Lock()

    # -- services -----------------------------------------------------------------------------

    @property
    def embeddings(self) -> Any:
        if self._embeddings is None:
            from assistant.wiring import make_embeddings

            self._embeddings = make_embeddings(self.settings)
        return self._embeddings

    @property
    def store(self) -> Any:
        if self._store is None:
            from assistant.wiring import make_store

            self._store = make_store(self.settings, self.embeddings)
        return self._store

    @property
    def retriever(self) -> Any:
        if self._retriever is None:
            from index.retrieval import HybridRetriever

            self._retriever = HybridRetriever(self.store, self.embeddings)
        return self._retriever

    def sentence_embedder(self) -> "SentenceEmbedder":
        """The sentence-embedding cache that answers and `check` share (one per assistant)."""
        from assistant.support import SentenceEmbedder

        with self._lock:
            if self._sentence_embedder is None:
                self._sentence_embedder = SentenceEmbedder(self.embeddings)
            return self._sentence_embedder

    def chat_model(self, backend: str) -> "BaseChatModel | None":
        """The chat model for a resolved backend name, built once (None for 'extractive'); a
        backend that cannot be built raises BackendError with the reason. A factory passed to the
        constructor builds a fresh one per call (tests count and vary them)."""
        if self._chat_model_factory is not None:
            return self._chat_model_factory(self.settings, backend)
        from assistant.llm import make_chat_model

        with self._lock:
            if backend not in self._chat_models:
                self._chat_models[backend] = make_chat_model(self.settings, backend)
            return self._chat_models[backend]

    def warm_up(self) -> None:
        """Load what the first question would otherwise wait for: the sentence embeddings and,
        when summaries are on, the local model with the prompt prefix every question shares
        (20 s on 2 cores, after which the first summary starts as fast as any later one)."""
        from assistant import generation
        from assistant.summary import backend_choice

        self.sentence_embedder().query("warm")
        backend = backend_choice(self.settings).summary
        model = self.chat_model(backend) if backend else None
        prefill = getattr(model, "prefill", None)  # only an in-process model keeps a prompt cache
        if prefill is not None:
            # Dutch: most questions are; an English one still reuses the chat template's opening.
            messages, _ = generation.shared_prefix("nl", generation.strategy_named(None))
            prefill(messages)

    # -- ingest -------------------------------------------------------------------------------

    def read(
        self,
        paths: list[Path] | None = None,
        progress: Callable[[Path], None] | None = None,
        page_progress: Callable[[Path, int, int], None] | None = None,
    ) -> IngestReport:
        return read_documents(paths or [self.settings.corpus_dir], self.settings.max_file_bytes, progress, page_progress)

    def ingest(
        self,
        paths: list[Path] | None = None,
        progress: Callable[[Path], None] | None = None,
        embed_progress: Callable[[int], None] | None = None,
        page_progress: Callable[[Path, int, int], None] | None = None,
    ) -> IngestResult:
        """Read files and bring the index in line with them. With no paths, the corpus folder is
        the whole truth: documents no longer in it leave the index."""
        whole_corpus = not paths or [p.resolve() for p in paths] == [self.settings.corpus_dir.resolve()]
        report = self.read(paths, progress, page_progress)
        from ingest.loader import doc_id_for

        failed_ids = {doc_id_for(Path(s.path)) for s in report.skipped}
        sync = self.store.sync(report.documents, remove_missing=whole_corpus, progress=embed_progress, keep=failed_ids)
        return IngestResult(report, sync.embedded, sync.updated, sync.unchanged, sync.deleted, sync.removed_documents, sync.rebuilt_damaged)

    def rebuild_index(self) -> None:
        self.store.rebuild()

    def ensure_index(self) -> IngestResult | None:
        """Ingest the corpus folder when the index is empty (first start) or damaged."""
        try:
            if self.store.exists() and self.store.count() > 0:
                return None
        except DamagedIndexError:
            pass  # the ingest rebuilds it
        return self.ingest()

    # -- reading ------------------------------------------------------------------------------

    def documents(self) -> list[dict[str, Any]]:
        docs = self.store.documents()
        self._mark_present(docs, {d["id"] for d in docs})
        return docs

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """One document with its records, read by id: the cost does not grow with the corpus."""
        found = self.store.documents([doc_id])
        if not found:
            return None
        doc = found[0]
        referenced = self.store.documents([f"kst-{ref['key']}" for ref in doc["references"]])
        self._mark_present([doc], {d["id"] for d in referenced})
        doc["records"] = [p.to_dict() for p in self.store.document_records(doc_id)]
        return doc

    def _mark_present(self, docs: list[dict[str, Any]], indexed_ids: set[str]) -> None:
        """Each reference says whether its Kamerstuk is in the corpus folder or the index."""
        from ingest.fetch import present_documents

        present = present_documents(self.settings.corpus_dir) | {i.removeprefix("kst-") for i in indexed_ids}
        for doc in docs:
            for ref in doc["references"]:
                ref["present"] = ref["key"] in present

    def records(self) -> list[Paragraph]:
        """Every indexed paragraph record."""
        return self.store.records()

    def search(self, query: str, k: int | None = None, documents: list[str] | None = None) -> list[Any]:
        """The k best paragraphs; only from `documents` (doc ids) when any are given."""
        text = validated_text(query, self.settings.max_question_chars)
        wanted = self._document_filter(documents)
        return self.retriever.search(text, k or self.settings.top_k, documents=list(wanted) if wanted else None)

    def _document_filter(self, documents: list[str] | None) -> tuple[str, ...] | None:
        """The doc ids to answer from, checked against the index (read by id); None or an empty
        list: no filter. An id that is not indexed is a UserError (400) naming it."""
        if not documents:
            return None
        wanted = tuple(dict.fromkeys(documents))
        known = {d["id"] for d in self.store.documents(list(wanted))}
        unknown = [doc_id for doc_id in wanted if doc_id not in known]
        if unknown:
            names = ", ".join(f"'{doc_id}'" for doc_id in unknown)
            what = f"Het document {names} staat" if len(unknown) == 1 else f"De documenten {names} staan"
            raise UserError(f"{what} niet in de index; de geldige document-id's staan in GET /api/documents.")
        return wanted

    def ready(self) -> tuple[bool, str]:
        try:
            if self.settings.chroma_host:
                self.store.ping()
            if not self.store.exists() or self.store.count() == 0:
                return False, "De index is leeg; voer 'assistant ingest' uit."
        except UserError as exc:
            return False, str(exc)
        return True, "ok"

    # -- answering ----------------------------------------------------------------------------

    def ask(
        self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None,
        documents: list[str] | None = None,
    ) -> Answer:
        """The answer, from `documents` (doc ids) only when any are given."""
        from assistant import summary

        text = validated_text(question, self.settings.max_question_chars)
        return summary.ask(self, text, history or [], backend, self._document_filter(documents))

    def ask_stream(
        self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None,
        documents: list[str] | None = None,
    ) -> Iterator[StreamEvent]:
        """The answer's stream events, from `documents` (doc ids) only when any are given; a bad
        question or an unknown id is refused here, before the first event."""
        from assistant import summary

        text = validated_text(question, self.settings.max_question_chars)
        return summary.stream(self, text, history or [], backend, self._document_filter(documents))

    def check(self, claim: str) -> CheckResult:
        from assistant.check import check_claim

        return check_claim(self, validated_text(claim, self.settings.max_question_chars, "claim"))


__all__ = ["Assistant", "IngestResult", "NotReadyError"]
