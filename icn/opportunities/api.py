"""The opportunities API: thin adapters over the same selectors (reads) and services (writes)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import ValidationError as NinjaValidationError

from icn.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    Slug,
    by_slug,
    get_or_404,
    paginated,
    require_user,
    viewer,
)
from icn.directory import selectors as directory_selectors
from icn.directory.models import Cluster, Organisation, Topic
from icn.opportunities import selectors, services
from icn.opportunities.filters import OpportunityFilter
from icn.opportunities.models import Comment, Opportunity, Solution
from icn.opportunities.schemas import (
    CommentIn,
    CommentOut,
    FollowOut,
    InterestIn,
    InterestOut,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    ReshareIn,
    ReshareOut,
    SolutionFilter,
    SolutionIn,
    SolutionOut,
    SolutionPatch,
)

router = Router(tags=["opportunities"])

_WORD = re.compile(r"\w", re.UNICODE)


def _organisation(viewer: Any, slug: str, field: str) -> Organisation:
    return by_slug(Organisation.objects.visible_to(viewer), [slug], field, "organisation")[0]


def _cluster(viewer: Any, slug: str, field: str) -> Cluster:
    return by_slug(directory_selectors.cluster_list(viewer=viewer), [slug], field, "cluster")[0]


def _topics(slugs: Iterable[str], field: str = "topics") -> list[Topic]:
    return by_slug(Topic.objects.all(), slugs, field, "topic")


# Opportunities ------------------------------------------------------------------------------


def _opportunity(viewer: Any, slug: str) -> Opportunity:
    """The item if the viewer may see it (drafts only to their owners), else a 404."""
    opportunity = selectors.opportunity_for_viewer(viewer=viewer, slug=slug)
    if opportunity is None:
        raise Http404
    return opportunity


def _written_opportunity(pk: int) -> Opportunity:
    # The writer sees what it wrote, even when its visibility now hides it from the writer.
    queryset = Opportunity.objects.select_related("author_organisation", "cluster")
    return get_or_404(queryset.prefetch_related("topics"), pk=pk)


def _opportunity_relations(user: Any, fields: dict[str, Any], payload: Any) -> dict[str, Any]:
    """Slugs in the body as records; eligibility rules as the model keeps them."""
    if fields.get("author_organisation") is not None:
        fields["author_organisation"] = _organisation(
            user, fields["author_organisation"], "author_organisation"
        )
    if fields.get("cluster") is not None:
        fields["cluster"] = _cluster(user, fields["cluster"], "cluster")
    if fields.get("topics") is not None:
        fields["topics"] = _topics(fields["topics"])
    if "eligibility" in fields:
        rules = payload.eligibility
        fields["eligibility"] = rules.as_rules() if rules is not None else {}
    return fields


def _check_date_range(filters: OpportunityFilter) -> None:
    """Days the filter turns into times the database can compare (year 1 cannot be moved to
    UTC: an OverflowError, a 500, when the query runs)."""
    problems = []
    for name in ("deadline_after", "deadline_before"):
        day = getattr(filters, name)
        if day is None:
            continue
        try:
            for moment in (time.min, time.max):
                datetime.combine(day, moment, tzinfo=timezone.get_current_timezone()).astimezone(
                    UTC
                )
        except OverflowError:
            problems.append({"loc": ("query", name), "msg": "The date is out of range."})
    if problems:
        raise NinjaValidationError(problems)


@router.get("/opportunities", response=list[OpportunityOut])
@paginated
def opportunity_list(request: HttpRequest, filters: Query[OpportunityFilter]) -> Any:
    """What the caller may see, with the filters of the list page; open items unless
    `include_closed`. With `q`, `sort=relevance` (the default) ranks title matches first."""
    _check_date_range(filters)
    if filters.q and not _WORD.search(filters.q):
        # Search text without a word matches nothing; `search()` returns an unranked empty
        # queryset then, which the relevance ordering cannot sort (a FieldError, a 500).
        return Opportunity.objects.none()
    return selectors.opportunity_list(viewer=viewer(request), filters=filters)


@router.get("/opportunities/{slug}", response={200: OpportunityOut, **READ_ERRORS})
def opportunity_detail(request: HttpRequest, slug: Slug) -> Any:
    return _opportunity(viewer(request), slug)


@router.post("/opportunities", response={201: OpportunityOut, **WRITE_ERRORS})
def opportunity_create(request: HttpRequest, payload: OpportunityIn) -> Any:
    """Members post for their organisations, managers for their clusters. A draft unless
    `publish` is true."""
    user = require_user(request)
    fields = _opportunity_relations(user, payload.model_dump(), payload)
    opportunity = services.opportunity_create(actor=user, **fields)
    return Status(201, _written_opportunity(opportunity.pk))


@router.patch("/opportunities/{slug}", response={200: OpportunityOut, **WRITE_ERRORS})
def opportunity_update(request: HttpRequest, slug: Slug, payload: OpportunityPatch) -> Any:
    """Only the fields sent change. Topics, when sent, replace the old ones."""
    user = require_user(request)
    opportunity = _opportunity(user, slug)
    fields = _opportunity_relations(user, payload.model_dump(exclude_unset=True), payload)
    services.opportunity_update(actor=user, opportunity=opportunity, **fields)
    return _written_opportunity(opportunity.pk)


@router.delete("/opportunities/{slug}", response={204: None, **WRITE_ERRORS})
def opportunity_delete(request: HttpRequest, slug: Slug) -> Any:
    user = require_user(request)
    services.opportunity_delete(actor=user, opportunity=_opportunity(user, slug))
    return Status(204, None)


def _transition(request: HttpRequest, slug: str, action: str) -> Opportunity:
    user = require_user(request)
    opportunity = _opportunity(user, slug)
    services.opportunity_transition(actor=user, opportunity=opportunity, action=action)
    return _written_opportunity(opportunity.pk)


# One route per step, not `/{action}`: that pattern would also catch other routers' paths
# such as /opportunities/{slug}/ocds.
@router.post("/opportunities/{slug}/publish", response={200: OpportunityOut, **WRITE_ERRORS})
def opportunity_publish(request: HttpRequest, slug: Slug) -> Any:
    """A draft or a closed item goes (back) on the list; its deadline must not have passed."""
    return _transition(request, slug, "publish")


@router.post("/opportunities/{slug}/close", response={200: OpportunityOut, **WRITE_ERRORS})
def opportunity_close(request: HttpRequest, slug: Slug) -> Any:
    """A published item stops taking interest."""
    return _transition(request, slug, "close")


@router.post("/opportunities/{slug}/archive", response={200: OpportunityOut, **WRITE_ERRORS})
def opportunity_archive(request: HttpRequest, slug: Slug) -> Any:
    """The item is kept for its owners only."""
    return _transition(request, slug, "archive")


def _follow(request: HttpRequest, slug: str, following: bool) -> FollowOut:
    user = require_user(request)
    opportunity = _opportunity(user, slug)
    services.follow_set(actor=user, opportunity=opportunity, following=following)
    return FollowOut(following=following, followers=opportunity.follows.count())


@router.post("/opportunities/{slug}/follow", response={200: FollowOut, **WRITE_ERRORS})
def opportunity_follow(request: HttpRequest, slug: Slug) -> Any:
    """Hear about the item's comments and changes."""
    return _follow(request, slug, following=True)


