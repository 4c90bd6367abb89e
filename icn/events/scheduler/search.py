"""``solve``: the greedy schedule improved until the time limit, with a proof of its gap.

The steps: the linear relaxation (the bound, and a fractional schedule), that schedule
rounded and improved by ejection chains, then a large neighbourhood search in which CP-SAT
re-plans a few participants' meetings (or two slots) at a time, the polish of ``cpsat``
beside it on events small enough. Progress goes out at most once every PROGRESS_EVERY
seconds.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from .bound import (
    _columns,
    _full_rows,
    _relaxation,
    _rows,
    _trivial_bound,
    _whole,
)
from .compiled import _compile, _Compiled
from .cpsat import _model, _Polish, _solver
from .greedy import _ejection_chains, _greedy_grid, _rounded
from .grid import _done, _Grid, _value
from .problem import Problem, Schedule
from .result import _schedule

# Progress reports during the search come at most this often (seconds).
PROGRESS_EVERY = 1.0
# The relaxation may take this share of the time left after the greedy (PDLP needs about
# 1 s for 5,000 requests and 4 s for 15,000 on one core); ejection chains stop at this share
# of the time limit at the latest.
LP_SHARE = 0.3
CHAINS_UNTIL = 0.5
WRAP_UP_PER_REQUEST = 1e-5
# Participants whose meetings one step of the neighbourhood search re-plans, after a gain.
# A step that CP-SAT cannot close in STEP_SECONDS makes it smaller; STUCK_SECONDS without a
# gain make it larger. (At 1,000 participants 6 to 8 did best as a fixed size: more, larger
# steps found fewer gains in the same time.)
NEIGHBOURHOOD = 8
NEIGHBOURHOOD_MAX = 40
STEP_SECONDS = 0.5
STUCK_SECONDS = 2.0
SLOT_PAIR_SHARE = 0.2
# The whole model beside the search: up to this many variables (40,000 at 1,000
# participants: optimal in 11-15 s; at 117,000 it found one meeting more in 90 s), started at
# once up to POLISH_AT_ONCE_COLUMNS, else after this share of the time limit.
POLISH_COLUMNS = 60_000
POLISH_AT_ONCE_COLUMNS = 5_000
POLISH_WAIT = 0.1


def solve(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    progress: Callable[[Schedule], None] | None = None,
) -> Schedule:
    """The greedy schedule first, then better ones until ``time_limit`` seconds (everything
    included), until one meets the bound or CP-SAT proves one optimal.

    The steps: the linear relaxation (the bound, and a fractional schedule); that schedule
    rounded, completed and improved by ejection chains; then CP-SAT in two ways at once: a
    large neighbourhood search re-plans a few participants' meetings at a time, and, on
    events up to POLISH_COLUMNS variables, the whole model runs beside it in a second
    thread, told to stay close to the best schedule so far (see ``_Polish``).

    ``progress`` gets the greedy schedule and each better one, at most once a second. With
    ``previous`` the weight comes first and, among schedules of the same weight, the fewest
    previous meetings moved or dropped.
    """
    start = time.perf_counter()
    c = _compile(problem)
    # Kept back for stopping the second thread and turning the last grid into a schedule
    # (0.09 s for 15,000 requests).
    deadline = start + time_limit - 0.05 - WRAP_UP_PER_REQUEST * len(c.ends)
    grid = _greedy_grid(c)
    locked = sum(c.weights[r] for r in c.locks)
    bound = _trivial_bound(c)
    best = _schedule(c, grid, bound, start, "greedy")
    if progress is not None:
        progress(best)
    if _done(c, grid, bound) or time.perf_counter() >= deadline:
        return best

    columns = _columns(c)
    rows = _full_rows(c, columns)
    left = deadline - time.perf_counter()
    relaxed, values = _relaxation(c, columns, rows, LP_SHARE * left)
    bound = min(bound, _whole(locked + relaxed))
    rounded = _rounded(c, columns, values)
    _ejection_chains(c, rounded, min(deadline, start + CHAINS_UNTIL * time_limit))
    if _value(c, rounded) > _value(c, grid):
        grid = rounded
    reporter = _Reporter(c, start, progress)
    reporter.report(grid, bound, force=True)
    if _done(c, grid, bound) or time.perf_counter() >= deadline:
        return _schedule(c, grid, bound, start, "feasible")

    polish = None
    if len(columns) <= POLISH_COLUMNS:
        # A small model can start at once; a larger one needs a schedule close to the best
        # first (from 94.5% of the bound it found nothing in 25 s, from 99.2% the optimum).
        wait = 0.0 if len(columns) <= POLISH_AT_ONCE_COLUMNS else POLISH_WAIT * time_limit
        polish = _Polish(c, columns, rows, bound, deadline, time.perf_counter() + wait)
    try:
        optimal = _search(c, grid, bound, deadline, reporter, polish)
    finally:
        if polish is not None:
            polish.stop()
    if polish is not None:
        polish.adopt(grid)
        optimal = optimal or polish.optimal
        bound = min(bound, polish.bound)
    result = _schedule(c, grid, bound, start, "feasible")
    if optimal:
        result.status = "optimal"
    return result


class _Reporter:
    """Hands schedules to ``progress``, at most once every PROGRESS_EVERY seconds; a better
    schedule that comes sooner waits (``pending``) and goes out with the next ``flush``."""

    def __init__(
        self, c: _Compiled, start: float, progress: Callable[[Schedule], None] | None
    ) -> None:
        self.c, self.start, self.progress = c, start, progress
        self.last = -math.inf
        self.pending = False

    def report(self, grid: _Grid, bound: float, *, force: bool = False) -> None:
        if self.progress is None:
            return
        self.pending = True
        self.flush(grid, bound, force=force)

    def flush(self, grid: _Grid, bound: float, *, force: bool = False) -> None:
        now = time.perf_counter()
        due = force or now - self.last >= PROGRESS_EVERY
        if self.progress is not None and self.pending and due:
            self.last, self.pending = now, False
            self.progress(_schedule(self.c, grid, bound, self.start, "feasible"))


@dataclass
class _Outcome:
    applied: bool  # the grid now holds CP-SAT's answer (no worse than before)
    improved: bool  # and it is better
    optimal: bool  # CP-SAT closed the neighbourhood


def _replan(
    c: _Compiled,
    grid: _Grid,
    requests: Sequence[int],
    seconds: float,
    slots: Collection[int] | None = None,
) -> _Outcome:
    """Re-plan ``requests`` with CP-SAT (in ``slots`` only, if given), every other meeting
    where it is; keep the answer if it is no worse than what the grid holds (equal answers
    move the search along)."""
    from ortools.sat.python import cp_model

    chosen = set(requests)
    columns: list[tuple[int, int]] = []
    for r in requests:
        a, b = c.ends[r]
        for s in c.options[r]:
            if slots is not None and s not in slots:
                continue
            ma, mb = grid.at[a].get(s), grid.at[b].get(s)
            if (ma is None or ma in chosen) and (mb is None or mb in chosen):
                columns.append((r, s))
    tables_left = list(grid.left)
    caps_left = [cap - n for cap, n in zip(c.caps, grid.count, strict=True)]
    for r in requests:
        if r in grid.slot_of:
            tables_left[grid.slot_of[r]] += 1
            for p in c.ends[r]:
                caps_left[p] += 1
    previous = c.previous
    # Lexicographic: one unit of weight is worth more than keeping every previous meeting.
    scale = sum(1 for r in requests if r in previous) + 1
    gains = [scale * c.weights[r] + int(previous.get(r) == s) for r, s in columns]
    current = sum(
        scale * c.weights[r] + int(previous.get(r) == slot)
        for r, slot in grid.slot_of.items()
        if r in chosen
    )
    rows = _rows(c, columns, tables_left, caps_left)
    model, x = _model(c, columns, rows, gains, grid.slot_of)
    solver = _solver(seconds)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Outcome(False, False, False)
    value = round(solver.objective_value)
    if value < current:  # pragma: no cover - CP-SAT starts from the hint
        return _Outcome(False, False, False)
    for r in requests:
        if r in grid.slot_of:
            grid.remove(r)
    for (r, s), v in zip(columns, x, strict=True):
        if solver.boolean_value(v):
            grid.place(r, s)
    grid.journal.clear()
    return _Outcome(applied=True, improved=value > current, optimal=status == cp_model.OPTIMAL)


def _search(
    c: _Compiled,
    grid: _Grid,
    bound: float,
    deadline: float,
    reporter: _Reporter,
    polish: _Polish | None,
) -> bool:
    """Large neighbourhood search until the deadline; True if it ends proved optimal.

    Pick a request that is not placed (or, in a re-schedule, one moved from its previous
    slot) and let CP-SAT re-plan the meetings around it with the rest fixed; repeat. The
    meetings around it are either those of the participants in its way
    (``_neighbourhood``), or all those of two slots, one of them its own, for
    SLOT_PAIR_SHARE of the time: a step of the first kind is cheap and finds most of the
    gains on large events, the second moves whole chains of meetings between two slots,
    which events with a tight complete schedule need.
    """
    rng = random.Random(1)
    previous = c.previous
    size, since = NEIGHBOURHOOD, time.perf_counter()  # since the last gain or growth
    seeds: list[int] = []
    stale = True
    spent = [0.0, 0.0]  # seconds in steps of each kind
    while time.perf_counter() < deadline - 0.01:
        reporter.flush(grid, bound)
        if polish is not None:
            if polish.due():
                polish.start(grid)
            if polish.adopt(grid):
                stale = True
                reporter.report(grid, bound)
            if polish.finished():
                if polish.optimal:
                    return True
                polish = None
        if stale:
            if _done(c, grid, bound):
                return True
            seeds = [r for r in c.free if r not in grid.slot_of and c.options[r]]
            seeds += [r for r, s in previous.items() if grid.slot_of.get(r) != s]
            stale = False
        if not seeds:
            return True  # every request that has a slot to go in is placed, where it was
        seed = rng.choice(seeds)
        began = time.perf_counter()
        seconds = min(STEP_SECONDS, deadline - began)
        kind = int(spent[1] < SLOT_PAIR_SHARE * (spent[0] + spent[1]))
        if kind == 0:
            people = _neighbourhood(c, grid, seed, size, rng)
            requests = sorted({r for p in people for r in c.by_participant[p] if c.options[r]})
            outcome = _replan(c, grid, requests, seconds)
        else:
            pair = _slot_pair(c, seed, rng)
            requests = [
                r
                for r in c.free
                if (r in grid.slot_of and grid.slot_of[r] in pair)
                or (r not in grid.slot_of and pair.intersection(c.options[r]))
            ]
            outcome = _replan(c, grid, requests, seconds, slots=pair)
        stale = stale or outcome.applied
        spent[kind] += time.perf_counter() - began
        if outcome.improved:
            reporter.report(grid, bound)
        if kind == 1:
            continue
        if outcome.improved:
            size, since = NEIGHBOURHOOD, time.perf_counter()
        elif not outcome.optimal and seconds >= STEP_SECONDS:
            size = max(2, size - 1)
        elif time.perf_counter() - since >= STUCK_SECONDS:
            size, since = min(NEIGHBOURHOOD_MAX, size + 2), time.perf_counter()
    return False


def _slot_pair(c: _Compiled, seed: int, rng: random.Random) -> set[int]:
    """One of ``seed``'s slots and any other slot."""
    first = rng.choice(c.options[seed])
    others = [s for s in range(c.problem.slots) if s != first]
    return {first, rng.choice(others)} if others else {first}


def _neighbourhood(
    c: _Compiled, grid: _Grid, seed: int, size: int, rng: random.Random
) -> list[int]:
    """``seed``'s participants, then those of the meetings that block it in its slots, then
    those blocking these meetings, breadth first, up to ``size`` participants."""
    chosen = list(dict.fromkeys(c.ends[seed]))
    queue, seen = [seed], {seed}
    while queue and len(chosen) < size:
        r = queue.pop(0)
        slots = list(c.options[r])
        rng.shuffle(slots)
        for s in slots:
            for p in c.ends[r]:
                m = grid.at[p].get(s)
                if m is None or m < 0 or m in seen:
                    continue
                seen.add(m)
                queue.append(m)
                for q in c.ends[m]:
                    if q not in chosen and len(chosen) < size:
                        chosen.append(q)
    return chosen
