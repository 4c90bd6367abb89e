"""The consortium builder's API: proposals for a call, and a call's rules checked against a
given consortium. Thin adapters over `icn.projects.consortia`, as the pages are."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema

from icn.api import WRITE_ERRORS, require_user
from icn.directory.models import Organisation
from icn.directory.schemas import InputSchema
from icn.matching.eligibility import EligibilityCheck
from icn.opportunities.models import Opportunity
from icn.projects import consortia

router = Router(tags=["projects"])

OrganisationRef = Annotated[int | str, Field(description="An organisation's id, or its slug.")]


class ConsortiumIn(InputSchema):
    """A call, the lead who coordinates, and partners asked for or excluded."""

    call: str = Field(..., description="Slug of the funding call.", max_length=320)
    lead: OrganisationRef
    must: list[OrganisationRef] = Field(default_factory=list, max_length=100)
    must_not: list[OrganisationRef] = Field(default_factory=list, max_length=1000)
    alternatives: int = Field(3, ge=1, le=consortia.MAX_ALTERNATIVES)
    time_limit: float = Field(
        consortia.DEFAULT_TIME_LIMIT,
        ge=consortia.MIN_TIME_LIMIT,
        le=consortia.MAX_TIME_LIMIT,
        description="Seconds the search may take; the answer says whether it is proven optimal.",
    )
    size: int | None = Field(
        None,
        ge=1,
        le=consortia.MAX_SIZE,
        description="At most this many partners (default: from the call's rules).",
    )


class CheckIn(InputSchema):
    """A call and the organisations of one consortium."""

    call: str = Field(..., description="Slug of the funding call.", max_length=320)
    organisations: list[OrganisationRef] = Field(..., min_length=1, max_length=1000)
    coordinator: OrganisationRef | None = Field(
        None, description="The member who coordinates, when the call has coordinator rules."
    )


class ConsortiumRuleOut(Schema):
    """One rule of the call, checked."""

    rule: str
    passed: bool
    reason: str
    suggestion: str
    informational: bool


class CheckOut(Schema):
    """Every rule of the call for one consortium."""

    call: str
    eligible: bool
    needs_partners: bool = Field(..., description="Fails only on rules more partners would fix.")
    rules: list[ConsortiumRuleOut]


class ProposedMemberOut(Schema):
    """A member of a proposed consortium, its fit to the call and why it is in."""

    id: int
    slug: str
    name: str
    kind: str
    country: str
    clusters: list[str]
    lead: bool
    fit: float = Field(..., description="0 to 1, from the matching engine.")
    reasons: list[str]


class ProposalOut(Schema):
    """One proposed consortium, best first."""

    rank: int
    objective: float
    optimal: bool = Field(..., description="No consortium not proposed above it scores higher.")
    eligible: bool
    members: list[ProposedMemberOut]
    rules: list[ConsortiumRuleOut]
    application_url: str | None


class PlanOut(Schema):
    """The builder's answer."""

    call: str
    lead: str
    status: str = Field(..., description="optimal, feasible, infeasible or unknown.")
    summary: str
    objective: float | None
    bound: float | None
    seconds: float
    time_limit: float
    size: int
    candidates: int
    considered: int
    unmet_rule: str
    missing: str
    proposals: list[ProposalOut]


def _call(user: Any, slug: str) -> Opportunity:
    call = consortia.funding_call(viewer=user, slug=slug)
    if call is None:
        raise ValidationError({"call": f"Unknown funding call: {slug}."})
    return call


