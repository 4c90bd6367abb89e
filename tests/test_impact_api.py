"""The impact API: definitions for anyone, values as each role's dashboard shows them, on the
hand-counted network of tests/test_impact_pages.py, with the other routers' error shapes."""

from __future__ import annotations

from typing import Any

import pytest

from icn.impact.indicators import INDICATORS
from tests.conftest import Network, client_for
from tests.test_api import assert_error, bearer, call, get_all
from tests.test_impact_pages import Counted, count_on

pytestmark = pytest.mark.django_db

PERIODS = "period=year&start=2024&end=2025"


@pytest.fixture
def counted(network: Network) -> Counted:
    return count_on(network)


def every_row(path: str, user: Any) -> list[dict[str, Any]]:
    """All the rows of a listing, page by page."""
    rows: list[dict[str, Any]] = []
    auth = bearer(user)
    while True:
        response = call(client_for(None), "GET", f"{path}&limit=500&offset={len(rows)}", **auth)
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["items"]
        if len(rows) >= body["count"]:
            return rows


def one(rows: list[dict[str, Any]], **where: Any) -> Any:
    found = [row for row in rows if all(row[k] == v for k, v in where.items())]
    assert len(found) == 1, (where, len(found))
    return found[0]["value"]


def test_anyone_reads_the_indicators_with_their_definitions(counted, anonymous):
    response = call(client_for(anonymous), "GET", "/impact/indicators")
    assert response.status_code == 200
    body = response.json()
    assert [i["key"] for i in body] == [i.key for i in INDICATORS]
    members = body[0]
    assert members["definition"] == INDICATORS[0].definition
    assert set(members) == {"key", "name", "group", "unit", "dimension", "stock", "definition"}


def test_the_secretariat_reads_every_cluster_and_the_network(counted, secretariat):
    rows = get_all(client_for(None), f"/impact/values?{PERIODS}", **bearer(secretariat))
    assert {r["subject"] for r in rows} == {"network", "clean", "nordic-edge", "greentech-south"}
    assert one(rows, indicator="members", scope="network", period="2025", category="") == 9
    assert (
        one(rows, indicator="members", subject="greentech-south", period="2024", category="") == 0
    )
    assert (
        one(rows, indicator="matches", scope="network", period="2025", category="introduced") == 2
    )
    assert one(rows, indicator="matches", scope="network median", period="2025", category="") == 1
    assert all(r["definition"] for r in rows)
    # One cluster on its own, with the network's distribution.
    rows = get_all(
        client_for(None), f"/impact/values?{PERIODS}&cluster=nordic-edge", **bearer(secretariat)
    )
    assert {r["subject"] for r in rows} == {"nordic-edge", "network"}


def test_values_page_like_every_list(counted, secretariat):
    response = call(
        client_for(None), "GET", f"/impact/values?{PERIODS}&limit=5&offset=5", **bearer(secretariat)
    )
    assert response.status_code == 200
    body = response.json()
    assert len(body["items"]) == 5 and body["count"] > 100


def test_a_cluster_manager_reads_its_cluster_and_the_distribution_only(counted, cluster_manager):
    client, auth = client_for(None), bearer(cluster_manager)
    rows = get_all(client, f"/impact/values?{PERIODS}", **auth)
    assert {r["subject"] for r in rows} == {"network", "clean"}
    assert "nordic-edge" not in repr(rows) and "Nordic Edge" not in repr(rows)
    assert one(rows, indicator="matches", scope="cluster", period="2025", category="") == 3
    assert (
        one(rows, indicator="members", scope="network upper quartile", period="2025", category="")
        == 4
    )
    body = assert_error(call(client, "GET", "/impact/values?cluster=nordic-edge", **auth), 403)
    assert "managers" in body["message"]
    assert_error(call(client, "GET", "/impact/values?cluster=atlantis", **auth), 404)


def test_a_member_reads_its_own_organisation(counted, member):
    client, auth = client_for(None), bearer(member)
    rows = get_all(client, f"/impact/values?{PERIODS}", **auth)
    assert {(r["scope"], r["subject"]) for r in rows} == {("organisation", "clean-private-org")}
    assert one(rows, indicator="matches", period="2025", category="suggested") == 2
    assert one(rows, indicator="matches", period="2025", category="introduced") == 1
    assert_error(call(client, "GET", "/impact/values?organisation=clean-network-org", **auth), 403)
    assert_error(call(client, "GET", "/impact/values?cluster=clean", **auth), 403)


def test_a_partner_is_refused_and_an_anonymous_caller_must_authenticate(
    counted, partner, anonymous
):
    assert_error(call(client_for(None), "GET", "/impact/values", **bearer(partner)), 403)
    assert_error(call(client_for(anonymous), "GET", "/impact/values"), 401)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=year&start=2025&end=2024", "end"),
        ("period=year&start=1990&end=2024", "start"),
        ("period=year&start=2000&end=2024", "start"),  # more than 20 years
        ("period=decade", "period"),
        ("start=notayear", "start"),
        ("cluster=no%20such", "cluster"),
    ],
)
def test_a_wrong_parameter_is_a_422_naming_it(counted, secretariat, query, field):
    response = call(client_for(None), "GET", f"/impact/values?{query}", **bearer(secretariat))
    assert_error(response, 422, field)


def test_quarters_are_labelled_by_year_and_quarter(counted, secretariat):
    rows = every_row("/impact/values?period=quarter&start=2025&end=2025", secretariat)
    assert len(rows) == len({tuple(sorted(r.items())) for r in rows}) > 500
    assert {r["period"] for r in rows} == {"2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"}
    assert one(rows, indicator="matches", scope="network", period="2025-Q2", category="") == 3
