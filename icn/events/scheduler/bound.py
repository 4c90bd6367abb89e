"""Upper bounds on the weight any schedule can place: how far from the best a schedule is.

A counting bound (``_trivial_bound``), and the linear relaxation of the slot model solved
with PDLP (``_relaxation``), its bound recomputed from the dual values so that it holds
however far PDLP got. The slot model's variables and constraints (``_columns``, ``_rows``)
are also those of the CP-SAT models in ``cpsat`` and ``search``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .compiled import _compile, _Compiled
from .problem import Problem

# PDLP stops at this gap (relative and absolute) between its primal and dual objectives.
# The bound does not depend on it being met: it is recomputed from the dual values (see
# _dual_bound), valid for any non-negative duals; a looser tolerance only makes it looser.
LP_TOLERANCE = 1e-4


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
