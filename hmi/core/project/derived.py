"""The order in which derived tags are computed, and the loops that make one impossible.

A derived tag reads other tags; those that are derived themselves must be computed first.
The engine evaluates ``derived_order(project)`` front to back in one pass per change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..expr import compile_expr
from .models import Problem, Project, ProjectError, Source, TagConfig


def derived_order(project: Project) -> list[str]:
    """Derived tag names, each after the derived tags it reads, for one pass of evaluation."""
    dependencies = {
        tag.name: tuple(sorted(compile_expr(tag.expr).names))
        for tag in project.derived_tags
        if tag.expr is not None
    }
    order, cycles = dependency_order(dependencies)
    if cycles:
        raise ProjectError([cycle_problem(cycle, project.tags) for cycle in cycles])
    return order


def dependency_order(
    dependencies: Mapping[str, Iterable[str]],
) -> tuple[list[str], list[list[str]]]:
    """Depth-first post-order in definition order, and every loop found on the way."""
    order: list[str] = []
    cycles: list[list[str]] = []
    state: dict[str, bool] = {}  # False while on the current path, True once placed
    for start in dependencies:
        if start in state:
            continue
        state[start] = False
        path = [start]
        stack = [iter(dependencies[start])]
        while stack:
            for child in stack[-1]:
                if child not in dependencies:
                    continue
                if child not in state:
                    state[child] = False
                    path.append(child)
                    stack.append(iter(dependencies[child]))
                    break
                if state[child] is False:
                    cycles.append([*path[path.index(child) :], child])
            else:
                stack.pop()
                node = path.pop()
                state[node] = True
                order.append(node)
    return order, cycles


def cycle_problem(cycle: list[str], tags: Mapping[str, TagConfig]) -> Problem:
    def where(name: str) -> str:
        tag = tags.get(name)
        return f"{name} ({tag.source})" if tag is not None else name

    loop = " -> ".join([*(where(name) for name in cycle[:-1]), cycle[-1]])
    first = tags.get(cycle[0])
    return Problem(
        first.source if first is not None else Source(""),
        f"derived tags read each other in a loop: {loop}; "
        "a derived tag may only read tags that do not depend on it",
    )
