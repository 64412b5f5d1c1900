"""Backends behind HTTP: any OpenAI-compatible /chat/completions endpoint, and Ollama's /api/chat."""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, ClassVar, Iterator

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, SecretStr

from assistant.llm.base import (
    DEFAULT_MAX_TOKENS,
    BackendError,
    Deadline,
    make_chunk,
    make_result,
    to_chat_messages,
    usage_of,
)


class _HttpChat(BaseChatModel):
    """Shared request, stream and error handling of the HTTP backends."""

    model_config = ConfigDict(protected_namespaces=())

    base_url: str
    model: str
    timeout: float = 60.0
    temperature: float = 0.0
    max_tokens: int = DEFAULT_MAX_TOKENS

    label: ClassVar[str] = "The backend"

    @property
    def _what(self) -> str:
        return f"{self.label} at {self.base_url}"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "model": self.model, "temperature": self.temperature}

    def _url(self) -> str:
        raise NotImplementedError

    def _headers(self) -> dict[str, str]:
        return {}

    def _body(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool) -> dict[str, Any]:
        raise NotImplementedError

    def _parse_line(self, line: str) -> Any:
        """A decoded stream event, None for a line to skip, or _END."""
        raise NotImplementedError

    @contextmanager
    def _response(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool) -> Iterator[Any]:
        """The open streaming httpx response, with every transport failure turned into a BackendError."""
        import httpx

        body = self._body(messages, stop, stream)
        try:
            with httpx.Client(timeout=httpx.Timeout(self.timeout)) as client:
                with client.stream("POST", self._url(), json=body, headers=self._headers()) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise BackendError(
                            f"{self._what} answered HTTP {response.status_code}: {_error_detail(response)}."
                        )
                    yield response
        except httpx.ConnectError:
            raise BackendError(f"{self._what} cannot be reached (connection failed).") from None
        except httpx.TimeoutException:
            raise BackendError(f"{self._what} did not answer within {self.timeout:g} s.") from None
        except httpx.HTTPError as exc:
            raise BackendError(f"{self._what} broke off the connection ({type(exc).__name__}).") from None

    def _request(self, messages: list[BaseMessage], stop: list[str] | None) -> Any:
        with self._response(messages, stop, stream=False) as response:
            response.read()
            return _decode(response.text, self._what)

    def _events(self, messages: list[BaseMessage], stop: list[str] | None) -> Iterator[Any]:
        deadline = Deadline(self.timeout, self._what)
        with self._response(messages, stop, stream=True) as response:
            for line in response.iter_lines():
                deadline.check()
                event = self._parse_line(line.strip())
                if event is _END:
                    return
                if event is not None:
                    yield event


_END = object()


def _decode(text: str, what: str) -> Any:
    try:
        data = json.loads(text)
    except ValueError:
        raise BackendError(f"{what} sent a response that is not JSON.") from None
    error = data.get("error") if isinstance(data, dict) else None
    if error:
        message = error.get("message", error) if isinstance(error, dict) else error
        raise BackendError(f"{what} reported an error: {str(message)[:200].rstrip('.')}.")
    return data


def _error_detail(response: Any) -> str:
    try:
        error = response.json().get("error")
        detail = error.get("message", "") if isinstance(error, dict) else str(error or "")
    except (ValueError, AttributeError):
        detail = ""
    detail = " ".join((detail or response.reason_phrase or response.text).split())
    return detail[:200].rstrip(".") or "no details"


def _field(data: Any, path: tuple[Any, ...], what: str) -> Any:
    """Walk `path` into a decoded response; a missing piece means the server speaks another protocol."""
    try:
        for key in path:
            data = data[key]
    except (KeyError, IndexError, TypeError):
        raise BackendError(f"{what} sent a response in an unexpected format.") from None
    return data


class OpenAICompatibleChat(_HttpChat):
    """Chat model for any OpenAI-compatible /chat/completions endpoint (vLLM, llama.cpp server, OpenAI)."""

    api_key: SecretStr | None = None

    label: ClassVar[str] = "The OpenAI-compatible endpoint"

    @property
    def _llm_type(self) -> str:
        return "openai-compatible"

    def _url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    def _headers(self) -> dict[str, str]:
        key = self.api_key.get_secret_value() if self.api_key else ""
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _body(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": to_chat_messages(messages),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stream": stream,
        }
        if stop:
            body["stop"] = stop
        return body

    def _parse_line(self, line: str) -> Any:
        # Server-sent events: only 'data:' lines carry chunks; comments and event names are skipped.
        if not line.startswith("data:"):
            return None
        payload = line[5:].strip()
        return _END if payload == "[DONE]" else _decode(payload, self._what)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        data = self._request(messages, stop)
        choice = _field(data, ("choices", 0), self._what)
        text = _field(choice, ("message", "content"), self._what) or ""
        usage = data.get("usage") or {}
        return make_result(
            text,
            usage_of(usage.get("prompt_tokens"), usage.get("completion_tokens")),
            model_name=self.model,
            finish_reason=choice.get("finish_reason"),
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for event in self._events(messages, stop):
            if not event.get("choices"):
                continue  # e.g. a trailing usage-only chunk
            choice = event["choices"][0]
            text = (choice.get("delta") or {}).get("content") or ""
            finish = choice.get("finish_reason")
            if text or finish:
                yield make_chunk(text, run_manager, **({"finish_reason": finish} if finish else {}))


class OllamaChat(_HttpChat):
    """Chat model for an Ollama server's /api/chat."""

    label: ClassVar[str] = "The Ollama server"

    @property
    def _llm_type(self) -> str:
        return "ollama"

    def _url(self) -> str:
        return self.base_url.rstrip("/") + "/api/chat"

    def _body(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool) -> dict[str, Any]:
        options: dict[str, Any] = {"temperature": self.temperature, "num_predict": self.max_tokens}
        if stop:
            options["stop"] = stop
        return {"model": self.model, "messages": to_chat_messages(messages), "stream": stream, "options": options}

    def _parse_line(self, line: str) -> Any:
        return _decode(line, self._what) if line else None

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        data = self._request(messages, stop)
        text = _field(data, ("message", "content"), self._what) or ""
        usage = usage_of(data.get("prompt_eval_count"), data.get("eval_count"))
        return make_result(text, usage, model_name=self.model, finish_reason=data.get("done_reason"))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for event in self._events(messages, stop):
            text = (event.get("message") or {}).get("content") or ""
            if event.get("done"):
                yield make_chunk(text, run_manager, finish_reason=event.get("done_reason", "stop"))
                return
            if text:
                yield make_chunk(text, run_manager)
