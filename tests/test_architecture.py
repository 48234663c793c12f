"""The package's layout keeps its rules: layers, Java in one place, no cycles, small parts.

Read from the source with ``ast`` (lazy imports inside functions included);
no Java needed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ij_bgcorr"
JAVA_MODULES = ("jpype", "scyjava", "imagej", "imglyb")
# A layer may import only the layers listed for it (and the shared core modules).
LAYERS = {
    "image": set(),
    "data": {"image"},
    "macro": {"image"},
    "tiled": {"image"},
    "reference": {"image", "tiled"},
    "engine": {"image", "data", "macro", "tiled"},
    "crossval": {"image", "macro", "reference", "engine", "workflows"},
    "workflows": {"image", "macro", "engine"},
    "batch": {"image", "macro", "engine", "workflows", "reference", "tiled"},
    "cli": {"image", "data", "macro", "engine", "crossval", "batch", "workflows"},
}
CORE = {"errors", "options", "methods", "validation", "_lazy"}


def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
        ".__init__"): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


MODULES = _modules()


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


@pytest.mark.parametrize("module", sorted(MODULES))
def test_java_is_imported_only_in_the_engine(module: str) -> None:
    java = {n for n in _imports(MODULES[module]) if n.split(".")[0] in JAVA_MODULES}
    assert not java or _layer(module) == "engine", (module, java)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_layer_imports_only_the_layers_below(module: str) -> None:
    layer = _layer(module)
    if layer not in LAYERS:
        return
    allowed = LAYERS[layer] | CORE | {layer}
    used = {_layer(n) for n in _imports(MODULES[module]) if n.startswith("ij_bgcorr.")}
    assert used <= allowed, (module, used - allowed)


def test_no_import_cycle_between_modules() -> None:
    graph = {m: {n for n in _imports(p) if n in MODULES and n != m} for m, p in MODULES.items()}
    graph = {m: {n for n in deps if not m.startswith(n + ".")} for m, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for dep in graph[module]:
            if state.get(dep) == 1:
                raise AssertionError(" -> ".join([*path, module, dep]))
            if dep not in state:
                visit(dep, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_and_functions_stay_small(module: str) -> None:
    source = MODULES[module].read_text()
    assert source.count("\n") <= 400, module
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno - node.lineno < 80, (module, node.name)
