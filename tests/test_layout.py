"""The layout a newcomer can find their way in: no module past 700 lines, views as `views/` packages rather
than `views_*.py` siblings, no import cycle between modules (an import moved into a function to dodge one
still counts), core below accounts, and the demo and scale data in data files, not in Python literals."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("kejiju", "enterprises", "experts", "platforms", "projects")
MAX_LINES = 700
# A demo or scale module may keep a short literal (a few choices, a weight table); anything longer is data.
MAX_LITERAL_ITEMS = 12


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(name: str, path: Path) -> Iterator[str]:
    """The project modules `name` imports, at its top or inside a function (both run at some point)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def walk(node: ast.AST) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                continue
            if isinstance(child, ast.Import):
                yield from (alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base_parts = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join([*base_parts, *([child.module] if child.module else [])])
                else:
                    base = child.module or ""
                for alias in child.names:
                    full = f"{base}.{alias.name}"
                    yield full if full in MODULES else base
            yield from walk(child)

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for target in walk(tree):
        if target in MODULES and target != name:
            yield target


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_no_module_is_over_700_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for path in MODULES.values()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these by sub-domain: {long}"


def test_views_are_packages_not_siblings():
    siblings = [str(path.relative_to(ROOT)) for path in MODULES.values() if path.name.startswith("views_")]
    assert not siblings, f"make these a views/ package: {siblings}"


def test_no_import_cycles():
    graph = {name: set(_imports(name, path)) for name, path in MODULES.items()}
    cycles = _cycles(graph)
    assert not cycles, "\n".join(" <-> ".join(cycle) for cycle in cycles)


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_core_does_not_import_accounts():
    """Accounts builds on core (audit events, filters, tables); core reaches accounts only through settings
    (AUTH_USER_MODEL) and the registries accounts fills."""
    upward = sorted(
        f"{name} -> {target}"
        for name, path in MODULES.items()
        if name.startswith("kejiju.core")
        for target in _imports(name, path)
        if target.startswith("kejiju.accounts")
    )
    assert not upward, "\n".join(upward)


@pytest.mark.parametrize(
    "name", sorted(name for name in MODULES if name.rpartition(".")[2] in {"demo", "scale"})
)
def test_demo_and_scale_data_live_in_data_files(name):
    """Seeding code reads its names, units and figures through kejiju.core.demodata; a long literal in the
    module is data that belongs in the app's data/ folder."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    long = [
        f"line {node.lineno}: {len(items)} items"
        for node in ast.walk(tree)
        if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict)
        and len(items := (node.keys if isinstance(node, ast.Dict) else node.elts)) > MAX_LITERAL_ITEMS
    ]
    assert not long, f"move to data/*.json (kejiju.core.demodata): {long}"


def test_demo_and_scale_modules_stay_out_of_the_running_portal():
    """Only the seeding commands (through AppConfig.seed_demo/seed_scale, imported there) and other seeders
    reach a demo or scale module: a request never imports them."""
    seeding = {name for name in MODULES if name.rpartition(".")[2] in {"demo", "scale", "apps"}}
    reached = sorted(
        f"{name} -> {target}"
        for name, path in MODULES.items()
        if name not in seeding and ".management." not in name
        for target in _imports(name, path)
        if target.rpartition(".")[2] in {"demo", "scale"}
    )
    assert not reached, "\n".join(reached)
