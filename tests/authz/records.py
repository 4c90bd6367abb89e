"""The records the matrix is tried on: one fresh record a test, built through the services
(or the ORM where a service would refuse the set-up), owned by one of CLEAN's organisations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from icn.accounts.models import ApiToken, Membership, User
from icn.accounts.services import token_create
from icn.directory import services as directory_services
from icn.directory.models import (
    ClusterApplication,
    ClusterStatus,
    Organisation,
    OrganisationKind,
    Partnership,
    Person,
)
from icn.events import services as event_services
from icn.knowledge import services as library_services
from icn.matching import services as matching_services
from icn.opportunities.models import Opportunity, Solution
from icn.passports import services as passport_services
from icn.passports.models import DeskOffer
from icn.projects import services as project_services
from tests.conftest import Network


@dataclass
class Case:
    """One record of one kind and variant, and what the operations need to reach it."""

    kind: str
    variant: str
    record: Any
    owning: Organisation | None
    params: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class World:
    """The network and the people of every role (the owner and the colleague join the owning
    organisation when a record is built)."""

    network: Network
    users: dict[str, Any]

    def own(self, organisation: Organisation) -> Organisation:
        Membership.objects.get_or_create(
            user=self.users["owner"], organisation=organisation, defaults={"role": "admin"}
        )
        Membership.objects.get_or_create(
            user=self.users["colleague"], organisation=organisation, defaults={"role": "member"}
        )
        return organisation

    def clean_org(self, visibility: str) -> Organisation:
        """CLEAN's organisation of that visibility, which the owner and the colleague run."""
        return self.own(self.network.org("clean", visibility))


