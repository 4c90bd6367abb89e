"""A funding call's eligibility rules checked against a set of parties, in plain words.

Plain Python, no Django: the rules are one mapping (the call's `eligibility` data, plus its
budget, co-funding rate and deadline, see `icn.projects.rules.call_rules`):

- who may take part: `eligible_countries` (ISO codes) and `eligible_country_groups`
  ("eu", "associated", "any"; together they are one rule, a country in either is eligible),
  `eligible_kinds`;
- how the consortium is made up: `min_partners`, `max_partners`, `min_countries`,
  `required_kinds` (kind → how many at least);
- who coordinates: `coordinator_kinds`, `coordinator_countries` (then exactly one party is
  the coordinator);
- money: `budget_ceiling` (the parties' requested funding together), `co_funding_rate` (per
  cent: each party asks at most that share of its costs), `currency` for the wording;
- time: `deadline` and `stages` ([{"name", "deadline"}], ISO dates).

Every rule the call sets gets a result with pass or fail and a reason a member understands; a
failing rule that more partners would fix says which clusters' members would complete it.
Budgets are checked only once parties have them: while no party has a budget, the money rules
pass with "no budgets yet" (a consortium is put together before its budget is), and say so.
Deadlines are information while they are ahead, and fail once passed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from icn.matching.country_groups import GROUP_NAMES, countries_of, country_name


@dataclass(frozen=True)
class Party:
    """One organisation of a would-be consortium, with its role and budget when known."""

    name: str
    kind: str
    country: str
    coordinator: bool = False
    costs: float | None = None  # the partner's total eligible costs
    requested: float | None = None  # the funding it asks the funder for


@dataclass(frozen=True)
class ClusterOffer:
    """A cluster as a pool of possible partners: its country and member counts by kind."""

    name: str
    country: str
    kinds: Mapping[str, int] = field(default_factory=dict)

    def count(self, kinds: Iterable[str] | None = None) -> int:
        wanted = set(kinds) if kinds is not None else None
        return sum(n for kind, n in self.kinds.items() if wanted is None or kind in wanted)


@dataclass(frozen=True)
class RuleResult:
    """One rule of a call: passed or not, why, and who could fix it.

    `informational` marks a rule that tells rather than tests while it passes (a deadline
    ahead, money rules before there are budgets).
    """

    rule: str
    passed: bool
    reason: str
    completable: bool = False
    suggestion: str = ""
    informational: bool = False

    @property
    def text(self) -> str:
        return f"{self.reason} — {self.suggestion}" if self.suggestion else self.reason


@dataclass(frozen=True)
class EligibilityCheck:
    """Every rule's result for one set of parties."""

    results: tuple[RuleResult, ...]

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def blocked(self) -> bool:
        """A rule fails that adding partners cannot fix (a country or kind not eligible)."""
        return any(not r.passed and not r.completable for r in self.results)

    @property
    def needs_partners(self) -> bool:
        """Fails only on rules that more partners would fix."""
        return not self.passed and not self.blocked

    @property
    def failures(self) -> list[RuleResult]:
        return [result for result in self.results if not result.passed]

    def result(self, rule: str) -> RuleResult | None:
        return next((r for r in self.results if r.rule == rule), None)


# Reading the rules ----------------------------------------------------------------------------


def whole(value: Any) -> int | None:
    """A whole number, or None (booleans are not numbers here)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def eligible_countries(rules: Mapping[str, Any]) -> frozenset[str] | None:
    """The countries the call is open to (codes and groups together); None: any country."""
    codes = [str(c) for c in rules.get("eligible_countries") or []]
    groups = [str(g) for g in rules.get("eligible_country_groups") or []]
    if not codes and not groups:
        return None
    return countries_of(groups, codes)


def eligible_kinds(rules: Mapping[str, Any]) -> frozenset[str] | None:
    kinds = [str(k) for k in rules.get("eligible_kinds") or []]
    return frozenset(kinds) if kinds else None


def required_kinds(rules: Mapping[str, Any]) -> dict[str, int]:
    """Kind → how many at least, for the counts that are whole numbers of 1 or more."""
    required = rules.get("required_kinds") or {}
    if not isinstance(required, Mapping):
        return {}
    counts = {str(kind): whole(count) for kind, count in required.items()}
    return {kind: n for kind, n in sorted(counts.items()) if n is not None and n >= 1}


def coordinator_rules(rules: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """The kinds and countries a coordinator may be of (empty: any)."""
    kinds = frozenset(str(k) for k in rules.get("coordinator_kinds") or [])
    countries = frozenset(str(c).upper() for c in rules.get("coordinator_countries") or [])
    return kinds, countries


def to_day(value: Any) -> date | None:
    """An ISO date or date-time (its own day), or None when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


