"""Prompt templates as files, loaded as package resources; the version is the content hash."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def load(name: str, language: str) -> tuple[str, str]:
    """(template, version) for e.g. load("answer", "nl")."""
    text = resources.files(__name__).joinpath(f"{name}.{language}.txt").read_text(encoding="utf-8")
    return text, f"{name}.{language}@{hashlib.sha256(text.encode()).hexdigest()[:8]}"
