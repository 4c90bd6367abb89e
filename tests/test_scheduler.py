"""The B2B meeting scheduler (icn.events.scheduler): plain Python, no database."""

from __future__ import annotations

import dataclasses
import importlib.util
import itertools
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icn.events.scheduler import (
    Problem,
    Request,
    Schedule,
    greedy,
    lp_bound,
    problem_from_json,
    problem_to_json,
    schedule_to_json,
    solve,
)

ROOT = Path(__file__).resolve().parent.parent


def benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scheduling", ROOT / "benchmarks/scheduling.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def problems_of(schedule: Schedule, problem: Problem) -> list[str]:
    """Every way ``schedule`` breaks the rules of ``problem``; empty when it keeps them."""
    out = []
    requests = problem.requests
    if set(schedule.assignments) & set(schedule.unplaced):
        out.append("a request both placed and unplaced")
    if set(schedule.assignments) | set(schedule.unplaced) != set(range(len(requests))):
        out.append("a request neither placed nor explained")
    if any(not why for why in schedule.unplaced.values()):
        out.append("an empty reason")
    if schedule.placed != len(schedule.assignments):
        out.append("placed is not the number of assignments")
    weight = sum(max(0, requests[r].weight) for r in schedule.assignments)
    if schedule.weight != weight:
        out.append(f"weight {schedule.weight}, assignments weigh {weight}")
    if schedule.weight > schedule.bound + 1e-6:
        out.append(f"weight {schedule.weight} above the bound {schedule.bound}")
    tables = Counter(schedule.assignments.values())
    out += [f"table {where} double-booked" for where, n in tables.items() if n > 1]
    seats: Counter[tuple[str, int]] = Counter()
    meetings: Counter[str] = Counter()
    for r, (slot, table) in schedule.assignments.items():
        request = requests[r]
        if not (0 <= slot < problem.slots and 0 <= table < problem.tables):
            out.append(f"request {r} at {slot, table}, outside the grid")
        if request.a == request.b:
            out.append(f"request {r} meets itself")
        if request.locked is not None and (slot, table) != request.locked:
            out.append(f"locked request {r} moved to {slot, table}")
        for person in {request.a, request.b}:
            seats[person, slot] += 1
            meetings[person] += 1
            if person in problem.available and slot not in problem.available[person]:
                out.append(f"{person} unavailable in {slot}")
    out += [f"{who} double-booked in {slot}" for (who, slot), n in seats.items() if n > 1]
    out += [
        f"{who} has {n} meetings, cap {problem.caps[who]}"
        for who, n in meetings.items()
        if who in problem.caps and n > problem.caps[who]
    ]
    return out


def holding_locks(problem: Problem) -> dict[int, tuple[int, int]]:
    """The locks that hold: taken in order, each one that fits the grid, availability, caps
    and the locks before it."""
    out: dict[int, tuple[int, int]] = {}
    tables: set[tuple[int, int]] = set()
    seats: set[tuple[str, int]] = set()
    meetings: Counter[str] = Counter()
    for r, request in enumerate(problem.requests):
        if request.locked is None or request.a == request.b:
            continue
        slot, table = request.locked
        people = (request.a, request.b)
        if (
            0 <= slot < problem.slots
            and 0 <= table < problem.tables
            and (slot, table) not in tables
            and all((p, slot) not in seats for p in people)
            and all(slot in problem.available.get(p, {slot}) for p in people)
            and all(meetings[p] < problem.caps.get(p, meetings[p] + 1) for p in people)
        ):
            out[r] = (slot, table)
            tables.add((slot, table))
            seats.update((p, slot) for p in people)
            meetings.update(people)
    return out


