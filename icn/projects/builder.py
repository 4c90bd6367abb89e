"""The consortium builder: the best consortia for a funding call, by constraint programming.

Plain Python, no Django. Given candidate organisations (kind, country, fit to the call from
0 to 1, clusters, topics), the call's rules (the mapping `icn.matching.eligibility.check`
reads), a lead organisation that coordinates, and partners that must or must not be in,
`solve` finds the consortia that score best, subject to every rule, with OR-Tools CP-SAT:

    maximise  Σ fit · FIT − |members| · MEMBER
              + distinct countries · COUNTRY + distinct kinds · KIND
              + distinct clusters · CLUSTER + call topics covered · TOPIC

(the weights are `Weights`; `FIT_ONLY` makes the objective exactly the sum of fit). Every
rule is a linear constraint on one 0/1 variable per candidate: the partner counts, a count
per required kind, and at least `min_countries` country indicators (a country counts only
when a member is from it). Countries and kinds a call does not let in, and excluded
partners, never enter the model; the lead and the must-haves are fixed in it.

The search is exact: CP-SAT proves optimality unless the time limit stops it first, and the
result says which (`optimal` or `feasible`, with the proven bound). The next alternatives
come from solving again with a cut that forbids every earlier member set (and its
supersets), so each alternative is the best consortium not yet proposed.

Before solving, candidates that cannot be needed are left out, exactly. Candidate j
dominates candidate i when both are of the same kind and country, j comes before i in a
fixed order (own share of the objective, fit · FIT − MEMBER, best first), and j's share
exceeds i's by at least what only i could bring: CLUSTER for each of i's clusters j is not
in, TOPIC for each call topic i covers and j does not. (With `FIT_ONLY` that is every
better-fitting candidate of the same kind and country.) A candidate dominated by at least
`max_size + alternatives − 1` others is left out: if a consortium holds it, at least
`alternatives` of its dominators are outside (the consortium holds at most `max_size` of
the group); swapping one in keeps every count the rules look at (same kind, same country)
and does not lower the objective, and each earlier cut forbids at most one of those swaps.
Repeating the swap (each moves to a candidate earlier in the order, so it ends) gives a
consortium at least as good from the kept candidates. So the best consortia of the reduced
pool are the best of the whole pool.

When no consortium can meet the rules, the result names the rule that cannot be met and
what is missing: first by counting (too few eligible organisations, countries or kinds of
partner in the pool), then, when only the rules together are impossible, by solving again
without one rule at a time.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ortools.sat.python import cp_model

from icn.matching import eligibility
from icn.matching.country_groups import country_name

# Objective coefficients are integers for CP-SAT: fit and weights in millionths. Fits given
# with at most six decimals are therefore exact.
SCALE = 1_000_000
DEFAULT_TIME_LIMIT = 10.0
DEFAULT_ALTERNATIVES = 3
MAX_ALTERNATIVES = 10
# CP-SAT runs a portfolio of strategies, one per worker, and needs several of them to prove
# optimality: on the demo network one or two workers leave the bound loose for more than 20 s,
# eight prove the optimum in hundredths of a second. So eight, even on a two-core machine.
WORKERS = 8
# Each rule relaxed when explaining an infeasible call gets this share of the time left.
EXPLAIN_SHARE = 0.1


@dataclass(frozen=True)
class Weights:
    """What the objective rewards, in units of fit (a member's fit is 0 to 1).

    A new country, kind of organisation, cluster or call topic is worth a fraction of one
    member's fit: enough to prefer a partner from a new country over a slightly better fit
    from a country already in, not enough to take in a partner who hardly fits. Each member
    costs `member`, so a partner who brings nothing is left out rather than padding the
    consortium up to its maximum size.
    """

    fit: float = 1.0
    country: float = 0.3
    kind: float = 0.2
    cluster: float = 0.15
    topic: float = 0.3
    member: float = 0.05

    def by_group_only(self) -> bool:
        """The objective depends on a member through its fit, kind and country only."""
        return self.cluster == 0 and self.topic == 0


DEFAULT_WEIGHTS = Weights()
FIT_ONLY = Weights(fit=1.0, country=0.0, kind=0.0, cluster=0.0, topic=0.0, member=0.0)


@dataclass(frozen=True)
class Candidate:
    """An organisation that could join: what the rules look at and what the objective scores."""

    id: str
    kind: str
    country: str
    fit: float = 0.0
    name: str = ""
    clusters: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Problem:
    """A call's rules, the candidates, the lead and the partners asked for or excluded."""

    candidates: Sequence[Candidate]
    rules: Mapping[str, Any]
    lead: str
    must: Collection[str] = ()
    must_not: Collection[str] = ()
    call_topics: frozenset[str] = frozenset()
    weights: Weights = DEFAULT_WEIGHTS
    # A size the person building asks for, besides the call's own maximum.
    max_size: int | None = None
    # Where the pool is, as explanations say it: "in the network", "among those you can see".
    where: str = "in the network"


@dataclass
class Proposal:
    """One consortium: its members (lead first), score, rule check and why each is in."""

    members: list[Candidate]
    objective: float
    optimal: bool
    check: eligibility.EligibilityCheck
    reasons: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [member.id for member in self.members]


@dataclass
class Result:
    """What the builder found: proposals best first, or the rule that cannot be met."""

    status: str  # optimal, feasible, infeasible, or unknown (time ran out before any answer)
    proposals: list[Proposal]
    seconds: float
    time_limit: float
    unmet_rule: str = ""
    missing: str = ""
    bound: float | None = None  # the best objective CP-SAT could not rule out
    candidates: int = 0  # organisations in the pool the rules let in
    considered: int = 0  # of those, in the model after the exact reduction

    @property
    def objective(self) -> float | None:
        return self.proposals[0].objective if self.proposals else None

    @property
    def gap(self) -> float | None:
        """How far the best proposal may be from the optimum, as a share of the bound."""
        if self.objective is None or self.bound is None:
            return None
        if self.status == "optimal":
            return 0.0
        return max(0.0, self.bound - self.objective) / max(abs(self.bound), 1e-9)


class _Unmet(Exception):
    def __init__(self, rule: str, missing: str) -> None:
        super().__init__(missing)
        self.rule = rule
        self.missing = missing


@dataclass
class _Setup:
    """The problem once the rules that filter have filtered."""

    pool: list[Candidate]
    lead: Candidate
    forced: set[str]
    low: int
    high: int | None
    high_rule: str
    countries_needed: int
    required: dict[str, int]


# Words ----------------------------------------------------------------------------------------


def _kind(kind: str, labels: Mapping[str, str]) -> str:
    return eligibility.kind_name(kind, labels)


def _count(n: int, noun: str, many: str | None = None) -> str:
    return f"{n} {noun if n == 1 else (many or eligibility.plural(noun))}"


def _listed(codes: Iterable[str], limit: int = 6) -> str:
    codes = sorted(codes)
    if len(codes) > limit:
        return f"{', '.join(codes[:limit])} and {len(codes) - limit} more"
    if len(codes) <= 1:
        return "".join(codes)
    return f"{', '.join(codes[:-1])} and {codes[-1]}"


# Setting up -----------------------------------------------------------------------------------


def _time_rules(rules: Mapping[str, Any], today: date) -> None:
    deadline = eligibility.to_day(rules.get("deadline"))
    if deadline is not None and deadline < today:
        raise _Unmet(
            "deadline", f"The call closed on {eligibility.day_text(deadline)}: it takes no more"
        )
    steps = eligibility.stages(rules)
    if steps and all(step.deadline < today for step in steps):
        last = steps[-1]
        raise _Unmet(
            "stages",
            f"Every stage has closed: the last, “{last.name}”, "
            f"on {eligibility.day_text(last.deadline)}",
        )


def _not_eligible(
    candidate: Candidate,
    rules: Mapping[str, Any],
    labels: Mapping[str, str],
) -> tuple[str, str] | None:
    """The rule that keeps `candidate` out of the call, and why; None when it may join."""
    countries = eligibility.eligible_countries(rules)
    if countries is not None and candidate.country not in countries:
        return (
            "eligible_countries",
            f"{candidate.label} is from {candidate.country}, "
            f"and the call is not open to organisations from there",
        )
    kinds = eligibility.eligible_kinds(rules)
    if kinds is not None and candidate.kind not in kinds:
        return (
            "eligible_kinds",
            f"{candidate.label} is {_a(_kind(candidate.kind, labels))}, "
            "and the call is not open to that kind of organisation",
        )
    return None


def _a(noun: str) -> str:
    vowel = noun[:1].lower() in set("aeiou") or noun.split(" ")[0] in {"SME", "NGO"}
    return f"{'an' if vowel else 'a'} {noun}"


def _setup(problem: Problem, labels: Mapping[str, str]) -> _Setup:
    rules = problem.rules
    by_id: dict[str, Candidate] = {}
    for candidate in problem.candidates:
        if candidate.id in by_id:
            raise ValueError(f"Two candidates have the id {candidate.id!r}.")
        by_id[candidate.id] = candidate
    where = problem.where
    lead = by_id.get(problem.lead)
    if lead is None:
        raise _Unmet("lead", f"The lead {problem.lead} is not {where}")
    must = list(dict.fromkeys(str(m) for m in problem.must if str(m) != lead.id))
    must_not = {str(m) for m in problem.must_not}
    for missing in [m for m in must if m not in by_id]:
        raise _Unmet("must", f"{missing} is not {where}")
    clash = ({lead.id, *must}) & must_not
    if clash:
        names = _listed(by_id[c].label if c in by_id else c for c in clash)
        raise _Unmet("must_not", f"{names}: both asked for and excluded")
    for candidate in [lead, *(by_id[m] for m in must)]:
        refused = _not_eligible(candidate, rules, labels)
        if refused is not None:
            raise _Unmet(*refused)

    want_kinds, want_countries = eligibility.coordinator_rules(rules)
    if want_kinds and lead.kind not in want_kinds:
        wanted = " or ".join(_a(_kind(k, labels)) for k in sorted(want_kinds))
        raise _Unmet(
            "coordinator_kinds",
            f"{lead.label} leads and coordinates, but the call wants the coordinator to be "
            f"{wanted}; {lead.label} is {_a(_kind(lead.kind, labels))}",
        )
    if want_countries and lead.country not in want_countries:
        raise _Unmet(
            "coordinator_countries",
            f"{lead.label} leads and coordinates, but the call wants the coordinator from "
            f"{_listed(want_countries)}; {lead.label} is from {lead.country}",
        )

    pool = [
        c
        for c in problem.candidates
        if c.id not in must_not and _not_eligible(c, rules, labels) is None
    ]
    forced = {lead.id, *must}
    low = max(1, eligibility.whole(rules.get("min_partners")) or 0)
    call_high = eligibility.whole(rules.get("max_partners"))
    high, high_rule = call_high, "max_partners"
    if problem.max_size is not None and (high is None or problem.max_size < high):
        high, high_rule = problem.max_size, "size"
    spread = eligibility.whole(rules.get("min_countries")) or 0
    required = eligibility.required_kinds(rules)
    setup = _Setup(pool, lead, forced, low, high, high_rule, spread, required)
    _count_rules(setup, rules, labels, where)
    return setup


def _at_most(high: int, rule: str) -> str:
    if rule == "size":
        return f"you asked for at most {_count(high, 'partner')}"
    return f"the call allows at most {_count(high, 'partner')}"


def _count_rules(
    setup: _Setup, rules: Mapping[str, Any], labels: Mapping[str, str], where: str
) -> None:
    """Rules that cannot be met for want of organisations, by counting."""
    pool, high, rule = setup.pool, setup.high, setup.high_rule
    if high is not None:
        if len(setup.forced) > high:
            raise _Unmet(
                rule,
                f"The lead and the must-have partners are {len(setup.forced)}, "
                f"but {_at_most(high, rule)}",
            )
        if setup.low > high:
            raise _Unmet(
                rule, f"The call needs {_count(setup.low, 'partner')}, but {_at_most(high, rule)}"
            )
        if setup.countries_needed > high:
            raise _Unmet(
                rule,
                f"The call needs {_count(setup.countries_needed, 'country', 'countries')}, "
                f"but {_at_most(high, rule)}",
            )
        total = sum(setup.required.values())
        if total > high:
            raise _Unmet(
                rule,
                f"The kinds the call requires add up to {_count(total, 'partner')}, "
                f"but {_at_most(high, rule)}",
            )
    if len(pool) < setup.low:
        raise _Unmet(
            "min_partners",
            f"Needs {_count(setup.low, 'partner')}, but the call lets in only "
            f"{_count(len(pool), 'organisation')} {where}",
        )
    countries = {c.country for c in pool}
    if len(countries) < setup.countries_needed:
        verb = "is" if len(countries) == 1 else "are"
        only = _listed(countries) or "none"
        raise _Unmet(
            "min_countries",
            f"Needs {_count(setup.countries_needed, 'country', 'countries')}, but only "
            f"{only} {verb} eligible {where}",
        )
    kinds = Counter(c.kind for c in pool)
    open_kinds = eligibility.eligible_kinds(rules)
    for kind, need in setup.required.items():
        have = kinds.get(kind, 0)
        if have >= need:
            continue
        name = _count(need, _kind(kind, labels))
        if open_kinds is not None and kind not in open_kinds:
            missing = f"Needs {name}, but the call does not let that kind of organisation in"
        elif have == 0:
            missing = f"Needs {name}, but the call lets in none {where}"
        else:
            missing = f"Needs {name}, but the call lets in only {have} {where}"
        raise _Unmet(f"required_kinds:{kind}", missing)


def _reduce(setup: _Setup, problem: Problem, alternatives: int) -> list[Candidate]:
    """The pool without candidates that cannot be in any of the best consortia (exact; see
    the module's docstring): those dominated by `max_size + alternatives − 1` others."""
    if setup.high is None:
        return list(setup.pool)
    weights = problem.weights
    keep = setup.high + alternatives - 1
    call_topics = problem.call_topics if weights.topic else frozenset()
    cluster_value = _scaled(weights.cluster)
    topic_value = _scaled(weights.topic)

    def loss(i: Candidate, j: Candidate) -> int:
        """The most the objective can lose when j takes i's place: what only i brings."""
        lost = cluster_value * len(i.clusters - j.clusters) if cluster_value else 0
        if topic_value:
            lost += topic_value * len((i.topics & call_topics) - j.topics)
        return lost

    groups: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for candidate in setup.pool:
        if candidate.id not in setup.forced:
            groups[(candidate.kind, candidate.country)].append(candidate)
    kept = {candidate.id for candidate in setup.pool if candidate.id in setup.forced}
    for members in groups.values():
        if len(members) <= keep:
            kept.update(c.id for c in members)
            continue
        # A fixed order, best own share first: a candidate is only ever replaced by one
        # earlier in it, so replacing ends.
        members.sort(key=lambda c: (-_coefficient(c, weights), c.id))
        shares = [-_coefficient(c, weights) for c in members]  # ascending, for bisect
        for position, candidate in enumerate(members):
            share = -shares[position]
            most = (cluster_value * len(candidate.clusters) if cluster_value else 0) + (
                topic_value * len(candidate.topics & call_topics)
            )
            # Everyone whose share beats this one's by more than it could ever bring
            # dominates it; only those closer are compared one by one.
            surely = min(position, bisect_right(shares, -(share + most)))
            dominated = surely
            for other in members[surely:position]:
                if dominated >= keep:
                    break
                if _coefficient(other, weights) - share >= loss(candidate, other):
                    dominated += 1
            if dominated < keep:
                kept.add(candidate.id)
    return [candidate for candidate in setup.pool if candidate.id in kept]


def _coefficient(candidate: Candidate, weights: Weights) -> int:
    """A member's own share of the objective, as the model has it."""
    return _scaled(weights.fit * candidate.fit - weights.member)


def _scaled(value: float) -> int:
    return round(value * SCALE)


# The model ------------------------------------------------------------------------------------


class _Model:
    """The CP-SAT model of one problem; `skip` leaves rules out (to explain infeasibility)."""

    def __init__(
        self,
        pool: Sequence[Candidate],
        setup: _Setup,
        problem: Problem,
        *,
        skip: Collection[str] = (),
        objective: bool = True,
    ) -> None:
        self.pool = list(pool)
        model = cp_model.CpModel()
        self.model = model
        self.x = [model.new_bool_var(f"x{i}") for i in range(len(self.pool))]
        forced = setup.forced if "must" not in skip else {setup.lead.id}
        for candidate, var in zip(self.pool, self.x, strict=True):
            if candidate.id in forced:
                model.add(var == 1)
        size = cp_model.LinearExpr.sum(self.x)
        if "min_partners" not in skip:
            model.add(size >= setup.low)
        if setup.high is not None and setup.high_rule not in skip:
            model.add(size <= setup.high)

        weights = problem.weights if objective else Weights(0, 0, 0, 0, 0, 0)
        by_country = self._groups(lambda c: [c.country])
        countries_needed = 0 if "min_countries" in skip else setup.countries_needed
        country_flags = self._presence(by_country, countries_needed > 0 or weights.country > 0)
        if countries_needed:
            model.add(cp_model.LinearExpr.sum(country_flags) >= countries_needed)
        by_kind = self._groups(lambda c: [c.kind])
        for kind, need in setup.required.items():
            if f"required_kinds:{kind}" not in skip:
                model.add(cp_model.LinearExpr.sum(by_kind.get(kind, [])) >= need)
        kind_flags = self._presence(by_kind, weights.kind > 0)
        cluster_flags = self._presence(self._groups(lambda c: c.clusters), weights.cluster > 0)
        topics = problem.call_topics
        topic_groups = self._groups(lambda c: c.topics & topics)
        topic_flags = self._presence(topic_groups, weights.topic > 0)

        if objective:
            coefficients = [_coefficient(c, weights) for c in self.pool]
            terms = [cp_model.LinearExpr.weighted_sum(self.x, coefficients)]
            for flags, weight in (
                (country_flags, weights.country),
                (kind_flags, weights.kind),
                (cluster_flags, weights.cluster),
                (topic_flags, weights.topic),
            ):
                if flags and weight:
                    terms.append(_scaled(weight) * cp_model.LinearExpr.sum(flags))
            model.maximize(cp_model.LinearExpr.sum(terms))

    def _groups(self, keys: Any) -> dict[str, list[cp_model.IntVar]]:
        groups: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for candidate, var in zip(self.pool, self.x, strict=True):
            for key in keys(candidate):
                groups[key].append(var)
        return groups

    def _presence(
        self, groups: Mapping[str, list[cp_model.IntVar]], wanted: bool
    ) -> list[cp_model.IntVar]:
        """One 0/1 flag per group that can be 1 only when a member of the group is in."""
        if not wanted:
            return []
        flags = []
        for key, members in groups.items():
            flag = self.model.new_bool_var(f"has_{key}")
            self.model.add(flag <= cp_model.LinearExpr.sum(members))
            flags.append(flag)
        return flags

    def forbid(self, chosen: Collection[str], forced: Collection[str]) -> bool:
        """Forbid this member set (and its supersets) from now on; False when nothing is left
        to vary (every member is fixed)."""
        free = [
            var
            for candidate, var in zip(self.pool, self.x, strict=True)
            if candidate.id in chosen and candidate.id not in forced
        ]
        if not free:
            return False
        self.model.add(cp_model.LinearExpr.sum(free) <= len(free) - 1)
        return True


def _solver(seconds: float, workers: int | None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    solver.parameters.num_workers = workers or WORKERS
    return solver


# Solving --------------------------------------------------------------------------------------


def score(members: Sequence[Candidate], problem: Problem) -> float:
    """The objective of a member set, as the model scores it."""
    weights = problem.weights
    clusters = {cluster for c in members for cluster in c.clusters}
    covered = {topic for c in members for topic in c.topics} & problem.call_topics
    return (
        sum(weights.fit * c.fit - weights.member for c in members)
        + weights.country * len({c.country for c in members})
        + weights.kind * len({c.kind for c in members})
        + weights.cluster * len(clusters)
        + weights.topic * len(covered)
    )


def solve(
    problem: Problem,
    *,
    alternatives: int = DEFAULT_ALTERNATIVES,
    time_limit: float = DEFAULT_TIME_LIMIT,
    today: date | None = None,
    kind_labels: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
    workers: int | None = None,
    reduce: bool = True,
) -> Result:
    """The best `alternatives` distinct consortia for `problem`, within `time_limit` seconds.

    `names` words clusters and topics in the reasons (slug → name); `reduce=False` keeps
    the whole pool in the model (to measure what the exact reduction saves)."""
    started = time.perf_counter()
    labels = kind_labels or {}
    today = today or date.today()
    alternatives = max(1, min(MAX_ALTERNATIVES, alternatives))

    def elapsed() -> float:
        return time.perf_counter() - started

    try:
        _time_rules(problem.rules, today)
        setup = _setup(problem, labels)
    except _Unmet as unmet:
        return Result(
            "infeasible", [], elapsed(), time_limit, unmet_rule=unmet.rule, missing=unmet.missing
        )
    pool = _reduce(setup, problem, alternatives) if reduce else list(setup.pool)
    model = _Model(pool, setup, problem)
    result = Result(
        "unknown", [], 0.0, time_limit, candidates=len(setup.pool), considered=len(pool)
    )
    for round_ in range(alternatives):
        left = time_limit - elapsed()
        if left <= 0.01:
            break
        solver = _solver(left, workers)
        code = solver.solve(model.model)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if round_ == 0 and code == cp_model.INFEASIBLE:
                result.status = "infeasible"
                result.unmet_rule, result.missing = _explain(
                    setup, problem, labels, workers, started, time_limit
                )
            elif round_ == 0:
                result.missing = "No consortium was found within the time limit"
            break
        chosen = [c for c, var in zip(model.pool, model.x, strict=True) if solver.value(var)]
        optimal = code == cp_model.OPTIMAL
        if round_ == 0:
            result.status = "optimal" if optimal else "feasible"
            result.bound = solver.best_objective_bound / SCALE
        result.proposals.append(
            _proposal(chosen, optimal, setup, problem, labels, names or {}, today)
        )
        if not model.forbid({c.id for c in chosen}, setup.forced):
            break
    if result.status == "unknown" and not result.missing:
        result.missing = "No consortium was found within the time limit"
    result.seconds = elapsed()
    return result


def _explain(
    setup: _Setup,
    problem: Problem,
    labels: Mapping[str, str],
    workers: int | None,
    started: float,
    time_limit: float,
) -> tuple[str, str]:
    """The one rule without which a consortium exists, and what it asks that nobody gives."""
    order = [
        *(["must"] if setup.forced - {setup.lead.id} else []),
        *(f"required_kinds:{kind}" for kind in setup.required),
        *(["min_countries"] if setup.countries_needed else []),
        *([setup.high_rule] if setup.high is not None else []),
        "min_partners",
    ]
    for rule in order:
        left = time_limit - (time.perf_counter() - started)
        if left <= 0.01:
            break
        model = _Model(setup.pool, setup, problem, skip={rule}, objective=False)
        code = _solver(max(0.05, left * EXPLAIN_SHARE), workers).solve(model.model)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return rule, _without(rule, setup, labels)
    return "rules", "The rules cannot all be met together by the organisations that may join"


def _without(rule: str, setup: _Setup, labels: Mapping[str, str]) -> str:
    if rule == "must":
        return "The must-have partners leave no room for a consortium that meets every rule"
    if rule.startswith("required_kinds:"):
        kind = rule.split(":", 1)[1]
        return (
            f"No consortium that meets the other rules also has "
            f"{_count(setup.required[kind], _kind(kind, labels))}"
        )
    if rule == "min_countries":
        return (
            "No consortium that meets the other rules spans "
            f"{_count(setup.countries_needed, 'country', 'countries')}"
        )
    if rule in ("max_partners", "size") and setup.high is not None:
        return (
            f"Every consortium that meets the other rules has more than "
            f"{_count(setup.high, 'partner')}"
        )
    return f"No consortium that meets the other rules has {_count(setup.low, 'partner')}"


# Proposals ------------------------------------------------------------------------------------


def _proposal(
    chosen: list[Candidate],
    optimal: bool,
    setup: _Setup,
    problem: Problem,
    labels: Mapping[str, str],
    names: Mapping[str, str],
    today: date,
) -> Proposal:
    lead = setup.lead
    must = setup.forced - {lead.id}
    members = sorted(
        chosen, key=lambda c: (c.id != lead.id, c.id not in must, -c.fit, c.label, c.id)
    )
    parties = [
        eligibility.Party(c.label, c.kind, c.country, coordinator=c.id == lead.id) for c in members
    ]
    check = eligibility.check(problem.rules, parties, kind_labels=labels, today=today)
    return Proposal(
        members=members,
        objective=score(members, problem),
        optimal=optimal,
        check=check,
        reasons=reasons(members, setup, problem, labels, names),
    )


def reasons(
    members: Sequence[Candidate],
    setup: _Setup,
    problem: Problem,
    labels: Mapping[str, str],
    names: Mapping[str, str],
) -> dict[str, list[str]]:
    """Why each member is in: its role, what the rules needed from it, what it adds."""
    kinds = Counter(c.kind for c in members)
    countries = Counter(c.country for c in members)
    clusters = Counter(cluster for c in members for cluster in c.clusters)
    topics = Counter(topic for c in members for topic in c.topics & problem.call_topics)
    why: dict[str, list[str]] = {}
    for member in members:
        said = []
        if member.id == setup.lead.id:
            said.append("Leads and coordinates the consortium")
        elif member.id in setup.forced:
            said.append("Asked for as a partner")
        need = setup.required.get(member.kind, 0)
        if need and kinds[member.kind] <= need:
            kind = _kind(member.kind, labels)
            said.append(
                f"Brings the required {kind}"
                if need == 1
                else f"One of the {_count(need, kind)} the call requires"
            )
        if countries[member.country] == 1 and len(members) > 1:
            needed = setup.countries_needed and len(countries) <= setup.countries_needed
            place = country_name(member.country)
            said.append(
                f"Adds {place}, needed for {_count(setup.countries_needed, 'country', 'countries')}"
                if needed
                else f"Adds a country: {place}"
            )
        own = sorted(names.get(t, t) for t in member.topics & problem.call_topics if topics[t] == 1)
        if own:
            said.append("Covers the call's topics: " + ", ".join(own))
        alone = sorted(names.get(c, c) for c in member.clusters if clusters[c] == 1)
        if alone and problem.weights.cluster and len(members) > 1:
            said.append("Brings in the cluster " + ", ".join(alone))
        if member.fit > 0:
            said.append(f"Fits the call: {round(member.fit * 100)} %")
        why[member.id] = said
    return why
