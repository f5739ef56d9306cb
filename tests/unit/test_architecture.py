"""Layers: domain ← forms ← data ← services never import Qt, and no layer imports one above it."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path

from gongkai_desktop import paths

PACKAGE = paths.package_root()
ROOT = PACKAGE.parent
CORE_LAYERS = ("domain", "forms", "data", "services")
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def core_files() -> list[Path]:
    return sorted(p for layer in CORE_LAYERS for p in (PACKAGE / layer).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_core_source_never_imports_qt() -> None:
    files = core_files()
    assert len(files) > 15  # the scan really sees the core
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.startswith(QT_MODULES)
        )
        for path in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_source_never_imports_upper_layers() -> None:
    order = ["domain", "forms", "data", "services", "render", "ui", "app", "cli"]
    problems = []
    for path in core_files():
        layer = path.relative_to(PACKAGE).parts[0]
        above = [f"gongkai_desktop.{name}" for name in order[order.index(layer) + 1 :]]
        for module in imported_modules(path):
            if any(module == a or module.startswith(a + ".") for a in above):
                problems.append(f"{path.relative_to(ROOT)} imports {module}")
    assert problems == []


def test_importing_the_whole_core_loads_no_qt() -> None:
    modules = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in core_files()
        if "migrations" not in p.parts
    ]
    # the CLI's headless commands stay Qt-free too: the package and each command module
    modules.append("gongkai_desktop.cli")
    modules += [f"gongkai_desktop.cli.{p.stem}" for p in sorted((PACKAGE / "cli").glob("[!_]*.py"))]
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({QT_MODULES!r}))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def _lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--config",
            str(config),
            "--no-cache",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_import_linter_contracts_hold() -> None:
    """The layer and no-Qt contracts of pyproject.toml, as .ci/run checks them."""
    with (ROOT / "pyproject.toml").open("rb") as fh:
        contracts = tomllib.load(fh)["tool"]["importlinter"]["contracts"]
    result = _lint_imports(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken." in result.stdout


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports anywhere in its source (also inside
    functions: an import deferred to dodge a circle is still a circle)."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{parent}.{base}" if base else parent
                # `from pkg import sub` imports the submodule sub
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names
                ]
            graph[name].update(t for t in targets if t in files and t != name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_no_import_circle() -> None:
    graph = _import_graph()
    assert len(graph) > 80 and sum(map(len, graph.values())) > 300  # the walk sees the code
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_render_never_imports_qtwidgets() -> None:
    """Printable documents are laid out with QtGui only, so the CLI renders them without
    a widget application (import-linter cannot forbid a subpackage of PySide6)."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.startswith("PySide6.QtWidgets")
        )
        for path in sorted((PACKAGE / "render").rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}
