"""Reads of matchmaking that depend on who is asking: suggestions, matches and the funnel.

Suggestions start from what the viewer may see (`visible_to` gives the `allowed` ids the
index searches among), so a page never shows a solution or organisation the viewer could not
open. The engine finds and explains; this module gathers the rows around its answers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from icn.core.countries import country_name
from icn.core.visibility import get_scope
from icn.directory.models import (
    Cluster,
    ClusterStatus,
    Organisation,
    OrganisationKind,
    Topic,
)
from icn.matching import eligibility
from icn.matching.engine import DEFAULT_WEIGHTS, Profile, rerank
from icn.matching.index import (
    get_index,
    opportunity_profile,
    opportunity_text,
    organisation_markets,
    organisation_profile,
    organisation_text,
)
from icn.matching.models import (
    STAGES,
    DocumentKind,
    FeedbackMoment,
    MatchEvent,
    MatchRecord,
    MatchStatus,
)
from icn.opportunities.models import Opportunity, OpportunityKind, Solution

# Kinds as they read inside a sentence ("Needs 1 research organisation").
KIND_NAMES = {
    OrganisationKind.SME: "SME",
    OrganisationKind.LARGE_COMPANY: "large company",
    OrganisationKind.PUBLIC_AUTHORITY: "public authority",
    OrganisationKind.RESEARCH: "research organisation",
    OrganisationKind.FUNDER: "funder",
    OrganisationKind.NGO: "NGO",
    OrganisationKind.PARTNER: "partner organisation",
}
HELIX_AS_PARTNER = {
    "industry": "a company",
    "government": "a public authority",
    "research": "a research organisation",
    "other": "an organisation of another kind",
}
SEARCH_DEPTH = 50
# The best score the re-ranker gives: the text's weight and every structured weight.
TOP_SCORE = sum(
    getattr(DEFAULT_WEIGHTS, part)
    for part in ("text", "topics", "readiness", "geography", "kind", "outcomes")
)


def topic_names() -> dict[str, str]:
    return dict(Topic.objects.values_list("slug", "name"))


def cluster_offers() -> list[eligibility.ClusterOffer]:
    """Every member cluster as a pool of partners: its country and members by kind."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    through = Organisation.clusters.through.objects.filter(cluster__status=ClusterStatus.MEMBER)
    for cluster_id, kind, n in (
        through.values_list("cluster_id", "organisation__kind").annotate(n=Count("pk")).order_by()
    ):
        counts[cluster_id][kind] += n
    clusters = Cluster.objects.filter(pk__in=counts).only("pk", "short_name", "name", "country")
    return [
        eligibility.ClusterOffer(
            name=cluster.short_name or cluster.name,
            country=cluster.country,
            kinds=dict(counts[cluster.pk]),
        )
        for cluster in clusters
    ]


def party(organisation: Organisation) -> eligibility.Party:
    return eligibility.Party(
        name=organisation.name, kind=organisation.kind, country=organisation.country
    )


def check_call(
    call: Opportunity,
    parties: Sequence[Organisation],
    offers: Sequence[eligibility.ClusterOffer] | None = None,
) -> eligibility.EligibilityCheck:
    """A call's rules against these organisations as one consortium."""
    return eligibility.check(
        call.eligibility,
        [party(organisation) for organisation in parties],
        cluster_offers() if offers is None else offers,
        {str(kind): name for kind, name in KIND_NAMES.items()},
    )


def _outcomes(organisation_ids: Iterable[int]) -> dict[int, float]:
    """How often an organisation's introductions led to a meeting, 0..1 (0 without any)."""
    ids = set(organisation_ids)
    if not ids:
        return {}
    introduced: Counter[int] = Counter()
    met: Counter[int] = Counter()
    matches = MatchRecord.objects.filter(
        Q(organisation__in=ids) | Q(target_organisation__in=ids), introduced_at__isnull=False
    ).values_list("pk", "organisation_id", "target_organisation_id")
    sides: dict[int, tuple[int, int]] = {pk: (a, b) for pk, a, b in matches}
    for a, b in sides.values():
        introduced.update({a, b})
    reached = MatchEvent.objects.filter(
        match__in=list(sides), to_status=MatchStatus.MEETING_HELD
    ).values_list("match_id", flat=True)
    for pk in set(reached):
        met.update(set(sides[pk]))
    return {org: met[org] / introduced[org] for org in ids if introduced[org]}


