"""The slot model in CP-SAT, and the polish: the whole model solved beside the search.

``_model`` turns columns and rows of the slot model into a CP-SAT model with a hint,
``_solver`` gives it one core and a fixed seed. ``_Polish`` solves the whole model in a
thread of its own while the neighbourhood search of ``search`` runs, and hands over any
better schedule it finds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from .bound import Rows, _whole
from .compiled import _Compiled
from .grid import _Grid, _value


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
