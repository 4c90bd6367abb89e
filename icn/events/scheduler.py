"""B2B meeting scheduling: accepted meeting requests placed into (slot, table), plain Python.

The contract the events app relies on: ``greedy`` places requests one by one in a few
milliseconds; ``solve`` starts from that, improves it with CP-SAT within a time limit and
proves how far from the best possible schedule it is (the bound of the linear relaxation,
solved with PDLP). Both explain every request they leave out.

The model works on slots only: the tables of a slot are interchangeable, so a request is
given a slot (at most ``tables`` meetings in it) and table numbers are dealt afterwards.
That is exact and removes the tables' symmetry from the search.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    """A meeting two participants want; ``locked`` pins it to (slot, table)."""

    a: str
    b: str
    weight: int = 1
    locked: tuple[int, int] | None = None


@dataclass(frozen=True)
class Problem:
    """Slots are numbered from 0; ``tables`` is the number of tables in every slot.

    ``available`` maps a participant to the slots they can meet in (a participant missing
    from it is available in every slot); ``caps`` to their most meetings (missing: no cap);
    ``previous`` is the schedule before a late change (request index -> (slot, table)), which
    a re-schedule disturbs as little as possible.
    """

    slots: int
    tables: int
    requests: Sequence[Request]
    available: Mapping[str, frozenset[int]] = field(default_factory=dict)
    caps: Mapping[str, int] = field(default_factory=dict)
    previous: Mapping[int, tuple[int, int]] = field(default_factory=dict)


@dataclass
class Schedule:
    """Where each placed request goes, how good that is, and why the others are not placed."""

    assignments: dict[int, tuple[int, int]]  # request index -> (slot, table)
    placed: int
    weight: int
    bound: float  # an upper bound on the weight any schedule can place
    seconds: float
    status: str  # "optimal", "feasible" or "greedy"
    unplaced: dict[int, str] = field(default_factory=dict)  # request index -> reason
    moved: int = 0  # requests placed elsewhere than in ``previous``
    dropped: int = 0  # requests placed in ``previous`` and not placed now

    @property
    def gap(self) -> float:
        return 0.0 if self.bound <= 0 else max(0.0, 1.0 - self.weight / self.bound)


# PDLP stops at this gap (relative and absolute) between its primal and dual objectives.
# The bound does not depend on it being met: it is recomputed from the dual values (see
# _dual_bound), valid for any non-negative duals; a looser tolerance only makes it looser.
LP_TOLERANCE = 1e-4
# Progress reports during the search come at most this often (seconds).
PROGRESS_EVERY = 1.0


# ---------------------------------------------------------------------------------------
# The problem, checked and indexed


@dataclass
class _Compiled:
    """The problem with participants numbered, locks checked and each request's options."""

    problem: Problem
    names: list[str]
    ends: list[tuple[int, int]]  # request -> (participant a, participant b)
    weights: list[int]
    available: list[frozenset[int]]  # participant -> slots, within range
    caps: list[int]  # participant -> most meetings (a large number when uncapped)
    locks: dict[int, tuple[int, int]]  # request -> (slot, table): the locks that hold
    invalid: dict[int, str]  # request -> why it cannot be placed at all
    lock_busy: list[set[int]]  # participant -> slots taken by locked meetings
    lock_count: list[int]  # participant -> locked meetings
    lock_tables: list[set[int]]  # slot -> tables taken by locked meetings
    free: list[int]  # requests the scheduler may place
    options: dict[int, list[int]]  # free request -> slots it may go in
    by_participant: list[list[int]]  # participant -> free requests they are part of
    order: list[int]  # free requests in the greedy's order
    previous: dict[int, int]  # free request -> its previous slot, where that is still an option