@dataclass(frozen=True)
class Stage:
    """A stage of a call (an outline, a full proposal) and its deadline."""

    name: str
    deadline: date


def stages(rules: Mapping[str, Any]) -> list[Stage]:
    """The call's stages with a readable deadline, earliest first."""
    found = []
    items = rules.get("stages") or []
    for item in items if isinstance(items, list | tuple) else []:
        if not isinstance(item, Mapping):
            continue
        day = to_day(item.get("deadline"))
        name = str(item.get("name") or "").strip()
        if day is not None and name:
            found.append(Stage(name, day))
    return sorted(found, key=lambda stage: (stage.deadline, stage.name))


# Words ----------------------------------------------------------------------------------------


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or plural(one))}"


def plural(noun: str) -> str:
    """'research organisation' → 'research organisations', 'public authority' → '…ities'."""
    if noun.endswith("y") and noun[-2:-1].lower() not in set("aeiou"):
        return noun[:-1] + "ies"
    return noun + "s"


def _a(noun: str) -> str:
    """The noun with its article: 'an SME', 'a research organisation'."""
    sounds_vowel = noun[:1].lower() in set("aeiou") or noun.split(" ")[0] in {"SME", "NGO"}
    return f"{'an' if sounds_vowel else 'a'} {noun}"


# Organisation kinds as they read inside a sentence, when the caller gives no labels.
KIND_WORDS = {
    "sme": "SME",
    "large_company": "large company",
    "public_authority": "public authority",
    "research": "research organisation",
    "funder": "funder",
    "ngo": "NGO",
    "partner": "partner organisation",
}


def kind_name(kind: str, labels: Mapping[str, str] | None = None) -> str:
    return (labels or {}).get(kind) or KIND_WORDS.get(kind) or kind.replace("_", " ")


_kind_name = kind_name


def _join(names: Sequence[str], last: str = "and") -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {last} {names[-1]}"


def _money(amount: float, currency: str = "") -> str:
    text = f"{amount:,.0f}"
    return f"{text} {currency}" if currency else text


def _percent(rate: float) -> str:
    return f"{rate:g} %"