def best_weight(problem: Problem) -> int:
    """The best weight any schedule can place, by trying every slot for every request."""
    locks = holding_locks(problem)
    choices: list[list[int | None]] = []
    for r, request in enumerate(problem.requests):
        if r in locks:
            choices.append([locks[r][0]])
        elif request.a == request.b or request.locked is not None:
            choices.append([None])
        else:
            choices.append([None, *range(problem.slots)])
    best = 0
    for slots in itertools.product(*choices):
        seats: Counter[tuple[str, int]] = Counter()
        used: Counter[int] = Counter()
        meetings: Counter[str] = Counter()
        weight = 0
        for request, slot in zip(problem.requests, slots, strict=True):
            if slot is None:
                continue
            used[slot] += 1
            weight += max(0, request.weight)
            for person in (request.a, request.b):
                seats[person, slot] += 1
                meetings[person] += 1
        if (
            weight > best
            and all(n <= 1 for n in seats.values())
            and all(n <= problem.tables for n in used.values())
            and all(n <= problem.caps.get(p, n) for p, n in meetings.items())
            and all(slot in problem.available.get(p, {slot}) for p, slot in seats)
        ):
            best = weight
    return best


def fitting_event(
    rng: random.Random, participants: int, slots: int, tables: int, meetings_per_slot: int
) -> Problem:
    """An event built from a schedule that places every request: per slot, random pairs of
    participants at free tables; each pair is a request, each participant is available where
    they meet and in a few slots more, and capped at exactly their meetings."""
    people = [f"p{i}" for i in range(participants)]
    requests: list[Request] = []
    seen: set[frozenset[str]] = set()
    busy: dict[str, set[int]] = {p: set() for p in people}
    for slot in range(slots):
        free = people[:]
        rng.shuffle(free)
        for _ in range(min(tables, meetings_per_slot)):
            if len(free) < 2:
                break
            a, b = free.pop(), free.pop()
            if frozenset((a, b)) in seen:
                continue
            seen.add(frozenset((a, b)))
            busy[a].add(slot)
            busy[b].add(slot)
            requests.append(Request(a, b, weight=rng.choice([1, 1, 2, 3])))
    rng.shuffle(requests)
    available = {
        p: frozenset(busy[p] | {s for s in range(slots) if rng.random() < 0.3}) for p in people
    }
    caps = {p: len(busy[p]) for p in people if rng.random() < 0.5}
    return Problem(slots=slots, tables=tables, requests=requests, available=available, caps=caps)


@st.composite
def events(draw: st.DrawFn, most_requests: int = 6) -> Problem:
    """Small events of every kind: conflicts, caps, locks (some impossible), weights from 0,
    a participant asking to meet themselves, a previous schedule."""
    slots = draw(st.integers(1, 4))
    tables = draw(st.integers(1, 3))
    people = [f"p{i}" for i in range(draw(st.integers(2, 6)))]
    person = st.sampled_from(people)
    requests = []
    for _ in range(draw(st.integers(0, most_requests))):
        lock = draw(
            st.none() | st.none() | st.tuples(st.integers(-1, slots), st.integers(0, tables))
        )
        requests.append(
            Request(draw(person), draw(person), weight=draw(st.integers(0, 3)), locked=lock)
        )
    available = {
        p: frozenset(draw(st.sets(st.integers(0, slots)))) for p in people if draw(st.booleans())
    }
    caps = {p: draw(st.integers(0, 3)) for p in people if draw(st.booleans())}
    previous = {
        r: (draw(st.integers(0, slots - 1)), draw(st.integers(0, tables - 1)))
        for r in range(len(requests))
        if draw(st.booleans())
    }
    return Problem(slots, tables, requests, available, caps, previous)


# --- Rules every schedule keeps ------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events(most_requests=14))
def test_the_greedy_schedule_never_double_books_and_keeps_availability_caps_and_locks(
    problem: Problem,
) -> None:
    assert problems_of(greedy(problem), problem) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_the_solved_schedule_never_double_books_and_is_the_best_possible(
    problem: Problem,
) -> None:
    schedule = solve(problem, time_limit=10)
    assert problems_of(schedule, problem) == []
    best = best_weight(problem)
    assert schedule.weight == best
    assert schedule.bound >= best - 1e-6
    assert schedule.status == "optimal"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events(most_requests=30))
def test_the_solved_schedule_of_a_busier_event_never_double_books(problem: Problem) -> None:
    schedule = solve(problem, time_limit=2)
    assert problems_of(schedule, problem) == []
    assert schedule.weight >= greedy(problem).weight


@settings(max_examples=60, deadline=None)
@given(events())
def test_the_bound_is_never_below_the_best_schedule(problem: Problem) -> None:
    assert lp_bound(problem) >= best_weight(problem) - 1e-6


