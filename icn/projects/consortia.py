"""The consortium builder on the network: who may join (what the viewer may see), how well
each fits the call (the matching engine), and proposals checked against the call's rules.

The solver itself is plain Python (`icn.projects.builder`); this module gathers its input
from the database and words its answer for the pages and the API, which both call
`propose` and `check_members`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from icn.core.visibility import get_scope
from icn.directory.models import Cluster, Organisation, OrganisationKind
from icn.matching import eligibility, selectors
from icn.matching.services import may_act_on
from icn.opportunities.models import Opportunity, OpportunityKind
from icn.projects import builder
from icn.projects.rules import call_rules, check_consortium, kind_labels

DEFAULT_TIME_LIMIT = 5.0
MIN_TIME_LIMIT = 0.5
MAX_TIME_LIMIT = 60.0
MAX_ALTERNATIVES = 5
# A call without a maximum gets consortia of about this size unless its rules need more.
DEFAULT_SIZE = 5
MAX_SIZE = 50
WHERE = "among the organisations you can see"


@dataclass
class Member:
    """An organisation of a proposed consortium, its fit to the call and why it is in."""

    organisation: Organisation
    fit: float
    reasons: list[str]
    lead: bool = False
    clusters: list[Cluster] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.fit * 100)


@dataclass
class ConsortiumProposal:
    """One proposed consortium with the call's rule check."""

    rank: int
    members: list[Member]
    objective: float
    optimal: bool
    check: eligibility.EligibilityCheck
    call: Opportunity

    @property
    def lead(self) -> Organisation:
        return self.members[0].organisation

    @property
    def partners(self) -> list[Organisation]:
        return [member.organisation for member in self.members[1:]]

    @property
    def application_url(self) -> str | None:
        """The page that starts an application with these members, when the platform has it."""
        try:
            base = reverse("projects:application_create")
        except NoReverseMatch:
            return None
        query = [("call", self.call.slug), ("lead", str(self.lead.pk))]
        query += [("partners", str(partner.pk)) for partner in self.partners]
        return f"{base}?{urlencode(query)}"


@dataclass
class Plan:
    """What the builder answered for a call and a lead."""

    call: Opportunity
    lead: Organisation
    status: str
    seconds: float
    time_limit: float
    size: int
    proposals: list[ConsortiumProposal]
    unmet_rule: str = ""
    missing: str = ""
    bound: float | None = None
    candidates: int = 0
    considered: int = 0

    @property
    def objective(self) -> float | None:
        return self.proposals[0].objective if self.proposals else None

    @property
    def summary(self) -> str:
        """The solver's status in words: "proven optimal in 0.4 s"."""
        took = "under 0.1 s" if self.seconds < 0.1 else f"{self.seconds:.1f} s"
        if self.status == "optimal":
            return f"proven optimal in {took}"
        if self.status == "feasible":
            gap = ""
            if self.bound and self.objective is not None and self.bound > 0:
                share = max(0.0, self.bound - self.objective) / self.bound
                gap = f", at most {share:.0%} below the best possible"
            return f"the best found within the time limit of {self.time_limit:g} s{gap}"
        if self.status == "infeasible":
            return f"no consortium meets the rules (checked in {took})"
        return f"no consortium found within the time limit of {self.time_limit:g} s"


# Who may lead, who may join -----------------------------------------------------------------


def lead_choices(*, viewer: Any) -> QuerySet[Organisation]:
    """The organisations the viewer may build a consortium for: those it acts for, the
    members of the clusters it manages, any for the secretariat (never partner organisations,
    who do not apply)."""
    scope = get_scope(viewer)
    organisations = Organisation.objects.visible_to(viewer).exclude(kind=OrganisationKind.PARTNER)
    if scope.is_secretariat:
        return organisations.order_by("name")
    managed = Organisation.clusters.through.objects.filter(
        cluster_id__in=scope.managed_cluster_ids
    ).values("organisation_id")
    return organisations.filter(Q(pk__in=scope.organisation_ids) | Q(pk__in=managed)).order_by(
        "name"
    )


def partner_choices(*, viewer: Any) -> QuerySet[Organisation]:
    """Organisations the viewer may see that could join a consortium."""
    return (
        Organisation.objects.visible_to(viewer)
        .exclude(kind=OrganisationKind.PARTNER)
        .order_by("name")
    )


def funding_call(*, viewer: Any, slug: str) -> Opportunity | None:
    """A funding call the viewer may see, or None."""
    return (
        Opportunity.objects.visible_to(viewer)
        .filter(kind=OpportunityKind.FUNDING_CALL, slug=slug)
        .prefetch_related("topics")
        .select_related("cluster", "author_organisation")
        .first()
    )


def default_size(rules: dict[str, Any]) -> int:
    """How many partners to propose when the person building does not say."""
    needed = max(
        eligibility.whole(rules.get("min_partners")) or 0,
        eligibility.whole(rules.get("min_countries")) or 0,
        sum(eligibility.required_kinds(rules).values()),
        DEFAULT_SIZE,
    )
    high = eligibility.whole(rules.get("max_partners"))
    return min(needed, high) if high is not None else needed


# Building -----------------------------------------------------------------------------------


def _plain(reason: str) -> str:
    return reason[:1].lower() + reason[1:] if reason[:2] != reason[:2].upper() else reason


