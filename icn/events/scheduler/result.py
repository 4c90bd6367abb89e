"""A grid turned into a ``Schedule``.

Requests that still fit are placed first, so that every request left out has a reason;
then table numbers are dealt (the model works on slots only, the tables of a slot being
interchangeable); then the schedule counts its weight and the meetings moved or dropped
since the previous one, and gives a reason for each request left out.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from .compiled import _Compiled
from .explain import _reason
from .grid import _Grid
from .problem import Schedule


def _tables(c: _Compiled, slot_of: Mapping[int, int]) -> dict[int, tuple[int, int]]:
    """Deal table numbers: locked meetings keep theirs, a meeting still in its previous slot
    keeps its previous table if free, the others take the lowest free tables."""
    out: dict[int, tuple[int, int]] = dict(c.locks)
    taken = [set(t) for t in c.lock_tables]
    rest: list[int] = []
    for r in sorted(slot_of):
        s = slot_of[r]
        before = c.problem.previous.get(r)
        if (
            before is not None
            and before[0] == s
            and 0 <= before[1] < c.problem.tables
            and before[1] not in taken[s]
        ):
            out[r] = (s, before[1])
            taken[s].add(before[1])
        else:
            rest.append(r)
    next_table = [0] * len(taken)
    for r in rest:
        s = slot_of[r]
        t = next_table[s]
        while t in taken[s]:
            t += 1
        if t >= c.problem.tables:  # the model keeps a slot within its tables
            raise AssertionError(f"slot {s} has more meetings than tables")
        taken[s].add(t)
        next_table[s] = t + 1
        out[r] = (s, t)
    return out


def _schedule(c: _Compiled, grid: _Grid, bound: float, start: float, status: str) -> Schedule:
    """The grid as a schedule; first it takes any request that still fits (a search cut
    short, or a meeting of no weight), so that every request left out has a reason."""
    grid.fill(c.order)
    grid.journal.clear()
    assignments = _tables(c, grid.slot_of)
    weight = sum(c.weights[r] for r in assignments)
    unplaced = {r: _reason(c, grid, r) for r in range(len(c.ends)) if r not in assignments}
    moved = dropped = 0
    for r, where in c.problem.previous.items():
        if r not in assignments:
            dropped += 0 <= r < len(c.ends)
        elif assignments[r] != tuple(where):
            moved += 1
    return Schedule(
        assignments=assignments,
        placed=len(assignments),
        weight=weight,
        bound=bound,
        seconds=round(time.perf_counter() - start, 3),
        status="optimal" if weight >= bound else status,
        unplaced=unplaced,
        moved=moved,
        dropped=dropped,
    )