def test_a_locked_meeting_stays_put_even_when_moving_it_would_place_more() -> None:
    # p1 can only meet p3 in slot 0; the lock on p1-p2 takes slot 0, so p1-p3 cannot be placed.
    problem = Problem(
        slots=2,
        tables=2,
        requests=[Request("p1", "p2", locked=(0, 1)), Request("p1", "p3")],
        available={"p3": frozenset({0})},
    )
    for schedule in (greedy(problem), solve(problem, time_limit=5)):
        assert schedule.assignments[0] == (0, 1)
        assert set(schedule.assignments) == {0}  # the second request stays out
        assert schedule.unplaced[1] == "p1 and p3 are both available in 0, but p1 is busy in 0"


def test_locks_that_cannot_hold_are_left_out_with_the_reason() -> None:
    problem = Problem(
        slots=2,
        tables=2,
        requests=[
            Request("p1", "p2", locked=(0, 0)),
            Request("p3", "p4", locked=(0, 0)),  # the same table
            Request("p1", "p5", locked=(0, 1)),  # p1 is already there
            Request("p6", "p7", locked=(1, 0)),  # p7 is not available in 1
            Request("p8", "p9", locked=(5, 0)),  # no such slot
            Request("p8", "p8"),
        ],
        available={"p7": frozenset({0})},
    )
    schedule = solve(problem, time_limit=5)
    assert schedule.assignments == {0: (0, 0)}
    assert schedule.unplaced == {
        1: "it is locked to table 0 in slot 0, where request 0 is",
        2: "p1 is locked into request 0 in slot 0",
        3: "it is locked to slot 1, where p7 is not available",
        4: "it is locked to slot 5, and the event has slots 0-1",
        5: "p8 cannot meet themselves",
    }


# --- Events built to fit are placed completely --------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(4, 14), st.integers(1, 6), st.integers(1, 4))
def test_an_event_built_from_a_complete_schedule_is_placed_completely(
    seed: int, participants: int, slots: int, tables: int
) -> None:
    problem = fitting_event(random.Random(seed), participants, slots, tables, tables)
    schedule = solve(problem, time_limit=20)
    assert problems_of(schedule, problem) == []
    assert schedule.placed == len(problem.requests)
    assert schedule.status == "optimal"
    assert schedule.gap == 0.0


@pytest.mark.parametrize(
    ("seed", "participants", "slots", "tables", "per_slot"),
    [
        # 1,188 requests: past the size where CP-SAT takes the whole model, so the
        # neighbourhood search has to find the complete schedule.
        (7, 300, 12, 120, 100),
        # The last request needs more than the first neighbourhoods re-plan: found once they
        # grow (in 3 to 10 s on the 2-core machine).
        (13, 200, 10, 80, 60),
    ],
)
def test_a_large_event_built_from_a_complete_schedule_is_placed_completely(
    seed: int, participants: int, slots: int, tables: int, per_slot: int
) -> None:
    problem = fitting_event(random.Random(seed), participants, slots, tables, per_slot)
    schedule = solve(problem, time_limit=60)
    assert problems_of(schedule, problem) == []
    assert schedule.placed == len(problem.requests)
    assert schedule.status == "optimal"


# --- Greedy and solver ----------------------------------------------------------------------


def test_the_solver_places_more_than_the_greedy_and_reports_the_greedy_first() -> None:
    problem = benchmark().synthetic_event(150, seed=3)
    first = greedy(problem)
    seen: list[Schedule] = []
    best = solve(problem, time_limit=8, progress=seen.append)
    assert problems_of(first, problem) == problems_of(best, problem) == []
    assert seen[0].status == "greedy"
    assert seen[0].weight == first.weight
    assert [s.weight for s in seen] == sorted(s.weight for s in seen)
    assert best.weight > first.weight
    assert best.weight >= 0.98 * best.bound
    assert best.bound <= first.bound  # the LP bound is tighter than the greedy's count


def test_greedy_places_the_heaviest_request_when_two_compete() -> None:
    problem = Problem(slots=1, tables=1, requests=[Request("p1", "p2"), Request("p3", "p4", 5)])
    schedule = greedy(problem)
    assert schedule.assignments == {1: (0, 0)}
    assert schedule.weight == 5
    assert schedule.unplaced == {
        0: "p1 and p2 are both available in 0, but every table is taken in 0"
    }