def _compile(problem: Problem) -> _Compiled:
    slots, tables = max(0, problem.slots), max(0, problem.tables)
    index: dict[str, int] = {}
    names: list[str] = []

    def number(name: str) -> int:
        if name not in index:
            index[name] = len(names)
            names.append(name)
        return index[name]

    ends = [(number(r.a), number(r.b)) for r in problem.requests]
    for name in list(problem.available) + list(problem.caps):
        number(name)
    every = frozenset(range(slots))
    available = [
        frozenset(s for s in problem.available[n] if 0 <= s < slots)
        if n in problem.available
        else every
        for n in names
    ]
    uncapped = len(problem.requests) + 1
    caps = [max(0, problem.caps.get(n, uncapped)) for n in names]

    invalid: dict[int, str] = {}
    locks: dict[int, tuple[int, int]] = {}
    lock_busy: list[set[int]] = [set() for _ in names]
    lock_count = [0] * len(names)
    lock_tables: list[set[int]] = [set() for _ in range(slots)]
    holder: dict[tuple[int, int], int] = {}  # (participant, slot) or (-1 - table, slot) -> r
    for r, request in enumerate(problem.requests):
        a, b = ends[r]
        if a == b:
            invalid[r] = f"{request.a} cannot meet themselves"
            continue
        if request.locked is None:
            continue
        s, t = request.locked
        why = None
        if not 0 <= s < slots:
            why = f"it is locked to slot {s}, and the event has {_numbered('slots', slots)}"
        elif not 0 <= t < tables:
            why = f"it is locked to table {t}, and the event has {_numbered('tables', tables)}"
        elif t in lock_tables[s]:
            why = f"it is locked to table {t} in slot {s}, where request {holder[-1 - t, s]} is"
        else:
            for p in (a, b):
                if s in lock_busy[p]:
                    why = f"{names[p]} is locked into request {holder[p, s]} in slot {s}"
                elif s not in available[p]:
                    why = f"it is locked to slot {s}, where {names[p]} is not available"
                elif lock_count[p] >= caps[p]:
                    why = f"{names[p]} reached the cap of {caps[p]} meetings with locked ones"
                if why:
                    break
        if why:
            invalid[r] = why
            continue
        locks[r] = (s, t)
        lock_tables[s].add(t)
        holder[-1 - t, s] = r
        for p in (a, b):
            lock_busy[p].add(s)
            lock_count[p] += 1
            holder[p, s] = r

    free = [r for r in range(len(ends)) if r not in invalid and r not in locks]
    options: dict[int, list[int]] = {}
    by_participant: list[list[int]] = [[] for _ in names]
    for r in free:
        a, b = ends[r]
        if lock_count[a] >= caps[a] or lock_count[b] >= caps[b]:
            options[r] = []
        else:
            shared = (available[a] & available[b]) - lock_busy[a] - lock_busy[b]
            options[r] = sorted(s for s in shared if len(lock_tables[s]) < tables)
        by_participant[a].append(r)
        by_participant[b].append(r)
    previous = {
        r: where[0]
        for r, where in sorted(problem.previous.items())
        if r in options and where[0] in options[r]
    }
    weights = [max(0, r.weight) for r in problem.requests]  # below 0 counts as 0
    return _Compiled(
        problem=problem,
        names=names,
        ends=ends,
        weights=weights,
        available=available,
        caps=caps,
        locks=locks,
        invalid=invalid,
        lock_busy=lock_busy,
        lock_count=lock_count,
        lock_tables=lock_tables,
        free=free,
        options=options,
        by_participant=by_participant,
        order=_greedy_order(ends, weights, options, free, by_participant),
        previous=previous,
    )


def _numbered(things: str, n: int) -> str:
    """'slots 0-15', 'slots 0' or 'no slots': how many there are, in the numbering of the
    reasons (the events app turns such ranges into times and table names)."""
    return f"no {things}" if n <= 0 else f"{things} 0" if n == 1 else f"{things} 0-{n - 1}"


