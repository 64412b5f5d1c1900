"""The local backend: a GGUF file run in-process by llama-cpp-python, loaded once per process."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from assistant.llm.base import (
    DEFAULT_MAX_TOKENS,
    SETUP_LOCAL_HINT,
    BackendError,
    Deadline,
    make_chunk,
    make_result,
    to_chat_messages,
)

# One loaded model per file per process: loading takes seconds and ~1.2 GB of memory. The lock
# serialises generations because a llama_cpp.Llama instance is not safe to use from two threads.
_LLAMAS: dict[str, tuple[Any, threading.Lock]] = {}
_LLAMAS_LOCK = threading.Lock()


def load_llama(model_path: str, n_ctx: int, n_threads: int) -> tuple[Any, threading.Lock]:
    key = str(Path(model_path).resolve())
    with _LLAMAS_LOCK:
        if key in _LLAMAS:
            return _LLAMAS[key]
        try:
            import llama_cpp
        except ImportError:
            raise BackendError(f"The local model runtime llama-cpp-python is not installed; {SETUP_LOCAL_HINT}.") from None
        if not Path(key).is_file():
            raise BackendError(f"The local model file {key} does not exist; {SETUP_LOCAL_HINT}.")
        try:
            llama = llama_cpp.Llama(
                model_path=key, n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, verbose=False
            )
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"The local model {key} could not be loaded ({exc}).") from None
        _LLAMAS[key] = (llama, threading.Lock())
        return _LLAMAS[key]


@lru_cache(maxsize=32)
def _grammar(gbnf: str) -> Any:
    import llama_cpp

    return llama_cpp.LlamaGrammar.from_string(gbnf, verbose=False)


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class LocalLlamaChat(BaseChatModel):
    """Chat model running a GGUF file in-process with llama-cpp-python (loaded on first use)."""

    model_config = ConfigDict(protected_namespaces=())

    model_path: str
    n_ctx: int = 4096
    n_threads: int | None = None
    temperature: float = 0.0
    max_tokens: int = DEFAULT_MAX_TOKENS
    timeout: float | None = None

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx, "temperature": self.temperature}

    def deltas(
        self, messages: list[BaseMessage], stop: list[str] | None, grammar: str | None = None
    ) -> Iterator[tuple[str, str | None]]:
        """(text, finish_reason) per generated token, holding the model's lock while generating;
        `grammar` (GBNF) constrains what the model may write."""
        what = "The local model"
        llama, lock = load_llama(self.model_path, self.n_ctx, self.n_threads or cpu_count())
        deadline = Deadline(self.timeout, what)
        if not lock.acquire(timeout=-1 if self.timeout is None else self.timeout):
            raise BackendError(f"{what} stayed busy with other questions for {self.timeout:g} s.")
        try:
            stream = llama.create_chat_completion(
                messages=to_chat_messages(messages),
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                stop=stop or [],
                stream=True,
                **({"grammar": _grammar(grammar)} if grammar else {}),
            )
            for event in stream:
                choice = event["choices"][0]
                yield choice["delta"].get("content") or "", choice.get("finish_reason")
                deadline.check()
        except ValueError as exc:  # e.g. the prompt does not fit the context window
            raise BackendError(f"{what} could not answer ({exc}).") from None
        finally:
            lock.release()

    def prefill(self, messages: list[BaseMessage]) -> None:
        """Evaluate `messages` into the KV cache (llama.cpp reuses the longest prefix a new prompt
        shares with the last one): the instructions and worked examples every question starts
        with are processed at start-up instead of on the first question."""
        llama, lock = load_llama(self.model_path, self.n_ctx, self.n_threads or cpu_count())
        with lock:
            llama.create_chat_completion(messages=to_chat_messages(messages), temperature=0.0, max_tokens=1)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        pieces, finish = [], None
        for text, reason in self.deltas(messages, stop, kwargs.get("grammar")):
            pieces.append(text)
            finish = reason or finish
        return make_result("".join(pieces), model_name=Path(self.model_path).name, finish_reason=finish)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for text, reason in self.deltas(messages, stop, kwargs.get("grammar")):
            if text or reason:
                yield make_chunk(text, run_manager, **({"finish_reason": reason} if reason else {}))