@router.delete("/opportunities/{slug}/follow", response={200: FollowOut, **WRITE_ERRORS})
def opportunity_unfollow(request: HttpRequest, slug: Slug) -> Any:
    return _follow(request, slug, following=False)


@router.post("/opportunities/{slug}/interest", response={201: InterestOut, **WRITE_ERRORS})
def opportunity_interest(request: HttpRequest, slug: Slug, payload: InterestIn) -> Any:
    """Tell the item's contact, by e-mail, that the caller's organisation is interested."""
    user = require_user(request)
    opportunity = _opportunity(user, slug)
    organisation = (
        _organisation(user, payload.organisation, "organisation")
        if payload.organisation is not None
        else None
    )
    interest = services.interest_express(
        actor=user, opportunity=opportunity, message=payload.message, organisation=organisation
    )
    return Status(201, interest)


@router.get("/opportunities/{slug}/comments", response={200: list[CommentOut], **READ_ERRORS})
@paginated
def comment_list(request: HttpRequest, slug: Slug) -> Any:
    """The item's comments, oldest first, for whoever sees the item."""
    opportunity = _opportunity(viewer(request), slug)
    comments = Comment.objects.filter(opportunity=opportunity)
    return comments.select_related("user", "organisation").order_by("created_at", "pk")