def _soon(days: int = 30) -> Any:
    return (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def organisation(world: World, variant: str) -> Case:
    org = world.clean_org(variant)
    return Case("organisation", variant, org, org, {"slug": org.slug})


def membership(world: World, variant: str) -> Case:
    org = world.clean_org(variant)
    record = Membership.objects.get(user=world.users["colleague"], organisation=org)
    return Case("membership", variant, record, org, {"pk": record.pk})


def person(world: World, variant: str) -> Case:
    org = world.clean_org(variant)
    record = Person.objects.create(
        name="Ada Harbour",
        email=f"ada.{variant}@clean.example",
        job_title="Engineer",
        organisation=org,
        listed=True,
        visibility=variant,
    )
    return Case("person", variant, record, org, {"pk": record.pk})


def _opportunity(world: World, variant: str, kind: str) -> Opportunity:
    org = world.clean_org(variant)
    return Opportunity.objects.create(
        kind=kind,
        status="published",
        title=f"Shore power for the harbour ({variant})",
        slug=f"shore-power-{variant}",
        summary="A port looks for shore power for ferries.",
        author_organisation=org,
        cluster=world.network.clean,
        visibility=variant,
        country="DK",
        contact_email="port@clean.example",
        deadline=_soon(),
        published_at=timezone.now(),
    )


def opportunity(world: World, variant: str) -> Case:
    record = _opportunity(world, variant, "challenge")
    return Case("opportunity", variant, record, record.author_organisation, {"slug": record.slug})


def solution(world: World, variant: str) -> Case:
    org = world.clean_org(variant)
    record = Solution.objects.create(
        organisation=org,
        title=f"Electrolyser stacks ({variant})",
        slug=f"electrolyser-stacks-{variant}",
        description="Stacks for hydrogen valleys.",
        visibility=variant,
    )
    return Case("solution", variant, record, org, {"slug": record.slug})


def event(world: World, variant: str) -> Case:
    org = world.clean_org(variant)
    start = _soon(20)
    record = event_services.event_create(
        actor=world.users["secretariat"],
        kind="workshop",
        title=f"Hydrogen workshop ({variant})",
        starts_at=start,
        ends_at=start + timedelta(hours=6),
        city="Copenhagen",
        country="DK",
        host_cluster=world.network.clean,
        organisation=org,
        visibility=variant,
        publish=True,
    )
    session = event_services.session_create(
        actor=world.users["secretariat"],
        event=record,
        title="Talks",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    return Case("event", variant, record, org, {"slug": record.slug, "session": session.pk})


def document(world: World, variant: str) -> Case:
    org = world.clean_org(variant)
    record = library_services.document_create(
        actor=world.users["secretariat"],
        title=f"Port electrification report ({variant})",
        kind="report",
        organisation=org,
        cluster=world.network.clean,
        visibility=variant,
        url="https://example.org/port-electrification.pdf",
    )
    return Case("document", variant, record, org, {"slug": record.slug, "number": 1})


def collection(world: World, variant: str) -> Case:
    world.clean_org("public")  # the owner and the colleague are people of the cluster
    record = library_services.collection_create(
        actor=world.users["secretariat"],
        title=f"Harbour reading ({variant})",
        cluster=world.network.clean,
        visibility=variant,
    )
    return Case(
        "collection",
        variant,
        record,
        None,
        {"slug": record.slug},
        {"curator": world.users["secretariat"]},
    )


def partnership(world: World, variant: str) -> Case:
    partner = world.own(
        Organisation.objects.create(
            name="Ports of the Baltic",
            slug="ports-of-the-baltic",
            kind=OrganisationKind.PARTNER,
            country="SE",
            visibility="public",
        )
    )
    record = Partnership.objects.create(
        partner=partner,
        title=f"Green ports ({variant})",
        scope="Shore power pilots.",
        starts_on=timezone.localdate(),
        visibility=variant,
    )
    record.clusters.add(world.network.clean)
    return Case("partnership", variant, record, partner, {"pk": record.pk})


def match(world: World, variant: str) -> Case:
    org = world.clean_org(variant)
    record = matching_services.match_suggest(
        actor=world.users["secretariat"],
        organisation=org,
        target_organisation=world.network.org("nordic-edge", "public"),
    )
    return Case("match", variant, record, org, {"pk": record.pk})


def _passport(world: World, variant: str, submit: bool) -> Case:
    org = world.clean_org(variant)
    start = timezone.localdate() + timedelta(days=40)
    record = passport_services.passport_create(
        actor=world.users["owner"],
        organisation=org,
        host_cluster=world.network.nordic_edge,
        title="Hydrogen partners in Stavanger",
        purpose="We make electrolyser stacks and look for a hydrogen utility.",
        starts_on=start,
        ends_on=start + timedelta(days=4),
        topics=[world.network.topic],
        partner_kinds=["sme"],
        assistance=["introductions"],
        submit=submit,
    )
    kind = "passport_submitted" if submit else "passport_draft"
    return Case(kind, variant, record, org, {"pk": record.pk})


def passport_draft(world: World, variant: str) -> Case:
    return _passport(world, variant, submit=False)


def passport_submitted(world: World, variant: str) -> Case:
    return _passport(world, variant, submit=True)


def application(world: World, variant: str) -> Case:
    org = world.clean_org(variant)
    call = Opportunity.objects.create(
        kind="funding_call",
        status="published",
        title="Hydrogen valleys for industrial regions",
        slug="hydrogen-valleys-call",
        author_organisation=world.network.org("clean", "public"),
        cluster=world.network.clean,
        visibility="public",
        funder="European Commission",
        budget_max=Decimal("100000"),
        currency="EUR",
        deadline=_soon(),
        published_at=timezone.now(),
    )
    record = project_services.application_create(
        actor=world.users["secretariat"],
        call=call,
        lead=org,
        partners=[world.network.org("nordic-edge", "private")],
        title="Hydrogen valleys that share electrolysers",
        acronym="H2V",
    )
    key = record.sections.order_by("position", "pk").values_list("key", flat=True).first()
    assert key is not None, "the programme's template lays out the sections"
    partner = record.members.get(is_coordinator=False)
    params = {"pk": record.pk, "key": key, "member": partner.pk}
    return Case("application", variant, record, org, params)


def cluster(world: World, variant: str) -> Case:
    world.clean_org("public")
    record = world.network.clean
    if variant == "applicant":
        record.status = ClusterStatus.APPLICANT
        record.save(update_fields=["status"])
    return Case("cluster", variant, record, None, {"slug": record.slug})


def cluster_application(world: World, variant: str) -> Case:
    world.clean_org("public")
    record = directory_services.cluster_application_submit(
        submitted_by=None,
        name="Baltic Cleantech",
        short_name="Baltic",
        country="EE",
        city="Tallinn",
        member_count=40,
        contact_name="Kadri Tamm",
        contact_email="kadri@baltic.example",
        triple_helix="Companies, the city and the university.",
        track_record="Ten years.",
        international_stakeholders="Ports.",
        sector_breadth="Energy and mobility.",
        international_strategy="The Baltic Sea.",
        resources_committed="One person.",
    )
    assert isinstance(record, ClusterApplication)
    return Case("cluster_application", variant, record, None, {"pk": record.pk})


def token(world: World, variant: str) -> Case:
    record, _ = token_create(actor=world.users["owner"], name="Laptop")
    assert isinstance(record, ApiToken)
    return Case("token", variant, record, None, {"pk": record.pk})


def desk_offer(world: World, variant: str) -> Case:
    world.clean_org("public")
    start = timezone.localdate() + timedelta(days=10)
    record = DeskOffer.objects.create(
        cluster=world.network.clean,
        desks=2,
        starts_on=start,
        ends_on=start + timedelta(days=20),
        address="CLEAN house, Copenhagen",
        created_by=world.users["cluster_manager"],
    )
    return Case("desk_offer", variant, record, None, {"pk": record.pk})


BUILDERS: dict[str, Callable[[World, str], Case]] = {
    "organisation": organisation,
    "membership": membership,
    "person": person,
    "opportunity": opportunity,
    "solution": solution,
    "event": event,
    "document": document,
    "collection": collection,
    "partnership": partnership,
    "match": match,
    "passport_draft": passport_draft,
    "passport_submitted": passport_submitted,
    "application": application,
    "cluster": cluster,
    "cluster_application": cluster_application,
    "token": token,
    "desk_offer": desk_offer,
}


def people(network: Network, personas: dict[str, Any]) -> dict[str, Any]:
    """The users of every role: the shared personas where they fit whatever the record, and
    three made for the matrix, because they depend on the record's owner."""
    owner = User.objects.create_user("owner@clean.example", "a-long-test-password")
    colleague = User.objects.create_user("colleague@clean.example", "a-long-test-password")
    peer = User.objects.create_user("peer@clean.example", "a-long-test-password")
    # An organisation of CLEAN that never owns a record of the matrix.
    peers = Organisation.objects.create(
        name="CLEAN peer org",
        slug="clean-peer-org",
        kind=OrganisationKind.SME,
        country="DK",
        visibility="network",
    )
    peers.clusters.add(network.clean)
    Membership.objects.create(user=peer, organisation=peers, role="admin")
    return {**personas, "owner": owner, "colleague": colleague, "cluster_peer": peer}