# --- Re-scheduling after late changes -------------------------------------------------------


def complete_schedule(seed: int) -> tuple[Problem, Schedule]:
    """An event of 200 participants that the solver places completely, and its schedule."""
    problem = fitting_event(random.Random(seed), 200, 10, 80, 60)
    schedule = solve(problem, time_limit=20)
    assert schedule.placed == len(problem.requests)
    return problem, schedule


def changed(problem: Problem, before: Schedule, **change: Any) -> Problem:
    """``problem`` after a late change, with ``before`` as its previous schedule."""
    return dataclasses.replace(problem, **{"previous": before.assignments, **change})


def test_a_late_request_that_fits_moves_no_meeting() -> None:
    problem, before = complete_schedule(11)
    busy = {
        (p, slot)
        for r, (slot, _table) in before.assignments.items()
        for p in (problem.requests[r].a, problem.requests[r].b)
    }
    late = next(
        Request(a, b)
        for a, b in itertools.combinations(sorted(problem.available), 2)
        if a not in problem.caps
        and b not in problem.caps
        and any(
            (a, s) not in busy and (b, s) not in busy
            for s in problem.available[a] & problem.available[b]
        )
    )
    after_change = changed(problem, before, requests=[*problem.requests, late])
    after = solve(after_change, time_limit=10)
    assert problems_of(after, after_change) == []
    assert after.placed == len(problem.requests) + 1
    assert after.moved == after.dropped == 0


def test_a_participant_leaving_a_slot_moves_only_their_meeting_there() -> None:
    problem, before = complete_schedule(12)
    busy = {
        (p, slot)
        for r, (slot, _table) in before.assignments.items()
        for p in (problem.requests[r].a, problem.requests[r].b)
    }
    # A meeting in slot 3 whose two participants have another free slot in common.
    r, leaver = next(
        (r, problem.requests[r].a)
        for r, (slot, _table) in sorted(before.assignments.items())
        if slot == 3
        and any(
            all((p, s) not in busy for p in (problem.requests[r].a, problem.requests[r].b))
            for s in problem.available[problem.requests[r].a]
            & problem.available[problem.requests[r].b]
        )
    )
    available = dict(problem.available)
    available[leaver] = available[leaver] - {3}
    after_change = changed(problem, before, available=available)
    after = solve(after_change, time_limit=10)
    assert problems_of(after, after_change) == []
    assert after.placed == len(problem.requests)
    assert after.moved == 1
    assert after.dropped == 0
    assert after.assignments[r][0] != 3
    # Solved afresh, most of the 500-odd meetings would move.
    afresh = solve(changed(problem, before, available=available, previous={}), time_limit=5)
    moved_afresh = sum(
        1 for r, where in before.assignments.items() if afresh.assignments.get(r) != where
    )
    assert moved_afresh > 100


def test_a_late_change_that_needs_room_moves_few_meetings() -> None:
    problem, before = complete_schedule(14)
    # Every participant of the busiest slot but two loses it: their meetings there must go
    # elsewhere, and other meetings may have to make room.
    in_slot = sorted(r for r, (slot, _table) in before.assignments.items() if slot == 5)
    leavers = {problem.requests[r].a for r in in_slot[:10]}
    available = dict(problem.available)
    for p in leavers:
        available[p] = available[p] - {5}
    after_change = changed(problem, before, available=available)
    after = solve(after_change, time_limit=10)
    assert problems_of(after, after_change) == []
    assert after.moved + after.dropped <= 3 * len(leavers)
    untouched = [r for r in before.assignments if r not in in_slot[:10]]
    kept = sum(1 for r in untouched if after.assignments.get(r) == before.assignments[r])
    assert kept >= len(untouched) - 2 * len(leavers)


def test_a_previous_schedule_that_still_holds_is_kept_as_it_was() -> None:
    problem = benchmark().synthetic_event(120, seed=13)
    before = solve(problem, time_limit=3)
    again = changed(problem, before)
    kept = greedy(again)
    assert kept.moved == kept.dropped == 0
    assert kept.weight == before.weight
    # The solver may move meetings only to place more.
    better = solve(again, time_limit=3)
    assert better.dropped == 0
    assert better.weight >= before.weight
    assert better.moved == 0 or better.weight > before.weight


