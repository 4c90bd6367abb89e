"""What the scheduler is given and what it returns, and their JSON form.

``Request`` and ``Problem`` describe an event's accepted meeting requests, slots, tables,
availability, caps and locked meetings (and, for a re-schedule, the schedule before a late
change); ``Schedule`` is the answer. ``problem_from_json``, ``problem_to_json`` and
``schedule_to_json`` are the instance format of ``benchmarks/scheduling.py --instance``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