@dataclass
class Suggestion:
    """One ranked answer of the engine, with the record it points to."""

    score: float
    reasons: list[str]
    passages: list[str]
    fit: dict[str, Any]
    can_suggest: bool = False

    @property
    def percent(self) -> int:
        return round(max(0.0, min(1.0, self.score / TOP_SCORE)) * 100)


@dataclass
class CallFit:
    """An open funding call and how a pair of organisations fares against its rules."""

    call: Opportunity
    check: eligibility.EligibilityCheck

    @property
    def eligible(self) -> bool:
        return self.check.passed


@dataclass
class SolutionMatch(Suggestion):
    """A solution for a challenge, and the calls its provider and the city could apply to."""

    solution: Solution | None = None
    calls: list[CallFit] = field(default_factory=list)


@dataclass
class PartnerMatch(Suggestion):
    """An organisation suggested as a partner, and why."""

    organisation: Organisation | None = None


@dataclass
class KindGroup:
    """The organisations of one kind that fit a call."""

    kind: str
    label: str
    required: int
    matches: list[PartnerMatch]


@dataclass(frozen=True)
class Ranked:
    """The engine's ranked answer for one row."""

    pk: int
    score: float
    reasons: list[str]
    passages: list[str]
    fit: dict[str, Any]


def _ranked(
    kind: str,
    text: str,
    query: Profile,
    allowed: Iterable[int],
    *,
    names: dict[str, str],
    want_kinds: Iterable[str] | None = None,
    owners: Callable[[list[int]], dict[int, int]] | None = None,
    vector: Any = None,
    depth: int = SEARCH_DEPTH,
) -> list[Ranked]:
    """Search one index among `allowed` (the best `depth`), then re-rank with profiles and
    track records."""
    index = get_index(kind)
    hits = index.search(text, k=depth, allowed=allowed, vector=vector)
    if not hits:
        return []
    # A track record changes with every match: read at query time, not kept in the index.
    pks = {hit.doc_id: int(hit.doc_id) for hit in hits}
    owner_of = owners(list(pks.values())) if owners is not None else {}
    records = _outcomes(owner_of.get(pk, pk) for pk in pks.values())
    profiles = {
        doc: replace(
            index.profiles.get(pk, Profile()), outcomes=records.get(owner_of.get(pk, pk), 0.0)
        )
        for doc, pk in pks.items()
    }
    places = query.countries | query.markets
    for profile in profiles.values():
        places |= profile.countries | profile.markets
    ranked = rerank(
        hits,
        query,
        profiles,
        DEFAULT_WEIGHTS,
        topic_names=names,
        want_kinds=frozenset(want_kinds) if want_kinds else None,
        place_names={code: country_name(code) for code in places},
    )
    # Closeness in meaning alone orders the candidates but does not make one: a suggestion
    # shares a topic or some words with what it answers.
    lexical = {hit.doc_id for hit in hits if hit.bm25_rank is not None}
    return [
        Ranked(
            pk=int(r.doc_id),
            score=float(r.score),
            reasons=[_plain(reason) for reason in r.reasons],
            passages=list(r.passages),
            fit=dict(r.fit),
        )
        for r in ranked
        if r.doc_id in lexical or r.fit.get("topics", 0.0) > 0
    ]


def _solution_owners(pks: list[int]) -> dict[int, int]:
    """The organisation behind each solution: whose track record counts."""
    return dict(Solution.objects.filter(pk__in=pks).values_list("pk", "organisation_id"))


def _without(passages: list[str], name: str) -> list[str]:
    """Matched passages worth quoting: not the record's own name (it is shown already), not
    a line of one or two words such as its topics."""
    return [
        passage
        for passage in passages
        if passage.strip(" .") != name.strip(" .") and len(passage.split()) > 2
    ]


def _plain(reason: str) -> str:
    """The engine's reasons in the network's words ("research" as "a research organisation")."""
    kind = reason.removeprefix("Organisation kind: ").removesuffix(", as wanted")
    if kind != reason and kind in OrganisationKind.values:
        return f"Of a kind the call asks for: {KIND_NAMES[OrganisationKind(kind)]}"
    return reason


def challenge_profile(challenge: Opportunity) -> Profile:
    return opportunity_profile(challenge)