# --- Why a request is not placed ------------------------------------------------------------


def test_a_request_between_participants_with_no_common_slot_says_so() -> None:
    problem = Problem(
        slots=6,
        tables=3,
        requests=[Request("p7", "p9")],
        available={"p7": frozenset({0, 1, 2}), "p9": frozenset({3, 5})},
    )
    assert solve(problem, time_limit=5).unplaced == {
        0: "p7 and p9 share no available slot: p7 is available in 0-2, p9 in 3, 5"
    }


def test_a_request_past_a_participants_cap_says_so() -> None:
    problem = Problem(
        slots=4,
        tables=3,
        requests=[Request("p1", "p2", weight=2), Request("p1", "p3")],
        caps={"p1": 1},
    )
    schedule = solve(problem, time_limit=5)
    assert list(schedule.assignments) == [0]
    assert schedule.unplaced == {1: "p1 reached the cap of 1 meeting"}


def test_a_request_blocked_by_busy_participants_names_the_slots() -> None:
    problem = Problem(
        slots=3,
        tables=5,
        requests=[
            Request("p1", "p2", weight=3),
            Request("p3", "p4", weight=3),
            Request("p1", "p5", weight=3),
            Request("p1", "p3"),
        ],
        available={"p2": frozenset({0}), "p4": frozenset({1}), "p5": frozenset({2})},
    )
    schedule = solve(problem, time_limit=5)
    assert schedule.unplaced == {
        3: "p1 and p3 are both available in 0-2, but p1 is busy in 0, 2; p3 is busy in 1"
    }


# --- The instance format --------------------------------------------------------------------


def test_an_event_survives_the_round_trip_through_json() -> None:
    problem = Problem(
        slots=3,
        tables=2,
        requests=[Request("a", "b", 2, (1, 0)), Request("b", "c")],
        available={"a": frozenset({0, 1})},
        caps={"c": 4},
        previous={1: (2, 1)},
    )
    again = problem_from_json(json.loads(json.dumps(problem_to_json(problem))))
    assert again == Problem(
        slots=3,
        tables=2,
        requests=[Request("a", "b", 2, (1, 0)), Request("b", "c")],
        available={"a": frozenset({0, 1})},
        caps={"c": 4},
        previous={1: (2, 1)},
    )
    out = schedule_to_json(solve(again, time_limit=5))
    assert out["placed"] == 2
    assert out["assignments"] == [
        {"request": 0, "slot": 1, "table": 0},
        {"request": 1, "slot": 2, "table": 1},
    ]
    assert out["moved"] == out["dropped"] == 0


def test_the_benchmark_solves_an_instance_given_as_json(tmp_path: Path) -> None:
    instance = {
        "slots": 2,
        "tables": 1,
        "participants": [
            {"id": "p1", "available": [0, 1]},
            {"id": "p2", "available": [0]},
            {"id": "p3", "available": [1]},
        ],
        "requests": [{"a": "p1", "b": "p2", "weight": 1}, {"a": "p1", "b": "p3"}],
        "time_limit": 5,
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(instance))
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/scheduling.py"), "--instance", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    out = json.loads(done.stdout)
    assert out["placed"] == 2
    assert out["bound"] == 2
    assert out["assignments"] == [
        {"request": 0, "slot": 0, "table": 0},
        {"request": 1, "slot": 1, "table": 0},
    ]
    assert out["unplaced"] == []


@pytest.mark.parametrize("weights", [[1, 1, 1], [3, 2, 2]])
def test_three_participants_who_all_want_to_meet_in_one_slot_get_one_meeting(
    weights: list[int],
) -> None:
    # The relaxation alone would give each meeting half the slot (1.5 meetings); the bound
    # is rounded down to whole meetings when the weights are whole.
    problem = Problem(
        slots=1,
        tables=3,
        requests=[
            Request("a", "b", weights[0]),
            Request("b", "c", weights[1]),
            Request("a", "c", weights[2]),
        ],
    )
    schedule = solve(problem, time_limit=5)
    assert schedule.weight == max(weights)
    assert schedule.status == "optimal"
