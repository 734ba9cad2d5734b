"""The package's stage map (docs/architecture.md) holds: which package may import which.

Every ``import`` in dockergen/ is read, at module level and inside functions
alike (a lazy import is still a dependency).  Module-level imports must not
form a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "dockergen"

# (importer prefix, imported prefix): never allowed
FORBIDDEN = [
    ("dockergen.gotemplate", "dockergen.pipeline"),
    ("dockergen.gotemplate", "dockergen.daemon"),
    ("dockergen.jinja", "dockergen.pipeline"),
    ("dockergen.jinja", "dockergen.daemon"),
    ("dockergen.helpers", "dockergen.pipeline"),
    ("dockergen.helpers", "dockergen.daemon"),
    ("dockergen.helpers", "dockergen.gotemplate"),
    ("dockergen.helpers", "dockergen.jinja"),
    ("dockergen.daemon", "dockergen.gotemplate"),
    ("dockergen.daemon", "dockergen.jinja"),
    ("dockergen.daemon", "dockergen.pipeline"),
    ("dockergen.golang", "dockergen.gotemplate"),
    ("dockergen.golang", "dockergen.jinja"),
    ("dockergen.golang", "dockergen.helpers"),
    ("dockergen.golang", "dockergen.pipeline"),
    ("dockergen.golang", "dockergen.daemon"),
    ("dockergen.model", "dockergen.daemon"),
    ("dockergen.model", "dockergen.pipeline"),
    ("dockergen.engine", "dockergen.pipeline"),
    ("dockergen.engine", "dockergen.gotemplate"),
    ("dockergen.engine", "dockergen.jinja"),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, module_level_only: bool) -> Iterator[str]:
    """The dockergen modules a file imports (``from X import Y`` counts as X, and X.Y when Y is a module)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    tree = ast.parse(path.read_text())
    nodes = tree.body if module_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("dockergen"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("dockergen"):
                yield target
                yield from (f"{target}.{alias.name}" for alias in node.names)


FILES = sorted(PACKAGE.rglob("*.py"))
MODULES = {module_name(path) for path in FILES}


def test_no_stage_imports_a_later_or_sideways_one():
    violations = []
    for path in FILES:
        importer = module_name(path)
        for imported in set(imports(path, module_level_only=False)) & MODULES:
            for source, target in FORBIDDEN:
                if (importer == source or importer.startswith(source + ".")) and (
                    imported == target or imported.startswith(target + ".")
                ):
                    violations.append(f"{importer} imports {imported}")
    assert violations == []


def test_no_import_cycles_at_module_level():
    graph = {module_name(path): set(imports(path, module_level_only=True)) & MODULES for path in FILES}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for dependency in sorted(graph[module]):
            if dependency == module or dependency.startswith(module + "."):
                continue  # a package importing its own submodule
            if state.get(dependency) == 1:
                return stack[stack.index(dependency):] + [dependency]
            if dependency not in state and (cycle := visit(dependency)):
                return cycle
        state[module] = 2
        stack.pop()
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_every_import_of_the_package_names_a_module_of_it():
    """A module moved to another package leaves no import (a lazy one included) pointing at its old place."""
    missing = []
    for path in FILES:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in imports_of(node, path):
                    if target not in MODULES:
                        missing.append(f"{module_name(path)}: {target}")
    assert missing == []


def imports_of(node: ast.Import | ast.ImportFrom, path: Path) -> list[str]:
    """The dockergen module one import statement reads (the module, not the names taken from it)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.startswith("dockergen")]
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    return [target] if target.startswith("dockergen") else []
