"""Speed and exactness of the consortium builder (OR-Tools CP-SAT), by network size.

For each size, a synthetic network of candidate organisations and one Horizon-like call
(EU and associated countries, 5 to 8 partners, 4 countries, 2 research organisations, 2
SMEs and a public authority, a research coordinator, one must-have and ten excluded
partners). Two objectives:

- `fit`: the sum of the members' fit. CP-SAT with the builder's exact reduction (the best
  few candidates per kind and country), CP-SAT on the whole pool, and a MIP baseline (SCIP,
  bundled with OR-Tools) on the whole pool, written independently of the builder's model.
- `fit_and_complementarity`: the builder's default weights (countries, kinds, clusters and
  call topics covered, a cost per member). No reduction applies; CP-SAT against the same MIP.

The gap is (baseline − CP-SAT) / baseline when the baseline is proven optimal. A brute force
over every member set checks both solvers on a small instance first.

With `--instance FILE`, solves one instance given as JSON (objective: the sum of the given
`fit`; kinds sme, large_company, public, research, funder, ngo) and prints the answer.

Prints JSON on stdout. Run: .venv/bin/python benchmarks/consortium.py [--sizes 1000,10000]
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
from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ortools
from ortools.linear_solver import pywraplp

from icn.matching import eligibility
from icn.matching.country_groups import EU_MEMBER_STATES, HORIZON_EUROPE_ASSOCIATED
from icn.projects.builder import (
    DEFAULT_WEIGHTS,
    FIT_ONLY,
    Candidate,
    Problem,
    Result,
    Weights,
    score,
    solve,
)

# The instance format's kinds; "public" is the platform's public_authority.
INSTANCE_KINDS = {"public": "public_authority"}
PLATFORM_KINDS = {v: k for k, v in INSTANCE_KINDS.items()}
KIND_SHARES = {
    "sme": 0.45,
    "large_company": 0.10,
    "public_authority": 0.15,
    "research": 0.20,
    "funder": 0.03,
    "ngo": 0.07,
}
OUTSIDE = ["US", "CN", "JP", "IN", "BR", "ZA", "AU", "SG"]
TOPICS = [f"topic-{i}" for i in range(30)]
CALL = {
    "eligible_country_groups": ["eu", "associated"],
    "eligible_kinds": ["sme", "large_company", "public_authority", "research", "ngo"],
    "min_partners": 5,
    "max_partners": 8,
    "min_countries": 4,
    "required_kinds": {"research": 2, "sme": 2, "public_authority": 1},
    "coordinator_kinds": ["research"],
}
CALL_TOPICS = frozenset(TOPICS[:4])
MIP_TIME_LIMIT = 300.0


# The instance format -------------------------------------------------------------------------


def _kind(kind: str) -> str:
    return INSTANCE_KINDS.get(kind, kind)


def _rules(rules: dict[str, Any]) -> dict[str, Any]:
    """The instance's rules in the platform's words (kinds)."""
    out = dict(rules)
    for key in ("eligible_kinds", "coordinator_kinds"):
        if key in out:
            out[key] = [_kind(k) for k in out[key]]
    if "required_kinds" in out:
        out["required_kinds"] = {_kind(k): n for k, n in out["required_kinds"].items()}
    return out


def _unmet(rule: str) -> str:
    if rule.startswith("required_kinds:"):
        kind = rule.split(":", 1)[1]
        return f"required_kinds:{PLATFORM_KINDS.get(kind, kind)}"
    return rule


def solve_instance(data: dict[str, Any]) -> dict[str, Any]:
    """One instance in, its answer out, both as the README describes them."""
    candidates = [
        Candidate(
            id=str(c["id"]),
            kind=_kind(str(c["kind"])),
            country=str(c["country"]).upper(),
            fit=float(c.get("fit", 0.0)),
        )
        for c in data["candidates"]
    ]
    problem = Problem(
        candidates=candidates,
        rules=_rules(data.get("rules") or {}),
        lead=str(data["lead"]),
        must=[str(m) for m in data.get("must") or []],
        must_not=[str(m) for m in data.get("must_not") or []],
        weights=FIT_ONLY,
    )
    result = solve(problem, alternatives=1, time_limit=float(data.get("time_limit", 10)))
    answer: dict[str, Any] = {
        "status": result.status,
        "members": result.proposals[0].ids if result.proposals else [],
        "objective": round(result.objective, 6) if result.objective is not None else None,
        "seconds": round(result.seconds, 3),
    }
    if result.bound is not None:
        answer["bound"] = round(result.bound, 6)
    if result.status == "infeasible":
        answer["unmet_rule"] = _unmet(result.unmet_rule)
        answer["missing"] = result.missing
    elif result.status == "unknown":
        answer["missing"] = result.missing
    return answer


# Synthetic networks ---------------------------------------------------------------------------


def network(n: int, rng: random.Random) -> list[Candidate]:
    """`n` organisations: kinds in the shares of a cleantech network, countries mostly in
    Europe, fit skewed low (most organisations fit a given call a little), clusters of about
    fifty members, one to three topics each. Fits have six decimals: exact in the model."""
    countries = sorted(EU_MEMBER_STATES | HORIZON_EUROPE_ASSOCIATED) + OUTSIDE
    kinds = list(KIND_SHARES)
    weights = list(KIND_SHARES.values())
    clusters = [f"cluster-{i}" for i in range(max(2, n // 50))]
    made = []
    for i in range(n):
        made.append(
            Candidate(
                id=f"o{i}",
                kind=rng.choices(kinds, weights)[0],
                country=rng.choice(countries),
                fit=round(rng.betavariate(1.2, 4.0), 6),
                clusters=frozenset(rng.sample(clusters, k=1 if rng.random() < 0.8 else 2)),
                topics=frozenset(rng.sample(TOPICS, k=rng.randint(1, 3))),
            )
        )
    return made


def call_problem(candidates: list[Candidate], rng: random.Random, weights: Weights) -> Problem:
    """The benchmark's call: a research lead in the EU, one must-have, ten excluded."""
    eligible = [
        c
        for c in candidates
        if c.country in EU_MEMBER_STATES | HORIZON_EUROPE_ASSOCIATED
        and c.kind in CALL["eligible_kinds"]
    ]
    leads = [c for c in eligible if c.kind == "research" and c.country in EU_MEMBER_STATES]
    lead = max(leads, key=lambda c: (c.fit, c.id))
    others = [c for c in eligible if c.id != lead.id]
    must = rng.choice(others)
    excluded = rng.sample([c for c in others if c.id != must.id], k=10)
    return Problem(
        candidates=candidates,
        rules=CALL,
        lead=lead.id,
        must=[must.id],
        must_not=[c.id for c in excluded],
        call_topics=CALL_TOPICS,
        weights=weights,
    )


