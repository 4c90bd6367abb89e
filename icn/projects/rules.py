"""A funding call's rules checked against a consortium: the one entry point for pages, API
and the consortium builder.

The rules themselves are checked by the plain-Python `icn.matching.eligibility.check`; this
module gathers them from the call (its eligibility data, budget ceiling, co-funding rate
and deadline) and the network's clusters (who could complete a failing rule).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone

from icn.matching import eligibility
from icn.matching.selectors import KIND_NAMES, cluster_offers
from icn.opportunities.models import Opportunity


def call_rules(call: Opportunity) -> dict[str, Any]:
    """Every rule of a call as one mapping: its eligibility data plus budget and deadline."""
    rules: dict[str, Any] = dict(call.eligibility or {})
    if call.budget_max is not None:
        rules["budget_ceiling"] = float(call.budget_max)
    if call.co_funding_rate is not None:
        rules["co_funding_rate"] = float(call.co_funding_rate)
    if call.deadline is not None:
        # The day the call closes where the platform runs, not in UTC.
        rules["deadline"] = timezone.localtime(call.deadline).isoformat()
    if call.currency and ("budget_ceiling" in rules or "co_funding_rate" in rules):
        rules["currency"] = call.currency
    return rules


def kind_labels() -> Mapping[str, str]:
    return {str(kind): name for kind, name in KIND_NAMES.items()}


def check_consortium(
    call: Opportunity,
    parties: Sequence[eligibility.Party],
    offers: Sequence[eligibility.ClusterOffer] | None = None,
) -> eligibility.EligibilityCheck:
    """Every rule of ``call`` with pass or fail and the reason, for these parties."""
    return eligibility.check(
        call_rules(call),
        parties,
        cluster_offers() if offers is None else offers,
        kind_labels(),
        today=timezone.localdate(),
    )
