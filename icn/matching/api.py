"""The matchmaking API: the pages' suggestions with the same scores and reasons, match records
and their lifecycle, and the secretariat's funnel. Thin adapters over selectors and services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from icn.api import StepOut, errors, paginated, require_user
from icn.core.visibility import get_scope
from icn.directory.models import Organisation
from icn.directory.schemas import InputSchema
from icn.matching import selectors, services
from icn.matching.eligibility import EligibilityCheck
from icn.matching.models import MatchRecord, MatchStatus
from icn.opportunities.models import Opportunity, OpportunityKind, Solution

router = Router(tags=["matching"])

Slug = Annotated[str, Path(pattern=r"^[-a-zA-Z0-9_]+$", max_length=320)]
READ_ERRORS = errors(401, 403, 404)
WRITE_ERRORS = errors(401, 403, 404, 422)


class RuleOut(Schema):
    """One eligibility rule of a call, checked."""

    rule: str
    passed: bool
    reason: str
    suggestion: str


class CallFitOut(Schema):
    """An open funding call for a pair, with its rules checked."""

    slug: str
    title: str
    eligible: bool
    needs_partners: bool
    rules: list[RuleOut]


class ExplainedOut(Schema):
    """A suggestion's score and why."""

    score: float
    percent: int
    reasons: list[str]
    passages: list[str]
    fit: dict[str, float]


class OrganisationRef(Schema):
    """An organisation named in a suggestion."""

    slug: str
    name: str
    kind: str
    country: str


class SolutionRef(Schema):
    """A solution named in a suggestion."""

    slug: str
    title: str
    readiness_level: int | None
    organisation: OrganisationRef


class SolutionMatchOut(ExplainedOut):
    """A solution for a challenge, and the calls the city and its provider could apply to."""

    solution: SolutionRef
    calls: list[CallFitOut]


class PartnerMatchOut(ExplainedOut):
    """An organisation suggested as a partner."""

    organisation: OrganisationRef


class KindGroupOut(Schema):
    """The organisations of one kind that fit a call."""

    kind: str
    label: str
    required: int
    organisations: list[PartnerMatchOut]


class FeedbackOut(Schema):
    """A side's rating of a match."""

    organisation: str
    moment: str
    rating: int
    comment: str
    created_at: datetime


class MatchOut(Schema):
    """A match record with its timeline."""

    id: int
    status: str
    source: str | None
    source_kind: str
    organisation: str
    target_organisation: str
    solution: str | None
    score: float
    reasons: list[str]
    source_contact: str
    target_contact: str
    closed_reason: str
    created_at: datetime
    introduced_at: datetime | None
    follow_up_due_on: date | None
    next_steps: list[str]
    events: list[StepOut]
    feedback: list[FeedbackOut]

    @staticmethod
    def resolve_source(obj: MatchRecord) -> str | None:
        return obj.source_opportunity.slug if obj.source_opportunity is not None else None

    @staticmethod
    def resolve_source_kind(obj: MatchRecord) -> str:
        return obj.source_opportunity.kind if obj.source_opportunity is not None else "organisation"

    @staticmethod
    def resolve_organisation(obj: MatchRecord) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_target_organisation(obj: MatchRecord) -> str:
        return obj.target_organisation.slug

    @staticmethod
    def resolve_solution(obj: MatchRecord) -> str | None:
        return obj.solution.slug if obj.solution is not None else None

    @staticmethod
    def resolve_next_steps(obj: MatchRecord) -> list[str]:
        return obj.next_steps()

    @staticmethod
    def resolve_events(obj: MatchRecord) -> list[Any]:
        return list(obj.events.all())

    @staticmethod
    def resolve_feedback(obj: MatchRecord) -> list[dict[str, Any]]:
        return [
            {
                "organisation": feedback.organisation.slug,
                "moment": feedback.moment,
                "rating": feedback.rating,
                "comment": feedback.comment,
                "created_at": feedback.created_at,
            }
            for feedback in obj.feedback.all()
        ]


class MatchIn(InputSchema):
    """A suggested introduction: from a challenge (with a solution), a call or a member."""

    source: str | None = Field(None, description="Slug of the challenge or funding call.")
    solution: str | None = Field(None, description="Slug of the solution, for a challenge.")
    organisation: str | None = Field(
        None, description="Slug of the first side (by default the challenge's organisation)."
    )
    target_organisation: str | None = Field(
        None, description="Slug of the other side (by default the solution's organisation)."
    )


