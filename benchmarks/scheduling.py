"""The B2B meeting scheduler: greedy against the solver, both against the LP bound.

For each number of participants, a synthetic event: 16 slots, each participant available in
each slot with probability 0.7 and sending 5 meeting requests to others drawn at random (no
pair twice), tables for 40% of the participants in every slot (more than can ever be used:
participants' conflicts bind, not tables). Reports meetings placed, the bound, the gap and the
time of `greedy` and of `solve`, the time `solve` took to reach 99% of the bound, and the
load average (the machine may be shared).

Prints JSON on stdout. Run:
    .venv/bin/python benchmarks/scheduling.py [--sizes 200,1000,3000] [--time-limit 30]
    .venv/bin/python benchmarks/scheduling.py --instance event.json

With --instance it solves one event given as JSON, ``{"slots": 16, "tables": 40,
"participants": [{"id": "p1", "available": [0, 1, 5], "cap": 6}], "requests": [{"a": "p1",
"b": "p2", "weight": 1, "locked": [3, 0]}], "time_limit": 30}`` (``available``, ``cap``,
``weight``, ``locked`` and ``time_limit`` optional; a re-schedule adds ``"previous":
[{"request": 0, "slot": 3, "table": 0}]``), and prints ``{"placed", "weight", "bound",
"gap", "status", "seconds", "moved", "dropped", "assignments": [{"request", "slot",
"table"}], "unplaced": [{"request", "reason"}]}``: request I is the I-th of the input, slots
and tables are numbered from 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from icn.events.scheduler import (
    Problem,
    Request,
    Schedule,
    greedy,
    lp_bound,
    problem_from_json,
    schedule_to_json,
    solve,
)

SLOTS = 16
REQUESTS_EACH = 5
AVAILABILITY = 0.7
TABLES_SHARE = 0.4


def synthetic_event(participants: int, *, seed: int = 1) -> Problem:
    """The benchmark's event: see the module's docstring."""
    rng = random.Random(seed)
    ids = [f"p{i}" for i in range(participants)]
    available = {p: frozenset(s for s in range(SLOTS) if rng.random() < AVAILABILITY) for p in ids}
    pairs: set[tuple[int, int]] = set()
    requests = []
    for i, person in enumerate(ids):
        sent = 0
        while sent < min(REQUESTS_EACH, participants - 1):
            j = rng.randrange(participants)
            pair = (min(i, j), max(i, j))
            if j == i or pair in pairs:
                continue
            pairs.add(pair)
            requests.append(Request(person, ids[j]))
            sent += 1
    return Problem(
        slots=SLOTS,
        tables=int(TABLES_SHARE * participants),
        requests=requests,
        available=available,
    )


def load() -> float:
    return round(os.getloadavg()[0], 2)


def measure(problem: Problem, time_limit: float) -> dict[str, Any]:
    """Greedy, the LP bound on its own, and the solver, on one event."""
    load_start = load()
    first = greedy(problem)
    started = time.perf_counter()
    bound_alone = lp_bound(problem)
    lp_seconds = time.perf_counter() - started

    trace: list[tuple[float, int, float]] = []

    def progress(schedule: Schedule) -> None:
        trace.append((schedule.seconds, schedule.weight, schedule.bound))

    best = solve(problem, time_limit=time_limit, progress=progress)
    trace.append((best.seconds, best.weight, best.bound))
    bound = min(best.bound, bound_alone)
    reached = [s for s, w, _b in trace if w >= 0.99 * bound]
    return {
        "participants": len({p for r in problem.requests for p in (r.a, r.b)}),
        "requests": len(problem.requests),
        "slots": problem.slots,
        "tables": problem.tables,
        "lp_bound": round(bound, 2),
        "lp_seconds": round(lp_seconds, 2),
        "greedy": {
            "placed": first.placed,
            "seconds": first.seconds,
            "share_of_bound": round(first.weight / bound, 4),
            "gap": round(1 - first.weight / bound, 4),
        },
        "solver": {
            "placed": best.placed,
            "seconds": best.seconds,
            "status": best.status,
            "share_of_bound": round(best.weight / bound, 4),
            "gap": round(1 - best.weight / bound, 4),
            "seconds_to_99_percent": reached[0] if reached else None,
            "trace": [[s, w] for s, w, _b in trace],
        },
        "load_average_1min": {"start": load_start, "end": load()},
    }


def solve_instance(data: Mapping[str, Any]) -> dict[str, Any]:
    """The --instance path: one event in the JSON format above, solved."""
    problem = problem_from_json(data)
    schedule = solve(problem, time_limit=float(data.get("time_limit", 30)))
    return schedule_to_json(schedule)


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "ortools": version("ortools"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200,1000,3000", help="numbers of participants")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per solve")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--instance", type=Path, help="solve this JSON event instead")
    args = parser.parse_args()
    if args.instance is not None:
        data = json.loads(args.instance.read_text())
        print(json.dumps(solve_instance(data), indent=2))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        problem = synthetic_event(size, seed=args.seed)
        results.append(measure(problem, args.time_limit))
        print(json.dumps(results[-1]), file=sys.stderr)  # a run of several minutes shows life
    print(
        json.dumps(
            {
                "date": dt.date.today().isoformat(),
                "machine": machine(),
                "time_limit": args.time_limit,
                "seed": args.seed,
                "event": {
                    "slots": SLOTS,
                    "requests_each": REQUESTS_EACH,
                    "availability": AVAILABILITY,
                    "tables_share": TABLES_SHARE,
                },
                "sizes": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