class _Grid:
    """Who meets whom when, and how many tables are left: the state a placement changes.

    Every change is journaled, so a chain of moves that does not pay off can be undone.
    """

    def __init__(self, c: _Compiled) -> None:
        self.c = c
        self.at: list[dict[int, int]] = [{} for _ in c.names]  # participant -> slot -> request
        for p, slots in enumerate(c.lock_busy):
            for s in slots:
                self.at[p][s] = -1  # a locked meeting, never moved
        self.count = list(c.lock_count)
        self.left = [c.problem.tables - len(taken) for taken in c.lock_tables]
        self.slot_of: dict[int, int] = {}
        self.journal: list[tuple[int, int, bool]] = []  # (request, slot, placed)

    def fits(self, r: int, s: int) -> bool:
        a, b = self.c.ends[r]
        return (
            self.left[s] > 0
            and s not in self.at[a]
            and s not in self.at[b]
            and self.count[a] < self.c.caps[a]
            and self.count[b] < self.c.caps[b]
        )

    def place(self, r: int, s: int) -> None:
        a, b = self.c.ends[r]
        self.at[a][s] = self.at[b][s] = r
        self.count[a] += 1
        self.count[b] += 1
        self.left[s] -= 1
        self.slot_of[r] = s
        self.journal.append((r, s, True))

    def remove(self, r: int) -> None:
        s = self.slot_of.pop(r)
        a, b = self.c.ends[r]
        del self.at[a][s], self.at[b][s]
        self.count[a] -= 1
        self.count[b] -= 1
        self.left[s] += 1
        self.journal.append((r, s, False))

    def undo(self, mark: int) -> None:
        while len(self.journal) > mark:
            r, s, placed = self.journal.pop()
            if placed:
                self.remove(r)
            else:
                self.place(r, s)
            self.journal.pop()

    def fill(self, order: Iterable[int]) -> None:
        """Place each request of ``order`` in its previous slot if it still fits there, else
        in its first slot that does."""
        for r in order:
            if r in self.slot_of:
                continue
            before = self.c.previous.get(r)
            for s in ([before] if before is not None else []) + self.c.options[r]:
                if self.fits(r, s):
                    self.place(r, s)
                    break

    def insert(self, r: int, depth: int, chain: set[int]) -> bool:
        """Place ``r``, moving up to ``depth`` levels of meetings in its way elsewhere (an
        ejection chain, as in recolouring the edges of a graph). Changes nothing on failure."""
        a, b = self.c.ends[r]
        if self.count[a] >= self.c.caps[a] or self.count[b] >= self.c.caps[b]:
            return False
        blocked: list[tuple[int, int, list[int]]] = []
        for s in self.c.options[r]:
            in_way = [m for m in {self.at[a].get(s), self.at[b].get(s)} if m is not None]
            if not in_way:
                if self.left[s] > 0:
                    self.place(r, s)
                    return True
                continue
            movable = -1 not in in_way and not chain.intersection(in_way)
            if movable and len(in_way) <= depth:
                blocked.append((len(in_way), s, in_way))
        blocked.sort(key=lambda item: item[0])
        for _n, s, in_way in blocked:
            mark = len(self.journal)
            for m in in_way:
                self.remove(m)
            self.place(r, s)
            inner = chain | {r, *in_way}
            if all(self.insert(m, depth - len(in_way), inner) for m in in_way):
                return True
            self.undo(mark)
        return False


def _greedy_order(
    ends: Sequence[tuple[int, int]],
    weights: Sequence[int],
    options: Mapping[int, Sequence[int]],
    free: Sequence[int],
    by_participant: Sequence[Sequence[int]],
) -> list[int]:
    """Heaviest first; among equals the request with the fewest slots to choose from, then
    the one whose participants have the most requests (they are the hardest to fit)."""
    load = [len(rs) for rs in by_participant]

    def key(r: int) -> tuple[int, int, int, int]:
        a, b = ends[r]
        return (-weights[r], len(options[r]), -max(load[a], load[b]), r)

    return sorted(free, key=key)


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


def _greedy_grid(c: _Compiled) -> _Grid:
    grid = _Grid(c)
    previous = c.previous
    for r, s in previous.items():  # a re-schedule keeps what still fits where it was
        if grid.fits(r, s):
            grid.place(r, s)
    grid.fill(c.order)
    return grid


# ---------------------------------------------------------------------------------------
# Tables, reasons and the result


def _ranges(values: Iterable[int]) -> str:
    """1, 2, 3, 5 -> '1-3, 5'."""
    out: list[str] = []
    run: list[int] = []
    for v in sorted(values):
        if run and v == run[-1] + 1:
            run.append(v)
            continue
        if run:
            out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [v]
    if run:
        out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ", ".join(out) if out else "none"


