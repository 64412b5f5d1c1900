"""Generative chat backends as LangChain chat models, and the factory that picks one from settings.

Backends are named 'provider/model': 'local' (bundled Qwen2.5-Coder GGUF via llama-cpp-python),
'openai/<model>' (any OpenAI-compatible endpoint), 'ollama/<model>', 'extractive' (no LLM) and
'auto' (local when installed, else extractive). Every failure of a backend surfaces as one
`BackendError` with a one-sentence message, so the chain can fall back to the extractive answer.
"""

from assistant.llm.base import BackendError, split_words, to_chat_messages
from assistant.llm.factory import local_available, make_chat_model, resolve_backend
from assistant.llm.fake import FakeChat
from assistant.llm.http import OllamaChat, OpenAICompatibleChat
from assistant.llm.local import LocalLlamaChat

__all__ = [
    "BackendError",
    "FakeChat",
    "LocalLlamaChat",
    "OllamaChat",
    "OpenAICompatibleChat",
    "local_available",
    "make_chat_model",
    "resolve_backend",
    "split_words",
    "to_chat_messages",
]
