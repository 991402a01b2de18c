"""The import graph points one way.

- No cycle between careteam's packages and top-level modules (each a node: ``careteam.notes``,
  ``careteam.db``, ``careteam.audit``, the app factory ``careteam`` itself), counting imports
  inside functions, leaving out imports under ``TYPE_CHECKING``, and leaving aside the two
  facades that may import anything: ``careteam.api`` (for plugins) and ``careteam.testing``
  (the pytest kit).
- The lower layers import nothing above them (docs/architecture.md draws the layers).
- Plugins import only ``careteam.api`` (their test support may also use ``careteam.testing``).
- An import inside a function is an arrow like any other: it stays there only for start-up cost,
  and a comment on its line or just above says so ("start-up").
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "careteam"
FACADES = frozenset({"careteam.api", "careteam.testing"})
START_UP = "start-up"


@dataclass(frozen=True)
class Arrow:
    source: str  # the importing module
    target: str  # the imported module (or the package, for a name defined in its __init__)
    where: str  # path:line


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str, root: Path) -> bool:
    folder = root.parent.joinpath(*name.split("."))
    return folder.with_suffix(".py").is_file() or (folder / "__init__.py").is_file()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                skipped.update(id(n) for n in ast.walk(statement))
    return skipped


def _targets(node: ast.Import | ast.ImportFrom, package: str, root: Path) -> list[str]:
    """The modules an import statement names, relative imports resolved; ``from x import y``
    names the submodule ``x.y`` when ``y`` is one, else ``x`` itself."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    found = []
    for alias in node.names:
        submodule = f"{module}.{alias.name}"
        found.append(submodule if _is_module(submodule, root) else module)
    return found


def import_arrows(root: Path = PACKAGE) -> Iterator[Arrow]:
    """Every import of a ``careteam`` module by a module under ``root``, wherever it stands."""
    top = root.name
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skipped = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skipped or not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(node, package, root):
                if target == top or target.startswith(f"{top}."):
                    where = f"{path.relative_to(root.parent)}:{node.lineno}"
                    yield Arrow(module, target, where)


def unit_of(module: str) -> str:
    """The node a module belongs to: the package itself, or its top-level module or package."""
    return ".".join(module.split(".")[:2])


def unit_graph(arrows: Iterator[Arrow]) -> dict[str, dict[str, list[str]]]:
    """{source unit: {target unit: [where, ...]}}, without the facades and self-arrows."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for arrow in arrows:
        source, target = unit_of(arrow.source), unit_of(arrow.target)
        if source != target and source not in FACADES and target not in FACADES:
            graph[source][target].append(arrow.where)
    return graph


def _components(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one node."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, {})):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    nodes = set(graph) | {t for targets in graph.values() for t in targets}
    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def _shortest_cycle(graph: dict[str, dict[str, list[str]]], component: list[str]) -> list[str]:
    """The shortest cycle inside a component, as a path of nodes that ends where it starts."""
    members = set(component)
    best: list[str] | None = None
    for start in component:
        paths = {start: [start]}
        queue = [start]
        while queue:
            node = queue.pop(0)
            if best is not None and len(paths[node]) >= len(best) - 1:
                break
            if start in graph[node]:
                best = [*paths[node], start]
                break
            for nxt in sorted(graph[node]):
                if nxt in members and nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    queue.append(nxt)
    assert best is not None, "a component without a cycle"
    return best


def cycles(root: Path = PACKAGE) -> list[str]:
    """Describe one cycle per tangle in the graph, each arrow with where it is imported."""
    graph = unit_graph(import_arrows(root))
    described = []
    for component in _components(graph):
        path = _shortest_cycle(graph, component)
        lines = [f"cycle among {', '.join(component)}:"]
        for source, target in pairwise(path):
            lines.append(f"  {source} -> {target}  ({', '.join(graph[source][target][:3])})")
        described.append("\n".join(lines))
    return described


def test_no_import_cycle_between_careteams_packages_and_modules():
    found = cycles()
    assert not found, "\n".join(found)


def test_the_cycle_finder_counts_imports_inside_functions_and_skips_type_checking(tmp_path):
    package = tmp_path / "careteam"
    (package / "low").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "low" / "__init__.py").write_text("")
    (package / "low" / "things.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ..typed import Hint\n"
        "def later():\n    from ..high import page  # hidden in a function\n"
    )
    (package / "high.py").write_text("from .low import things\n")
    (package / "typed.py").write_text("from .low.things import later\n")

    [found] = cycles(package)

    assert "careteam.high, careteam.low" in found
    assert "careteam/low/things.py:5" in found
    assert "careteam.typed" not in found


# --- layers -----------------------------------------------------------------------------------

# What each lower part may import of careteam (besides itself): the rows of docs/architecture.md
# from "accounts" down.
BASE = {"careteam.extensions", "careteam.paths", "careteam.refusals"}
LOWER_LAYERS = {
    "careteam.paths": set(),
    "careteam.extensions": set(),
    "careteam.refusals": set(),
    "careteam.db": BASE,
    "careteam.web": {"careteam.db", *BASE},
    "careteam.config": {"careteam.web"},
    "careteam.roles": set(),
    "careteam.hookspecs": set(),
    "careteam.registries": {"careteam.hookspecs", "careteam.roles"},
    "careteam.audience": {"careteam.roles"},
    "careteam.audit": {"careteam.audience", "careteam.db", *BASE},
    "careteam.outbox": {"careteam.db", *BASE},
    "careteam.mail": {"careteam.outbox"},
    "careteam.auth": {"careteam.audit", "careteam.db", "careteam.mail", "careteam.web", *BASE},
}


def test_the_lower_layers_import_nothing_above_them():
    graph = unit_graph(import_arrows())
    wrong = [
        f"{source} -> {target}  ({', '.join(graph[source][target][:3])})"
        for source, allowed in LOWER_LAYERS.items()
        for target in sorted(graph.get(source, {}))
        if target not in allowed
    ]
    assert not wrong, "\n".join(wrong)


def test_the_plugin_platform_imports_no_feature_but_auth():
    features = {
        "careteam.account",
        "careteam.admin",
        "careteam.appointments",
        "careteam.calendar_feeds",
        "careteam.circles",
        "careteam.exports",
        "careteam.invitations",
        "careteam.notes",
        "careteam.reminders",
    }
    graph = unit_graph(import_arrows())
    assert features <= set(graph), "a feature package was renamed: update this list"
    reached = {t: w for t, w in graph["careteam.plugins"].items() if t in features}
    assert not reached, reached


# --- plugins ----------------------------------------------------------------------------------


def _plugin_files() -> list[Path]:
    return sorted(p for p in (ROOT / "plugins").glob("*/**/*.py") if ".venv" not in p.parts)


def _careteam_imports(path: Path) -> Iterator[tuple[str, int]]:
    """The careteam modules a plugin file imports (``from careteam import api`` is careteam.api;
    ``from careteam import hookimpl`` is careteam itself)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and not node.level):
            for target in _targets(node, "", PACKAGE):
                if target.split(".")[0] == "careteam":
                    yield target, node.lineno


