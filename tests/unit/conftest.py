"""Unit tests never see this machine's assembled local model: `auto` resolves by the test's own files."""

from __future__ import annotations

import pytest

from assistant import local_model


@pytest.fixture(autouse=True)
def no_shared_local_model(monkeypatch, tmp_path_factory):
    shared = tmp_path_factory.mktemp("shared-models")
    monkeypatch.setattr(local_model, "shared_model_dirs", lambda: [shared / "venv", shared / "default-home"])
