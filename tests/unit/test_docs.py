"""The README is checked against the code: every command and every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

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


def readme_defaults() -> dict[str, str]:
    """Environment variable -> the default the README's settings table gives, without backticks
    and without a trailing remark in parentheses."""
    defaults = {}
    for names, values in re.findall(r"^\| (`ASSISTANT_[^|]+) \| ([^|]+) \|", README, re.MULTILINE):
        envs = re.findall(r"ASSISTANT_\w+", names)
        shown = [re.sub(r"\s*\(.*\)$", "", value.strip()).strip("`") for value in values.split(", ")]
        assert len(envs) == len(shown), f"README row {names} has {len(shown)} defaults"
        defaults.update(zip(envs, shown, strict=True))
    return defaults


def as_documented(default: object) -> str:
    if isinstance(default, Path):
        if default.is_relative_to(PROJECT_ROOT):
            return f"{default.relative_to(PROJECT_ROOT)}/"
        return str(default).replace(str(Path.home()), "~", 1)
    if default == "":
        return "empty"
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default)


def test_every_default_in_the_readme_is_the_code_default():
    documented = readme_defaults()
    wrong = {env: (documented.get(env), as_documented(d)) for _, env, _, d in Settings.describe() if documented.get(env) != as_documented(d)}
    assert not wrong, f"README default vs code default: {wrong}"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text()