def test_plugins_import_nothing_of_careteam_but_the_api():
    files = _plugin_files()
    assert any(p.parent.name == "careteam_hello" for p in files)
    wrong = []
    for path in files:
        relative = path.relative_to(ROOT / "plugins")
        # Test support (the plugin's tests, its testing.py factories) may use the kit too.
        in_tests = "tests" in relative.parts or path.name in ("testing.py", "conftest.py")
        allowed = {"careteam.api", "careteam.testing"} if in_tests else {"careteam.api"}
        wrong += [
            f"{relative}:{line} imports {module}"
            for module, line in _careteam_imports(path)
            if module not in allowed
        ]
    assert not wrong, "\n".join(wrong)


# --- imports inside functions -----------------------------------------------------------------


def _commented(lines: list[str], node: ast.stmt) -> bool:
    """Whether the import's own lines, or the comments just above it (above the run of imports
    it is part of), give the start-up reason."""
    if any(START_UP in lines[i] for i in range(node.lineno - 1, node.end_lineno or node.lineno)):
        return True
    i = node.lineno - 2
    while i >= 0:
        text = lines[i].strip()
        if text.startswith("#"):
            if START_UP in text:
                return True
        elif not text.startswith(("from ", "import ")):
            return False
        i -= 1
    return False


def imports_inside_functions(paths: list[Path]) -> Iterator[tuple[Path, ast.stmt, list[str]]]:
    for path in paths:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        seen: set[int] = set()
        for function in ast.walk(ast.parse(source, filename=str(path))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in seen:
                    seen.add(id(node))
                    yield path, node, lines


def _checked_sources() -> list[Path]:
    core = sorted(PACKAGE.rglob("*.py"))
    plugin_code = [p for p in _plugin_files() if "tests" not in p.relative_to(ROOT).parts]
    return core + plugin_code


def test_imports_inside_functions_say_they_are_there_for_start_up_cost():
    unexplained = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {lines[node.lineno - 1].strip()}"
        for path, node, lines in imports_inside_functions(_checked_sources())
        if not _commented(lines, node)
    ]
    assert not unexplained, (
        "Move these imports to the top of their module (an import inside a function still "
        "counts as an arrow), or say on the line or just above why start-up cost keeps them "
        "there (a comment with 'start-up'):\n" + "\n".join(unexplained)
    )


def test_the_start_up_check_finds_an_unexplained_import(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "def explained():\n"
        "    # start-up: a heavy library only this needs\n"
        "    import json\n"
        "    import csv\n"
        "def plain():\n"
        "    import os\n"
        "    return os\n"
    )
    found = [
        node.lineno
        for _path, node, lines in imports_inside_functions([module])
        if not _commented(lines, node)
    ]
    assert found == [6]
