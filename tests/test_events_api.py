"""The events API: an organiser sets an event up, participants register and ask for meetings,
the scheduler runs in the background, everyone reads an agenda; refusals are 4xx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from icn.events.models import Event, Meeting, MeetingRequest, Registration, RequestStatus
from tests.conftest import client_for
from tests.test_api import assert_error, bearer, call, get_all
from tests.test_events import add_meeting_session, make_event, make_member

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "secretariat",
    "cluster_manager",
    "other_manager",
    "member",
    "cluster_peer",
    "other_member",
    "partner",
]


def _when(days: int = 20, hours: int = 0) -> str:
    moment = (timezone.now() + timedelta(days=days, hours=hours)).replace(
        minute=0, second=0, microsecond=0
    )
    return moment.isoformat()


@pytest.fixture
def people(network):
    return [
        make_member(network, f"p{n}@example.com", name) for n, name in enumerate(["Anna", "Bo"])
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_exactly_the_events_it_may_see(request, network, cluster_manager, role):
    for visibility in ("public", "network", "cluster"):
        make_event(cluster_manager, network, title=visibility, visibility=visibility)
    make_event(cluster_manager, network, title="draft", publish=False)
    user = request.getfixturevalue(role)
    slugs = {item["slug"] for item in get_all(client_for(user), "/events?when=all")}
    assert slugs == set(Event.objects.visible_to(user).values_list("slug", flat=True))


def test_the_whole_flow_through_the_api(
    network, cluster_manager, people, mailoutbox, django_capture_on_commit_callbacks
):
    organiser = client_for(cluster_manager)
    response = call(
        organiser,
        "POST",
        "/events",
        {
            "kind": "speed_dating",
            "title": "Cluster speed-dating",
            "host_cluster": "clean",
            "starts_at": _when(),
            "ends_at": _when(hours=6),
            "city": "Copenhagen",
            "country": "dk",
            "tables": 3,
            "max_meetings": 4,
            "registration_questions": [{"label": "Dinner?", "required": True, "choices": ["Yes"]}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    slug = body["slug"]
    assert body["status"] == "draft" and body["country"] == "DK" and body["confirmed"] == 0
    response = call(
        organiser,
        "POST",
        f"/events/{slug}/sessions",
        {
            "title": "B2B",
            "starts_at": _when(hours=1),
            "ends_at": _when(hours=2),
            "slot_minutes": 20,
            "break_minutes": 0,
        },
    )
    assert response.status_code == 201, response.content
    slot_ids = [slot["id"] for slot in response.json()["slots"]]
    assert len(slot_ids) == 3
    assert call(organiser, "POST", f"/events/{slug}/publish").json()["registration_open"] is True

    anna, bo = (client_for(user) for user in people)
    assert_error(call(anna, "POST", f"/events/{slug}/registration", {}), 422, "answers")
    registered = call(
        anna,
        "POST",
        f"/events/{slug}/registration",
        {"answers": {"Dinner?": "Yes"}, "seek": "District heating", "availability": slot_ids[1:]},
    )
    assert registered.status_code == 201, registered.content
    assert registered.json()["status"] == "confirmed"
    assert registered.json()["availability"] == slot_ids[1:]
    response = call(bo, "POST", f"/events/{slug}/registration", {"answers": {"Dinner?": "Yes"}})
    bo_id = response.json()["id"]

    participants = get_all(anna, f"/events/{slug}/participants")
    assert {p["name"] for p in participants} == {"Anna", "Bo"}
    response = call(
        anna,
        "POST",
        f"/events/{slug}/requests",
        {"receiver": bo_id, "message": "Hi", "priority": 2},
    )
    assert response.status_code == 201, response.content
    request_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    assert_error(call(anna, "POST", f"/events/{slug}/requests/{request_id}/accept"), 403)
    response = call(bo, "POST", f"/events/{slug}/requests/{request_id}/accept")
    assert response.json()["status"] == "accepted"

    with django_capture_on_commit_callbacks(execute=True):
        response = call(organiser, "POST", f"/events/{slug}/schedule", {"time_limit": 2})
    assert response.status_code == 202, response.content
    run = call(organiser, "GET", f"/events/{slug}/schedule/runs/{response.json()['id']}").json()
    assert run["status"] == "done" and run["placed"] == 1 and run["gap"] == 0.0
    schedule = call(organiser, "GET", f"/events/{slug}/schedule").json()
    assert len(schedule["meetings"]) == 1
    meeting = schedule["meetings"][0]
    assert meeting["slot"]["id"] in slot_ids[1:]  # Anna is not free in the first slot
    locked = call(organiser, "POST", f"/events/{slug}/meetings/{meeting['id']}/lock", {})
    assert locked.json()["locked"] is True

    agenda = call(anna, "GET", f"/events/{slug}/agenda").json()
    meetings = [item for item in agenda if item["kind"] == "meeting"]
    assert len(meetings) == 1 and meetings[0]["partner"]["name"] == "Bo"
    mine = get_all(bo, f"/events/{slug}/requests")
    assert [r["meeting"]["table"] for r in mine] == [meeting["table"]]
    assert_error(call(anna, "GET", f"/events/{slug}/schedule"), 403)

    cancelled = call(anna, "DELETE", f"/events/{slug}/registration")
    assert cancelled.json()["status"] == "cancelled"
    assert MeetingRequest.objects.get(pk=request_id).status == "cancelled"
    assert not Meeting.objects.exists()


def test_writes_need_a_user_and_the_right_role(network, cluster_manager, member):
    body = {
        "kind": "workshop",
        "title": "Hydrogen workshop",
        "host_cluster": "clean",
        "starts_at": _when(),
        "ends_at": _when(hours=3),
        "city": "Aarhus",
    }
    assert_error(call(client_for(None), "POST", "/events", body), 401)
    assert_error(call(client_for(member), "POST", "/events", body), 403)
    response = call(client_for(None), "POST", "/events", body, **bearer(cluster_manager))
    assert response.status_code == 201, response.content
    assert_error(
        call(client_for(cluster_manager), "POST", "/events", {**body, "host_cluster": "nowhere"}),
        422,
        "host_cluster",
    )
    assert_error(
        call(client_for(cluster_manager), "POST", "/events", {**body, "ends_at": _when(days=1)}),
        422,
        "ends_at",
    )


def test_a_cluster_only_event_is_not_found_outside_the_cluster(
    network, cluster_manager, other_member
):
    event = make_event(cluster_manager, network, visibility="cluster")
    assert_error(call(client_for(other_member), "GET", f"/events/{event.slug}"), 404)
    assert_error(
        call(client_for(other_member), "POST", f"/events/{event.slug}/registration", {}), 404
    )


def test_a_request_over_the_cap_is_a_422_that_says_why(network, cluster_manager, people, partner):
    event = make_event(cluster_manager, network, max_meetings=1)
    anna, bo = (client_for(user) for user in people)
    for client in (anna, bo, client_for(partner)):
        assert call(client, "POST", f"/events/{event.slug}/registration", {}).status_code == 201
    others = Registration.objects.exclude(user=people[0]).order_by("pk")
    assert (
        call(anna, "POST", f"/events/{event.slug}/requests", {"receiver": others[0].pk}).status_code
        == 201
    )
    body = assert_error(
        call(anna, "POST", f"/events/{event.slug}/requests", {"receiver": others[1].pk}), 422
    )
    assert "the most this event allows (1)" in body["detail"][0]["message"]
    assert_error(
        call(anna, "POST", f"/events/{event.slug}/requests", {"receiver": 999999}), 422, "receiver"
    )


def test_an_unknown_slot_in_the_availability_is_a_422(network, cluster_manager, people):
    event = make_event(cluster_manager, network)
    add_meeting_session(cluster_manager, event, slots=2)
    response = call(
        client_for(people[0]),
        "POST",
        f"/events/{event.slug}/registration",
        {"availability": [424242]},
    )
    assert_error(response, 422, "availability")


def test_a_rating_through_the_api_moves_the_match(network, cluster_manager, people):
    event = make_event(cluster_manager, network, starts_at=timezone.now() - timedelta(days=1))
    slots = add_meeting_session(cluster_manager, event, slots=1)
    registrations = [
        Registration.objects.create(
            event=event,
            user=user,
            organisation=user.memberships.get().organisation,
            name=user.full_name,
            email=user.email,
            status="confirmed",
        )
        for user in people
    ]
    request = MeetingRequest.objects.create(
        event=event,
        sender=registrations[0],
        receiver=registrations[1],
        status=RequestStatus.ACCEPTED,
    )
    meeting = Meeting.objects.create(request=request, slot=slots[0], table=1)
    response = call(
        client_for(people[1]),
        "POST",
        f"/events/{event.slug}/meetings/{meeting.pk}/rating",
        {"rating": 4, "comment": "Useful"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["moment"] == "after_meeting" and response.json()["match"]
    assert_error(
        call(
            client_for(people[1]),
            "POST",
            f"/events/{event.slug}/meetings/{meeting.pk}/rating",
            {"rating": 9},
        ),
        422,
        "rating",
    )