class MatchTransitionIn(InputSchema):
    """The next stage and a note (a reason is needed to close)."""

    to: MatchStatus
    note: str = Field("", max_length=2000)


class FeedbackIn(InputSchema):
    """A side's rating, 1 to 5."""

    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)
    moment: str | None = Field(
        None, description="introduction or follow_up; by default the due one."
    )
    organisation: str | None = Field(None, description="The side, if you act for both.")


class FunnelStageOut(Schema):
    """How many matches reached a stage."""

    status: str
    label: str
    count: int


class FunnelOut(Schema):
    """Matches by the furthest stage reached."""

    cluster: str | None
    year: int | None
    total: int
    closed: int
    stages: list[FunnelStageOut]
    years: list[int]


class FunnelFilter(Schema):
    """The funnel's cluster and year."""

    cluster: str | None = None
    year: int | None = Field(None, ge=2000, le=2100)


class PartnerQuery(Schema):
    """Whose partners to find."""

    organisation: str | None = Field(
        None, description="Slug of an organisation you act for (by default your first)."
    )


def _organisation_ref(organisation: Organisation) -> dict[str, Any]:
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind,
        "country": organisation.country,
    }


def _explained(result: selectors.Suggestion) -> dict[str, Any]:
    return {
        "score": result.score,
        "percent": result.percent,
        "reasons": result.reasons,
        "passages": result.passages,
        "fit": result.fit,
    }


def _rules(check: EligibilityCheck) -> list[dict[str, Any]]:
    return [
        {"rule": r.rule, "passed": r.passed, "reason": r.reason, "suggestion": r.suggestion}
        for r in check.results
    ]


def _partner(result: selectors.PartnerMatch) -> dict[str, Any]:
    assert result.organisation is not None
    return {**_explained(result), "organisation": _organisation_ref(result.organisation)}


def _opportunity(viewer: Any, slug: str, kind: str) -> Opportunity:
    opportunity = (
        Opportunity.objects.visible_to(viewer)
        .select_related("author_organisation")
        .prefetch_related("topics")
        .filter(slug=slug, kind=kind)
        .first()
    )
    if opportunity is None:
        raise Http404
    return opportunity


@router.get(
    "/matching/challenges/{slug}/solutions",
    response={200: list[SolutionMatchOut], **READ_ERRORS},
)
def challenge_solutions(request: HttpRequest, slug: Slug) -> Any:
    """The solutions that best fit a challenge, among those the caller may see, with reasons,
    matched passages and the open funding calls the city and each provider could apply to."""
    viewer = request.auth  # type: ignore[attr-defined]
    challenge = _opportunity(viewer, slug, OpportunityKind.CHALLENGE)
    results = selectors.solutions_for_challenge(viewer=viewer, challenge=challenge)
    answer = []
    for result in results:
        assert result.solution is not None
        solution = result.solution
        answer.append(
            {
                **_explained(result),
                "solution": {
                    "slug": solution.slug,
                    "title": solution.title,
                    "readiness_level": solution.readiness_level,
                    "organisation": _organisation_ref(solution.organisation),
                },
                "calls": [
                    {
                        "slug": fit.call.slug,
                        "title": fit.call.title,
                        "eligible": fit.eligible,
                        "needs_partners": fit.check.needs_partners,
                        "rules": _rules(fit.check),
                    }
                    for fit in result.calls
                ],
            }
        )
    return answer


@router.get("/matching/partners", response={200: list[PartnerMatchOut], **READ_ERRORS})
def partners(request: HttpRequest, query: Query[PartnerQuery]) -> Any:
    """Organisations abroad that share the organisation's topics and bring another side of
    the triple helix or other markets; only those the caller may see."""
    user = require_user(request)
    slug = query.organisation or ""
    visible = Organisation.objects.visible_to(user).prefetch_related("topics", "solutions")
    if slug:
        organisation = visible.filter(slug=slug).first()
        if organisation is None:
            raise Http404
        if not services.may_act_on(user, [organisation]):
            raise PermissionDenied("Search partners for an organisation you act for or manage.")
    else:
        ids = get_scope(user).organisation_ids
        organisation = visible.filter(pk__in=ids).order_by("name").first() if ids else None
        if organisation is None:
            raise ValidationError({"organisation": "Name the organisation to find partners for."})
    return [
        _partner(result)
        for result in selectors.partners_for(viewer=user, organisation=organisation)
    ]


