"""Choosing a backend from settings: 'auto', 'extractive', 'local', 'openai/<model>', 'ollama/<model>'."""

from __future__ import annotations

from importlib.util import find_spec

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.config import Settings
from assistant.llm.base import SETUP_LOCAL_HINT, BackendError
from assistant.llm.http import OllamaChat, OpenAICompatibleChat
from assistant.llm.local import LocalLlamaChat
from assistant.local_model import default_model_path
from ingest.errors import UserError

PROVIDERS = ("openai", "ollama")


def local_available(settings: Settings) -> bool:
    """Whether the local backend can run: llama-cpp-python installed and the GGUF file present."""
    return find_spec("llama_cpp") is not None and default_model_path(settings).is_file()


def resolve_backend(settings: Settings, backend: str | None = None) -> str:
    """The concrete backend for `backend` (default settings.backend).

    One of 'local', 'extractive', 'openai/<model>', 'ollama/<model>'; an unknown name is a UserError.
    """
    name = (backend or settings.backend or "auto").strip()
    lowered = name.lower()
    if lowered == "auto":
        return "local" if local_available(settings) else "extractive"
    if lowered in ("local", "extractive"):
        return lowered
    provider, _, model = name.partition("/")
    if provider.lower() in PROVIDERS and model.strip():
        return f"{provider.lower()}/{model.strip()}"
    raise UserError(
        f"Unknown backend '{name}': use 'auto', 'extractive', 'local', 'openai/<model>' or 'ollama/<model>'."
    )


def make_chat_model(settings: Settings, backend: str | None = None) -> BaseChatModel | None:
    """The chat model for the chosen backend, or None for the extractive backend; loads nothing yet."""
    resolved = resolve_backend(settings, backend)
    timeout = settings.llm_timeout_s
    max_tokens = settings.llm_max_tokens
    if resolved == "extractive":
        return None
    if resolved == "local":
        if find_spec("llama_cpp") is None:
            raise BackendError(f"The local model runtime llama-cpp-python is not installed; {SETUP_LOCAL_HINT}.")
        path = default_model_path(settings)
        if not path.is_file():
            raise BackendError(f"The local model file {path} does not exist; {SETUP_LOCAL_HINT}.")
        threads = settings.llm_threads or None  # 0: all cores
        return LocalLlamaChat(model_path=str(path), n_threads=threads, max_tokens=max_tokens, timeout=timeout)
    provider, _, model = resolved.partition("/")
    if provider == "openai":
        return OpenAICompatibleChat(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key or None,
            model=model,
            timeout=timeout,
            max_tokens=max_tokens,
        )
    return OllamaChat(base_url=settings.ollama_url, model=model, timeout=timeout, max_tokens=max_tokens)
