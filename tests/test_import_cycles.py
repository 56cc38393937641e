"""No module of gpid_node imports, directly or through others, a module that imports it back.

Every import counts: at the top, inside functions, and under ``TYPE_CHECKING`` (a cycle there is a
design cycle all the same). An import of a package counts as an import of its ``__init__``.
"""

from __future__ import annotations

from support.imports import graph, imports_in



def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(edges.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_in_gpid_node() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_import_walk_sees_type_checking_function_level_and_relative_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from gpid_node.b import Thing\n"
        "def f():\n    import gpid_node.c\n"
        "from . import d\nfrom .e import name\n"
    )
    modules = {"gpid_node.a", "gpid_node.b", "gpid_node.c", "gpid_node.d", "gpid_node.e"}
    assert imports_in(source, "gpid_node.a", False, modules) == modules - {"gpid_node.a"}
