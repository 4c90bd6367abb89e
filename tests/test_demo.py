"""`icn demo` loads the demo network once, and a second run changes nothing."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Max, Model
from django.test import override_settings

from icn.accounts.models import Membership, User
from icn.core.visibility import Visibility, get_scope
from icn.directory.demo import CLUSTERS_CSV, build_plan
from icn.directory.models import (
    Cluster,
    ClusterApplication,
    ClusterApplicationStatus,
    ClusterStatus,
    Organisation,
    OrganisationKind,
    Partnership,
    Person,
)
from icn.directory.sectors import validate_nace_codes

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGINS = {
    "secretariat@icn.example": ["secretariat"],
    "manager.clean@icn.example": ["cluster_manager"],
    "manager.nordic-edge@icn.example": ["cluster_manager"],
    "member.clean@icn.example": ["member"],
    "member.nordic-edge@icn.example": ["member"],
    "partner@icn.example": ["partner"],
}


def run_demo() -> str:
    out = StringIO()
    call_command("demo", "--force", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def first_run(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """Load the demo network once for this module, in a transaction undone after it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield run_demo()
        transaction.set_rollback(True)


def csv_clusters() -> list[dict[str, str]]:
    with CLUSTERS_CSV.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def member_clusters() -> list[Cluster]:
    return list(Cluster.objects.filter(status=ClusterStatus.MEMBER))


def snapshot() -> dict[str, Any]:
    """Row counts, the latest change of every timestamped table, and the users' secrets."""
    models: list[type[Model]] = [
        Cluster,
        ClusterApplication,
        Organisation,
        Person,
        Partnership,
        User,
        Membership,
        Cluster.focus_topics.through,
        Cluster.managers.through,
        Organisation.clusters.through,
        Organisation.topics.through,
        Person.topics.through,
        Person.key_contact_for.through,
        Partnership.clusters.through,
    ]
    state: dict[str, Any] = {m._meta.label: m._default_manager.count() for m in models}
    for model in (Cluster, ClusterApplication, Organisation, Person, Partnership):
        latest = model._default_manager.aggregate(latest=Max("updated_at"))["latest"]
        state[f"{model._meta.label} updated"] = latest
    state["users"] = list(
        User.objects.order_by("email").values_list("email", "password", "last_login", "is_staff")
    )
    return state


def test_the_demo_loads_every_cluster_of_the_csv_as_a_member(first_run):
    for row in csv_clusters():
        cluster = Cluster.objects.get(slug=Cluster.slug_for(row["short_name"]))
        assert cluster.name == row["name"]
        assert cluster.country == row["country"]
        assert cluster.status == ClusterStatus.MEMBER
        assert cluster.latitude == float(row["latitude"])
        assert cluster.longitude == float(row["longitude"])
        assert cluster.joined_on is not None
        assert cluster.description
        assert cluster.focus_topics.count() == 3
    assert {"clean", "nordic-edge"} <= {c.slug for c in member_clusters()}
    assert len(member_clusters()) == len(csv_clusters())


def test_the_demo_has_about_six_hundred_organisations_and_a_thousand_people(first_run):
    assert 580 <= Organisation.objects.count() <= 650
    assert 950 <= Person.objects.count() <= 1100
    assert Person.objects.filter(listed=False).exists()
    assert Person.objects.filter(listed=True).count() > Person.objects.count() * 0.7


def test_every_cluster_has_organisations_and_listed_people_of_every_visibility(first_run):
    for cluster in member_clusters():
        organisations = Organisation.objects.filter(clusters=cluster)
        people = Person.objects.filter(organisation__clusters=cluster, listed=True)
        assert set(organisations.values_list("visibility", flat=True)) == set(Visibility.values)
        assert set(people.values_list("visibility", flat=True)) == set(Visibility.values)


def test_every_cluster_has_the_triple_helix_mostly_smes_and_two_key_contacts(first_run):
    for cluster in member_clusters():
        kinds = list(Organisation.objects.filter(clusters=cluster).values_list("kind", flat=True))
        assert {"sme", "large_company", "public_authority", "research", "funder", "ngo"} <= set(
            kinds
        )
        assert kinds.count(OrganisationKind.SME) > len(kinds) / 2
        assert cluster.key_contacts.count() == 2


def test_demo_organisations_have_descriptions_topics_valid_nace_codes_and_example_websites(
    first_run,
):
    for org in Organisation.objects.prefetch_related("topics"):
        assert len(org.description) > 80, org
        assert org.topics.all(), org
        assert org.nace_codes and validate_nace_codes(org.nace_codes) == org.nace_codes, org
        assert org.website == f"https://{org.slug}.example" or org.kind == "ngo", org
        assert org.website_domain.endswith(".example"), org
        assert org.city, org


