"""Reads of opportunities and solutions that depend on who is asking."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from icn.core.visibility import get_scope
from icn.opportunities.filters import OpportunityFilter
from icn.opportunities.models import (
    Comment,
    Follow,
    Opportunity,
    Reshare,
    Solution,
)


def opportunity_list(
    *, viewer: Any, filters: OpportunityFilter | None = None
) -> QuerySet[Opportunity]:
    """What the viewer may see, filtered and sorted as asked (open items by default)."""
    filters = filters or OpportunityFilter()
    queryset = filters.apply(Opportunity.objects.visible_to(viewer))
    return queryset.select_related("author_organisation", "cluster").prefetch_related("topics")


def opportunity_for_viewer(*, viewer: Any, slug: str) -> Opportunity | None:
    return (
        Opportunity.objects.visible_to(viewer)
        .select_related("author_organisation", "cluster", "author")
        .prefetch_related("topics", "attachments")
        .filter(slug=slug)
        .first()
    )


def opportunity_activity(*, viewer: Any, opportunity: Opportunity) -> dict[str, Any]:
    """Comments, re-shares and the viewer's own follow state for a detail page."""
    scope = get_scope(viewer)
    return {
        "comments": Comment.objects.filter(opportunity=opportunity).select_related(
            "user", "organisation"
        ),
        "reshares": Reshare.objects.filter(opportunity=opportunity).select_related("cluster"),
        "following": scope.user_id is not None
        and Follow.objects.filter(user_id=scope.user_id, opportunity=opportunity).exists(),
        "follower_count": opportunity.follows.count(),
        "interest_count": opportunity.interests.count(),
    }


def own_opportunities(*, viewer: Any) -> QuerySet[Opportunity]:
    """Items the viewer may edit (its own, its organisations', its clusters'), drafts included."""
    return (
        Opportunity.objects.editable_by(viewer)
        .select_related("author_organisation")
        .order_by("-updated_at")
    )


def solution_list(*, viewer: Any, q: str = "", topic: str = "") -> QuerySet[Solution]:
    queryset = Solution.objects.visible_to(viewer).select_related("organisation")
    for word in q.split()[:8]:
        queryset = queryset.filter(title__icontains=word) | queryset.filter(
            description__icontains=word
        )
    if topic:
        queryset = queryset.filter(topics__slug=topic)
    return queryset.prefetch_related("topics").distinct().order_by("title", "pk")
