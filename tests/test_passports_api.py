"""The passports API: the whole road from application to follow-up, refusals with their
reasons, a full desk as 409, what each role sees, and the secretariat's statistics."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from icn.directory.models import Organisation
from icn.passports import services
from icn.passports.models import Passport, PassportStatus
from tests import test_passports as shared
from tests.conftest import Network, client_for
from tests.test_api import assert_error, bearer, call, get_all

pytestmark = pytest.mark.django_db

S = PassportStatus
clock = shared.clock


def _dates(starts_in: int = 30, days: int = 5) -> tuple[date, date]:
    start = timezone.localdate() + timedelta(days=starts_in)
    return start, start + timedelta(days=days - 1)


def _body(organisation: Organisation, **extra: Any) -> dict[str, Any]:
    start, end = _dates()
    return {
        "organisation": organisation.slug,
        "host_cluster": "nordic-edge",
        "title": "Hydrogen partners in Stavanger",
        "purpose": "We make electrolyser stacks and look for a hydrogen utility.",
        "topics": ["hydrogen"],
        "partner_kinds": ["sme", "public_authority"],
        "assistance": ["introductions", "meetings"],
        "starts_on": start.isoformat(),
        "ends_on": end.isoformat(),
        "desk_days": 2,
        **extra,
    }


def test_the_whole_passport_through_the_api(
    network: Network, cluster_peer, cluster_manager, other_manager, secretariat, clock, mailoutbox
):
    visitor, home, host = bearer(cluster_peer), bearer(cluster_manager), bearer(other_manager)
    client = client_for(None)
    ours = network.org("clean", "network")
    response = call(client, "POST", "/passports", _body(ours, submit=True), **visitor)
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert body["status"] == "submitted" and body["home_cluster"] == "clean"
    assert body["your_steps"] == ["withdrawn"]
    assert body["topics"] == ["hydrogen"] and body["contact_email"] == cluster_peer.email
    assert [e["to_status"] for e in body["events"]] == ["draft", "submitted"]

    body = call(client, "GET", f"/passports/{pk}", **home).json()
    assert body["your_steps"] == ["endorsed", "returned"]
    response = call(client, "POST", f"/passports/{pk}/transition", {"to": "endorsed"}, **home)
    assert response.status_code == 200 and response.json()["status"] == "endorsed"

    clock.travel(3)
    response = call(
        client,
        "POST",
        f"/passports/{pk}/transition",
        {"to": "accepted", "host_contact": other_manager.email, "note": "Welcome"},
        **host,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["host_contact"] == other_manager.email
    assert body["answered_at"] is not None

    suggestions = call(client, "GET", f"/passports/{pk}/suggestions", **host).json()
    slugs = [s["organisation"] for s in suggestions["organisations"]]
    assert "nordic-edge-network-org" in slugs and "nordic-edge-private-org" not in slugs
    assert call(client, "GET", f"/passports/{pk}/suggestions", **visitor).status_code == 403

    start, end = date.fromisoformat(body["starts_on"]), date.fromisoformat(body["ends_on"])
    offer = call(
        client,
        "POST",
        "/passports/desks",
        {
            "cluster": "nordic-edge",
            "desks": 1,
            "starts_on": start.isoformat(),
            "ends_on": end.isoformat(),
            "address": "Nordic Edge house, Stavanger",
        },
        **host,
    )
    assert offer.status_code == 201, offer.content
    offer_id = offer.json()["id"]
    offers = get_all(client, "/passports/desks?cluster=nordic-edge", **visitor)
    assert [o["id"] for o in offers] == [offer_id]
    booking = {"offer": offer_id, "starts_on": start.isoformat(), "ends_on": start.isoformat()}
    response = call(client, "POST", f"/passports/{pk}/bookings", booking, **host)
    assert response.status_code == 201, response.content
    assert response.json()["cluster"] == "nordic-edge"
    again = call(client, "POST", f"/passports/{pk}/bookings", booking, **host)
    assert_error(again, 409)
    assert "has a desk from" in again.json()["message"]
    days = call(client, "GET", f"/passports/desks/{offer_id}/days", **host).json()
    assert days[0] == {"day": start.isoformat(), "taken": 1, "free": 0}
    assert days[1]["free"] == 1

    person = network.people["nordic-edge"]["cluster"]
    response = call(
        client,
        "POST",
        f"/passports/{pk}/introductions",
        {"organisation": "nordic-edge-cluster-org", "person": person.pk, "note": "Day two"},
        **host,
    )
    assert response.status_code == 201, response.content
    introduction = response.json()["introductions"][0]
    assert introduction["person"] == person.name and introduction["match"] is not None

    early = call(
        client,
        "POST",
        f"/passports/{pk}/report",
        {"meetings_held": 3, "leads": 1, "summary": "Early"},
        **visitor,
    )
    assert_error(early, 422)
    assert early.json()["detail"][0]["message"] == (
        f"The closing report comes after the visit (ends on {end:%-d %B %Y})."
    )

    clock.travel(40)
    response = call(client, "POST", f"/passports/{pk}/transition", {"to": "visited"}, **visitor)
    assert response.status_code == 200 and response.json()["your_steps"] == ["reported"]
    response = call(
        client,
        "POST",
        f"/passports/{pk}/report",
        {
            "meetings_held": 4,
            "leads": 2,
            "summary": "Met the utility.",
            "next_steps": "A pilot offer.",
            "matches": [introduction["match"]],
        },
        **visitor,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "reported"
    assert body["report"]["matches"] == [introduction["match"]]
    assert body["follow_up_due_on"] == (clock.today() + timedelta(days=90)).isoformat()

    stats = call(client, "GET", "/passports/statistics", **bearer(secretariat)).json()
    assert stats["total"]["applications"] == 1 and stats["total"]["accepted"] == 1
    assert stats["total"]["median_days_to_answer"] == 3.0
    assert stats["rows"][0]["cluster"] == "nordic-edge"
    assert stats["rows"][0]["reports_with_outcomes"] == 1

    too_soon = call(client, "POST", f"/passports/{pk}/follow-up", {"rating": 4}, **visitor)
    assert_error(too_soon, 422)
    clock.travel(91)
    response = call(
        client, "POST", f"/passports/{pk}/follow-up", {"rating": 4, "deals": 1}, **visitor
    )
    assert response.status_code == 201, response.content
    assert response.json()["follow_up"]["deals"] == 1


def test_illegal_steps_are_refused_with_their_reason(
    network, member, cluster_manager, other_manager
):
    client = client_for(None)
    draft = call(
        client, "POST", "/passports", _body(network.org("clean", "private")), **bearer(member)
    )
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    pk = draft.json()["id"]
    refused = call(
        client, "POST", f"/passports/{pk}/transition", {"to": "accepted"}, **bearer(member)
    )
    body = assert_error(refused, 422)
    assert body["detail"][0]["message"].startswith(
        "A draft cannot be accepted: it must be submitted and endorsed by the home cluster first."
    )
    # The host cluster does not see a draft at all.
    hidden = call(
        client, "POST", f"/passports/{pk}/transition", {"to": "accepted"}, **bearer(other_manager)
    )
    assert_error(hidden, 404)
    call(client, "POST", f"/passports/{pk}/transition", {"to": "submitted"}, **bearer(member))
    forbidden = call(
        client, "POST", f"/passports/{pk}/transition", {"to": "endorsed"}, **bearer(other_manager)
    )
    assert "up to the managers of CLEAN" in assert_error(forbidden, 403)["message"]
    unknown = call(
        client, "POST", f"/passports/{pk}/transition", {"to": "flying"}, **bearer(member)
    )
    assert_error(unknown, 422)
    assert Passport.objects.get(pk=pk).status == S.SUBMITTED


def test_an_application_returned_for_changes_is_edited_and_sent_again(
    network, member, cluster_manager
):
    client = client_for(None)
    pk = call(
        client,
        "POST",
        "/passports",
        _body(network.org("clean", "private"), submit=True),
        **bearer(member),
    ).json()["id"]
    patch = {"title": "Hydrogen partners: Lyse"}
    assert_error(call(client, "PATCH", f"/passports/{pk}", patch, **bearer(member)), 422)
    call(
        client,
        "POST",
        f"/passports/{pk}/transition",
        {"to": "returned", "note": "Name the utility."},
        **bearer(cluster_manager),
    )
    response = call(
        client, "PATCH", f"/passports/{pk}", {**patch, "submit": True}, **bearer(member)
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["status"]) == ("Hydrogen partners: Lyse", "submitted")
    assert body["host_cluster"] == "nordic-edge"  # unchanged when not sent
    assert [e["to_status"] for e in body["events"]][-2:] == ["returned", "submitted"]


def test_the_last_desk_booked_twice_is_a_conflict(
    network, member, cluster_peer, cluster_manager, other_manager
):
    passports = [
        shared._accepted(network, member, cluster_manager, other_manager),
        shared._accepted(network, cluster_peer, cluster_manager, other_manager),
    ]
    offer = shared._offer(other_manager, network.nordic_edge, passports[0])
    client, host = client_for(None), bearer(other_manager)
    day = passports[0].starts_on.isoformat()
    booking = {"offer": offer.pk, "starts_on": day, "ends_on": day}
    first = call(client, "POST", f"/passports/{passports[0].pk}/bookings", booking, **host)
    assert first.status_code == 201
    second = call(client, "POST", f"/passports/{passports[1].pk}/bookings", booking, **host)
    message = assert_error(second, 409)["message"]
    assert message.startswith("Fully booked: no desk is free at Nordic Edge on ")
    unknown = call(
        client, "POST", f"/passports/{passports[1].pk}/bookings", {**booking, "offer": 999}, **host
    )
    assert_error(unknown, 404)


SEES = {
    "secretariat": 2,
    "cluster_manager": 1,
    "other_manager": 1,
    "member": 2,
    "cluster_peer": 0,
    "other_member": 0,
    "partner": 0,
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_role_lists_the_passports_it_may_see(role, request, network, member):
    user = request.getfixturevalue(role)
    submitted = services.passport_create(
        actor=member,
        organisation=network.org("clean", "private"),
        host_cluster=network.nordic_edge,
        title="Submitted",
        purpose="A visit",
        starts_on=_dates()[0],
        ends_on=_dates()[1],
        submit=True,
    )
    services.passport_create(
        actor=member,
        organisation=network.org("clean", "private"),
        host_cluster=network.nordic_edge,
        title="Draft",
        purpose="A visit",
        starts_on=_dates()[0],
        ends_on=_dates()[1],
    )
    client = client_for(None)
    items = get_all(client, "/passports", **bearer(user))
    assert len(items) == SEES[role]
    detail = call(client, "GET", f"/passports/{submitted.pk}", **bearer(user))
    assert detail.status_code == (200 if SEES[role] else 404)


def test_anonymous_callers_must_authenticate(network, member):
    client = client_for(None)
    assert_error(call(client, "GET", "/passports"), 401)
    assert_error(call(client, "GET", "/passports/1"), 401)
    assert_error(call(client, "GET", "/passports/statistics"), 401)
    assert_error(call(client, "POST", "/passports", _body(network.org("clean", "private"))), 401)


def test_statistics_are_for_the_secretariat(network, cluster_manager, secretariat):
    client = client_for(None)
    assert_error(call(client, "GET", "/passports/statistics", **bearer(cluster_manager)), 403)
    unknown = call(client, "GET", "/passports/statistics?cluster=nowhere", **bearer(secretariat))
    assert_error(unknown, 422)
    body = call(
        client, "GET", "/passports/statistics?side=home&cluster=clean", **bearer(secretariat)
    ).json()
    assert body["side"] == "home" and body["cluster"] == "clean" and body["rows"] == []
    assert_error(call(client, "GET", "/passports/statistics?side=up", **bearer(secretariat)), 422)
