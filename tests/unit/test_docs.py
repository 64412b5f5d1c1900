"""The README is checked against the code: every command and every setting is documented."""

from __future__ import annotations

import click

from assistant.cli import cli
from assistant.config import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    head = README[:600]
    assert "make run" in head and "make test" in head


def test_every_command_is_documented():
    missing = [name for name in cli.list_commands(click.Context(cli)) if f"assistant {name}" not in README]
    assert not missing, f"README does not show: {missing}"


def test_every_setting_is_documented():
    missing = [env for _, env, _, _ in Settings.describe() if env not in README]
    assert not missing, f"README does not list: {missing}"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text()