def _reason(c: _Compiled, grid: _Grid, r: int) -> str:
    """Why request ``r`` is not placed, given everything else that is."""
    if r in c.invalid:
        return c.invalid[r]
    a, b = c.ends[r]
    na, nb = c.names[a], c.names[b]
    capped = [
        f"{c.names[p]} reached the cap of {c.caps[p]} meeting{'' if c.caps[p] == 1 else 's'}"
        for p in (a, b)
        if grid.count[p] >= c.caps[p]
    ]
    if capped:
        return "; ".join(capped)
    shared = c.available[a] & c.available[b]
    if not shared:
        return (
            f"{na} and {nb} share no available slot: {na} is available in "
            f"{_ranges(c.available[a])}, {nb} in {_ranges(c.available[b])}"
        )
    busy_a = sorted(s for s in shared if s in grid.at[a])
    busy_b = sorted(s for s in shared if s in grid.at[b])
    full = sorted(s for s in shared if s not in grid.at[a] and s not in grid.at[b])
    parts = []
    if busy_a:
        parts.append(f"{na} is busy in {_ranges(busy_a)}")
    if busy_b:
        parts.append(f"{nb} is busy in {_ranges(busy_b)}")
    if full:
        parts.append(f"every table is taken in {_ranges(full)}")
    return f"{na} and {nb} are both available in {_ranges(shared)}, but " + "; ".join(parts)


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


# ---------------------------------------------------------------------------------------
# Bounds


def _trivial_bound(c: _Compiled) -> float:
    """The weight of every placeable request, or half of what each participant could take
    (their heaviest requests, as many as their cap and free slots allow), whichever is less;
    plus the locked meetings."""
    locked = sum(c.weights[r] for r in c.locks)
    placeable = [r for r in c.free if c.options[r] and c.weights[r] > 0]
    total = sum(c.weights[r] for r in placeable)
    per_participant = 0
    for p, rs in enumerate(c.by_participant):
        ws = sorted((c.weights[r] for r in rs if c.options[r] and c.weights[r] > 0), reverse=True)
        room = len(c.available[p] - c.lock_busy[p])
        per_participant += sum(ws[: max(0, min(c.caps[p] - c.lock_count[p], room))])
    return _whole(locked + min(total, per_participant / 2))


def _whole(bound: float) -> float:
    """Weights are whole numbers, so a bound can be rounded down to one. (The tolerance
    covers rounding in the bound's own sums, far below 1e-6 at any size here.)"""
    return float(math.floor(bound + 1e-6)) if math.isfinite(bound) else bound


Rows = list[tuple[int, list[int]]]  # (right-hand side, columns with coefficient 1), each <=


def _columns(c: _Compiled) -> list[tuple[int, int]]:
    """The slot model's variables: (request, slot) for each slot a free request may go in."""
    return [(r, s) for r in c.free for s in c.options[r]]


def _rows(
    c: _Compiled,
    columns: Sequence[tuple[int, int]],
    tables_left: Sequence[int],
    caps_left: Sequence[int],
) -> Rows:
    """The slot model's constraints over ``columns``: a request in at most one slot, a
    participant in at most one meeting per slot, at most ``tables_left[s]`` meetings in
    slot s, at most ``caps_left[p]`` meetings for participant p.

    Leaves out rows that cannot bind: a participant with one candidate meeting in a slot, a
    slot with fewer candidate meetings or participants than tables, a cap above what a
    participant could meet anyway.
    """
    by_request: dict[int, list[int]] = {}
    by_slot: dict[int, list[int]] = {}
    by_person_slot: dict[tuple[int, int], list[int]] = {}
    for j, (r, s) in enumerate(columns):
        by_request.setdefault(r, []).append(j)
        by_slot.setdefault(s, []).append(j)
        a, b = c.ends[r]
        by_person_slot.setdefault((a, s), []).append(j)
        by_person_slot.setdefault((b, s), []).append(j)
    rows: Rows = [(1, cols) for cols in by_request.values() if len(cols) > 1]
    rows.extend((1, cols) for cols in by_person_slot.values() if len(cols) > 1)
    people_in = [0] * len(tables_left)
    by_person: dict[int, list[int]] = {}
    slots_of: dict[int, int] = {}
    for (p, s), cols in by_person_slot.items():
        people_in[s] += 1
        by_person.setdefault(p, []).extend(cols)
        slots_of[p] = slots_of.get(p, 0) + 1
    for s, cols in sorted(by_slot.items()):
        if len(cols) > tables_left[s] and people_in[s] // 2 > tables_left[s]:
            rows.append((tables_left[s], cols))
    for p, cols in by_person.items():
        requests = len({columns[j][0] for j in cols})
        if caps_left[p] < min(slots_of[p], requests):
            rows.append((caps_left[p], cols))
    return rows


