"""The import structure: no circle among modules, and imports go one way through the layers.

Every ``import`` statement counts, including those inside functions (a circle hidden in a function is still a
circle). A module depends on another when it imports it, a name from it, or a name from a package (the package's
``__init__``, which imports its modules).
"""
import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOP_PACKAGES = ("krigflow", "pes", "graphs")

#: Layers, bottom to top: a module may import its own layer's and lower layers' modules only.
LAYERS = [
    ("krigflow.exceptions", "krigflow._validate"),
    ("krigflow.wells", "krigflow.grid", "krigflow.well_effect", "krigflow.consistency", "krigflow.normalize"),
    ("krigflow.variogram",),
    ("krigflow.kriging", "krigflow.stats"),
    ("krigflow.conditioning", "krigflow.realizations", "krigflow.trend", "krigflow.zones", "krigflow.crossval",
     "krigflow.residual", "krigflow.tool_offsets"),
    ("krigflow.io", "krigflow.plotting"),
    ("krigflow.run",),
    ("krigflow.distributed", "krigflow.cli"),
    ("krigflow",),
    ("pes",),
    ("graphs",),
]


def module_files():
    """Map every module name of the three packages to its file."""
    found = {}
    for top in TOP_PACKAGES:
        for folder, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = [d for d in dirs if not d.startswith((".", "__"))]
            for name in files:
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    rel = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
                    found[rel[: -len(".__init__")] if rel.endswith(".__init__") else rel] = path
    return found


def imports_of(name, path, modules):
    """The project modules that the module ``name`` imports anywhere in its file."""
    is_package = path.endswith("__init__.py")
    package = name if is_package else name.rpartition(".")[0]
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module
            targets.add(mod)
            targets.update(f"{mod}.{alias.name}" for alias in node.names)
    deps = set()
    for target in targets:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != name:
            deps.add(target)
    return deps


def import_graph():
    modules = module_files()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def layer_of(name):
    """Index of the most specific layer entry that contains ``name``."""
    best = None
    for index, entries in enumerate(LAYERS):
        for entry in entries:
            if name == entry or name.startswith(entry + "."):
                if best is None or len(entry) > best[1]:
                    best = (index, len(entry))
    return None if best is None else best[0]


def find_cycle(graph):
    """One import circle as a list of modules, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if dep == node.rpartition(".")[0] and graph.get(dep) and node in graph[dep]:
                # a package's __init__ importing its own module, which imports a sibling through the package:
                # still a circle, reported like any other
                pass
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if state.get(dep) is None:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_find_cycle_finds_a_circle():
    """The circle finder reports a circle of three modules and none in a tree."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_circle():
    """No module imports itself through others, counting imports inside functions."""
    graph = import_graph()
    assert len(graph) > 20
    cycle = find_cycle(graph)
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_imports_go_one_way_through_the_layers():
    """wells, grid → variogram → kriging, stats → realizations → io, plotting → run → distributed, cli → pes → graphs."""
    graph = import_graph()
    unplaced = sorted(name for name in graph if layer_of(name) is None)
    assert not unplaced, f"modules in no layer (add them to LAYERS): {unplaced}"
    upward = []
    for name, deps in graph.items():
        for dep in deps:
            if dep == "krigflow" and name.startswith("krigflow."):
                upward.append((name, dep))
            elif layer_of(dep) > layer_of(name):
                upward.append((name, dep))
    assert not upward, "imports against the layers: " + "; ".join(f"{a} imports {b}" for a, b in sorted(upward))


@pytest.mark.parametrize("top", TOP_PACKAGES)
def test_no_module_above_600_lines(top):
    """One concept per module: none is longer than about 600 lines."""
    long = {}
    for name, path in module_files().items():
        if name.split(".")[0] == top:
            with open(path, encoding="utf-8") as f:
                n = sum(1 for _ in f)
            if n > 620:
                long[name] = n
    assert not long, f"modules above ~600 lines: {long}"
