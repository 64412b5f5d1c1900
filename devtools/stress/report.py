"""What the checks found, and how `assistant stress` prints it: a table or one JSON object."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable


class Judged:
    """A finding that passes when nothing is wrong with it."""

    problem: str

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass
class Outcome(Judged):
    name: str
    status: int
    problem: str = ""


@dataclass
class Row:
    section: str
    figure: str
    ok: bool


def failure_note(outcomes: list[Outcome]) -> str:
    """'; ' and the first three failures (with a count of the rest), or '' when all passed."""
    bad = [o for o in outcomes if not o.ok]
    if not bad:
        return ""
    return "; " + "; ".join(f"{o.name}: {o.problem}" for o in bad[:3]) + (f" (+{len(bad) - 3})" if len(bad) > 3 else "")


def failure_list(outcomes: list[Outcome]) -> list[dict[str, str]]:
    return [{"case": o.name, "problem": o.problem} for o in outcomes if not o.ok]


def table(rows: list[Row]) -> str:
    width = max(len(r.section) for r in rows) if rows else 10
    lines = [f"{'check':<{width}}  ok   resultaat", "-" * (width + 60)]
    lines += [f"{r.section:<{width}}  {'ja ' if r.ok else 'NEE'}  {r.figure}" for r in rows]
    return "\n".join(lines)


def report(rows: list[Row], figures: dict[str, Any], *, as_json: bool, echo: Callable[[str], Any]) -> bool:
    """Print the rows (or the figures with them as JSON); True when every row passed."""
    passed = all(row.ok for row in rows)
    if as_json:
        figures["checks"] = [{"check": r.section, "result": r.figure, "ok": r.ok} for r in rows]
        figures["passed"] = passed
        echo(json.dumps(figures, ensure_ascii=False))
    else:
        echo(table(rows))
        echo(f"{'Alles in orde' if passed else 'NIET IN ORDE'} ({figures['seconds']} s, embeddings: {figures['embedding_model']}).")
    return passed