def _candidates(
    call: Opportunity, organisations: Sequence[Organisation]
) -> tuple[list[builder.Candidate], dict[int, list[str]]]:
    """The builder's candidates, with the matching engine's fit and its reasons."""
    ranked = selectors.call_fit(call=call, allowed=[o.pk for o in organisations])
    candidates = []
    why: dict[int, list[str]] = {}
    for organisation in organisations:
        match = ranked.get(organisation.pk)
        fit = 0.0
        if match is not None:
            fit = max(0.0, min(1.0, match.score / selectors.TOP_SCORE))
            why[organisation.pk] = match.reasons
        candidates.append(
            builder.Candidate(
                id=str(organisation.pk),
                kind=organisation.kind,
                country=organisation.country,
                fit=round(fit, 6),
                name=organisation.name,
                clusters=frozenset(c.slug for c in organisation.clusters.all()),
                topics=frozenset(t.slug for t in organisation.topics.all()),
            )
        )
    return candidates, why


def propose(
    *,
    viewer: Any,
    call: Opportunity,
    lead: Organisation,
    must: Iterable[Organisation] = (),
    must_not: Iterable[Organisation] = (),
    alternatives: int = 3,
    time_limit: float = DEFAULT_TIME_LIMIT,
    size: int | None = None,
) -> Plan:
    """The best consortia the viewer could form for `call` with `lead` as coordinator, from
    the organisations it may see, each checked against every rule of the call."""
    if not lead_choices(viewer=viewer).filter(pk=lead.pk).exists() or not may_act_on(
        viewer, [lead]
    ):
        raise PermissionDenied("Build a consortium for an organisation you act for or manage.")
    must, must_not = list(must), list(must_not)
    if ({lead.pk} | {o.pk for o in must}) & {o.pk for o in must_not}:
        raise ValidationError({"must_not": "A partner cannot be both wanted and excluded."})
    time_limit = max(MIN_TIME_LIMIT, min(MAX_TIME_LIMIT, float(time_limit)))
    alternatives = max(1, min(MAX_ALTERNATIVES, int(alternatives)))
    rules = call_rules(call)
    size = max(1, min(MAX_SIZE, size)) if size is not None else default_size(rules)
    pool = list(partner_choices(viewer=viewer).prefetch_related("clusters", "topics"))
    # The lead and the must-haves are visible to the viewer: they were chosen from its lists.
    candidates, fit_reasons = _candidates(call, pool)
    topic_names = dict(call.topics.values_list("slug", "name"))
    cluster_names = {c.slug: c.short_name or c.name for o in pool for c in o.clusters.all()}
    problem = builder.Problem(
        candidates=candidates,
        rules=rules,
        lead=str(lead.pk),
        must=[str(o.pk) for o in must],
        must_not=[str(o.pk) for o in must_not],
        call_topics=frozenset(topic_names),
        max_size=size,
        where=WHERE,
    )
    result = builder.solve(
        problem,
        alternatives=alternatives,
        time_limit=time_limit,
        today=timezone.localdate(),
        kind_labels=kind_labels(),
        names={**topic_names, **cluster_names},
    )
    by_pk = {str(o.pk): o for o in pool}
    offers = selectors.cluster_offers()
    proposals = []
    for rank, proposal in enumerate(result.proposals, start=1):
        members = []
        for candidate in proposal.members:
            organisation = by_pk[candidate.id]
            members.append(
                Member(
                    organisation=organisation,
                    fit=candidate.fit,
                    reasons=_member_reasons(
                        proposal.reasons.get(candidate.id, []),
                        fit_reasons.get(organisation.pk, []),
                        candidate.fit,
                    ),
                    lead=candidate.id == str(lead.pk),
                    clusters=list(organisation.clusters.all()),
                )
            )
        parties = [
            eligibility.Party(
                m.organisation.name, m.organisation.kind, m.organisation.country, m.lead
            )
            for m in members
        ]
        proposals.append(
            ConsortiumProposal(
                rank=rank,
                members=members,
                objective=proposal.objective,
                optimal=proposal.optimal,
                check=check_consortium(call, parties, offers),
                call=call,
            )
        )
    return Plan(
        call=call,
        lead=lead,
        status=result.status,
        seconds=result.seconds,
        time_limit=time_limit,
        size=size,
        proposals=proposals,
        unmet_rule=result.unmet_rule,
        missing=result.missing,
        bound=result.bound,
        candidates=result.candidates,
        considered=result.considered,
    )


def _member_reasons(engine: list[str], matching: list[str], fit: float) -> list[str]:
    """The builder's reasons, its fit line worded with the matching engine's reasons."""
    said = [reason for reason in engine if not reason.startswith("Fits the call")]
    if fit > 0:
        detail = "; ".join(_plain(reason) for reason in matching)
        said.append(f"Fits the call ({detail})" if detail else "Fits the call")
    return said or ["Completes the consortium"]


def check_members(
    *,
    call: Opportunity,
    organisations: Sequence[Organisation],
    coordinator: Organisation | None = None,
) -> eligibility.EligibilityCheck:
    """The call's rules against these organisations as one consortium."""
    parties = [
        eligibility.Party(
            o.name,
            o.kind,
            o.country,
            coordinator=coordinator is not None and o.pk == coordinator.pk,
        )
        for o in organisations
    ]
    return check_consortium(call, parties)
