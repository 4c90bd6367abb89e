"""The matching section of challenge and funding-call pages, computed where it is shown."""

from __future__ import annotations

import logging
from typing import Any

from django.template import Context, Library

from icn.core.visibility import get_scope
from icn.directory.models import Organisation
from icn.matching import eligibility, selectors, services
from icn.opportunities.models import Opportunity, OpportunityKind

logger = logging.getLogger(__name__)
register = Library()


def _acting_organisation(viewer: Any) -> Organisation | None:
    ids = get_scope(viewer).organisation_ids
    return Organisation.objects.filter(pk__in=ids).order_by("name").first() if ids else None


@register.inclusion_tag("matching/partials/opportunity_matches.html", takes_context=True)
def opportunity_matches(context: Context, opportunity: Opportunity) -> dict[str, Any]:
    """Solutions for a challenge, or organisations for a funding call, for this viewer."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    shown: dict[str, Any] = {"opportunity": opportunity, "request": request, "kind": ""}
    if opportunity.kind not in (OpportunityKind.CHALLENGE, OpportunityKind.FUNDING_CALL):
        return shown
    try:
        if opportunity.kind == OpportunityKind.CHALLENGE:
            shown.update(_challenge(viewer, opportunity))
        else:
            shown.update(_call(viewer, opportunity))
    except Exception:  # suggestions must never take the item's own page down
        logger.exception("Matching suggestions failed for %s.", opportunity.slug)
        shown["failed"] = True
    return shown


def _challenge(viewer: Any, challenge: Opportunity) -> dict[str, Any]:
    results = selectors.solutions_for_challenge(viewer=viewer, challenge=challenge)
    city = challenge.author_organisation
    for result in results:
        assert result.solution is not None
        sides = [side for side in (city, result.solution.organisation) if side is not None]
        result.can_suggest = (
            city is not None
            and city.pk != result.solution.organisation_id
            and services.may_act_on(viewer, sides)
        )
    return {"kind": "challenge", "solutions": results}


def _call(viewer: Any, call: Opportunity) -> dict[str, Any]:
    groups = selectors.organisations_for_call(viewer=viewer, call=call)
    acting = _acting_organisation(viewer) or call.author_organisation
    authenticated = bool(getattr(viewer, "is_authenticated", False))
    for group in groups:
        for match in group.matches:
            assert match.organisation is not None
            match.can_suggest = (
                authenticated
                and acting is not None
                and acting.pk != match.organisation.pk
                and services.may_act_on(viewer, [acting, match.organisation])
            )
    return {"kind": "funding_call", "groups": groups, "acting": acting}


@register.filter
def rules_in_words(rules: Any) -> list[str]:
    """A call's eligibility rules as sentences ("At least 3 partners")."""
    if not isinstance(rules, dict):
        return []
    labels = {str(kind): name for kind, name in selectors.KIND_NAMES.items()}
    return eligibility.describe(rules, labels)
