"""The impact dashboards: who sees which, and numbers that match a small network counted by
hand; then every dashboard of the demo network against counts of its records.

The hand-counted network: CLEAN and Nordic Edge (four organisations each, registered in 2024),
and Greentech South, whose one organisation registered in 2025. In 2025 three matches were
suggested, two were introduced and one got to a meeting:

    M1  CLEAN public  ↔ Nordic Edge public   suggested Feb, introduced Mar, meeting held May
    M2  CLEAN network ↔ CLEAN private        suggested Mar, introduced Apr
    M3  CLEAN private ↔ C40 Cities (partner) suggested Jun
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape

from icn.accounts.models import User
from icn.directory.models import Cluster, ClusterStatus, Organisation, OrganisationKind
from icn.impact import selectors
from icn.impact.indicators import INDICATORS
from icn.matching.models import MatchEvent, MatchRecord
from tests.conftest import Network, client_for

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
PERIODS = "period=year&start=2024&end=2025"


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=COPENHAGEN)


@dataclass
class Counted:
    network: Network
    south: Cluster
    cape_solar: Organisation


def _match(a: Organisation, b: Organisation, *steps: tuple[str, datetime]) -> MatchRecord:
    match = MatchRecord.objects.create(organisation=a, target_organisation=b, status=steps[-1][0])
    before = ""
    for status, when in steps:
        event = MatchEvent.objects.create(match=match, from_status=before, to_status=status)
        MatchEvent.objects.filter(pk=event.pk).update(at=when)  # `at` is set on creation
        before = status
    return match


def count_on(network: Network) -> Counted:
    """The hand-counted network (see above), on the shared test network."""
    Organisation.objects.update(created_at=at(2024, 6, 1))
    Cluster.objects.filter(pk=network.clean.pk).update(latitude=55.68, longitude=12.57)
    Cluster.objects.filter(pk=network.nordic_edge.pk).update(latitude=58.97, longitude=5.73)
    south = Cluster.objects.create(
        name="Greentech South",
        short_name="Greentech South",
        slug="greentech-south",
        country="ZA",
        city="Cape Town",
        status=ClusterStatus.MEMBER,
        latitude=-33.92,
        longitude=18.42,
    )
    cape_solar = Organisation.objects.create(
        name="Cape Solar", slug="cape-solar", kind=OrganisationKind.SME, country="ZA"
    )
    cape_solar.clusters.add(south)
    Organisation.objects.filter(pk=cape_solar.pk).update(created_at=at(2025, 3, 1))
    org = network.org
    _match(
        org("clean", "public"),
        org("nordic-edge", "public"),
        ("suggested", at(2025, 2, 10)),
        ("introduced", at(2025, 3, 5)),
        ("meeting_held", at(2025, 5, 20)),
    )
    _match(
        org("clean", "network"),
        org("clean", "private"),
        ("suggested", at(2025, 3, 12)),
        ("introduced", at(2025, 4, 8)),
    )
    _match(org("clean", "private"), network.partner_org, ("suggested", at(2025, 6, 15)))
    return Counted(network, south, cape_solar)


@pytest.fixture
def counted(network: Network) -> Counted:
    return count_on(network)


def cell(html: str, key: str, period: str, category: str = "") -> str:
    found = re.findall(rf'data-cell="{key}\|{period}\|{category}">([^<]*)<', html)
    assert len(found) == 1, (key, period, category, found)
    return found[0]


def attribute(html: str, name: str, value: str) -> list[str]:
    """The text of every element whose `name` attribute is `value`."""
    return re.findall(rf'{name}="{re.escape(value)}"[^>]*>([^<]*)<', html)


def page(user: Any, url: str, **headers: str) -> Any:
    response = client_for(user).get(url, headers=headers)
    return response


def html_of(user: Any, url: str) -> str:
    response = page(user, url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# Who sees what: one selector --------------------------------------------------------------


def test_who_sees_which_figures_is_decided_per_role(
    counted, secretariat, cluster_manager, member, cluster_peer, partner, anonymous
):
    network = counted.network
    whole = selectors.access_for(secretariat)
    assert whole.whole_network and whole.may_see_cluster(counted.south.pk)
    manager = selectors.access_for(cluster_manager)
    assert not manager.whole_network
    assert manager.cluster_ids == {network.clean.pk}
    assert not manager.may_see_cluster(network.nordic_edge.pk)
    assert manager.may_see_organisation(network.org("clean", "private"))
    assert not manager.may_see_organisation(network.org("nordic-edge", "private"))
    own = selectors.access_for(member)
    assert own.organisation_ids == {network.org("clean", "private").pk}
    assert not own.cluster_ids and not own.whole_network
    assert not own.may_see_organisation(network.org("clean", "network"))
    peer = selectors.access_for(cluster_peer)
    assert peer.organisation_ids == {network.org("clean", "network").pk}
    for nobody in (partner, anonymous):
        assert not selectors.access_for(nobody).sees_anything
    assert not selectors.access_for(partner).may_see_organisation(network.partner_org)


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("secretariat", None),
        ("cluster_manager", "/impact/clusters/clean/"),
        ("member", "/impact/organisations/clean-private-org/"),
        ("cluster_peer", "/impact/organisations/clean-network-org/"),
    ],
)
def test_each_role_lands_on_its_own_dashboard(request, counted, role, landing):
    user = request.getfixturevalue(role)
    response = page(user, f"/impact/?{PERIODS}")
    if landing is None:
        assert response.status_code == 200
        assert "The network" in response.content.decode()
    else:
        assert response.status_code == 302
        assert response["Location"] == f"{landing}?{PERIODS}"


def test_anonymous_visitors_are_sent_to_log_in(counted, anonymous):
    for url in (
        "/impact/",
        "/impact/clusters/clean/",
        "/impact/organisations/clean-private-org/",
        "/impact/export.csv",
        "/impact/export.xlsx",
        "/impact/report.docx?year=2025",
    ):
        response = page(anonymous, url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_a_partner_gets_the_not_allowed_page(counted, partner):
    response = page(partner, "/impact/")
    assert response.status_code == 403
    assert "You may not do this" in response.content.decode()
    assert page(partner, "/impact/organisations/c40-cities/").status_code == 403


# The secretariat: the whole network ---------------------------------------------------------


def test_the_secretariat_sees_network_totals_and_every_cluster_side_by_side(counted, secretariat):
    html = html_of(secretariat, f"/impact/?{PERIODS}")
    # Members at the end of each year: 8 in 2024, 9 with Cape Solar in 2025 (the partner
    # belongs to no cluster).
    assert cell(html, "members", "2024") == "8"
    assert cell(html, "members", "2025") == "9"
    assert attribute(html, "data-headline", "members") == ["9"]
    # The funnel: three matches suggested, two introduced, one meeting held.
    assert attribute(html, "data-stage", "suggested") == ["3"]
    assert attribute(html, "data-stage", "introduced") == ["2"]
    assert attribute(html, "data-stage", "meeting_held") == ["1"]
    assert attribute(html, "data-stage", "agreement") == ["0"]
    # Every cluster by name (by name order: CLEAN, Greentech South, Nordic Edge).
    for name in ("CLEAN", "Greentech South", "Nordic Edge"):
        assert f">{name}</a></th>" in html
    assert attribute(html, "data-cluster-cell", "members") == ["4", "1", "4"]
    assert attribute(html, "data-cluster-cell", "matches") == ["3", "0", "1"]
    assert attribute(html, "data-network", "members") == ["9"]
    assert attribute(html, "data-median", "members") == ["4"]
    # The map: a circle per cluster, the largest for the most members.
    circles = re.findall(r'r="([\d.]+)" data-cluster="([-a-z]+)"', html)
    found = {slug: float(radius) for radius, slug in circles}
    assert len(circles) == 3 and set(found) == {"clean", "nordic-edge", "greentech-south"}
    assert found["clean"] == found["nordic-edge"] > found["greentech-south"]


def test_every_dashboard_chart_is_an_inline_described_svg(counted, secretariat):
    html = html_of(secretariat, f"/impact/?{PERIODS}")
    charts = re.findall(r'<svg class="icn-chart" role="img" aria-label="([^"]+)"', html)
    groups = {indicator.group for indicator in INDICATORS}
    # Each group over time and its clusters side by side, and the funnel.
    assert len(charts) == 2 * len(groups) + 1
    assert any(
        label.startswith("Matches by stage reached, 2024–2025: Suggested 3") for label in charts
    )
    # The ids matplotlib writes are made unique per chart.
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html
    assert "@media print" in html


def test_every_indicator_is_shown_with_its_definition(counted, secretariat):
    html = html_of(secretariat, f"/impact/?{PERIODS}")
    for indicator in INDICATORS:
        assert escape(indicator.definition) in html, indicator.key
        assert f'title="{escape(indicator.definition)}"' in html


def test_every_dashboard_links_to_its_exports(counted, secretariat, cluster_manager, member):
    for user, url, subject in (
        (secretariat, "/impact/", ""),
        (cluster_manager, "/impact/clusters/clean/", "&amp;cluster=clean"),
        (member, "/impact/organisations/clean-private-org/", "&amp;organisation=clean-private-org"),
    ):
        html = html_of(user, f"{url}?{PERIODS}")
        for export in ("/impact/export.xlsx?", "/impact/export.csv?"):
            assert f"{export}period=year&amp;start=2024&amp;end=2025{subject}" in html


# A cluster manager: its own cluster against the network ---------------------------------------


def test_a_cluster_manager_sees_its_cluster_against_the_network_median(counted, cluster_manager):
    html = html_of(cluster_manager, f"/impact/clusters/clean/?{PERIODS}")
    assert cell(html, "members", "2025") == "4"
    # Members 2025 over the clusters: 1, 4, 4 — the median is 4, CLEAN at it.
    assert attribute(html, "data-median", "members") == ["4"]
    position = re.search(r'data-position="members">(.*?)</td>', html, re.DOTALL)
    assert position and "at the median" in position.group(1) and "1 of 3" in position.group(1)
    # Matches 2025 over the clusters: 0, 1, 3 — CLEAN's 3 is above the upper quartile (2).
    assert cell(html, "matches", "2025") == "3"
    position = re.search(r'data-position="matches">(.*?)</td>', html, re.DOTALL)
    assert position and "top quarter" in position.group(1)
    assert attribute(html, "data-stage", "suggested") == ["3"]
    assert attribute(html, "data-stage", "introduced") == ["2"]


def test_a_cluster_manager_never_sees_another_clusters_name(counted, cluster_manager):
    for url in (f"/impact/?{PERIODS}", f"/impact/clusters/clean/?{PERIODS}"):
        response = client_for(cluster_manager).get(url, follow=True)
        html = response.content.decode()
        assert response.status_code == 200
        for other in ("Nordic Edge", "nordic-edge", "Greentech South", "greentech-south"):
            assert other not in html, other


def test_a_cluster_manager_cannot_open_another_clusters_page(counted, cluster_manager):
    assert page(cluster_manager, "/impact/clusters/nordic-edge/").status_code == 403
    assert page(cluster_manager, "/impact/clusters/greentech-south/").status_code == 403
    assert page(cluster_manager, "/impact/clusters/no-such-cluster/").status_code == 404


def test_a_cluster_manager_opens_the_dashboards_of_its_own_members_only(counted, cluster_manager):
    html = html_of(cluster_manager, f"/impact/organisations/clean-private-org/?{PERIODS}")
    assert attribute(html, "data-stage", "suggested") == ["2"]
    assert (
        page(cluster_manager, "/impact/organisations/nordic-edge-private-org/").status_code == 403
    )


def test_the_secretariat_opens_any_cluster_page(counted, secretariat):
    html = html_of(secretariat, f"/impact/clusters/nordic-edge/?{PERIODS}")
    assert cell(html, "members", "2025") == "4"
    assert attribute(html, "data-stage", "meeting_held") == ["1"]


# A member: its own organisation ---------------------------------------------------------------


def test_a_member_sees_its_own_organisations_matches(counted, member):
    html = html_of(member, f"/impact/organisations/clean-private-org/?{PERIODS}")
    # M2 and M3: both suggested, M2 introduced, no meeting.
    assert attribute(html, "data-stage", "suggested") == ["2"]
    assert attribute(html, "data-stage", "introduced") == ["1"]
    assert attribute(html, "data-stage", "meeting_held") == ["0"]
    assert cell(html, "matches", "2025") == "2"
    assert cell(html, "matches", "2024") == "0"
    assert "CLEAN private org" in html


def test_a_member_cannot_see_a_cluster_or_another_organisation(counted, member):
    assert page(member, "/impact/clusters/clean/").status_code == 403
    assert page(member, "/impact/organisations/clean-network-org/").status_code == 403
    assert page(member, "/impact/organisations/no-such-org/").status_code == 404


# Periods ----------------------------------------------------------------------------------------


def test_quarters_split_the_year(counted, secretariat):
    html = html_of(secretariat, "/impact/?period=quarter&start=2025&end=2025")
    # Q1: M1 and M2 suggested, M1 introduced; Q2: M2 introduced, M1's meeting, M3 suggested.
    assert cell(html, "matches", "2025-Q1") == "2"
    assert cell(html, "matches", "2025-Q1", "introduced") == "1"
    assert cell(html, "matches", "2025-Q2") == "3"
    assert cell(html, "matches", "2025-Q3") == "0"
    assert cell(html, "members", "2025-Q1") == "9"


def test_a_range_ending_before_it_starts_is_explained_and_the_default_shown(counted, secretariat):
    html = html_of(secretariat, "/impact/?period=year&start=2025&end=2023")
    assert "The last year (2023) comes before the first (2025)." in html
    assert 'aria-invalid="true"' in html
    default = selectors.default_periods()
    assert f"Showing by year, {default.start}–{default.end} instead." in html
    html = html_of(secretariat, "/impact/?period=year&start=1990&end=2025")
    assert "Choose a year from 2000" in html


def test_the_period_form_updates_the_dashboard_in_place_with_htmx(counted, secretariat):
    response = page(secretariat, f"/impact/?{PERIODS}", HX_Request="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'hx-target="#impact-body"' in html
    assert cell(html, "members", "2025") == "9"


# The demo network -------------------------------------------------------------------------------


def test_every_dashboard_of_the_demo_network_renders_its_records(db):
    call_command("demo", "--force", stdout=StringIO())
    year = timezone.localdate().year
    this_year = f"?period=year&start={year - 1}&end={year}"
    secretariat = User.objects.get(email="secretariat@icn.example")
    manager = User.objects.get(email="manager.clean@icn.example")
    member = User.objects.get(email="member.clean@icn.example")
    # The demo's records are all made today.
    in_clusters = Organisation.objects.filter(clusters__status=ClusterStatus.MEMBER).distinct()
    suggested = (
        MatchEvent.objects.filter(to_status="suggested", at__year=year)
        .values("match")
        .distinct()
        .count()
    )
    assert in_clusters.count() > 100 and suggested > 0

    html = html_of(secretariat, f"/impact/{this_year}")
    assert cell(html, "members", str(year)) == f"{in_clusters.count():,}"
    assert attribute(html, "data-stage", "suggested") == [str(suggested)]
    member_clusters = Cluster.objects.filter(status=ClusterStatus.MEMBER).order_by("name")
    assert len(attribute(html, "data-cluster-cell", "members")) == member_clusters.count()
    assert html.count('<circle class="marker"') == member_clusters.exclude(latitude=None).count()

    clean = Cluster.objects.get(slug="clean")
    html = html_of(manager, f"/impact/clusters/clean/{this_year}")
    assert cell(html, "members", str(year)) == str(clean.organisations.count())
    for other in member_clusters.exclude(pk=clean.pk):
        assert f">{other.name}<" not in html

    own = member.memberships.get().organisation
    html = html_of(member, f"/impact/organisations/{own.slug}/{this_year}")
    own_matches = (
        MatchEvent.objects.filter(to_status="suggested", at__year=year)
        .filter(Q(match__organisation=own) | Q(match__target_organisation=own))
        .values("match")
        .distinct()
        .count()
    )
    assert attribute(html, "data-stage", "suggested") == [str(own_matches)]

    # The exports and the yearly report of the demo open.
    assert page(secretariat, f"/impact/export.xlsx{this_year}").status_code == 200
    response = page(manager, f"/impact/report.docx?year={year}&cluster=clean")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