@router.get(
    "/matching/calls/{slug}/organisations", response={200: list[KindGroupOut], **READ_ERRORS}
)
def call_organisations(request: HttpRequest, slug: Slug) -> Any:
    """Organisations in the network that fit a funding call, grouped by kind."""
    viewer = request.auth  # type: ignore[attr-defined]
    call = _opportunity(viewer, slug, OpportunityKind.FUNDING_CALL)
    return [
        {
            "kind": group.kind,
            "label": group.label,
            "required": group.required,
            "organisations": [_partner(result) for result in group.matches],
        }
        for group in selectors.organisations_for_call(viewer=viewer, call=call)
    ]


# Match records ------------------------------------------------------------------------------


def _match(user: Any, pk: int) -> MatchRecord:
    match = selectors.match_for_viewer(viewer=user, pk=pk)
    if match is None:
        raise Http404
    return match


class MatchFilter(Schema):
    """Matches at one stage only."""

    status: MatchStatus | None = None


@router.get("/matching/matches", response=list[MatchOut])
@paginated
def match_list(request: HttpRequest, filters: Query[MatchFilter]) -> Any:
    """The matches the caller is party to, or sees as a cluster manager or the secretariat."""
    user = require_user(request)
    return selectors.match_list(viewer=user, status=filters.status or "").prefetch_related(
        "events__actor", "feedback__organisation"
    )


def _by_slug(queryset: Any, slug: str | None, field: str) -> Any:
    if not slug:
        return None
    record = queryset.filter(slug=slug).first()
    if record is None:
        raise ValidationError({field: f"Unknown {field.replace('_', ' ')}: {slug}."})
    return record


@router.post("/matching/matches", response={201: MatchOut, **WRITE_ERRORS})
def match_create(request: HttpRequest, payload: MatchIn) -> Any:
    """Suggest an introduction. The same open suggestion is returned rather than repeated."""
    user = require_user(request)
    organisations = Organisation.objects.visible_to(user)
    match = services.match_suggest(
        actor=user,
        source_opportunity=_by_slug(Opportunity.objects.visible_to(user), payload.source, "source"),
        solution=_by_slug(Solution.objects.visible_to(user), payload.solution, "solution"),
        organisation=_by_slug(organisations, payload.organisation, "organisation"),
        target_organisation=_by_slug(
            organisations, payload.target_organisation, "target_organisation"
        ),
    )
    return Status(201, _match(user, match.pk))


@router.get("/matching/matches/{pk}", response={200: MatchOut, **READ_ERRORS})
def match_detail(request: HttpRequest, pk: int) -> Any:
    return _match(require_user(request), pk)


@router.post("/matching/matches/{pk}/transition", response={200: MatchOut, **WRITE_ERRORS})
def match_transition(request: HttpRequest, pk: int, payload: MatchTransitionIn) -> Any:
    """One step on (suggested → introduced → meeting held → in discussion → project started
    → agreement), or closed with a reason. Introducing e-mails both sides and their cluster
    managers."""
    user = require_user(request)
    match = _match(user, pk)
    services.match_transition(actor=user, match=match, to=payload.to, note=payload.note)
    return _match(user, pk)


@router.post("/matching/matches/{pk}/feedback", response={201: MatchOut, **WRITE_ERRORS})
def match_feedback(request: HttpRequest, pk: int, payload: FeedbackIn) -> Any:
    """A side's rating after the introduction, and again at the follow-up."""
    user = require_user(request)
    match = _match(user, pk)
    organisation = _by_slug(
        Organisation.objects.visible_to(user), payload.organisation, "organisation"
    )
    services.match_feedback(
        actor=user,
        match=match,
        rating=payload.rating,
        comment=payload.comment,
        moment=payload.moment,
        organisation=organisation,
    )
    return Status(201, _match(user, pk))


@router.get("/matching/funnel", response={200: FunnelOut, **READ_ERRORS})
def funnel(request: HttpRequest, filters: Query[FunnelFilter]) -> Any:
    """Matches by the furthest stage reached, for a cluster and a year (the secretariat)."""
    user = require_user(request)
    if not get_scope(user).is_secretariat:
        raise PermissionDenied("The funnel is for the secretariat.")
    cluster = None
    if filters.cluster:
        cluster = selectors.funnel_clusters().filter(slug=filters.cluster).first()
        if cluster is None:
            raise ValidationError({"cluster": f"Unknown cluster: {filters.cluster}."})
    return selectors.funnel(cluster=cluster, year=filters.year).as_dict()
