from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings


def test_precedence_is_flag_then_environment_then_default():
    env = {"ASSISTANT_TOP_K": "7", "ASSISTANT_BACKEND": "extractive"}
    assert Settings.load(env={}).top_k == 5
    assert Settings.load(env=env).top_k == 7
    assert Settings.load(env=env, top_k="9").top_k == 9
    assert Settings.load(env=env).backend == "extractive"


def test_home_comes_from_the_environment_and_derives_state_folders(tmp_path: Path):
    settings = Settings.load(env={"ASSISTANT_HOME": str(tmp_path)})
    assert settings.home == tmp_path
    assert settings.index_dir == tmp_path / "index"
    assert settings.models_dir == tmp_path / "models"


def test_bad_value_names_the_setting():
    with pytest.raises(ValueError, match="top_k"):
        Settings.load(env={"ASSISTANT_TOP_K": "veel"})


def test_every_setting_has_help_and_an_environment_variable():
    for name, env, help_text, _ in Settings.describe():
        assert env and env.startswith("ASSISTANT_"), name
        assert len(help_text) > 10, name


def test_importing_the_app_does_no_work():
    """No environment reads, model loads or heavy imports at import time."""
    code = (
        "import sys, assistant.cli, assistant.service, assistant.chain, index.store, ingest.pipeline;"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'chromadb', 'llama_cpp', 'gradio') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_settings_command_masks_exactly_the_secret_settings(monkeypatch):
    from click.testing import CliRunner

    from assistant.cli import cli

    monkeypatch.setenv("ASSISTANT_ADMIN_TOKEN", "geheim-token")
    monkeypatch.setenv("ASSISTANT_OPENAI_API_KEY", "geheime-sleutel")
    out = CliRunner().invoke(cli, ["settings"]).output
    shown = dict(line.split("    [")[0].split(" = ", 1) for line in out.splitlines())
    assert shown["admin_token"] == shown["openai_api_key"] == "***"
    assert shown["llm_max_tokens"] == "512"  # a name with "token" in it is not a secret
    assert "geheim" not in out