def test_demo_people_have_e_mail_addresses_at_their_organisations_domain(first_run):
    logins = set(LOGINS)
    for person in Person.objects.select_related("organisation"):
        if person.email not in logins:
            assert person.email.endswith("@" + person.organisation.website_domain), person
        assert person.job_title, person


def test_the_demo_users_have_their_roles(first_run):
    for email, roles in LOGINS.items():
        user = User.objects.get(email=email)
        assert get_scope(user).roles == roles, email
        assert user.check_password(settings.ICN_DEMO_PASSWORD)
        assert user.full_name
        assert user.person.name == user.full_name
    secretariat = User.objects.get(email="secretariat@icn.example")
    assert secretariat.is_staff and secretariat.is_superuser


def test_each_cluster_manager_manages_its_own_cluster(first_run):
    for slug in ("clean", "nordic-edge"):
        manager = User.objects.get(email=f"manager.{slug}@icn.example")
        assert list(manager.managed_clusters.values_list("slug", flat=True)) == [slug]
        assert manager.person.key_contact_for.filter(slug=slug).exists()


def test_each_member_is_admin_of_a_network_visible_sme_in_its_cluster(first_run):
    for slug in ("clean", "nordic-edge"):
        membership = Membership.objects.get(user__email=f"member.{slug}@icn.example")
        organisation = membership.organisation
        assert membership.role == "admin"
        assert organisation.kind == OrganisationKind.SME
        assert organisation.visibility == Visibility.NETWORK
        assert list(organisation.clusters.values_list("slug", flat=True)) == [slug]


def test_the_clean_member_sees_its_clusters_cluster_only_records_but_not_nordic_edges(
    first_run,
):
    member = User.objects.get(email="member.clean@icn.example")
    visible = Organisation.objects.visible_to(member)
    cluster_only = Organisation.objects.filter(visibility=Visibility.CLUSTER)
    assert visible.filter(pk__in=cluster_only.filter(clusters__slug="clean")).exists()
    nordic_only = cluster_only.filter(clusters__slug="nordic-edge").exclude(clusters__slug="clean")
    assert not visible.filter(pk__in=nordic_only).exists()


def test_the_partner_organisations_have_partnerships_with_clusters_taking_part(first_run):
    partnerships = Partnership.objects.select_related("partner", "contact")
    assert {p.partner.name for p in partnerships} == {
        "C40 Cities",
        "World Alliance for Efficient Solutions",
        "Urban Future Lab",
    }
    for partnership in partnerships:
        assert partnership.partner.kind == OrganisationKind.PARTNER
        assert partnership.contact is not None
        assert partnership.contact.organisation == partnership.partner
        assert partnership.clusters.count() >= 3
    c40 = Partnership.objects.get(partner__slug="c40-cities")
    assert c40.contact.user.email == "partner@icn.example"


def test_an_applicant_cluster_waits_for_the_secretariats_review(first_run):
    application = ClusterApplication.objects.get()
    assert application.status == ClusterApplicationStatus.SUBMITTED
    assert application.cluster.status == ClusterStatus.APPLICANT
    assert application.cluster.country == "PL"
    assert all(text for _, text in application.criteria())


def test_the_command_lists_the_demo_logins_and_the_password(first_run):
    assert "Demo network loaded" in first_run
    assert settings.ICN_DEMO_PASSWORD in first_run
    for email in LOGINS:
        assert email in first_run


def test_a_second_run_changes_nothing(first_run):
    before = snapshot()
    output = run_demo()
    assert snapshot() == before
    assert "nothing to create" in output
    assert "partner@icn.example" in output


def test_a_run_brings_back_a_deleted_demo_user_and_leaves_the_others_alone(first_run):
    User.objects.filter(email="partner@icn.example").delete()
    before = snapshot()
    run_demo()
    after = snapshot()
    partner = User.objects.get(email="partner@icn.example")
    assert get_scope(partner).roles == ["partner"]
    assert after["accounts.User"] == before["accounts.User"] + 1
    assert after["accounts.Membership"] == before["accounts.Membership"] + 1
    assert [u for u in after["users"] if u[0] != "partner@icn.example"] == before["users"]
    assert after["directory.Organisation"] == before["directory.Organisation"]


def test_the_demo_plan_is_the_same_on_every_build():
    first, second = build_plan(), build_plan()
    assert first == second
    assert len({o.slug for o in first.organisations}) == len(first.organisations)
    assert len({p.email for p in first.people}) == len(first.people)


def test_demo_refuses_a_database_outside_development_mode_without_force(first_run: str) -> None:
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="development mode"):
        call_command("demo", stdout=StringIO())
