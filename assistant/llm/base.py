"""What every backend shares: the error type, message conversion, chunks, results and deadlines."""

from __future__ import annotations

import re
import time
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

DEFAULT_MAX_TOKENS = 512
SETUP_LOCAL_HINT = "run `make setup-local`"


class BackendError(Exception):
    """A generative backend failed (unreachable, too slow, refused, not installed); one sentence."""


_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def to_chat_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as the {'role', 'content'} dicts all three backends accept."""
    out = []
    for m in messages:
        role = getattr(m, "role", None) if m.type == "chat" else _ROLES.get(m.type)
        if role is None:
            raise BackendError(f"Messages of type '{m.type}' cannot be sent to a chat backend.")
        out.append({"role": role, "content": str(m.text)})
    return out


def split_words(text: str) -> list[str]:
    """Word-sized pieces (each with its trailing whitespace) that join back to exactly `text`."""
    return re.findall(r"\S+\s*|\s+", text)


def make_chunk(text: str, run_manager: CallbackManagerForLLMRun | None, **metadata: Any) -> ChatGenerationChunk:
    chunk = ChatGenerationChunk(message=AIMessageChunk(content=text, response_metadata=metadata))
    if run_manager and text:
        run_manager.on_llm_new_token(text, chunk=chunk)
    return chunk


def make_result(text: str, usage: dict[str, int] | None = None, **metadata: Any) -> ChatResult:
    message = AIMessage(content=text, response_metadata=metadata, usage_metadata=usage)
    return ChatResult(generations=[ChatGeneration(message=message)])


def usage_of(prompt_tokens: Any, completion_tokens: Any) -> dict[str, int] | None:
    if not isinstance(prompt_tokens, int) or not isinstance(completion_tokens, int):
        return None
    return {
        "input_tokens": prompt_tokens,
        "output_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


class Deadline:
    """Total time budget of one call: httpx timeouts bound each read, not a slowly trickling stream."""

    def __init__(self, seconds: float | None, what: str):
        self.seconds = seconds
        self.what = what
        self.end = None if seconds is None else time.monotonic() + seconds

    def check(self) -> None:
        if self.end is not None and time.monotonic() > self.end:
            raise BackendError(f"{self.what} did not finish its answer within {self.seconds:g} s.")