def solutions_for_challenge(
    *, viewer: Any, challenge: Opportunity, limit: int = 5, calls_per_solution: int = 3
) -> list[SolutionMatch]:
    """The solutions that best answer a challenge, among those the viewer may see, each with
    the open funding calls the city and the provider could apply to together."""
    allowed = Solution.objects.visible_to(viewer).values_list("pk", flat=True)
    names = topic_names()
    # The challenge is indexed too: its stored vector is the query, nothing to encode.
    vector = get_index(DocumentKind.OPPORTUNITIES).vector(challenge.pk)
    ranked = _ranked(
        DocumentKind.SOLUTIONS,
        opportunity_text(challenge),
        challenge_profile(challenge),
        list(allowed),
        names=names,
        owners=_solution_owners,
        vector=vector,
    )[:limit]
    solutions = Solution.objects.select_related("organisation").prefetch_related("topics")
    by_pk = solutions.in_bulk([r.pk for r in ranked])
    results = [
        SolutionMatch(
            score=r.score,
            reasons=r.reasons,
            passages=_without(r.passages, by_pk[r.pk].title),
            fit=r.fit,
            solution=by_pk[r.pk],
        )
        for r in ranked
        if r.pk in by_pk
    ]
    city = challenge.author_organisation
    if city is not None and results and calls_per_solution:
        _attach_calls(viewer, challenge, city, results, calls_per_solution, vector)
    return results


def open_calls(*, viewer: Any) -> QuerySet[Opportunity]:
    return (
        Opportunity.objects.visible_to(viewer)
        .open()
        .filter(kind=OpportunityKind.FUNDING_CALL)
        .prefetch_related("topics")
    )


def _attach_calls(
    viewer: Any,
    challenge: Opportunity,
    city: Organisation,
    results: list[SolutionMatch],
    per_solution: int,
    vector: Any,
) -> None:
    """For each solution, the calls the pair may apply to, or could with more partners; a
    call that one of the two may not join at all (country, kind) is left out."""
    calls = list(open_calls(viewer=viewer))
    if not calls:
        return
    hits = get_index(DocumentKind.OPPORTUNITIES).search(
        opportunity_text(challenge), k=len(calls), allowed=[c.pk for c in calls], vector=vector
    )
    relevance = {int(hit.doc_id): hit.score for hit in hits}
    offers = cluster_offers()
    for result in results:
        assert result.solution is not None
        provider = result.solution.organisation
        parties = [city] if provider.pk == city.pk else [city, provider]
        topics = {t.pk for t in result.solution.topics.all()}
        fits = []
        for call in calls:
            check = check_call(call, parties, offers)
            if check.blocked:
                continue
            shared = len(topics & {t.pk for t in call.topics.all()})
            rank = (check.passed, shared, relevance.get(call.pk, 0.0))
            fits.append((rank, CallFit(call, check)))
        fits.sort(key=lambda pair: pair[0], reverse=True)
        result.calls = [fit for _, fit in fits[:per_solution]]


def _complement(
    organisation: Organisation, candidate: Organisation, markets: frozenset[str]
) -> str:
    """Why `candidate` complements `organisation` (another helix or other markets), or ''."""
    if candidate.helix != organisation.helix:
        yours = KIND_NAMES.get(OrganisationKind(organisation.kind), "organisation")
        return f"Brings {HELIX_AS_PARTNER[candidate.helix]} to your {yours}"
    theirs = organisation_markets(candidate) - markets
    if theirs:
        places = sorted(country_name(code) for code in theirs)
        return f"Present in {', '.join(places)}, where you are not"
    return ""


def partner_organisations(*, viewer: Any, organisation: Organisation) -> QuerySet[Organisation]:
    """Organisations abroad the viewer may see: where partners for `organisation` come from."""
    return (
        Organisation.objects.visible_to(viewer)
        .exclude(kind=OrganisationKind.PARTNER)
        .exclude(country=organisation.country)
        .exclude(pk=organisation.pk)
    )


