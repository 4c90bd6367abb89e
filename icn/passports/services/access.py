"""Who is who on a passport: the roles a user plays on it, and the lock on its row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from icn.core.visibility import get_scope
from icn.directory.models import Cluster, ClusterStatus, Organisation
from icn.passports.models import (
    APPLICANT,
    HOME,
    HOST,
    Passport,
)


def today() -> date:
    return timezone.localdate()


def day(value: date) -> str:
    return f"{value:%-d %B %Y}"


# Who is who on a passport ---------------------------------------------------------------------


def has_managers(cluster: Cluster | None) -> bool:
    return cluster is not None and cluster.managers.filter(is_active=True).exists()


def roles_of(actor: Any, passport: Passport) -> set[str]:
    """The parts the actor plays on this passport: applicant, home, host (and secretariat).

    The secretariat stands in for a cluster that has no manager, so no passport is stuck.
    """
    scope = get_scope(actor)
    roles: set[str] = set()
    if not scope.is_authenticated:
        return roles
    managed = scope.managed_cluster_ids
    if passport.organisation_id is not None:
        if passport.organisation_id in scope.organisation_ids:
            roles.add(APPLICANT)
    elif passport.home_cluster_id in managed:
        roles.add(APPLICANT)
    if passport.home_cluster_id in managed or (
        scope.is_secretariat and not has_managers(passport.home_cluster)
    ):
        roles.add(HOME)
    if passport.host_cluster_id is not None and (
        passport.host_cluster_id in managed
        or (scope.is_secretariat and not has_managers(passport.host_cluster))
    ):
        roles.add(HOST)
    if scope.is_secretariat:
        roles.add("secretariat")
    return roles


def role_names(passport: Passport, roles: Iterable[str]) -> str:
    names = {
        APPLICANT: f"the applicant ({passport.applicant_name})",
        HOME: f"the managers of {passport.home_cluster}, the home cluster",
        HOST: f"the managers of {passport.destination}, the host cluster",
    }
    return " or ".join(names[role] for role in roles)


def require_role(actor: Any, passport: Passport, role: str, what: str) -> None:
    if role not in roles_of(actor, passport):
        raise PermissionDenied(f"{what} is up to {role_names(passport, [role])}.")


def may_apply_for(actor: Any) -> tuple[list[Organisation], list[Cluster]]:
    """The organisations the actor may apply for, and the clusters it may apply as."""
    scope = get_scope(actor)
    organisations = list(
        Organisation.objects.filter(
            pk__in=scope.organisation_ids, clusters__status=ClusterStatus.MEMBER
        )
        .distinct()
        .order_by("name")
    )
    clusters = list(Cluster.objects.filter(pk__in=scope.managed_cluster_ids).order_by("name"))
    return organisations, clusters


def locked(passport: Passport) -> Passport:
    """The passport's row, locked until the transaction ends (a no-op on SQLite, which
    serialises writing transactions anyway)."""
    return (
        Passport.objects.select_for_update(of=("self",))
        .select_related("organisation", "home_cluster", "host_cluster", "host_contact")
        .get(pk=passport.pk)
    )
