"""The grid: who meets whom in which slot, and how many tables each slot has left.

Every placement changes it, and it journals each change so that a chain of moves that does
not pay off can be undone. Also what a grid is worth: the weight of its meetings, then the
previous meetings it keeps in their slot (``_value``), and whether nothing is left to gain
(``_done``).
"""

from __future__ import annotations

from collections.abc import Iterable

from .compiled import _Compiled


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
