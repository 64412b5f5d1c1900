"""Records the answering core returns; the CLI, the HTTP API and the UI all serialise these."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Protocol

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.config import Settings
    from assistant.support import SentenceEmbedder
    from index.retrieval import Hit, HybridRetriever
    from ingest.records import Paragraph


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    doc_title: str
    paragraph_id: str
    label: str
    page: int | None
    text: str
    url: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def of(cls, n: int, paragraph: Paragraph) -> "Citation":
        """Marker [n] for a paragraph record; the url opens the source viewer at that paragraph."""
        return cls(
            n=n,
            doc_id=paragraph.doc_id,
            doc_title=paragraph.doc_title,
            paragraph_id=paragraph.id,
            label=paragraph.label,
            page=paragraph.page,
            text=paragraph.text,
            url=f"/doc/{paragraph.doc_id}#p-{paragraph.id}",
        )


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    answerable: bool
    backend: str
    notice: str = ""
    citations: tuple[Citation, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    language: str = "nl"
    prompt_version: str = ""
    # With a generative backend, `answer` is the best verified text and these are its two parts:
    # the verbatim answer (always there when anything is answered) and the language model's
    # summary (None when none was asked for or verification dropped it).
    extractive: "Answer | None" = None
    generated: "Answer | None" = None

    def to_dict(self) -> dict[str, Any]:
        out = self.part_dict()
        out["extractive"] = self.extractive.part_dict() if self.extractive else None
        out["generated"] = self.generated.part_dict() if self.generated else None
        return out

    def part_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "answerable": self.answerable,
            "backend": self.backend,
            "notice": self.notice,
            "citations": [c.to_dict() for c in self.citations],
            "timings": dict(self.timings),
            "language": self.language,
            "prompt_version": self.prompt_version,
        }


@dataclass(frozen=True)
class CheckResult:
    claim: str
    verdict: str  # "supported" | "not_supported"
    citations: tuple[Citation, ...] = ()
    match: str = ""  # "exact" | "fuzzy" | "semantic" | ""
    differences: str = ""  # for a near-miss quote: what differs, as a readable diff
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "verdict": self.verdict,
            "citations": [c.to_dict() for c in self.citations],
            "match": self.match,
            "differences": self.differences,
            "score": self.score,
        }


@dataclass(frozen=True)
class StreamEvent:
    """One step of a streamed answer: 'extractive' (the verbatim Answer, as soon as it exists), then
    with a language model 'token' (text deltas of its summary as it is written), then one 'answer'
    (the final Answer, with both parts)."""

    type: str
    text: str = ""
    answer: Answer | None = None


class AssistantService(Protocol):
    """What the CLI, HTTP API and UI call. `assistant.service.Assistant` is the real one."""

    def ask(
        self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None,
        documents: list[str] | None = None,
    ) -> Answer: ...

    def ask_stream(
        self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None,
        documents: list[str] | None = None,
    ) -> Iterator[StreamEvent]: ...

    def check(self, claim: str) -> CheckResult: ...

    def documents(self) -> list[dict[str, Any]]: ...

    def document(self, doc_id: str) -> dict[str, Any] | None: ...

    def ready(self) -> tuple[bool, str]: ...


class AnswerServices(Protocol):
    """What the answer chain and `assistant check` use of the service; each method owns its cache and lock."""

    settings: Settings

    @property
    def retriever(self) -> HybridRetriever: ...

    def records(self) -> list[Paragraph]: ...

    def search(self, query: str, k: int | None = None, documents: list[str] | None = None) -> list[Hit]: ...

    def sentence_embedder(self) -> SentenceEmbedder: ...

    def chat_model(self, backend: str) -> BaseChatModel | None: ...
