"""The directory API: thin adapters over the same selectors (reads) and services (writes)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.http import HttpRequest
from ninja import Query, Router, Status

from icn.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    RecordId,
    Slug,
    by_slug,
    get_or_404,
    paginated,
    require_user,
    viewer,
)
from icn.directory import selectors, services
from icn.directory.filters import OrganisationFilter, PersonFilter
from icn.directory.models import Cluster, Organisation, Partnership, Person, Topic
from icn.directory.schemas import (
    ClusterOut,
    ClusterPatch,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PartnershipIn,
    PartnershipOut,
    PartnershipPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
    TopicIn,
    TopicOut,
)

router = Router(tags=["directory"])


def _clusters(viewer: Any, slugs: Iterable[str], field: str) -> list[Cluster]:
    return by_slug(selectors.cluster_list(viewer=viewer), slugs, field, "cluster")


def _topics(slugs: Iterable[str], field: str) -> list[Topic]:
    return by_slug(Topic.objects.all(), slugs, field, "topic")


def _organisation(viewer: Any, slug: str, field: str) -> Organisation:
    return by_slug(Organisation.objects.visible_to(viewer), [slug], field, "organisation")[0]


# Clusters -----------------------------------------------------------------------------------


def _cluster_queryset(viewer: Any) -> QuerySet[Cluster]:
    return selectors.cluster_list(viewer=viewer).order_by("name", "pk")


@router.get("/clusters", response=list[ClusterOut], tags=["clusters"])
@paginated
def cluster_list(request: HttpRequest) -> Any:
    """Member and former clusters; applicants for the secretariat and their own managers."""
    return _cluster_queryset(viewer(request))


@router.get("/clusters/{slug}", response={200: ClusterOut, **READ_ERRORS}, tags=["clusters"])
def cluster_detail(request: HttpRequest, slug: Slug) -> Any:
    return get_or_404(_cluster_queryset(viewer(request)), slug=slug)


@router.patch("/clusters/{slug}", response={200: ClusterOut, **WRITE_ERRORS}, tags=["clusters"])
def cluster_update(request: HttpRequest, slug: Slug, payload: ClusterPatch) -> Any:
    """For the cluster's managers and the secretariat; only the secretariat changes status."""
    user = require_user(request)
    cluster = get_or_404(_cluster_queryset(user), slug=slug)
    fields = payload.model_dump(exclude_unset=True)
    if "focus_topics" in fields:
        fields["focus_topics"] = _topics(fields["focus_topics"], "focus_topics")
    cluster = services.cluster_update(actor=user, cluster=cluster, **fields)
    return get_or_404(Cluster.objects.prefetch_related("focus_topics"), pk=cluster.pk)


# Organisations ------------------------------------------------------------------------------


def _written_organisation(pk: int) -> Organisation:
    # The writer sees what it wrote, even when its visibility now hides it from the writer.
    return get_or_404(Organisation.objects.prefetch_related("clusters", "topics"), pk=pk)


@router.get("/organisations", response=list[OrganisationOut], tags=["organisations"])
@paginated
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilter]) -> Any:
    """The organisations the caller may see, with the filters of the directory page."""
    return selectors.organisation_list(viewer=viewer(request), filters=filters)


@router.get(
    "/organisations/{slug}",
    response={200: OrganisationOut, **READ_ERRORS},
    tags=["organisations"],
)
def organisation_detail(request: HttpRequest, slug: Slug) -> Any:
    return get_or_404(selectors.organisation_list(viewer=viewer(request)), slug=slug)


