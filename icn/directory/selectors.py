"""Reads of the directory that depend on who is asking."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from icn.core.geo import MAP_HEIGHT, MAP_WIDTH, land_path, project, spread_labels
from icn.core.visibility import get_scope
from icn.directory.filters import OrganisationFilter, PersonFilter
from icn.directory.models import (
    HELIX,
    HELIX_LABELS,
    Cluster,
    ClusterApplication,
    ClusterStatus,
    Organisation,
    OrganisationKind,
    Partnership,
    Person,
    Topic,
    TopicKind,
)


def cluster_list(*, viewer: Any) -> QuerySet[Cluster]:
    """Member and former clusters are public; applicants are seen by the secretariat."""
    scope = get_scope(viewer)
    queryset = Cluster.objects.all()
    if not scope.is_secretariat:
        queryset = queryset.filter(
            Q(status__in=[ClusterStatus.MEMBER, ClusterStatus.FORMER])
            | Q(pk__in=scope.managed_cluster_ids)
        )
    return queryset.prefetch_related("focus_topics")


def cluster_map(*, clusters: QuerySet[Cluster] | list[Cluster]) -> dict[str, Any]:
    """What the clusters map draws: land and one marker a cluster with coordinates."""
    markers: list[dict[str, Any]] = []
    for cluster in clusters:
        if cluster.latitude is None or cluster.longitude is None:
            continue
        x, y = project(cluster.longitude, cluster.latitude)
        markers.append({"cluster": cluster, "x": x, "y": y, "label_x": x + 8, "label_y": y + 4})
    labelled = spread_labels([(m["x"], m["y"]) for m in markers])
    for marker, show in zip(markers, labelled, strict=True):
        marker["labelled"] = show
    return {"width": MAP_WIDTH, "height": MAP_HEIGHT, "land": land_path(), "markers": markers}


def organisation_list(
    *, viewer: Any, filters: OrganisationFilter | None = None
) -> QuerySet[Organisation]:
    queryset: QuerySet[Organisation] = Organisation.objects.visible_to(viewer)
    if filters is not None:
        queryset = filters.apply(queryset)
    # Only the clusters the viewer may see are listed with each organisation.
    visible_clusters = Prefetch(
        "clusters", queryset=Cluster.objects.filter(pk__in=cluster_list(viewer=viewer).values("pk"))
    )
    return queryset.prefetch_related(visible_clusters, "topics").order_by("name", "pk")


def organisation_detail_people(*, viewer: Any, organisation: Organisation) -> QuerySet[Person]:
    return Person.objects.visible_to(viewer).filter(organisation=organisation).order_by("name")


def person_list(*, viewer: Any, filters: PersonFilter | None = None) -> QuerySet[Person]:
    visible_orgs = Organisation.objects.visible_to(viewer)
    queryset: QuerySet[Person] = Person.objects.visible_to(viewer).filter(
        organisation__in=visible_orgs
    )
    if filters is not None:
        queryset = filters.apply(queryset)
    return queryset.select_related("organisation").prefetch_related("topics").order_by("name", "pk")


def partnership_list(*, viewer: Any) -> QuerySet[Partnership]:
    return (
        Partnership.objects.visible_to(viewer)
        .select_related("partner", "contact")
        .prefetch_related("clusters")
        .order_by("-starts_on", "pk")
    )


def topic_tree() -> list[dict[str, Any]]:
    """Topics as a tree: each root with its children, cleantech areas before the SDGs."""
    topics = list(Topic.objects.annotate(organisation_count=Count("organisations")))
    children: dict[int | None, list[Topic]] = {}
    for topic in topics:
        children.setdefault(topic.parent_id, []).append(topic)

    def node(topic: Topic) -> dict[str, Any]:
        return {"topic": topic, "children": [node(c) for c in children.get(topic.pk, [])]}

    return [node(t) for t in children.get(None, [])]


def cluster_profile(*, viewer: Any, cluster: Cluster) -> dict[str, Any]:
    """A cluster page: members by triple-helix kind, contacts and topics, as the viewer sees."""
    members = list(
        Organisation.objects.visible_to(viewer)
        .filter(clusters=cluster)
        .only("name", "slug", "kind", "country", "visibility", "city")
        .order_by("name")
    )
    by_helix: OrderedDict[str, list[Organisation]] = OrderedDict((key, []) for key in HELIX_LABELS)
    for organisation in members:
        by_helix[HELIX[OrganisationKind(organisation.kind)]].append(organisation)
    contacts = (
        Person.objects.visible_to(viewer)
        .filter(key_contact_for=cluster)
        .select_related("organisation")
        .order_by("name")
    )
    return {
        "cluster": cluster,
        "member_count": len(members),
        "helix_groups": [
            {"key": key, "label": HELIX_LABELS[key], "organisations": orgs[:12], "count": len(orgs)}
            for key, orgs in by_helix.items()
        ],
        "contacts": contacts,
        "topics": cluster.focus_topics.all(),
        "map": cluster_map(clusters=[cluster]),
    }


def application_list(*, viewer: Any) -> QuerySet[ClusterApplication]:
    if not get_scope(viewer).is_secretariat:
        return ClusterApplication.objects.none()
    return ClusterApplication.objects.select_related("cluster", "decided_by")


def home_summary(*, viewer: Any) -> dict[str, Any]:
    scope = get_scope(viewer)
    organisations = Organisation.objects.visible_to(viewer)
    summary: dict[str, Any] = {
        "cluster_count": Cluster.objects.filter(status=ClusterStatus.MEMBER).count(),
        "organisation_count": organisations.count(),
        "country_count": organisations.values("country").distinct().count(),
        "topics": Topic.objects.filter(kind=TopicKind.AREA, parent__isnull=True)[:14],
    }
    if scope.is_authenticated:
        summary["my_organisations"] = Organisation.objects.filter(pk__in=scope.organisation_ids)
        summary["managed_clusters"] = Cluster.objects.filter(pk__in=scope.managed_cluster_ids)
    if scope.is_secretariat:
        summary["pending_applications"] = ClusterApplication.objects.filter(
            status="submitted"
        ).select_related("cluster")
    if scope.is_cluster_manager:
        summary["recent_members"] = (
            organisations.filter(clusters__in=scope.managed_cluster_ids)
            .distinct()
            .order_by("-created_at")[:6]
        )
    return summary


def clusters_with_member_counts(*, viewer: Any) -> QuerySet[Cluster]:
    visible = Organisation.objects.visible_to(viewer).values("pk")
    return cluster_list(viewer=viewer).annotate(
        member_count=Count("organisations", filter=Q(organisations__in=visible), distinct=True)
    )
