"""A funding call's eligibility rules checked against a set of parties, in plain words.

Plain Python, no Django: the rules are the call's `eligibility` dict (eligible_countries,
eligible_kinds, min_partners, max_partners, min_countries, required_kinds). Every rule the
call sets gets a result with pass or fail and a reason a member understands; a failing rule
that more partners would fix says which clusters' members would complete it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


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
    """One rule of a call: passed or not, why, and who could fix it."""

    rule: str
    passed: bool
    reason: str
    completable: bool = False
    suggestion: str = ""

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


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _kind_name(kind: str, labels: Mapping[str, str]) -> str:
    return labels.get(kind, kind.replace("_", " "))


def _join(names: Sequence[str], last: str = "and") -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {last} {names[-1]}"


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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


def check(
    rules: Mapping[str, Any] | None,
    parties: Sequence[Party],
    clusters: Sequence[ClusterOffer] = (),
    kind_labels: Mapping[str, str] | None = None,
) -> EligibilityCheck:
    """Check `parties` against a call's rules; one result per rule the call sets."""
    rules = rules or {}
    labels = kind_labels or {}
    results: list[RuleResult] = []
    countries = {party.country for party in parties}
    kinds = Counter(party.kind for party in parties)
    eligible_countries = [str(c) for c in rules.get("eligible_countries") or []]
    eligible_kinds = [str(k) for k in rules.get("eligible_kinds") or []]
    # Suggested partners must themselves be eligible.
    pool_countries = set(eligible_countries) if eligible_countries else None
    pool_kinds = set(eligible_kinds) if eligible_kinds else None

    if eligible_countries:
        outside = [p for p in parties if p.country not in eligible_countries]
        open_to = ", ".join(eligible_countries)
        if outside:
            who = _join([f"{p.name} ({p.country})" for p in outside])
            verb = "is" if len(outside) == 1 else "are"
            reason = f"Open to organisations from {open_to}: {who} {verb} not"
        else:
            reason = f"Open to organisations from {open_to}: every party is"
        results.append(RuleResult("eligible_countries", not outside, reason))

    if eligible_kinds:
        wrong = [p for p in parties if p.kind not in eligible_kinds]
        open_to = _join([_kind_name(k, labels) for k in eligible_kinds], "or")
        if wrong:
            who = _join([f"{p.name} ({_kind_name(p.kind, labels)})" for p in wrong])
            reason = f"Open to {open_to}: {who} {'is' if len(wrong) == 1 else 'are'} not"
        else:
            reason = f"Open to {open_to}: every party is"
        results.append(RuleResult("eligible_kinds", not wrong, reason))

    low = _whole(rules.get("min_partners"))
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
                else _suggest(clusters, kinds=pool_kinds, countries=pool_countries),
            )
        )

    high = _whole(rules.get("max_partners"))
    if high is not None:
        results.append(
            RuleResult(
                "max_partners",
                len(parties) <= high,
                f"At most {_plural(high, 'partner')}: you have {len(parties)}",
            )
        )

    spread = _whole(rules.get("min_countries"))
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
                    kinds=pool_kinds,
                    countries=pool_countries,
                    exclude_countries=countries,
                ),
            )
        )

    required = rules.get("required_kinds") or {}
    if isinstance(required, Mapping):
        for kind, count in sorted(required.items()):
            need = _whole(count)
            if need is None or need < 1:
                continue
            have = kinds.get(kind, 0)
            passed = have >= need
            # A kind the call does not let in cannot be added: then the rule cannot be met.
            addable = pool_kinds is None or kind in pool_kinds
            results.append(
                RuleResult(
                    f"required_kinds:{kind}",
                    passed,
                    f"Needs {need} {_kind_name(kind, labels)}: you have {have}",
                    completable=addable,
                    suggestion=""
                    if passed or not addable
                    else _suggest(clusters, kinds={kind}, countries=pool_countries),
                )
            )
    return EligibilityCheck(tuple(results))
