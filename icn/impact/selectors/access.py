"""Who sees which impact figures: the one rule, `access_for`, and the lookups that apply it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from icn.core.visibility import get_scope
from icn.directory.models import Cluster, Organisation, OrganisationKind


@dataclass(frozen=True)
class Access:
    """What of the network's indicators a viewer may see."""

    # Every cluster by name, the whole network's figures: the secretariat.
    whole_network: bool = False
    # Clusters the viewer sees against the network's distribution (others unnamed).
    cluster_ids: frozenset[int] = frozenset()
    # Member organisations whose own dashboard the viewer sees.
    organisation_ids: frozenset[int] = frozenset()
    # Managed clusters whose member organisations' dashboards the viewer sees.
    managed_cluster_ids: frozenset[int] = frozenset()

    @property
    def sees_anything(self) -> bool:
        return self.whole_network or bool(self.cluster_ids or self.organisation_ids)

    def may_see_cluster(self, cluster_id: int) -> bool:
        return self.whole_network or cluster_id in self.cluster_ids

    def may_see_organisation(self, organisation: Organisation) -> bool:
        if organisation.kind == OrganisationKind.PARTNER:
            return False
        if self.whole_network or organisation.pk in self.organisation_ids:
            return True
        clusters = {c.pk for c in organisation.clusters.all()}
        return bool(clusters & self.managed_cluster_ids)


class Operator:
    """Whoever runs a command on the server (`icn impact_report`): sees the whole network."""


OPERATOR = Operator()


def access_for(viewer: Any) -> Access:
    """The one rule of who sees which impact figures."""
    if viewer is OPERATOR:
        return Access(whole_network=True)
    scope = get_scope(viewer)
    if not scope.is_authenticated:
        return Access()
    if scope.is_secretariat:
        return Access(whole_network=True)
    # Partners act for the network's partners, not for a member organisation: no dashboard.
    members = scope.organisation_ids - scope.partner_organisation_ids
    return Access(
        cluster_ids=scope.managed_cluster_ids,
        organisation_ids=frozenset(members),
        managed_cluster_ids=scope.managed_cluster_ids,
    )


def clusters_for(*, viewer: Any) -> QuerySet[Cluster]:
    """The clusters whose page the viewer may open, by name."""
    access = access_for(viewer)
    if access.whole_network:
        return Cluster.objects.order_by("short_name")
    return Cluster.objects.filter(pk__in=access.cluster_ids).order_by("short_name")


def organisations_for(*, viewer: Any) -> QuerySet[Organisation]:
    """The organisations the viewer acts for whose dashboard it may open."""
    access = access_for(viewer)
    return (
        Organisation.objects.filter(pk__in=access.organisation_ids)
        .exclude(kind=OrganisationKind.PARTNER)
        .order_by("name")
    )


@dataclass(frozen=True)
class Landing:
    """Where /impact/ takes a viewer: the network, its cluster or its organisation."""

    kind: str  # network, cluster, organisation
    slug: str = ""


def landing_for(*, viewer: Any) -> Landing:
    access = access_for(viewer)
    if access.whole_network:
        return Landing("network")
    cluster = clusters_for(viewer=viewer).first()
    if cluster is not None:
        return Landing("cluster", cluster.slug)
    organisation = organisations_for(viewer=viewer).first()
    if organisation is not None:
        return Landing("organisation", organisation.slug)
    raise PermissionDenied(
        "Impact dashboards are for the secretariat, cluster managers and member organisations."
    )


def require_network(*, viewer: Any) -> None:
    if not access_for(viewer).whole_network:
        raise PermissionDenied("The whole network's figures are for the secretariat.")


def cluster_for_viewer(*, viewer: Any, slug: str) -> Cluster:
    """The cluster named by the slug, if the viewer may see its figures."""
    cluster = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        raise Http404
    if not access_for(viewer).may_see_cluster(cluster.pk):
        raise PermissionDenied("A cluster's figures are for its managers and the secretariat.")
    return cluster


def organisation_for_viewer(*, viewer: Any, slug: str) -> Organisation:
    """The organisation named by the slug, if the viewer may see its dashboard."""
    organisation = Organisation.objects.filter(slug=slug).prefetch_related("clusters").first()
    if organisation is None:
        raise Http404
    if not access_for(viewer).may_see_organisation(organisation):
        raise PermissionDenied(
            "An organisation's figures are for its people, its cluster's managers and the "
            "secretariat."
        )
    return organisation
