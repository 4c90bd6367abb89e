"""Schedules built without a solver.

``greedy`` places requests one by one, heaviest and hardest first, each in its first slot
that fits, in a few milliseconds. ``solve`` begins with it, then rounds the relaxation's
fractional schedule (``_rounded``) and inserts requests left out by moving the meetings in
their way (ejection chains, ``_ejection_chains``), keeping the better of the two.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from .bound import _trivial_bound
from .compiled import _compile, _Compiled
from .grid import _Grid
from .problem import Problem, Schedule
from .result import _schedule


def greedy(problem: Problem) -> Schedule:
    """Requests one by one, heaviest and hardest first, each in its first slot that fits.

    A re-schedule first keeps every previous meeting that still fits where it was.
    """
    start = time.perf_counter()
    c = _compile(problem)
    grid = _greedy_grid(c)
    return _schedule(c, grid, _trivial_bound(c), start, "greedy")


def _greedy_grid(c: _Compiled) -> _Grid:
    grid = _Grid(c)
    previous = c.previous
    for r, s in previous.items():  # a re-schedule keeps what still fits where it was
        if grid.fits(r, s):
            grid.place(r, s)
    grid.fill(c.order)
    return grid


def _ejection_chains(c: _Compiled, grid: _Grid, deadline: float, depth: int = 3) -> None:
    """Insert unplaced requests by moving meetings in their way, until a pass finds none or
    time runs out. Every success places one more request and unplaces none."""
    order = c.order
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for r in order:
            if r in grid.slot_of or not c.options[r] or not c.weights[r]:
                continue  # a meeting of no weight is not worth moving others for
            if grid.insert(r, depth, set()):
                improved = True
            if time.perf_counter() >= deadline:
                break
    grid.journal.clear()


def _rounded(c: _Compiled, columns: Sequence[tuple[int, int]], values: Sequence[float]) -> _Grid:
    """The relaxation's schedule made whole: previous meetings that still fit stay, then
    (request, slot) pairs by falling fractional value, then the greedy for the rest.

    The relaxation spreads each request over its slots; following its largest shares gives a
    far better start for the chains than the greedy's first-fit (99.0% of the bound against
    95.9% at 1,000 participants).
    """
    grid = _Grid(c)
    for r, s in c.previous.items():
        if grid.fits(r, s):
            grid.place(r, s)
    for j in sorted(range(len(columns)), key=lambda j: -values[j]):
        if values[j] < 0.01:
            break
        r, s = columns[j]
        if r not in grid.slot_of and grid.fits(r, s):
            grid.place(r, s)
    grid.fill(c.order)
    grid.journal.clear()
    return grid