def _dual_bound(rows: Rows, costs: Sequence[float], duals: Sequence[float]) -> float:
    """Weak duality for max c·x, Ax <= b, 0 <= x <= 1: for any y >= 0,
    b·y + sum_j max(0, c_j - (A^T y)_j) bounds it from above. Negative duals are cut to 0,
    so an approximate dual still gives a valid (if looser) bound."""
    reduced = list(costs)
    total = 0.0
    for (rhs, cols), y in zip(rows, duals, strict=True):
        if y <= 0:
            continue
        total += rhs * y
        for j in cols:
            reduced[j] -= y
    return total + sum(v for v in reduced if v > 0)


def _relaxation(
    c: _Compiled, columns: Sequence[tuple[int, int]], rows: Rows, time_limit: float
) -> tuple[float, list[float]]:
    """The linear relaxation of the slot model, solved with PDLP (a first-order method: one
    sparse matrix-vector product per step, where simplex would pivot for minutes).

    Returns an upper bound on the weight of the free requests, computed from PDLP's duals
    so that it holds however far PDLP got, and PDLP's fractional solution.
    """
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("PDLP")
    if solver is None or not columns:  # pragma: no cover - PDLP ships in every wheel
        return (0.0 if not columns else math.inf), [0.0] * len(columns)
    costs = [float(max(0, c.weights[r])) for r, _s in columns]
    xs = [solver.NumVar(0.0, 1.0, "") for _ in columns]
    infinity = solver.infinity()
    constraints = []
    for rhs, cols in rows:
        ct = solver.Constraint(-infinity, float(rhs))
        for j in cols:
            ct.SetCoefficient(xs[j], 1.0)
        constraints.append(ct)
    objective = solver.Objective()
    for x, cost in zip(xs, costs, strict=True):
        objective.SetCoefficient(x, cost)
    objective.SetMaximization()
    solver.SetSolverSpecificParametersAsString(
        "termination_criteria { simple_optimality_criteria { "
        f"eps_optimal_absolute: {LP_TOLERANCE} eps_optimal_relative: {LP_TOLERANCE} }} "
        f"time_sec_limit: {max(0.1, time_limit):.3f} }} num_threads: 1"
    )
    solver.Solve()
    duals = [ct.dual_value() for ct in constraints]
    # Whatever sign convention the wrapper uses for a maximisation, one of the two is right
    # and both are valid bounds: take the lower.
    bound = min(_dual_bound(rows, costs, duals), _dual_bound(rows, costs, [-y for y in duals]))
    return bound, [x.solution_value() for x in xs]


def _full_rows(c: _Compiled, columns: Sequence[tuple[int, int]]) -> Rows:
    tables_left = [c.problem.tables - len(taken) for taken in c.lock_tables]
    caps_left = [cap - n for cap, n in zip(c.caps, c.lock_count, strict=True)]
    return _rows(c, columns, tables_left, caps_left)


def lp_bound(problem: Problem, *, time_limit: float = 10.0) -> float:
    """An upper bound on the weight any schedule of ``problem`` can place: the linear
    relaxation of the slot model (PDLP), or a counting bound when that is lower."""
    c = _compile(problem)
    columns = _columns(c)
    relaxed, _values = _relaxation(c, columns, _full_rows(c, columns), time_limit)
    locked = sum(c.weights[r] for r in c.locks)
    return min(_trivial_bound(c), _whole(locked + relaxed))


# ---------------------------------------------------------------------------------------
# The two schedulers


def greedy(problem: Problem) -> Schedule:
    """Requests one by one, heaviest and hardest first, each in its first slot that fits.

    A re-schedule first keeps every previous meeting that still fits where it was.
    """
    start = time.perf_counter()
    c = _compile(problem)
    grid = _greedy_grid(c)
    return _schedule(c, grid, _trivial_bound(c), start, "greedy")


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


def _value(c: _Compiled, grid: _Grid) -> tuple[int, int]:
    """What the scheduler maximises: weight, then previous meetings kept in their slot."""
    kept = sum(1 for r, s in c.previous.items() if grid.slot_of.get(r) == s)
    return _weight(c, grid), kept


