"""No import circles (issue #20): the graph of polyflow's modules, built from their
source with ``ast`` and counting every import that runs (module level or inside a
function, but not under ``if TYPE_CHECKING:``), is acyclic; and a few modules that used
to sit on circles import alone in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "polyflow"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or \
        (isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _target(name: str) -> str | None:
    """The polyflow module an imported dotted name lives in (the longest prefix that is
    a module), or None outside polyflow."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def imports_of(module: str) -> set[str]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from pkg import sub" imports the module pkg.sub; "from mod import f", mod
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                     for a in node.names]
        else:
            continue
        for n in names:
            t = _target(n)
            if t is not None and t != module:
                out.add(t)
    return out


def import_graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for m in MODULES:
        g.add_node(m)
        g.add_edges_from((m, t) for t in imports_of(m))
    return g


def test_the_graph_sees_imports():
    """The parser finds what it must (a test that cannot fail would be a defect)."""
    g = import_graph()
    assert g.has_edge("polyflow.solve.driver", "polyflow.solve.newton")
    assert g.has_edge("polyflow.flowsheet", "polyflow.solve.driver")     # in a method
    assert not g.has_edge("polyflow.report.tables", "polyflow.result")   # TYPE_CHECKING
    loop = nx.DiGraph([("a", "b"), ("b", "a")])
    assert not nx.is_directed_acyclic_graph(loop)


def test_polyflow_has_no_import_circle():
    g = import_graph()
    cycles = list(nx.simple_cycles(g))
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


ALONE = ["polyflow.result", "polyflow.report.water", "polyflow.report.lines",
         "polyflow.report.tables", "polyflow.report.compare", "polyflow.report.xlsx",
         "polyflow.report.export", "polyflow.report.layout", "polyflow.flowsheet",
         "polyflow.solve.driver", "polyflow.solve.record"]


@pytest.mark.parametrize("module", ALONE)
def test_module_imports_alone(module):
    out = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                         text=True, check=False)
    assert out.returncode == 0, out.stderr