@router.post("/opportunities/{slug}/comments", response={201: CommentOut, **WRITE_ERRORS})
def comment_create(request: HttpRequest, slug: Slug, payload: CommentIn) -> Any:
    user = require_user(request)
    opportunity = _opportunity(user, slug)
    comment = services.comment_add(actor=user, opportunity=opportunity, body=payload.body)
    return Status(201, comment)


@router.post("/opportunities/{slug}/reshare", response={201: ReshareOut, **WRITE_ERRORS})
def opportunity_reshare(request: HttpRequest, slug: Slug, payload: ReshareIn) -> Any:
    """A cluster manager passes a network-wide item from elsewhere on to its own members."""
    user = require_user(request)
    opportunity = _opportunity(user, slug)
    cluster = _cluster(user, payload.cluster, "cluster")
    reshare = services.reshare_create(
        actor=user, opportunity=opportunity, cluster=cluster, note=payload.note
    )
    return Status(201, reshare)


@router.post("/opportunities/{slug}/not-relevant", response={204: None, **WRITE_ERRORS})
def opportunity_not_relevant(request: HttpRequest, slug: Slug) -> Any:
    """Similar items rank lower in the caller's digests."""
    user = require_user(request)
    services.feedback_not_relevant(actor=user, opportunity=_opportunity(user, slug))
    return Status(204, None)


# Solutions ----------------------------------------------------------------------------------


def _solutions(viewer: Any) -> QuerySet[Solution]:
    return Solution.objects.visible_to(viewer).select_related("organisation")


def _written_solution(pk: int) -> Solution:
    queryset = Solution.objects.select_related("organisation").prefetch_related("topics")
    return get_or_404(queryset, pk=pk)


def _solution_relations(user: Any, fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("organisation") is not None:
        fields["organisation"] = _organisation(user, fields["organisation"], "organisation")
    if fields.get("topics") is not None:
        fields["topics"] = _topics(fields["topics"])
    return fields


@router.get("/solutions", response=list[SolutionOut], tags=["solutions"])
@paginated
def solution_list(request: HttpRequest, filters: Query[SolutionFilter]) -> Any:
    """What member organisations offer, that the caller may see."""
    return selectors.solution_list(viewer=viewer(request), q=filters.q, topic=filters.topic)


@router.get("/solutions/{slug}", response={200: SolutionOut, **READ_ERRORS}, tags=["solutions"])
def solution_detail(request: HttpRequest, slug: Slug) -> Any:
    return get_or_404(_solutions(viewer(request)).prefetch_related("topics"), slug=slug)


@router.post("/solutions", response={201: SolutionOut, **WRITE_ERRORS}, tags=["solutions"])
def solution_create(request: HttpRequest, payload: SolutionIn) -> Any:
    """Posted by the organisation that offers it."""
    user = require_user(request)
    fields = _solution_relations(user, payload.model_dump())
    solution = services.solution_create(actor=user, **fields)
    return Status(201, _written_solution(solution.pk))


@router.patch("/solutions/{slug}", response={200: SolutionOut, **WRITE_ERRORS}, tags=["solutions"])
def solution_update(request: HttpRequest, slug: Slug, payload: SolutionPatch) -> Any:
    """Only the fields sent change. Topics, markets and labels, when sent, replace the old."""
    user = require_user(request)
    solution = get_or_404(_solutions(user), slug=slug)
    fields = _solution_relations(user, payload.model_dump(exclude_unset=True))
    services.solution_update(actor=user, solution=solution, **fields)
    return _written_solution(solution.pk)


@router.delete("/solutions/{slug}", response={204: None, **WRITE_ERRORS}, tags=["solutions"])
def solution_delete(request: HttpRequest, slug: Slug) -> Any:
    user = require_user(request)
    services.solution_delete(actor=user, solution=get_or_404(_solutions(user), slug=slug))
    return Status(204, None)