# Baselines ------------------------------------------------------------------------------------


def _pool(problem: Problem) -> list[Candidate]:
    countries = eligibility.eligible_countries(problem.rules)
    kinds = eligibility.eligible_kinds(problem.rules)
    return [
        c
        for c in problem.candidates
        if (countries is None or c.country in countries)
        and (kinds is None or c.kind in kinds)
        and c.id not in set(problem.must_not)
    ]


def mip(problem: Problem, time_limit: float) -> dict[str, Any]:
    """The same problem as a MIP for SCIP: one binary per candidate, one presence flag per
    country (and kind, cluster, topic when the objective rewards them)."""
    started = time.perf_counter()
    solver = pywraplp.Solver.CreateSolver("SCIP")
    solver.SetTimeLimit(int(time_limit * 1000))
    pool = _pool(problem)
    rules, weights = problem.rules, problem.weights
    x = {c.id: solver.BoolVar(f"x_{c.id}") for c in pool}
    for forced in {problem.lead, *problem.must}:
        solver.Add(x[forced] == 1)
    size = solver.Sum(list(x.values()))
    solver.Add(size >= max(1, rules.get("min_partners") or 0))
    if rules.get("max_partners") is not None:
        solver.Add(size <= rules["max_partners"])
    groups: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for c in pool:
        groups["country"][c.country].append(x[c.id])
        groups["kind"][c.kind].append(x[c.id])
        for cluster in c.clusters:
            groups["cluster"][cluster].append(x[c.id])
        for topic in c.topics & problem.call_topics:
            groups["topic"][topic].append(x[c.id])
    for kind, need in eligibility.required_kinds(rules).items():
        solver.Add(solver.Sum(groups["kind"][kind]) >= need)
    objective = [(weights.fit * c.fit - weights.member) * x[c.id] for c in pool]
    for name, weight in (
        ("country", weights.country),
        ("kind", weights.kind),
        ("cluster", weights.cluster),
        ("topic", weights.topic),
    ):
        needed = name == "country" and rules.get("min_countries")
        if not weight and not needed:
            continue
        flags = []
        for key, members in groups[name].items():
            flag = solver.BoolVar(f"{name}_{key}")
            solver.Add(flag <= solver.Sum(members))
            flags.append(flag)
        if needed:
            solver.Add(solver.Sum(flags) >= rules["min_countries"])
        if weight:
            objective.append(weight * solver.Sum(flags))
    solver.Maximize(solver.Sum(objective))
    code = solver.Solve()
    seconds = time.perf_counter() - started
    names = {
        pywraplp.Solver.OPTIMAL: "optimal",
        pywraplp.Solver.FEASIBLE: "feasible",
        pywraplp.Solver.INFEASIBLE: "infeasible",
    }
    status = names.get(code, "unknown")
    members = [
        c for c in pool if status in ("optimal", "feasible") and x[c.id].solution_value() > 0.5
    ]
    return {
        "solver": "SCIP (OR-Tools pywraplp)",
        "status": status,
        "objective": round(score(members, problem), 6) if members else None,
        "seconds": round(seconds, 3),
        "variables": solver.NumVariables(),
        "constraints": solver.NumConstraints(),
    }


