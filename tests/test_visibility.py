"""Each role sees exactly the directory records its scope allows."""

from __future__ import annotations

from typing import Any

import pytest

from icn.directory.models import Organisation, Person

pytestmark = pytest.mark.django_db


def visible_org_slugs(user: Any) -> set[str]:
    return set(Organisation.objects.visible_to(user).values_list("slug", flat=True))


def test_anonymous_sees_only_public_organisations(network, anonymous):
    assert visible_org_slugs(anonymous) == {
        "clean-public-org",
        "nordic-edge-public-org",
        "c40-cities",
    }


def test_member_sees_public_network_own_cluster_and_own_private_records(network, member):
    assert visible_org_slugs(member) == {
        "clean-public-org",
        "clean-network-org",
        "clean-cluster-org",
        "clean-private-org",
        "nordic-edge-public-org",
        "nordic-edge-network-org",
        "c40-cities",
    }


def test_member_of_another_organisation_in_the_cluster_does_not_see_private_records(
    network, cluster_peer
):
    slugs = visible_org_slugs(cluster_peer)
    assert "clean-cluster-org" in slugs
    assert "clean-private-org" not in slugs


def test_cluster_manager_cannot_see_other_clusters_cluster_only_or_private_records(
    network, cluster_manager
):
    slugs = visible_org_slugs(cluster_manager)
    assert "clean-cluster-org" in slugs
    assert "nordic-edge-cluster-org" not in slugs
    assert "nordic-edge-private-org" not in slugs
    assert "clean-private-org" not in slugs


def test_partner_sees_public_and_network_records_but_no_cluster_only_ones(network, partner):
    assert visible_org_slugs(partner) == {
        "clean-public-org",
        "clean-network-org",
        "nordic-edge-public-org",
        "nordic-edge-network-org",
        "c40-cities",
    }


def test_secretariat_sees_every_record(network, secretariat):
    assert visible_org_slugs(secretariat) == set(
        Organisation.objects.values_list("slug", flat=True)
    )


def test_people_without_consent_are_seen_only_by_their_own_organisation(
    network, member, cluster_peer
):
    person = network.people["clean"]["public"]
    person.listed = False
    person.save()
    assert not Person.objects.visible_to(cluster_peer).filter(pk=person.pk).exists()
    own = network.people["clean"]["private"]
    own.listed = False
    own.save()
    assert Person.objects.visible_to(member).filter(pk=own.pk).exists()


def test_cluster_manager_may_change_its_clusters_records_but_not_private_or_foreign_ones(
    network, cluster_manager
):
    editable = set(Organisation.objects.editable_by(cluster_manager).values_list("slug", flat=True))
    assert editable == {"clean-public-org", "clean-network-org", "clean-cluster-org"}


def test_organisation_admin_may_change_only_its_own_organisation(network, member, anonymous):
    assert set(Organisation.objects.editable_by(member).values_list("slug", flat=True)) == {
        "clean-private-org"
    }
    assert not Organisation.objects.editable_by(anonymous).exists()


def test_a_record_in_two_of_the_viewers_clusters_is_listed_once(network, member):
    org = network.org("nordic-edge", "cluster")
    org.clusters.add(network.clean)
    slugs = list(Organisation.objects.visible_to(member).values_list("slug", flat=True))
    assert slugs.count("nordic-edge-cluster-org") == 1