def _organisations(
    queryset: QuerySet[Organisation], refs: list[int | str], field: str
) -> list[Organisation]:
    """Organisations named by id or slug among those the caller may use; others are a 422."""
    ids = [ref for ref in refs if isinstance(ref, int)]
    slugs = [ref for ref in refs if isinstance(ref, str)]
    found = {o.pk: o for o in queryset.filter(pk__in=ids)}
    found_slugs = {o.slug: o for o in queryset.filter(slug__in=slugs)}

    def named(ref: int | str) -> Organisation | None:
        return found.get(ref) if isinstance(ref, int) else found_slugs.get(ref)

    chosen = {ref: named(ref) for ref in refs}
    unknown = [str(ref) for ref, organisation in chosen.items() if organisation is None]
    if unknown:
        raise ValidationError({field: f"Unknown organisation: {', '.join(unknown)}."})
    return list({o.pk: o for o in chosen.values() if o is not None}.values())


def _rules(check: EligibilityCheck) -> list[dict[str, Any]]:
    return [
        {
            "rule": r.rule,
            "passed": r.passed,
            "reason": r.reason,
            "suggestion": r.suggestion,
            "informational": r.informational,
        }
        for r in check.results
    ]


@router.post("/projects/consortia", response={200: PlanOut, **WRITE_ERRORS})
def consortium_propose(request: HttpRequest, payload: ConsortiumIn) -> Any:
    """The best consortia for a funding call with the lead as coordinator, from the
    organisations the caller may see, each with its rule check and why each member is in;
    or, when none can meet the rules, the rule that cannot be met and what is missing."""
    user = require_user(request)
    call = _call(user, payload.call)
    # A lead the caller may see but not act for is refused by `propose` (403).
    lead = _organisations(Organisation.objects.visible_to(user), [payload.lead], "lead")[0]
    partners = consortia.partner_choices(viewer=user)
    plan = consortia.propose(
        viewer=user,
        call=call,
        lead=lead,
        must=_organisations(partners, payload.must, "must"),
        must_not=_organisations(partners, payload.must_not, "must_not"),
        alternatives=payload.alternatives,
        time_limit=payload.time_limit,
        size=payload.size,
    )
    return {
        "call": call.slug,
        "lead": lead.slug,
        "status": plan.status,
        "summary": plan.summary,
        "objective": plan.objective,
        "bound": plan.bound,
        "seconds": plan.seconds,
        "time_limit": plan.time_limit,
        "size": plan.size,
        "candidates": plan.candidates,
        "considered": plan.considered,
        "unmet_rule": plan.unmet_rule,
        "missing": plan.missing,
        "proposals": [
            {
                "rank": proposal.rank,
                "objective": proposal.objective,
                "optimal": proposal.optimal,
                "eligible": proposal.check.passed,
                "members": [
                    {
                        "id": m.organisation.pk,
                        "slug": m.organisation.slug,
                        "name": m.organisation.name,
                        "kind": m.organisation.kind,
                        "country": m.organisation.country,
                        "clusters": [c.slug for c in m.clusters],
                        "lead": m.lead,
                        "fit": m.fit,
                        "reasons": m.reasons,
                    }
                    for m in proposal.members
                ],
                "rules": _rules(proposal.check),
                "application_url": proposal.application_url,
            }
            for proposal in plan.proposals
        ],
    }


@router.post("/projects/consortia/check", response={200: CheckOut, **WRITE_ERRORS})
def consortium_check(request: HttpRequest, payload: CheckIn) -> Any:
    """Every rule of a funding call, passed or failed with the reason, for the given
    organisations as one consortium (and its coordinator)."""
    user = require_user(request)
    call = _call(user, payload.call)
    visible = Organisation.objects.visible_to(user)
    organisations = _organisations(visible, payload.organisations, "organisations")
    coordinator = None
    if payload.coordinator is not None:
        coordinator = _organisations(visible, [payload.coordinator], "coordinator")[0]
        if coordinator.pk not in {o.pk for o in organisations}:
            raise ValidationError({"coordinator": "The coordinator is one of the organisations."})
    check = consortia.check_members(call=call, organisations=organisations, coordinator=coordinator)
    return {
        "call": call.slug,
        "eligible": check.passed,
        "needs_partners": check.needs_partners,
        "rules": _rules(check),
    }
