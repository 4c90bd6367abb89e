"""B2B meeting scheduling: accepted meeting requests placed into (slot, table), plain Python.

The contract the events app relies on; the solver fills it in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


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

    @property
    def gap(self) -> float:
        return 0.0 if self.bound <= 0 else max(0.0, 1.0 - self.weight / self.bound)


def greedy(problem: Problem) -> Schedule:
    raise NotImplementedError


def solve(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    progress: Callable[[Schedule], None] | None = None,
) -> Schedule:
    raise NotImplementedError