def partners_for(*, viewer: Any, organisation: Organisation, limit: int = 10) -> list[PartnerMatch]:
    """Organisations in other countries that share a topic with `organisation` and bring
    what it lacks: another side of the triple helix, or other markets."""
    allowed = list(
        partner_organisations(viewer=viewer, organisation=organisation).values_list("pk", flat=True)
    )
    ranked = _ranked(
        DocumentKind.ORGANISATIONS,
        organisation_text(organisation),
        organisation_profile(organisation),
        allowed,
        names=topic_names(),
        vector=get_index(DocumentKind.ORGANISATIONS).vector(organisation.pk),
    )
    own_topics = {t.pk for t in organisation.topics.all()}
    markets = organisation_markets(organisation)
    candidates = Organisation.objects.prefetch_related("topics", "solutions", "clusters").in_bulk(
        [r.pk for r in ranked]
    )
    results: list[PartnerMatch] = []
    for r in ranked:
        candidate = candidates.get(r.pk)
        if candidate is None:
            continue
        if own_topics and not own_topics & {t.pk for t in candidate.topics.all()}:
            continue
        why = _complement(organisation, candidate, markets)
        if not why:
            continue
        results.append(
            PartnerMatch(
                score=r.score,
                reasons=[why, *r.reasons],
                passages=_without(r.passages, candidate.name),
                fit=dict(r.fit),
                organisation=candidate,
            )
        )
        if len(results) >= limit:
            break
    return results


def organisations_for_call(*, viewer: Any, call: Opportunity, per_kind: int = 5) -> list[KindGroup]:
    """Organisations in the network that fit a funding call, grouped by kind; kinds the call
    requires first. Only organisations the call lets in and the viewer may see."""
    rules = call.eligibility or {}
    queryset = Organisation.objects.visible_to(viewer).exclude(kind=OrganisationKind.PARTNER)
    if rules.get("eligible_countries"):
        queryset = queryset.filter(country__in=rules["eligible_countries"])
    if rules.get("eligible_kinds"):
        queryset = queryset.filter(kind__in=rules["eligible_kinds"])
    required: dict[str, int] = dict(rules.get("required_kinds") or {})
    ranked = _ranked(
        DocumentKind.ORGANISATIONS,
        opportunity_text(call),
        opportunity_profile(call),
        list(queryset.values_list("pk", flat=True)),
        names=topic_names(),
        want_kinds=list(required) or rules.get("eligible_kinds") or None,
        vector=get_index(DocumentKind.OPPORTUNITIES).vector(call.pk),
    )
    candidates = Organisation.objects.prefetch_related("clusters").in_bulk([r.pk for r in ranked])
    groups: dict[str, list[PartnerMatch]] = defaultdict(list)
    for r in ranked:
        candidate = candidates.get(r.pk)
        if candidate is None or len(groups[candidate.kind]) >= per_kind:
            continue
        groups[candidate.kind].append(
            PartnerMatch(
                score=r.score,
                reasons=list(r.reasons),
                passages=_without(r.passages, candidate.name),
                fit=dict(r.fit),
                organisation=candidate,
            )
        )
    order = {kind: n for n, kind in enumerate(OrganisationKind.values)}
    kinds = sorted(groups, key=lambda kind: (kind not in required, order.get(kind, 99)))
    return [
        KindGroup(
            kind=kind,
            label=OrganisationKind(kind).label,
            required=int(required.get(kind, 0)),
            matches=groups[kind],
        )
        for kind in kinds
    ]


def call_fit(*, call: Opportunity, allowed: Sequence[int]) -> dict[int, Ranked]:
    """How well each of the `allowed` organisations fits a funding call, scored as the call's
    suggestions are (`organisations_for_call`) but without a cut-off: every one that shares
    words or a topic with the call. The caller decides who is allowed (visibility)."""
    if not allowed:
        return {}
    rules = call.eligibility or {}
    ranked = _ranked(
        DocumentKind.ORGANISATIONS,
        opportunity_text(call),
        opportunity_profile(call),
        list(allowed),
        names=topic_names(),
        want_kinds=list(rules.get("required_kinds") or {}) or rules.get("eligible_kinds") or None,
        vector=get_index(DocumentKind.OPPORTUNITIES).vector(call.pk),
        depth=len(allowed),
    )
    return {r.pk: r for r in ranked}


def explain_pair(
    *,
    viewer: Any,
    source: Opportunity | None,
    organisation: Organisation,
    target: Organisation,
    solution: Solution | None,
) -> tuple[float, list[str]]:
    """The score and reasons the pages give for one suggested pair."""
    names = topic_names()
    if source is not None and source.kind == OpportunityKind.CHALLENGE and solution is not None:
        ranked = _ranked(
            DocumentKind.SOLUTIONS,
            opportunity_text(source),
            opportunity_profile(source),
            [solution.pk],
            names=names,
            owners=_solution_owners,
        )
        why: list[str] = []
    elif source is not None:
        rules = source.eligibility or {}
        ranked = _ranked(
            DocumentKind.ORGANISATIONS,
            opportunity_text(source),
            opportunity_profile(source),
            [target.pk],
            names=names,
            want_kinds=list(rules.get("required_kinds") or {}) or rules.get("eligible_kinds"),
        )
        why = []
    else:
        ranked = _ranked(
            DocumentKind.ORGANISATIONS,
            organisation_text(organisation),
            organisation_profile(organisation),
            [target.pk],
            names=names,
        )
        complement = _complement(organisation, target, organisation_markets(organisation))
        why = [complement] if complement else []
    if not ranked:
        return 0.0, why
    return ranked[0].score, [*why, *ranked[0].reasons]


