"""A deterministic chat model for tests."""

from __future__ import annotations

from typing import Any, Iterator

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import Field, PrivateAttr

from assistant.llm.base import make_chunk, make_result, split_words


class FakeChat(BaseChatModel):
    """Deterministic chat model for tests: replies from a list (in turn, cycling) or a callable.

    A callable gets the LangChain messages and returns the reply; it may raise (e.g. BackendError)
    to simulate a failing backend. `calls` records the messages of every call.
    """

    responses: Any  # list[str] | Callable[[list[BaseMessage]], str]
    calls: list[list[BaseMessage]] = Field(default_factory=list)
    _turn: int = PrivateAttr(default=0)

    @property
    def _llm_type(self) -> str:
        return "fake"

    def _reply(self, messages: list[BaseMessage]) -> str:
        self.calls.append(list(messages))
        if callable(self.responses):
            return self.responses(messages)
        reply = self.responses[self._turn % len(self.responses)]
        self._turn += 1
        return reply

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return make_result(self._reply(messages), model_name="fake")

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for word in split_words(self._reply(messages)):
            yield make_chunk(word, run_manager)
