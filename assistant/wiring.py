"""The one place where the app's Settings become the plain values the lower layers take."""

from __future__ import annotations

from typing import Any

from assistant.config import Settings
from index.store import ParagraphStore, StoreConfig


def store_config(settings: Settings) -> StoreConfig:
    return StoreConfig(
        index_dir=settings.index_dir,
        collection=settings.collection,
        host=settings.chroma_host,
        port=settings.chroma_port,
    )


def make_store(settings: Settings, embeddings: Any) -> ParagraphStore:
    """The Chroma paragraph store these settings name (embedded, or a Chroma server)."""
    return ParagraphStore(store_config(settings), embeddings)


def make_embeddings(settings: Settings) -> Any:
    """The embeddings `settings.embedding_model` names (the bundled e5 is converted into `models_dir`)."""
    from index.embeddings import make_embeddings as embeddings_named

    return embeddings_named(settings.embedding_model, settings.models_dir)