def brute_force(problem: Problem) -> dict[str, Any]:
    """Every member set of the pool, checked with the platform's rule check."""
    started = time.perf_counter()
    pool = _pool(problem)
    high = problem.rules.get("max_partners") or len(pool)
    best: tuple[float, Sequence[Candidate]] | None = None
    tried = 0
    fixed = {problem.lead, *problem.must}
    for size in range(1, high + 1):
        for members in combinations(pool, size):
            tried += 1
            ids = {c.id for c in members}
            if not fixed <= ids:
                continue
            parties = [
                eligibility.Party(c.id, c.kind, c.country, coordinator=c.id == problem.lead)
                for c in members
            ]
            if not eligibility.check(problem.rules, parties).passed:
                continue
            value = score(members, problem)
            if best is None or value > best[0]:
                best = (value, members)
    return {
        "status": "optimal" if best else "infeasible",
        "objective": round(best[0], 6) if best else None,
        "seconds": round(time.perf_counter() - started, 3),
        "sets_tried": tried,
    }


# Measuring ------------------------------------------------------------------------------------


def _cp(result: Result) -> dict[str, Any]:
    return {
        "status": result.status,
        "objective": round(result.objective, 6) if result.objective is not None else None,
        "bound": round(result.bound, 6) if result.bound is not None else None,
        "seconds": round(result.seconds, 3),
        "candidates": result.candidates,
        "in_model": result.considered,
    }


def _gap(ours: dict[str, Any], baseline: dict[str, Any]) -> float | None:
    if baseline["status"] != "optimal" or ours["objective"] is None:
        return None
    best = baseline["objective"]
    return round((best - ours["objective"]) / abs(best), 9) if best else 0.0


