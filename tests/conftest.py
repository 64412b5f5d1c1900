"""Fixtures shared by every tier: settings on a temporary home, fakes, and the real bundled models."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"
LETTER = CORPUS / "kamerbrief-semicon-visie-2035.txt"
EVAL_DIR = PROJECT_ROOT / "eval"
# The converted e5 model is ~470 MB and takes a while to build: once per machine, reused by
# every test run (the folder is hash-checked on each first use).
MODEL_CACHE = Path(os.environ.get("ASSISTANT_TEST_MODELS", PROJECT_ROOT / ".state" / "models"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh home, the bundled corpus and fake embeddings: no weights load."""
    return Settings(home=tmp_path / "home", corpus_dir=CORPUS, embedding_model="fake", backend="extractive")


@pytest.fixture
def fake_assistant(settings: Settings):
    from assistant.service import Assistant
    from index.embeddings import FakeEmbeddings

    return Assistant(settings, embeddings=FakeEmbeddings())


@pytest.fixture(scope="session")
def real_models() -> Path:
    """The bundled e5 model as a sentence-transformers folder, built once."""
    from index.e5_model import ensure_e5_folder

    MODEL_CACHE.mkdir(parents=True, exist_ok=True)
    ensure_e5_folder(MODEL_CACHE)
    return MODEL_CACHE


def home_with_models(home: Path, models: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    link = home / "models"
    if not link.exists():
        link.symlink_to(models.resolve(), target_is_directory=True)
    return home


@pytest.fixture
def real_settings(tmp_path: Path, real_models: Path) -> Settings:
    """Settings with the real bundled embedding model and a fresh embedded Chroma index."""
    home = home_with_models(tmp_path / "home", real_models)
    return Settings(home=home, corpus_dir=CORPUS, backend="extractive")


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory: pytest.TempPathFactory, real_models: Path):
    """One real assistant over the bundled corpus, ingested once for the whole session."""
    from assistant.service import Assistant

    home = home_with_models(tmp_path_factory.mktemp("real") / "home", real_models)
    assistant = Assistant(Settings(home=home, corpus_dir=CORPUS, backend="extractive"))
    assistant.ingest()
    return assistant