# Match records ------------------------------------------------------------------------------


def match_list(*, viewer: Any, status: str = "") -> QuerySet[MatchRecord]:
    """The matches the viewer may see, newest first."""
    queryset = MatchRecord.objects.visible_to(viewer)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related(
        "organisation", "target_organisation", "solution", "source_opportunity"
    )


def match_for_viewer(*, viewer: Any, pk: int) -> MatchRecord | None:
    return (
        match_list(viewer=viewer)
        .prefetch_related("events__actor", "feedback__organisation", "feedback__author")
        .filter(pk=pk)
        .first()
    )


def viewer_sides(*, viewer: Any, match: MatchRecord) -> list[Organisation]:
    """The sides of a match the viewer acts for (to give feedback as)."""
    ids = get_scope(viewer).organisation_ids
    return [o for o in (match.organisation, match.target_organisation) if o.pk in ids]


def due_follow_ups(*, today: date | None = None) -> QuerySet[MatchRecord]:
    """Introduced matches whose follow-up is due and that a side has not yet rated."""
    today = today or timezone.localdate()
    both_rated = (
        MatchRecord.objects.filter(feedback__moment=FeedbackMoment.FOLLOW_UP)
        .annotate(sides=Count("feedback__organisation", distinct=True))
        .filter(sides__gte=2)
        .values("pk")
    )
    return (
        MatchRecord.objects.filter(follow_up_due_on__isnull=False, follow_up_due_on__lte=today)
        .exclude(pk__in=both_rated)
        .select_related("organisation", "target_organisation")
        .order_by("follow_up_due_on", "pk")
    )


@dataclass
class FunnelStage:
    """How many matches reached one stage."""

    status: str
    label: str
    count: int
    percent: int = 0


@dataclass
class Funnel:
    """Matches by the furthest stage they reached, for a cluster and a year."""

    stages: list[FunnelStage]
    closed: int
    total: int
    cluster: Cluster | None
    year: int | None
    years: list[int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster.slug if self.cluster else None,
            "year": self.year,
            "total": self.total,
            "closed": self.closed,
            "stages": [
                {"status": s.status, "label": s.label, "count": s.count} for s in self.stages
            ],
            "years": self.years,
        }


def funnel(*, cluster: Cluster | None = None, year: int | None = None) -> Funnel:
    """Of the matches started in `year` with an organisation of `cluster` on either side, how
    many reached each stage (a match that got to a meeting also counts as introduced)."""
    matches = MatchRecord.objects.all()
    years = sorted(
        {
            y
            for y in matches.annotate(y=ExtractYear("created_at"))
            .values_list("y", flat=True)
            .distinct()
            if y is not None
        },
        reverse=True,
    )
    if cluster is not None:
        members = Organisation.objects.filter(clusters=cluster).values("pk")
        matches = matches.filter(Q(organisation__in=members) | Q(target_organisation__in=members))
    if year is not None:
        matches = matches.filter(created_at__year=year)
    reached = dict(
        MatchEvent.objects.filter(match__in=matches.values("pk"))
        .values("to_status")
        .annotate(n=Count("match", distinct=True))
        .values_list("to_status", "n")
        .order_by()
    )
    total = matches.count()
    stages = [
        FunnelStage(status, MatchStatus(status).label, int(reached.get(status, 0)))
        for status in STAGES
    ]
    top = max([total, *(s.count for s in stages)]) or 1
    for stage in stages:
        stage.percent = round(100 * stage.count / top)
    return Funnel(
        stages=stages,
        closed=matches.filter(status=MatchStatus.CLOSED).count(),
        total=total,
        cluster=cluster,
        year=year,
        years=years,
    )


def funnel_clusters() -> QuerySet[Cluster]:
    return Cluster.objects.filter(status__in=[ClusterStatus.MEMBER, ClusterStatus.FORMER]).order_by(
        "short_name"
    )