def measure(n: int, seed: int, time_limit: float, mip_limit: float) -> dict[str, Any]:
    rng = random.Random(seed + n)
    candidates = network(n, rng)
    row: dict[str, Any] = {"candidates": n}
    for label, weights in (("fit", FIT_ONLY), ("fit_and_complementarity", DEFAULT_WEIGHTS)):
        problem = call_problem(candidates, random.Random(seed), weights)
        baseline = mip(problem, mip_limit)
        entry: dict[str, Any] = {"mip": baseline}
        runs = [("cp_sat_reduced", True), ("cp_sat_full", False)]
        if not weights.by_group_only():
            runs = [("cp_sat", True)]  # no reduction applies: the whole pool is the model
        for name, reduce in runs:
            ours = _cp(solve(problem, alternatives=1, time_limit=time_limit, reduce=reduce))
            ours["gap_vs_mip"] = _gap(ours, baseline)
            entry[name] = ours
        three = solve(problem, alternatives=3, time_limit=time_limit)
        entry["three_alternatives"] = {
            "status": three.status,
            "seconds": round(three.seconds, 3),
            "objectives": [round(p.objective, 6) for p in three.proposals],
            "all_optimal": all(p.optimal for p in three.proposals),
        }
        row[label] = entry
    return row


def check_small(seed: int) -> dict[str, Any]:
    """Both solvers against a brute force over every member set, on 30 candidates."""
    rng = random.Random(seed)
    candidates = network(30, rng)
    rules = {**CALL, "min_partners": 3, "max_partners": 5, "min_countries": 3}
    rules["required_kinds"] = {"research": 1, "public_authority": 1}
    out: dict[str, Any] = {"candidates": 30, "rules": rules}
    for label, weights in (("fit", FIT_ONLY), ("fit_and_complementarity", DEFAULT_WEIGHTS)):
        base = call_problem(candidates, random.Random(seed), weights)
        problem = Problem(
            candidates,
            rules,
            base.lead,
            must=[],
            must_not=base.must_not[:3],
            call_topics=CALL_TOPICS,
            weights=weights,
        )
        truth = brute_force(problem)
        ours = _cp(solve(problem, alternatives=1, time_limit=60))
        baseline = mip(problem, 60)
        out[label] = {
            "brute_force": truth,
            "cp_sat": {**ours, "gap_vs_brute_force": _gap(ours, truth)},
            "mip": {**baseline, "gap_vs_brute_force": _gap(baseline, truth)},
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="candidate organisations")
    parser.add_argument("--instance", help="solve one instance given as JSON and print it")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=60.0, help="CP-SAT, seconds")
    parser.add_argument("--mip-time-limit", type=float, default=MIP_TIME_LIMIT)
    args = parser.parse_args()
    if args.instance:
        data = json.loads(Path(args.instance).read_text(encoding="utf-8"))
        print(json.dumps(solve_instance(data), indent=2))
        return

    load_start = round(os.getloadavg()[0], 2)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    small = check_small(args.seed)
    rows = [measure(n, args.seed, args.time_limit, args.mip_time_limit) for n in sizes]
    print(
        json.dumps(
            {
                "date": dt.date.today().isoformat(),
                "machine": {
                    "cores": os.cpu_count(),
                    "python": platform.python_version(),
                    "ortools": ortools.__version__,
                },
                "candidates": "synthetic: kinds in the shares "
                + ", ".join(f"{k} {v:.0%}" for k, v in KIND_SHARES.items())
                + f"; countries uniform over the {len(EU_MEMBER_STATES)} EU member states, "
                f"{len(HORIZON_EUROPE_ASSOCIATED)} associated countries and {len(OUTSIDE)} "
                "others; fit Beta(1.2, 4) with six decimals; one cluster per 50 organisations; "
                f"1 to 3 of {len(TOPICS)} topics each",
                "call": {**CALL, "call_topics": sorted(CALL_TOPICS)},
                "lead_must_must_not": "the best-fit research organisation in the EU leads; one "
                "random eligible must-have; ten random excluded",
                "weights": {
                    "fit": FIT_ONLY.__dict__,
                    "fit_and_complementarity": DEFAULT_WEIGHTS.__dict__,
                },
                "time_limit_seconds": {"cp_sat": args.time_limit, "mip": args.mip_time_limit},
                "seed": args.seed,
                "small_instance_vs_brute_force": small,
                "sizes": rows,
                "load_average_1min": {"start": load_start, "end": round(os.getloadavg()[0], 2)},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
