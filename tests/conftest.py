"""Personas and a small network shared by every test.

The network: two member clusters, CLEAN (Copenhagen) and Nordic Edge (Stavanger); in each, one
organisation per visibility level; a partner organisation (C40 Cities); one user per role.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from icn.accounts.models import Membership, User
from icn.core.visibility import Visibility
from icn.directory.models import Cluster, Organisation, OrganisationKind, Person, Topic
from icn.matching.index import drop_indexes


@pytest.fixture(autouse=True)
def _immediate_tasks_and_fast_hashing(settings: Any) -> Iterator[None]:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Pages that suggest matches use a fast, deterministic embedder and a fresh index per test;
    # the real model's loading is tested on its own (tests/test_engine.py).
    settings.ICN_MATCHING_EMBEDDER = "hashing"
    drop_indexes()
    yield
    drop_indexes()


@dataclass
class Network:
    clean: Cluster
    nordic_edge: Cluster
    # organisations[cluster_slug][visibility]
    organisations: dict[str, dict[str, Organisation]]
    people: dict[str, dict[str, Person]]
    partner_org: Organisation
    topic: Topic

    def org(self, cluster: str, visibility: str) -> Organisation:
        return self.organisations[cluster][visibility]


def _make_cluster(slug: str, name: str, short: str, country: str, city: str) -> Cluster:
    return Cluster.objects.create(
        name=name, short_name=short, slug=slug, country=country, city=city, status="member"
    )


@pytest.fixture
def network(db: Any) -> Network:
    clean = _make_cluster("clean", "CLEAN", "CLEAN", "DK", "Copenhagen")
    nordic = _make_cluster("nordic-edge", "Nordic Edge", "Nordic Edge", "NO", "Stavanger")
    topic = Topic.objects.get(slug="hydrogen")
    organisations: dict[str, dict[str, Organisation]] = {}
    people: dict[str, dict[str, Person]] = {}
    for cluster, country in ((clean, "DK"), (nordic, "NO")):
        organisations[cluster.slug] = {}
        people[cluster.slug] = {}
        for visibility in Visibility.values:
            org = Organisation.objects.create(
                name=f"{cluster.short_name} {visibility} org",
                slug=f"{cluster.slug}-{visibility}-org",
                kind=OrganisationKind.SME,
                country=country,
                visibility=visibility,
                description=f"A {visibility} company working on hydrogen in {cluster.city}.",
            )
            org.clusters.add(cluster)
            org.topics.add(topic)
            organisations[cluster.slug][visibility] = org
            people[cluster.slug][visibility] = Person.objects.create(
                name=f"{cluster.short_name} {visibility} person",
                email=f"{visibility}@{cluster.slug}.example",
                organisation=org,
                listed=True,
                visibility=visibility,
            )
    partner_org = Organisation.objects.create(
        name="C40 Cities",
        slug="c40-cities",
        kind=OrganisationKind.PARTNER,
        country="GB",
        visibility=Visibility.PUBLIC,
    )
    return Network(clean, nordic, organisations, people, partner_org, topic)


def _user(email: str, **extra: Any) -> User:
    return User.objects.create_user(email, "a-long-test-password", **extra)


@pytest.fixture
def secretariat(network: Network) -> User:
    return _user("secretariat@icn.example", is_secretariat=True, full_name="Sam Secretariat")


@pytest.fixture
def cluster_manager(network: Network) -> User:
    """Manages CLEAN."""
    user = _user("manager.clean@icn.example", full_name="Maja Manager")
    network.clean.managers.add(user)
    return user


@pytest.fixture
def other_manager(network: Network) -> User:
    """Manages Nordic Edge."""
    user = _user("manager.nordic-edge@icn.example", full_name="Nils Manager")
    network.nordic_edge.managers.add(user)
    return user


@pytest.fixture
def member(network: Network) -> User:
    """Admin of CLEAN's private organisation (so it owns a record of every kind)."""
    user = _user("member.clean@icn.example", full_name="Mette Member")
    Membership.objects.create(user=user, organisation=network.org("clean", "private"), role="admin")
    return user


@pytest.fixture
def cluster_peer(network: Network) -> User:
    """A member of another organisation in CLEAN (the network-visibility one)."""
    user = _user("peer.clean@icn.example")
    Membership.objects.create(
        user=user, organisation=network.org("clean", "network"), role="member"
    )
    return user


@pytest.fixture
def other_member(network: Network) -> User:
    """Admin of Nordic Edge's private organisation."""
    user = _user("member.nordic-edge@icn.example")
    Membership.objects.create(
        user=user, organisation=network.org("nordic-edge", "private"), role="admin"
    )
    return user


@pytest.fixture
def partner(network: Network) -> User:
    user = _user("partner@icn.example")
    Membership.objects.create(user=user, organisation=network.partner_org, role="admin")
    return user


@pytest.fixture
def anonymous() -> AnonymousUser:
    return AnonymousUser()


@pytest.fixture
def world(
    network: Network,
    anonymous: Any,
    other_member: Any,
    cluster_manager: Any,
    other_manager: Any,
    partner: Any,
    secretariat: Any,
    settings: Any,
    tmp_path: Any,
) -> Any:
    """The persona network with every role of the authorisation matrix (tests/authz), uploads
    in a temporary folder."""
    from tests.authz.records import World, people

    settings.MEDIA_ROOT = tmp_path
    personas = {
        "anonymous": anonymous,
        "other_member": other_member,
        "cluster_manager": cluster_manager,
        "other_manager": other_manager,
        "partner": partner,
        "secretariat": secretariat,
    }
    return World(network, people(network, personas))


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None and user.is_authenticated:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
