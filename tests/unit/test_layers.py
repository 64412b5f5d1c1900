"""The layers point one way and the project's modules import each other without cycles.

ingest → index → assistant → devtools: a lower layer imports nothing from a higher one, and the
assistant imports devtools only inside a function (the CLI's lazy commands). The graph is read
from the source with `ast`, function-level imports included, so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.config import PROJECT_ROOT

PACKAGES = ("ingest", "index", "assistant", "devtools", "prompts")
LOWER = {"ingest": ("index", "assistant", "devtools"), "index": ("assistant", "devtools")}


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int
    top_level: bool


def module_files(root: Path = PROJECT_ROOT) -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imports_of(name: str, path: Path, modules: set[str]) -> list[Import]:
    """Every import of a project module in this file; `from a import b` names a.b when that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:  # `import a.b.c` of a name inside a module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.append(Import(name, target, node.lineno, id(node) in top_level))
    return found


def import_graph(root: Path = PROJECT_ROOT) -> dict[str, list[Import]]:
    files = module_files(root)
    return {name: imports_of(name, path, set(files)) for name, path in files.items()}


def cycles(graph: dict[str, list[Import]]) -> list[list[str]]:
    """One shortest cycle through each strongly connected group of modules (Tarjan, then BFS), with
    the group's other modules named after it."""
    edges = {name: sorted({i.target for i in imports}) for name, imports in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, []):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    found = []
    for group in groups:
        start = min(group)
        paths = {start: [start]}
        queue = [start]
        while queue:
            node = queue.pop(0)
            for nxt in edges[node]:
                if nxt == start:
                    cycle = paths[node] + [start]
                    others = sorted(group - set(cycle))
                    found.append(cycle + ([f"(and {', '.join(others)})"] if others else []))
                    queue = []
                    break
                if nxt in group and nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    queue.append(nxt)
    return sorted(found)


def test_lower_layers_import_nothing_from_higher_ones():
    wrong = [
        f"{i.source} (line {i.line}) imports {i.target}"
        for imports in import_graph().values()
        for i in imports
        if i.source.split(".")[0] in LOWER and i.target.split(".")[0] in LOWER[i.source.split(".")[0]]
    ]
    assert wrong == []


def test_the_assistant_imports_devtools_only_lazily():
    eager = [
        f"{i.source} (line {i.line}) imports {i.target}"
        for imports in import_graph().values()
        for i in imports
        if i.source.split(".")[0] == "assistant" and i.target.split(".")[0] == "devtools" and i.top_level
    ]
    assert eager == []


def test_no_import_cycles():
    assert [" -> ".join(cycle) for cycle in cycles(import_graph())] == []


def test_the_checks_can_fail(tmp_path):
    """A layer breach and a cycle through a function-level import, in a throwaway tree."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "index" / "store.py").write_text("from assistant.config import Settings\n")
    (tmp_path / "assistant" / "config.py").write_text("def f():\n    from assistant import cli\n")
    (tmp_path / "assistant" / "cli.py").write_text("from assistant.config import f\n")
    graph = import_graph(tmp_path)
    assert [(i.target, i.top_level) for i in graph["index.store"]] == [("assistant.config", True)]
    assert cycles(graph) == [["assistant.cli", "assistant.config", "assistant.cli"]]


def test_devtools_commands_load_when_asked_for():
    script = (
        "import sys, click\n"
        "from assistant.cli import DEVTOOLS_COMMANDS, cli\n"
        "assert not [m for m in sys.modules if m.startswith('devtools')], 'devtools imported with the CLI'\n"
        "ctx = click.Context(cli)\n"
        "assert set(DEVTOOLS_COMMANDS) <= set(cli.list_commands(ctx))\n"
        "print(sorted(cli.get_command(ctx, name).name for name in DEVTOOLS_COMMANDS))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['bench', 'eval', 'stress']"