def day_text(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _country_words(rules: Mapping[str, Any], *, names: bool) -> str:
    """Where the call is open, as a list of groups and countries ('' when anywhere)."""
    groups = [str(g) for g in rules.get("eligible_country_groups") or []]
    codes = [str(c) for c in rules.get("eligible_countries") or []]
    parts = [GROUP_NAMES.get(g, g) for g in groups if g in GROUP_NAMES]
    parts += [country_name(c) if names else c for c in codes]
    return _join(parts, "or") if names else ", ".join(parts)


def _suggest(
    clusters: Sequence[ClusterOffer],
    *,
    kinds: Iterable[str] | None,
    countries: Iterable[str] | None,
    exclude_countries: Iterable[str] = (),
    limit: int = 2,
) -> str:
    """The clusters with the most members who would count for a rule, named."""
    wanted_countries = set(countries) if countries is not None else None
    excluded = set(exclude_countries)
    pools = [
        (cluster.count(kinds), cluster.name)
        for cluster in clusters
        if cluster.country not in excluded
        and (wanted_countries is None or cluster.country in wanted_countries)
    ]
    names = [name for count, name in sorted(pools, key=lambda p: (-p[0], p[1])) if count > 0]
    if not names:
        return ""
    return f"members of {_join(names[:limit], 'or')} would complete it"


# Checking -------------------------------------------------------------------------------------


def check(
    rules: Mapping[str, Any] | None,
    parties: Sequence[Party],
    clusters: Sequence[ClusterOffer] = (),
    kind_labels: Mapping[str, str] | None = None,
    *,
    today: date | None = None,
) -> EligibilityCheck:
    """Check `parties` against a call's rules; one result per rule the call sets."""
    rules = rules or {}
    labels = kind_labels or {}
    today = today or date.today()
    results: list[RuleResult] = []
    countries = {party.country for party in parties}
    kinds = Counter(party.kind for party in parties)
    open_countries = eligible_countries(rules)
    open_kinds = eligible_kinds(rules)

    results.extend(_who_may_apply(rules, parties, open_countries, open_kinds, labels))
    results.extend(
        _make_up(rules, parties, countries, kinds, clusters, open_countries, open_kinds, labels)
    )
    results.extend(_coordinator(rules, parties, open_countries, open_kinds, labels))
    results.extend(_money_rules(rules, parties))
    results.extend(_time_rules(rules, today))
    return EligibilityCheck(tuple(results))


def _who_may_apply(
    rules: Mapping[str, Any],
    parties: Sequence[Party],
    open_countries: frozenset[str] | None,
    open_kinds: frozenset[str] | None,
    labels: Mapping[str, str],
) -> list[RuleResult]:
    results = []
    if rules.get("eligible_countries") or rules.get("eligible_country_groups"):
        if open_countries is None:
            results.append(
                RuleResult("eligible_countries", True, "Open to organisations from any country")
            )
        else:
            outside = [p for p in parties if p.country not in open_countries]
            open_to = _country_words(rules, names=False)
            if outside:
                who = _join([f"{p.name} ({p.country})" for p in outside])
                verb = "is" if len(outside) == 1 else "are"
                reason = f"Open to organisations from {open_to}: {who} {verb} not"
            else:
                reason = f"Open to organisations from {open_to}: every party is"
            results.append(RuleResult("eligible_countries", not outside, reason))

    if open_kinds is not None:
        wrong = [p for p in parties if p.kind not in open_kinds]
        kinds_in_order = [str(k) for k in rules.get("eligible_kinds") or []]
        open_to = _join([plural(_kind_name(k, labels)) for k in kinds_in_order], "or")
        if wrong:
            who = _join([f"{p.name} ({_kind_name(p.kind, labels)})" for p in wrong])
            reason = f"Open to {open_to}: {who} {'is' if len(wrong) == 1 else 'are'} not"
        else:
            reason = f"Open to {open_to}: every party is"
        results.append(RuleResult("eligible_kinds", not wrong, reason))
    return results


def _make_up(
    rules: Mapping[str, Any],
    parties: Sequence[Party],
    countries: set[str],
    kinds: Counter[str],
    clusters: Sequence[ClusterOffer],
    open_countries: frozenset[str] | None,
    open_kinds: frozenset[str] | None,
    labels: Mapping[str, str],
) -> list[RuleResult]:
    results = []
    low = whole(rules.get("min_partners"))
    if low is not None and low > 0:
        passed = len(parties) >= low
        results.append(
            RuleResult(
                "min_partners",
                passed,
                f"Needs {_plural(low, 'partner')}: you have {len(parties)}",
                completable=True,
                suggestion=""
                if passed
                else _suggest(clusters, kinds=open_kinds, countries=open_countries),
            )
        )

    high = whole(rules.get("max_partners"))
    if high is not None:
        results.append(
            RuleResult(
                "max_partners",
                len(parties) <= high,
                f"At most {_plural(high, 'partner')}: you have {len(parties)}",
            )
        )

    spread = whole(rules.get("min_countries"))
    if spread is not None and spread > 0:
        passed = len(countries) >= spread
        results.append(
            RuleResult(
                "min_countries",
                passed,
                f"Needs {_plural(spread, 'country', 'countries')}: you have {len(countries)}",
                completable=True,
                suggestion=""
                if passed
                else _suggest(
                    clusters,
                    kinds=open_kinds,
                    countries=open_countries,
                    exclude_countries=countries,
                ),
            )
        )

    for kind, need in required_kinds(rules).items():
        have = kinds.get(kind, 0)
        passed = have >= need
        # A kind the call does not let in cannot be added: then the rule cannot be met.
        addable = open_kinds is None or kind in open_kinds
        results.append(
            RuleResult(
                f"required_kinds:{kind}",
                passed,
                f"Needs {_plural(need, _kind_name(kind, labels))}: you have {have}",
                completable=addable,
                suggestion=""
                if passed or not addable
                else _suggest(clusters, kinds={kind}, countries=open_countries),
            )
        )
    return results


def _coordinator_words(
    rules: Mapping[str, Any], labels: Mapping[str, str], *, names: bool = False
) -> tuple[str, str]:
    """'a research organisation or an SME' and 'DK or NO' (country names when `names`)."""
    kinds = [str(k) for k in rules.get("coordinator_kinds") or []]
    codes = [str(c).upper() for c in rules.get("coordinator_countries") or []]
    kind_words = _join([_a(_kind_name(k, labels)) for k in kinds], "or")
    country_words = _join([country_name(c) if names else c for c in codes], "or")
    return kind_words, country_words


def _coordinator(
    rules: Mapping[str, Any],
    parties: Sequence[Party],
    open_countries: frozenset[str] | None,
    open_kinds: frozenset[str] | None,
    labels: Mapping[str, str],
) -> list[RuleResult]:
    want_kinds, want_countries = coordinator_rules(rules)
    if not want_kinds and not want_countries:
        return []
    kind_words, country_words = _coordinator_words(rules, labels)
    coordinators = [p for p in parties if p.coordinator]
    single = coordinators[0] if len(coordinators) == 1 else None
    # A coordinator the call lets in at all: then naming or adding one fixes these rules.
    possible = (not want_kinds or open_kinds is None or bool(want_kinds & open_kinds)) and (
        not want_countries or open_countries is None or bool(want_countries & open_countries)
    )

    def qualifies(party: Party) -> bool:
        return (not want_kinds or party.kind in want_kinds) and (
            not want_countries or party.country in want_countries
        )

    results = []
    if single is not None:
        results.append(RuleResult("coordinator", True, f"Coordinated by {single.name}"))
    elif not coordinators:
        able = [p.name for p in parties if qualifies(p)]
        results.append(
            RuleResult(
                "coordinator",
                False,
                "Needs one coordinator: none is named",
                completable=possible,
                suggestion=f"{_join(able, 'or')} could coordinate" if able else "",
            )
        )
    else:
        named = _join([p.name for p in coordinators])
        results.append(
            RuleResult(
                "coordinator",
                False,
                f"Needs exactly one coordinator: {named} are all named",
            )
        )
    unnamed = (
        "no coordinator is named yet" if not coordinators else "there is more than one coordinator"
    )
    if want_kinds:
        head = f"Coordinated by {kind_words}"
        if single is None:
            passed, reason = False, f"{head}: {unnamed}"
        else:
            passed = single.kind in want_kinds
            reason = f"{head}: {single.name} is {_a(_kind_name(single.kind, labels))}"
        results.append(
            RuleResult(
                "coordinator_kinds", passed, reason, completable=possible and len(coordinators) <= 1
            )
        )
    if want_countries:
        head = f"Coordinated from {country_words}"
        if single is None:
            passed, reason = False, f"{head}: {unnamed}"
        else:
            passed = single.country in want_countries
            reason = f"{head}: {single.name} is from {single.country}"
        results.append(
            RuleResult(
                "coordinator_countries",
                passed,
                reason,
                completable=possible and len(coordinators) <= 1,
            )
        )
    return results


def _money_rules(rules: Mapping[str, Any], parties: Sequence[Party]) -> list[RuleResult]:
    results = []
    currency = str(rules.get("currency") or "")
    ceiling = _number(rules.get("budget_ceiling"))
    if ceiling is not None:
        head = f"Up to {_money(ceiling, currency)} requested in total"
        budgets = [p.requested for p in parties if p.requested is not None]
        if not budgets:
            results.append(
                RuleResult("budget_ceiling", True, f"{head}: no budgets yet", informational=True)
            )
        else:
            total = sum(budgets)
            missing = len(parties) - len(budgets)
            reason = f"{head}: you request {_money(total, currency)}"
            if missing:
                reason += f" ({_plural(missing, 'partner')} without a budget yet)"
            results.append(RuleResult("budget_ceiling", total <= ceiling + 0.005, reason))

    rate = _number(rules.get("co_funding_rate"))
    if rate is not None:
        head = f"The funder pays up to {_percent(rate)} of each partner's costs"
        asking = [p for p in parties if p.requested is not None]
        if not asking:
            results.append(
                RuleResult("co_funding_rate", True, f"{head}: no budgets yet", informational=True)
            )
        else:
            problems = []
            for p in asking:
                assert p.requested is not None
                if p.costs is None or p.costs <= 0:
                    problems.append(f"{p.name} asks {_money(p.requested)} without stating costs")
                elif p.requested > p.costs * rate / 100 + 0.005:
                    share = 100 * p.requested / p.costs
                    problems.append(
                        f"{p.name} asks {share:.0f} % "
                        f"({_money(p.requested)} of {_money(p.costs, currency)})"
                    )
            reason = f"{head}: " + ("; ".join(problems) if problems else "every request is within")
            results.append(RuleResult("co_funding_rate", not problems, reason))
    return results


def _time_rules(rules: Mapping[str, Any], today: date) -> list[RuleResult]:
    results = []
    deadline = to_day(rules.get("deadline"))
    if deadline is not None:
        if deadline >= today:
            days = (deadline - today).days
            when = "today" if days == 0 else f"in {_plural(days, 'day')}"
            results.append(
                RuleResult(
                    "deadline",
                    True,
                    f"Apply by {day_text(deadline)} ({when})",
                    informational=True,
                )
            )
        else:
            results.append(
                RuleResult("deadline", False, f"The deadline passed on {day_text(deadline)}")
            )
    steps = stages(rules)
    if steps:
        ahead = [s for s in steps if s.deadline >= today]
        behind = [s for s in steps if s.deadline < today]
        closed = "; ".join(f"“{s.name}” closed on {day_text(s.deadline)}" for s in behind)
        if ahead:
            reason = f"Next stage: “{ahead[0].name}” by {day_text(ahead[0].deadline)}"
            if closed:
                reason += f" ({closed})"
            results.append(RuleResult("stages", True, reason, informational=True))
        else:
            results.append(RuleResult("stages", False, f"Every stage has closed: {closed}"))
    return results


# Describing -----------------------------------------------------------------------------------


def describe(
    rules: Mapping[str, Any] | None, kind_labels: Mapping[str, str] | None = None
) -> list[str]:
    """The call's rules as sentences, for its page: one line per rule it sets."""
    rules = rules or {}
    labels = kind_labels or {}
    lines = []
    if rules.get("eligible_countries") or rules.get("eligible_country_groups"):
        if eligible_countries(rules) is None:
            lines.append("Open to organisations from any country")
        else:
            lines.append(f"Open to organisations from {_country_words(rules, names=True)}")
    kinds = [str(k) for k in rules.get("eligible_kinds") or []]
    if kinds:
        lines.append(f"Open to {_join([plural(_kind_name(k, labels)) for k in kinds], 'or')}")
    low, high = whole(rules.get("min_partners")), whole(rules.get("max_partners"))
    if low and high is not None:
        lines.append(f"{low} to {_plural(high, 'partner')}" if low != high else f"{low} partners")
    elif low:
        lines.append(f"At least {_plural(low, 'partner')}")
    elif high is not None:
        lines.append(f"At most {_plural(high, 'partner')}")
    spread = whole(rules.get("min_countries"))
    if spread:
        lines.append(f"Partners from at least {_plural(spread, 'country', 'countries')}")
    required = required_kinds(rules)
    if required:
        parts = [_plural(n, _kind_name(kind, labels)) for kind, n in required.items()]
        lines.append(f"At least {_join(parts)}")
    kind_words, country_words = _coordinator_words(rules, labels, names=True)
    if kind_words or country_words:
        line = "Coordinated by " + (kind_words or "a partner")
        if country_words:
            line += f" from {country_words}"
        lines.append(line)
    currency = str(rules.get("currency") or "")
    ceiling = _number(rules.get("budget_ceiling"))
    if ceiling is not None:
        lines.append(f"Up to {_money(ceiling, currency)} requested in total")
    rate = _number(rules.get("co_funding_rate"))
    if rate is not None:
        lines.append(f"The funder pays up to {_percent(rate)} of each partner's costs")
    for step in stages(rules):
        lines.append(f"Stage “{step.name}”: by {day_text(step.deadline)}")
    deadline = to_day(rules.get("deadline"))
    if deadline is not None:
        lines.append(f"Apply by {day_text(deadline)}")
    return lines
