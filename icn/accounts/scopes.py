"""How a user's scope is computed from memberships and managed clusters."""

from __future__ import annotations

from typing import Any

from icn.core.visibility import Scope


def scope_for_user(user: Any) -> Scope:
    from icn.directory.models import Cluster, Organisation, OrganisationKind

    memberships = list(
        user.memberships.values_list("organisation_id", "role", "organisation__kind")
    )
    organisation_ids = frozenset(org_id for org_id, _, _ in memberships)
    member_cluster_ids = frozenset(
        Organisation.clusters.through.objects.filter(
            organisation_id__in=organisation_ids
        ).values_list("cluster_id", flat=True)
    )
    return Scope(
        user_id=user.pk,
        is_secretariat=bool(user.is_secretariat),
        organisation_ids=organisation_ids,
        admin_organisation_ids=frozenset(o for o, role, _ in memberships if role == "admin"),
        member_cluster_ids=member_cluster_ids,
        managed_cluster_ids=frozenset(
            Cluster.objects.filter(managers=user).values_list("pk", flat=True)
        ),
        partner_organisation_ids=frozenset(
            o for o, _, kind in memberships if kind == OrganisationKind.PARTNER
        ),
    )
