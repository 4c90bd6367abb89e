"""The consortium builder's engine, alone: the best consortia against brute force, every
proposal passing the call's rule check, alternatives distinct, the lead and the partners asked
for or excluded honoured, and the rule that cannot be met named when none can."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icn.matching import eligibility
from icn.projects.builder import (
    DEFAULT_WEIGHTS,
    FIT_ONLY,
    Candidate,
    Problem,
    Weights,
    score,
    solve,
)

TODAY = date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent.parent


def _c(id: str, kind: str, country: str, fit: float, **extra) -> Candidate:
    return Candidate(id=id, kind=kind, country=country, fit=fit, name=f"Org {id}", **extra)


def _parties(members: Sequence[Candidate], lead: str) -> list[eligibility.Party]:
    return [
        eligibility.Party(c.label, c.kind, c.country, coordinator=c.id == lead) for c in members
    ]


def _passes(problem: Problem, members: Sequence[Candidate]) -> bool:
    ids = {c.id for c in members}
    if problem.lead not in ids or not set(problem.must) <= ids or ids & set(problem.must_not):
        return False
    if problem.max_size is not None and len(members) > problem.max_size:
        return False
    check = eligibility.check(problem.rules, _parties(members, problem.lead), today=TODAY)
    return check.passed


def _brute_force(problem: Problem, alternatives: int = 1) -> list[float]:
    """The best scores, found by trying every member set, with the builder's cuts: each next
    one is the best set that does not hold every free member of an earlier one."""
    candidates = list(problem.candidates)
    high = eligibility.whole(problem.rules.get("max_partners"))
    largest = len(candidates) if high is None else min(high, len(candidates))
    feasible = [
        set_
        for size in range(1, largest + 1)
        for set_ in combinations(candidates, size)
        if _passes(problem, set_)
    ]
    fixed = {problem.lead, *problem.must}
    found: list[float] = []
    taken: list[set[str]] = []
    for _ in range(alternatives):
        allowed = [s for s in feasible if not any(t <= {c.id for c in s} for t in taken)]
        if not allowed:
            break
        best = max(allowed, key=lambda s: score(s, problem))
        found.append(score(best, problem))
        free = {c.id for c in best} - fixed
        if not free:
            break
        taken.append(free)
    return found


# Known instances -----------------------------------------------------------------------------


POOL = [
    _c("lead", "research", "DK", 0.9),
    _c("sme-no", "sme", "NO", 0.8),
    _c("sme-dk", "sme", "DK", 0.95),
    _c("city-se", "public_authority", "SE", 0.3),
    _c("city-dk", "public_authority", "DK", 0.6),
    _c("lab-no", "research", "NO", 0.7),
    _c("ngo-us", "ngo", "US", 1.0),
]
RULES = {
    "eligible_countries": ["DK", "NO", "SE"],
    "min_partners": 3,
    "max_partners": 4,
    "min_countries": 3,
    "required_kinds": {"public_authority": 1, "research": 1},
}


def test_the_builder_finds_the_best_consortium_and_proves_it():
    problem = Problem(POOL, RULES, "lead", weights=FIT_ONLY)
    result = solve(problem, alternatives=1, today=TODAY)
    assert result.status == "optimal"
    best = result.proposals[0]
    # Three countries need Sweden's city; the fourth place goes to the best fit left.
    assert set(best.ids) == {"lead", "city-se", "sme-dk", "sme-no"}
    assert best.objective == pytest.approx(0.9 + 0.3 + 0.95 + 0.8)
    assert best.objective == pytest.approx(_brute_force(problem)[0])
    assert best.check.passed and best.optimal
    assert best.ids[0] == "lead"


def test_alternatives_are_distinct_and_no_better_than_the_first():
    problem = Problem(POOL, RULES, "lead", weights=FIT_ONLY)
    result = solve(problem, alternatives=3, today=TODAY)
    sets = [frozenset(p.ids) for p in result.proposals]
    assert len(sets) == 3 and len(set(sets)) == 3
    scores = [p.objective for p in result.proposals]
    assert scores == sorted(scores, reverse=True)
    assert scores == pytest.approx(_brute_force(problem, 3))


def test_must_and_must_not_partners_are_honoured():
    problem = Problem(POOL, RULES, "lead", must=["lab-no"], must_not=["sme-dk"], weights=FIT_ONLY)
    result = solve(problem, alternatives=3, today=TODAY)
    assert result.proposals
    for proposal in result.proposals:
        assert "lab-no" in proposal.ids and "sme-dk" not in proposal.ids
        assert proposal.reasons["lab-no"][0] == "Asked for as a partner"
    assert result.objective == pytest.approx(_brute_force(problem)[0])


def test_each_member_says_why_it_is_in():
    problem = Problem(POOL, RULES, "lead", weights=FIT_ONLY)
    reasons = solve(problem, alternatives=1, today=TODAY).proposals[0].reasons
    assert reasons["lead"][0] == "Leads and coordinates the consortium"
    assert "Brings the required public authority" in reasons["city-se"]
    assert "Adds Sweden, needed for 3 countries" in reasons["city-se"]
    assert "Fits the call: 95 %" in reasons["sme-dk"]


def test_complementarity_prefers_new_countries_clusters_and_topics():
    pool = [
        _c("lead", "research", "DK", 0.5, clusters=frozenset({"clean"})),
        _c("same", "research", "DK", 0.6, clusters=frozenset({"clean"})),
        _c(
            "new",
            "sme",
            "NO",
            0.5,
            clusters=frozenset({"nordic-edge"}),
            topics=frozenset({"hydrogen"}),
        ),
    ]
    problem = Problem(pool, {"max_partners": 2}, "lead", call_topics=frozenset({"hydrogen"}))
    result = solve(problem, alternatives=1, today=TODAY)
    assert set(result.proposals[0].ids) == {"lead", "new"}
    reasons = result.proposals[0].reasons["new"]
    assert "Covers the call's topics: hydrogen" in reasons
    assert "Brings in the cluster nordic-edge" in reasons
    fit_only = solve(
        Problem(pool, {"max_partners": 2}, "lead", weights=FIT_ONLY), alternatives=1, today=TODAY
    )
    assert set(fit_only.proposals[0].ids) == {"lead", "same"}


def test_a_partner_who_brings_nothing_is_left_out():
    pool = [_c("lead", "sme", "DK", 0.5), _c("idle", "sme", "DK", 0.0)]
    result = solve(Problem(pool, {}, "lead", weights=DEFAULT_WEIGHTS), today=TODAY)
    assert result.proposals[0].ids == ["lead"]


# When no consortium can meet the rules --------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "unmet", "words"),
    [
        (
            {"min_countries": 4, "eligible_countries": ["DK", "NO", "SE"]},
            "min_countries",
            "Needs 4 countries, but only DK, NO and SE are eligible in the network",
        ),
        (
            {"required_kinds": {"research": 3}},
            "required_kinds:research",
            "Needs 3 research organisations, but the call lets in only 2 in the network",
        ),
        (
            {"required_kinds": {"funder": 1}},
            "required_kinds:funder",
            "Needs 1 funder, but the call lets in none in the network",
        ),
        (
            {"min_partners": 9},
            "min_partners",
            "Needs 9 partners, but the call lets in only 7 organisations in the network",
        ),
        (
            {"eligible_countries": ["NO"]},
            "eligible_countries",
            "Org lead is from DK, and the call is not open to organisations from there",
        ),
        (
            {"coordinator_kinds": ["public_authority"]},
            "coordinator_kinds",
            "the call wants the coordinator to be a public authority",
        ),
        ({"deadline": "2026-01-01"}, "deadline", "The call closed on 1 January 2026"),
    ],
)
def test_an_impossible_call_names_the_rule_and_what_is_missing(rules, unmet, words):
    result = solve(Problem(POOL, rules, "lead", weights=FIT_ONLY), today=TODAY)
    assert result.status == "infeasible" and not result.proposals
    assert result.unmet_rule == unmet
    assert words in result.missing


def test_rules_that_only_clash_together_are_explained_by_dropping_one():
    # Two partners at most, but three countries and a public authority besides the lead:
    # each count alone is possible, together they are not.
    rules = {"max_partners": 3, "min_countries": 3, "required_kinds": {"public_authority": 1}}
    pool = [
        _c("lead", "research", "DK", 0.9),
        _c("city-dk", "public_authority", "DK", 0.5),
        _c("sme-no", "sme", "NO", 0.5),
        _c("sme-se", "sme", "SE", 0.5),
    ]
    result = solve(Problem(pool, rules, "lead", weights=FIT_ONLY), today=TODAY)
    assert result.status == "infeasible"
    assert result.unmet_rule == "required_kinds:public_authority"
    assert result.missing == (
        "No consortium that meets the other rules also has 1 public authority"
    )


def test_must_haves_that_leave_no_room_are_named():
    rules = {"max_partners": 3, "required_kinds": {"public_authority": 1}}
    problem = Problem(POOL, rules, "lead", must=["sme-dk", "sme-no"], weights=FIT_ONLY)
    result = solve(problem, today=TODAY)
    assert result.unmet_rule == "must"
    assert "must-have partners leave no room" in result.missing


def test_a_partner_both_wanted_and_excluded_is_refused():
    problem = Problem(POOL, {}, "lead", must=["sme-no"], must_not=["sme-no"])
    result = solve(problem, today=TODAY)
    assert result.unmet_rule == "must_not"


def test_the_exact_reduction_keeps_the_best_consortia_of_a_large_group():
    # Many candidates of the same kind and country: only the best few of each can be needed.
    pool = [_c("lead", "research", "DK", 0.5)]
    for i in range(24):
        kind, country = [("sme", "DK"), ("sme", "NO"), ("public_authority", "SE")][i % 3]
        pool.append(_c(f"c{i:02}", kind, country, round((i * 37 % 100) / 100, 2)))
    rules = {"max_partners": 4, "min_countries": 3, "required_kinds": {"public_authority": 1}}
    problem = Problem(pool, rules, "lead", weights=FIT_ONLY)
    result = solve(problem, alternatives=2, today=TODAY)
    assert result.considered < result.candidates
    assert [p.objective for p in result.proposals] == pytest.approx(_brute_force(problem, 2))


@st.composite
def crowded_problems(draw: st.DrawFn) -> Problem:
    """Many candidates in few kinds and countries, with clusters and topics: where the
    reduction leaves candidates out."""
    size = draw(st.integers(20, 50))
    pool = [
        _c(
            f"o{i}",
            draw(st.sampled_from(["sme", "research"])),
            draw(st.sampled_from(["DK", "NO"])),
            draw(st.integers(0, 20)) / 20,
            clusters=frozenset(draw(st.sets(st.sampled_from("abcd"), max_size=2))),
            topics=frozenset(draw(st.sets(st.sampled_from("wxyz"), max_size=2))),
        )
        for i in range(size)
    ]
    rules = {"max_partners": draw(st.integers(2, 4)), "min_countries": draw(st.integers(0, 2))}
    return Problem(pool, rules, "o0", call_topics=frozenset("wxy"), weights=DEFAULT_WEIGHTS)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded_problems())
def test_the_reduction_with_clusters_and_topics_keeps_the_best_consortia(problem):
    reduced = solve(problem, alternatives=2, time_limit=10, today=TODAY)
    whole = solve(problem, alternatives=2, time_limit=10, today=TODAY, reduce=False)
    assert reduced.status == whole.status == "optimal"
    assert [p.objective for p in reduced.proposals] == pytest.approx(
        [p.objective for p in whole.proposals], abs=1e-5
    )


def test_two_candidates_with_one_id_are_refused():
    with pytest.raises(ValueError, match="Two candidates"):
        solve(Problem([POOL[0], POOL[0]], {}, "lead"), today=TODAY)


# Properties ---------------------------------------------------------------------------------

KINDS = ["sme", "research", "public_authority", "ngo"]
COUNTRIES = ["DK", "NO", "SE", "US"]

candidate_strategy = st.builds(
    lambda kind, country, fit: (kind, country, fit),
    st.sampled_from(KINDS),
    st.sampled_from(COUNTRIES),
    st.integers(0, 100).map(lambda n: n / 100),
)
rules_strategy = st.fixed_dictionaries(
    {},
    optional={
        "eligible_countries": st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=3),
        "eligible_kinds": st.lists(st.sampled_from(KINDS), min_size=1, max_size=3),
        "min_partners": st.integers(0, 5),
        "max_partners": st.integers(1, 6),
        "min_countries": st.integers(0, 4),
        "required_kinds": st.dictionaries(st.sampled_from(KINDS), st.integers(1, 2), max_size=2),
        "coordinator_kinds": st.lists(st.sampled_from(KINDS), min_size=1, max_size=2),
    },
)


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    raw = draw(st.lists(candidate_strategy, min_size=1, max_size=8))
    pool = [_c(f"o{i}", kind, country, fit) for i, (kind, country, fit) in enumerate(raw)]
    rules = draw(rules_strategy)
    ids = [c.id for c in pool]
    # Mostly a lead the call lets in, so that most examples get as far as the solver.
    countries = eligibility.eligible_countries(rules)
    kinds = eligibility.eligible_kinds(rules)
    able = [
        c.id
        for c in pool
        if (countries is None or c.country in countries) and (kinds is None or c.kind in kinds)
    ]
    lead = draw(st.sampled_from(able if able and draw(st.integers(0, 4)) else ids))
    others = [i for i in ids if i != lead]
    must = draw(st.lists(st.sampled_from(others), max_size=2, unique=True)) if others else []
    rest = [i for i in others if i not in must]
    must_not = draw(st.lists(st.sampled_from(rest), max_size=2, unique=True)) if rest else []
    weights = draw(st.sampled_from([FIT_ONLY, DEFAULT_WEIGHTS]))
    return Problem(pool, rules, lead, must, must_not, weights=weights)


FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(problems())
def test_every_consortium_the_builder_returns_passes_the_check_and_is_best(problem):
    result = solve(problem, alternatives=2, time_limit=5, today=TODAY, workers=1)
    best = _brute_force(problem, 2)
    if result.status == "infeasible":
        assert best == [] and result.unmet_rule and result.missing
        return
    assert result.status == "optimal"
    for proposal in result.proposals:
        assert proposal.check.passed, proposal.check.failures
        assert _passes(problem, proposal.members)
        assert problem.lead == proposal.ids[0]
    assert len({frozenset(p.ids) for p in result.proposals}) == len(result.proposals)
    assert [p.objective for p in result.proposals] == pytest.approx(best, abs=1e-5)


def _needed_for(rule: str, member: Candidate, members: Sequence[Candidate], rules: dict) -> bool:
    """Whether the rule needs this member: without it, its count would fall short."""
    if rule == "min_partners":
        return len(members) == (eligibility.whole(rules.get("min_partners")) or 0)
    if rule == "min_countries":
        need = eligibility.whole(rules.get("min_countries")) or 0
        countries = {c.country for c in members}
        alone = sum(c.country == member.country for c in members) == 1
        return alone and len(countries) == need
    kind = rule.split(":", 1)[1]
    need = eligibility.required_kinds(rules).get(kind, 0)
    return member.kind == kind and sum(c.kind == kind for c in members) == need


@FAST
@given(problems())
def test_removing_a_partner_a_rule_needs_makes_that_rule_fail(problem):
    result = solve(problem, alternatives=1, time_limit=5, today=TODAY, workers=1)
    if not result.proposals:
        return
    members = result.proposals[0].members
    rules = dict(problem.rules)
    counted = ["min_partners", "min_countries"] + [
        f"required_kinds:{k}" for k in eligibility.required_kinds(rules)
    ]
    for member in members:
        rest = [c for c in members if c.id != member.id]
        check = eligibility.check(rules, _parties(rest, problem.lead), today=TODAY)
        failed = {r.rule for r in check.failures}
        for rule in counted:
            if check.result(rule) is not None and _needed_for(rule, member, members, rules):
                assert rule in failed, (rule, member, members)
        if member.id == problem.lead and eligibility.coordinator_rules(rules) != (
            frozenset(),
            frozenset(),
        ):
            assert "coordinator" in failed


# The benchmark's instance format ---------------------------------------------------------------


def test_the_benchmark_solves_one_instance_given_as_json(tmp_path):
    instance = {
        "rules": {
            "min_partners": 3,
            "max_partners": 3,
            "min_countries": 2,
            "eligible_countries": ["DK", "NO"],
            "eligible_kinds": ["sme", "research", "public"],
            "required_kinds": {"public": 1},
        },
        "lead": "o1",
        "must": [],
        "must_not": ["o4"],
        "candidates": [
            {"id": "o1", "kind": "sme", "country": "DK", "fit": 0.8},
            {"id": "o2", "kind": "research", "country": "NO", "fit": 0.7},
            {"id": "o3", "kind": "public", "country": "DK", "fit": 0.2},
            {"id": "o4", "kind": "public", "country": "NO", "fit": 0.9},
            {"id": "o5", "kind": "sme", "country": "SE", "fit": 1.0},
            {"id": "o6", "kind": "research", "country": "DK", "fit": 0.6},
        ],
        "time_limit": 10,
    }
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(instance))
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "consortium.py"), "--instance", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    answer = json.loads(run.stdout)
    assert answer["status"] == "optimal"
    assert sorted(answer["members"]) == ["o1", "o2", "o3"]
    assert answer["objective"] == pytest.approx(1.7)
    instance["rules"]["required_kinds"] = {"public": 2}
    path.write_text(json.dumps(instance))
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "consortium.py"), "--instance", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    answer = json.loads(run.stdout)
    assert answer["status"] == "infeasible" and answer["members"] == []
    assert answer["unmet_rule"] == "required_kinds:public"


def test_weights_are_named_and_fit_only_scores_the_sum_of_fit():
    members = [POOL[0], POOL[1]]
    problem = Problem(POOL, {}, "lead", weights=FIT_ONLY)
    assert score(members, problem) == pytest.approx(0.9 + 0.8)
    assert Weights().by_group_only() is False and FIT_ONLY.by_group_only()
