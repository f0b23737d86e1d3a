"""Guard rails for the code's shape, read from the source with ast (nothing is imported).

- Kivy is imported only by kiosk/app.py inside kiosk/: the rest of the core runs and is
  tested without a window.
- No import cycle among the project's modules, lazy (function-local) imports included:
  a lazy import hides a cycle, it does not remove it. Imports under TYPE_CHECKING are
  types only and are left out.
- No function over 80 lines in the project's source.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("kiosk", "screens", "hardware")
SOURCE_DIRS = (*PACKAGES, "bench", "scripts")
MAX_FUNCTION_LINES = 80
KIVY_ALLOWED = {"kiosk.app"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((REPO / pkg).rglob("*.py"))}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of every node inside an `if TYPE_CHECKING:` block."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside.update(id(n) for n in ast.walk(child))
    return inside


def imported_names(path: Path, module: str) -> set[str]:
    """Every dotted name the module imports at run time, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = _type_checking_nodes(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in imported_names(path, name):
            # `from kiosk import sdnotify` names a module; `from kiosk.config import Config`
            # names an attribute of kiosk.config: keep the longest prefix that is a module.
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_find_cycles_sees_a_cycle_and_nothing_else():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_the_project_modules():
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_kivy_is_imported_only_by_the_app_inside_kiosk():
    offenders = []
    for name, path in project_modules().items():
        if not name.startswith("kiosk") or name in KIVY_ALLOWED:
            continue
        kivy = sorted(n for n in imported_names(path, name) if n == "kivy" or n.startswith("kivy."))
        if kivy:
            offenders.append(f"{name}: {', '.join(kivy)}")
    assert not offenders, "Kivy imported outside kiosk/app.py: " + "; ".join(offenders)


def test_the_kivy_guard_sees_a_function_local_import(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text("def f():\n    from kivy.core.window import Window\n    return Window\n")
    assert "kivy.core.window" in imported_names(source, "kiosk.mod")


def long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_over_80_lines():
    found = [f for d in SOURCE_DIRS for p in sorted((REPO / d).rglob("*.py")) for f in long_functions(p)]
    assert not found, "functions over 80 lines: " + "; ".join(found)
