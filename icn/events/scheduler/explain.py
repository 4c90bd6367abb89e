"""Why a request is left out, given everything else that is placed.

The reasons name participants by key and slots by number from 0, in ranges ("p1 is busy in
1-3, 5"); the events app turns them into names and times. A request that can never be
placed (a lock that cannot hold, a participant paired with themselves) keeps the reason
``compiled`` gave it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .compiled import _Compiled
from .grid import _Grid


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