def _weight(c: _Compiled, grid: _Grid) -> int:
    return sum(c.weights[r] for r in grid.slot_of) + sum(c.weights[r] for r in c.locks)


def _done(c: _Compiled, grid: _Grid, bound: float) -> bool:
    """Nothing left to gain: the bound is met and every previous meeting kept its slot."""
    if _weight(c, grid) < bound:
        return False
    return all(grid.slot_of.get(r) == s for r, s in c.previous.items())


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


def _model(
    c: _Compiled,
    columns: Sequence[tuple[int, int]],
    rows: Rows,
    gains: Sequence[int],
    hint: Mapping[int, int],
) -> tuple[Any, list[Any]]:
    """The slot model as a CP-SAT model: one Boolean per column, maximising ``gains``."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.new_bool_var("") for _ in columns]
    for rhs, cols in rows:
        if rhs == 1:
            model.add_at_most_one(x[j] for j in cols)
        else:
            model.add(sum(x[j] for j in cols) <= rhs)
    model.maximize(sum(g * v for g, v in zip(gains, x, strict=True) if g))
    for (r, s), v in zip(columns, x, strict=True):
        model.add_hint(v, hint.get(r) == s)
    return model, x


def _solver(seconds: float) -> Any:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = 1  # the search and the polish take one core each
    solver.parameters.random_seed = 1
    return solver


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


class _Polish:
    """The whole model in a thread of its own, beside the neighbourhood search.

    Its objective adds, to the weight, one unit for each request left in the slot it has in
    the best schedule so far (in a re-schedule: in ``previous``, the real second objective).
    Without that the relaxation has a whole face of optimal, fractional solutions and
    CP-SAT's search, which follows it, found nothing in 25 s at 1,000 participants; with it
    the relaxation's optimum sits next to that schedule and CP-SAT found and proved the
    optimum in 11-15 s.
    """

    def __init__(
        self,
        c: _Compiled,
        columns: Sequence[tuple[int, int]],
        rows: Rows,
        bound: float,
        deadline: float,
        begin: float,
    ) -> None:
        self.c, self.columns, self.rows = c, columns, rows
        self.deadline, self.begin = deadline, begin
        self.bound = bound
        self.optimal = False
        self.best: list[bool] | None = None  # the best answer not yet adopted
        self.best_value = (-1, -1)  # its (weight, previous meetings kept)
        self.found = (-1, -1)  # the value of the best answer found
        self.solver: Any = None
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.stopped = False

    def due(self) -> bool:
        return self.thread is None and not self.stopped and time.perf_counter() >= self.begin

    def start(self, grid: _Grid) -> None:
        """Build the model around ``grid`` (in the caller's thread) and solve it in another."""
        from ortools.sat.python import cp_model

        c, columns = self.c, self.columns
        near = c.previous or dict(grid.slot_of)
        scale = len(near) + 1
        gains = [scale * c.weights[r] + int(near.get(r) == s) for r, s in columns]
        model, x = _model(c, columns, self.rows, gains, grid.slot_of)
        self.solver = _solver(self.deadline - time.perf_counter())
        locked = sum(c.weights[r] for r in c.locks)
        polish = self

        class Watch(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                on = [self.boolean_value(v) for v in x]
                placed = [rs for rs, y in zip(columns, on, strict=True) if y]
                weight = locked + sum(c.weights[r] for r, _s in placed)
                kept = sum(1 for r, s in placed if c.previous.get(r) == s)
                with polish.lock:
                    if (weight, kept) > polish.found:
                        polish.best, polish.best_value = on, (weight, kept)
                        polish.found = (weight, kept)
                if not c.previous and weight >= polish.bound:
                    self.stop_search()  # the bound is met: nothing to gain

        def run() -> None:
            status = self.solver.solve(model, Watch())
            if status == cp_model.OPTIMAL:
                self.optimal = True
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                cp_bound = locked + self.solver.best_objective_bound / scale
                self.bound = min(self.bound, _whole(cp_bound))

        self.thread = threading.Thread(target=run, name="meeting-scheduler-polish", daemon=True)
        self.thread.start()

    def adopt(self, grid: _Grid) -> bool:
        """Put the polish's best answer into ``grid`` if it is better than what it holds."""
        with self.lock:
            on, value, self.best = self.best, self.best_value, None
        if on is None or value <= _value(self.c, grid):
            return False
        for r in list(grid.slot_of):
            grid.remove(r)
        for (r, s), yes in zip(self.columns, on, strict=True):
            if yes:
                grid.place(r, s)
        grid.journal.clear()
        return True

    def finished(self) -> bool:
        return self.thread is not None and not self.thread.is_alive()

    def stop(self) -> None:
        self.stopped = True
        while self.thread is not None and self.thread.is_alive():
            self.solver.stop_search()  # ignored if the solve has not begun yet: ask again
            self.thread.join(0.05)


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


# ---------------------------------------------------------------------------------------
# The instance format of benchmarks/scheduling.py --instance


def problem_from_json(data: Mapping[str, Any]) -> Problem:
    """``{"slots": 16, "tables": 40, "participants": [{"id": "p1", "available": [0, 1, 5],
    "cap": 6}], "requests": [{"a": "p1", "b": "p2", "weight": 1, "locked": [3, 0]}]}``;
    ``available``, ``cap``, ``weight`` and ``locked`` are optional; a participant left out is
    available in every slot. A re-schedule adds ``"previous": [{"request": 0, "slot": 3,
    "table": 0}]``, the schedule before the change."""
    available: dict[str, frozenset[int]] = {}
    caps: dict[str, int] = {}
    for person in data.get("participants", []):
        if "available" in person and person["available"] is not None:
            available[str(person["id"])] = frozenset(int(s) for s in person["available"])
        if person.get("cap") is not None:
            caps[str(person["id"])] = int(person["cap"])
    requests = []
    for item in data.get("requests", []):
        locked = item.get("locked")
        requests.append(
            Request(
                a=str(item["a"]),
                b=str(item["b"]),
                weight=int(item.get("weight", 1)),
                locked=(int(locked[0]), int(locked[1])) if locked else None,
            )
        )
    previous = {
        int(item["request"]): (int(item["slot"]), int(item["table"]))
        for item in data.get("previous", [])
    }
    return Problem(
        slots=int(data["slots"]),
        tables=int(data["tables"]),
        requests=requests,
        available=available,
        caps=caps,
        previous=previous,
    )


def problem_to_json(problem: Problem) -> dict[str, Any]:
    """The inverse of ``problem_from_json`` (participants listed in order of appearance)."""
    seen: dict[str, None] = {}
    for r in problem.requests:
        seen.setdefault(r.a)
        seen.setdefault(r.b)
    for name in list(problem.available) + list(problem.caps):
        seen.setdefault(name)
    participants = []
    for name in seen:
        person: dict[str, Any] = {"id": name}
        if name in problem.available:
            person["available"] = sorted(problem.available[name])
        if name in problem.caps:
            person["cap"] = problem.caps[name]
        participants.append(person)
    requests = []
    for r in problem.requests:
        item: dict[str, Any] = {"a": r.a, "b": r.b, "weight": r.weight}
        if r.locked is not None:
            item["locked"] = list(r.locked)
        requests.append(item)
    out: dict[str, Any] = {
        "slots": problem.slots,
        "tables": problem.tables,
        "participants": participants,
        "requests": requests,
    }
    if problem.previous:
        out["previous"] = [
            {"request": r, "slot": s, "table": t} for r, (s, t) in sorted(problem.previous.items())
        ]
    return out


def schedule_to_json(schedule: Schedule) -> dict[str, Any]:
    """``{"placed", "weight", "bound", "gap", "status", "seconds", "moved", "dropped",
    "assignments": [{"request", "slot", "table"}], "unplaced": [{"request", "reason"}]}``,
    requests in input order."""
    return {
        "placed": schedule.placed,
        "weight": schedule.weight,
        "bound": round(schedule.bound, 3),
        "gap": round(schedule.gap, 5),
        "status": schedule.status,
        "seconds": schedule.seconds,
        "moved": schedule.moved,
        "dropped": schedule.dropped,
        "assignments": [
            {"request": r, "slot": s, "table": t}
            for r, (s, t) in sorted(schedule.assignments.items())
        ],
        "unplaced": [{"request": r, "reason": why} for r, why in sorted(schedule.unplaced.items())],
    }