def _organisation_relations(user: Any, fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("clusters") is not None:
        fields["clusters"] = _clusters(user, fields["clusters"], "clusters")
    if fields.get("topics") is not None:
        fields["topics"] = _topics(fields["topics"], "topics")
    return fields


@router.post(
    "/organisations",
    response={201: OrganisationOut, **WRITE_ERRORS},
    tags=["organisations"],
)
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Any:
    """The secretariat anywhere; a cluster manager in the clusters it manages."""
    user = require_user(request)
    fields = _organisation_relations(user, payload.model_dump())
    organisation = services.organisation_create(actor=user, **fields)
    return Status(201, _written_organisation(organisation.pk))


@router.patch(
    "/organisations/{slug}",
    response={200: OrganisationOut, **WRITE_ERRORS},
    tags=["organisations"],
)
def organisation_update(request: HttpRequest, slug: Slug, payload: OrganisationPatch) -> Any:
    """Only the fields sent change. Clusters and topics, when sent, replace the old ones."""
    user = require_user(request)
    organisation = get_or_404(Organisation.objects.visible_to(user), slug=slug)
    fields = _organisation_relations(user, payload.model_dump(exclude_unset=True))
    services.organisation_update(actor=user, organisation=organisation, **fields)
    return _written_organisation(organisation.pk)


@router.delete(
    "/organisations/{slug}",
    response={204: None, **WRITE_ERRORS},
    tags=["organisations"],
)
def organisation_delete(request: HttpRequest, slug: Slug) -> Any:
    user = require_user(request)
    organisation = get_or_404(Organisation.objects.visible_to(user), slug=slug)
    services.organisation_delete(actor=user, organisation=organisation)
    return Status(204, None)


# People -------------------------------------------------------------------------------------


def _with_email_rights(queryset: QuerySet[Person], viewer: Any) -> QuerySet[Person]:
    """Mark the people whose e-mail the viewer may read: those it may change, and itself."""
    if not getattr(viewer, "is_authenticated", False):
        return queryset.annotate(viewer_may_change=Value(False))
    editable = Person.objects.editable_by(viewer).filter(pk=OuterRef("pk"))
    return queryset.annotate(
        viewer_may_change=ExpressionWrapper(
            Q(Exists(editable)) | Q(user_id=viewer.pk), output_field=BooleanField()
        )
    )


def _people(viewer: Any, filters: PersonFilter | None = None) -> QuerySet[Person]:
    queryset = selectors.person_list(viewer=viewer, filters=filters).prefetch_related(
        "key_contact_for"
    )
    return _with_email_rights(queryset, viewer)


def _written_person(viewer: Any, pk: int) -> Person:
    queryset = Person.objects.select_related("organisation").prefetch_related(
        "topics", "key_contact_for"
    )
    return get_or_404(_with_email_rights(queryset, viewer), pk=pk)


@router.get("/people", response=list[PersonOut], tags=["people"])
@paginated
def person_list(request: HttpRequest, filters: Query[PersonFilter]) -> Any:
    """Listed people of organisations the caller may see; e-mails only where it may edit."""
    return _people(viewer(request), filters)


@router.get("/people/{person_id}", response={200: PersonOut, **READ_ERRORS}, tags=["people"])
def person_detail(request: HttpRequest, person_id: RecordId) -> Any:
    return get_or_404(_people(viewer(request)), pk=person_id)


def _person_relations(user: Any, fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("organisation") is not None:
        fields["organisation"] = _organisation(user, fields["organisation"], "organisation")
    if fields.get("topics") is not None:
        fields["topics"] = _topics(fields["topics"], "topics")
    if fields.get("key_contact_for") is not None:
        fields["key_contact_for"] = _clusters(user, fields["key_contact_for"], "key_contact_for")
    return fields


@router.post("/people", response={201: PersonOut, **WRITE_ERRORS}, tags=["people"])
def person_create(request: HttpRequest, payload: PersonIn) -> Any:
    """Add a person to an organisation the caller may change."""
    user = require_user(request)
    fields = _person_relations(user, payload.model_dump())
    person = services.person_create(actor=user, **fields)
    return Status(201, _written_person(user, person.pk))


@router.patch("/people/{person_id}", response={200: PersonOut, **WRITE_ERRORS}, tags=["people"])
def person_update(request: HttpRequest, person_id: RecordId, payload: PersonPatch) -> Any:
    user = require_user(request)
    person = get_or_404(selectors.person_list(viewer=user), pk=person_id)
    fields = _person_relations(user, payload.model_dump(exclude_unset=True))
    services.person_update(actor=user, person=person, **fields)
    return _written_person(user, person.pk)


@router.delete("/people/{person_id}", response={204: None, **WRITE_ERRORS}, tags=["people"])
def person_delete(request: HttpRequest, person_id: RecordId) -> Any:
    user = require_user(request)
    person = get_or_404(selectors.person_list(viewer=user), pk=person_id)
    services.person_delete(actor=user, person=person)
    return Status(204, None)


# Topics -------------------------------------------------------------------------------------


def _topic_queryset() -> QuerySet[Topic]:
    return Topic.objects.select_related("parent").order_by("kind", "position", "name", "pk")


@router.get("/topics", response=list[TopicOut], tags=["topics"])
@paginated
def topic_list(request: HttpRequest) -> Any:
    """Cleantech areas and Sustainable Development Goals; `parent` makes the tree."""
    return _topic_queryset()


@router.get("/topics/{slug}", response={200: TopicOut, **READ_ERRORS}, tags=["topics"])
def topic_detail(request: HttpRequest, slug: Slug) -> Any:
    return get_or_404(_topic_queryset(), slug=slug)


@router.post("/topics", response={201: TopicOut, **WRITE_ERRORS}, tags=["topics"])
def topic_create(request: HttpRequest, payload: TopicIn) -> Any:
    """For the secretariat, which keeps the taxonomy."""
    user = require_user(request)
    fields = payload.model_dump()
    if fields["parent"] is not None:
        fields["parent"] = by_slug(Topic.objects.all(), [fields["parent"]], "parent", "topic")[0]
    topic = services.topic_create(actor=user, **fields)
    return Status(201, get_or_404(_topic_queryset(), pk=topic.pk))


# Partnerships -------------------------------------------------------------------------------


def _partnership_relations(user: Any, fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("partner") is not None:
        fields["partner"] = _organisation(user, fields["partner"], "partner")
    if fields.get("clusters") is not None:
        fields["clusters"] = _clusters(user, fields["clusters"], "clusters")
    return fields


def _written_partnership(pk: int) -> Partnership:
    queryset = Partnership.objects.select_related("partner").prefetch_related("clusters")
    return get_or_404(queryset, pk=pk)


@router.get("/partnerships", response=list[PartnershipOut], tags=["partnerships"])
@paginated
def partnership_list(request: HttpRequest) -> Any:
    """The network's agreements with partner organisations that the caller may see."""
    return selectors.partnership_list(viewer=viewer(request))


@router.get(
    "/partnerships/{partnership_id}",
    response={200: PartnershipOut, **READ_ERRORS},
    tags=["partnerships"],
)
def partnership_detail(request: HttpRequest, partnership_id: RecordId) -> Any:
    return get_or_404(selectors.partnership_list(viewer=viewer(request)), pk=partnership_id)


@router.post("/partnerships", response={201: PartnershipOut, **WRITE_ERRORS}, tags=["partnerships"])
def partnership_create(request: HttpRequest, payload: PartnershipIn) -> Any:
    """For the secretariat."""
    user = require_user(request)
    fields = _partnership_relations(user, payload.model_dump())
    partnership = services.partnership_create(actor=user, **fields)
    return Status(201, _written_partnership(partnership.pk))


@router.patch(
    "/partnerships/{partnership_id}",
    response={200: PartnershipOut, **WRITE_ERRORS},
    tags=["partnerships"],
)
def partnership_update(
    request: HttpRequest, partnership_id: RecordId, payload: PartnershipPatch
) -> Any:
    user = require_user(request)
    partnership = get_or_404(Partnership.objects.visible_to(user), pk=partnership_id)
    fields = _partnership_relations(user, payload.model_dump(exclude_unset=True))
    services.partnership_update(actor=user, partnership=partnership, **fields)
    return _written_partnership(partnership.pk)


@router.delete(
    "/partnerships/{partnership_id}",
    response={204: None, **WRITE_ERRORS},
    tags=["partnerships"],
)
def partnership_delete(request: HttpRequest, partnership_id: RecordId) -> Any:
    user = require_user(request)
    partnership = get_or_404(Partnership.objects.visible_to(user), pk=partnership_id)
    services.partnership_delete(actor=user, partnership=partnership)
    return Status(204, None)
