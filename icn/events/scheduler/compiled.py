"""The problem checked and indexed, the form every part of the scheduler works on.

Participants are numbered; each lock is checked, and a request whose lock cannot hold (or
that pairs a participant with themselves) is set aside with the reason; each free request
gets the slots it may go in and its place in the greedy's order; a re-schedule keeps the
previous slots that are still an option.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .problem import Problem


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
