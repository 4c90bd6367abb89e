"""Match records: suggested, introduced (with an e-mail to both sides' cluster managers), on to
an agreement or closed; feedback at the introduction and months later; seen only by the parties,
their cluster managers and the secretariat; the secretariat's funnel."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from icn.accounts.models import Membership, User
from icn.directory.models import Organisation
from icn.matching import selectors, services
from icn.matching.models import MatchEvent, MatchFeedback, MatchRecord, MatchStatus
from tests.conftest import Network, client_for
from tests.test_api import bearer, call

pytestmark = pytest.mark.django_db

ROAD = ["introduced", "meeting_held", "in_discussion", "project_started", "agreement"]


@pytest.fixture
def ours(network: Network) -> Organisation:
    """The member's organisation in CLEAN (Denmark)."""
    return network.org("clean", "private")


@pytest.fixture
def theirs(network: Network) -> Organisation:
    """A network-visible company in Nordic Edge (Norway)."""
    return network.org("nordic-edge", "network")


@pytest.fixture
def their_member(theirs: Organisation) -> User:
    user = User.objects.create_user("ola@nordic.example", "a-long-test-password")
    Membership.objects.create(user=user, organisation=theirs, role="member")
    return user


def _suggest(actor: Any, ours: Organisation, theirs: Organisation) -> MatchRecord:
    return services.match_suggest(actor=actor, organisation=ours, target_organisation=theirs)


def _match_id(response: Any) -> int:
    found = re.search(r"/matching/matches/(\d+)/", response["Location"])
    assert found, response["Location"]
    return int(found.group(1))


def test_the_match_lifecycle_from_suggestion_to_agreement_on_the_pages(
    ours,
    theirs,
    member,
    their_member,
    cluster_manager,
    other_manager,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client = client_for(member)
    response = client.post(
        "/matching/matches/new/", {"organisation": ours.slug, "target": theirs.slug}
    )
    assert response.status_code == 302
    pk = _match_id(response)
    page = client.get(f"/matching/matches/{pk}/").content.decode()
    assert "Suggested" in page and 'value="introduced"' in page and 'value="agreement"' not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/matching/matches/{pk}/transition/", {"to": "introduced", "note": "Meet in Oslo"}
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    recipients = set(message.recipients())
    assert {cluster_manager.email, other_manager.email} <= recipients  # both sides' managers
    assert member.email in recipients  # our contact: the member who suggested it
    assert "network@nordic-edge.example" in recipients  # their listed contact person
    assert ours.name in message.subject and theirs.name in message.subject
    assert "Meet in Oslo" in message.body

    for step in ROAD[1:]:
        assert client.post(f"/matching/matches/{pk}/transition/", {"to": step}).status_code == 302
    match = MatchRecord.objects.get(pk=pk)
    assert match.status == MatchStatus.AGREEMENT
    page = client.get(f"/matching/matches/{pk}/").content.decode()
    for label in ("Introduced", "Meeting held", "In discussion", "Project started"):
        assert label in page
    assert "Agreement reached" in page and 'name="to"' not in page  # nothing after agreement
    events = list(match.events.values_list("from_status", "to_status"))
    assert events == [("", "suggested"), *zip(["suggested", *ROAD[:-1]], ROAD, strict=True)]
    assert all(event.actor == member for event in match.events.all())

    # Feedback right after the introduction, from each side.
    assert "How did the introduction go?" in page
    client.post(f"/matching/matches/{pk}/feedback/", {"rating": 4, "comment": "Useful"})
    client_for(their_member).post(f"/matching/matches/{pk}/feedback/", {"rating": 5})
    assert set(match.feedback.values_list("organisation__slug", "moment", "rating")) == {
        (ours.slug, "introduction", 4),
        (theirs.slug, "introduction", 5),
    }


def test_the_match_lifecycle_through_the_api(
    ours,
    theirs,
    member,
    their_member,
    cluster_manager,
    other_manager,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    headers = bearer(member)
    client = client_for(None)
    created = call(
        client,
        "POST",
        "/matching/matches",
        {"organisation": ours.slug, "target_organisation": theirs.slug},
        **headers,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "suggested" and body["next_steps"] == ["introduced", "closed"]
    pk = body["id"]
    again = call(
        client,
        "POST",
        "/matching/matches",
        {"organisation": ours.slug, "target_organisation": theirs.slug},
        **headers,
    )
    assert again.json()["id"] == pk  # the same open suggestion is not made twice

    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            client, "POST", f"/matching/matches/{pk}/transition", {"to": "introduced"}, **headers
        )
    assert response.status_code == 200 and response.json()["status"] == "introduced"
    assert {cluster_manager.email, other_manager.email} <= set(mailoutbox[0].recipients())
    for step in ROAD[1:]:
        response = call(
            client, "POST", f"/matching/matches/{pk}/transition", {"to": step}, **headers
        )
        assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "agreement" and body["next_steps"] == []
    assert [e["to_status"] for e in body["events"]] == ["suggested", *ROAD]

    feedback = call(client, "POST", f"/matching/matches/{pk}/feedback", {"rating": 3}, **headers)
    assert feedback.status_code == 201
    assert feedback.json()["feedback"][0]["moment"] == "introduction"
    listed = call(client, "GET", "/matching/matches", **headers).json()
    assert [item["id"] for item in listed["items"]] == [pk]
    detail = call(client, "GET", f"/matching/matches/{pk}", **bearer(their_member))
    assert detail.status_code == 200


def test_a_challenge_suggestion_introduces_the_city_and_the_solution_provider(
    network, ours, member, secretariat, cluster_manager, mailoutbox
):
    from icn.opportunities.services import opportunity_create, solution_create

    city = network.org("nordic-edge", "public")
    challenge = opportunity_create(
        actor=secretariat,
        author_organisation=city,
        publish=True,
        kind="challenge",
        title="Hydrogen ferries",
        body="Hydrogen ferries for the fjord.",
        visibility="public",
        contact_email="ferries@stavanger.example",
        topics=[network.topic],
    )
    solution = solution_create(
        actor=member,
        organisation=ours,
        title="Hydrogen ferry drive",
        description="A hydrogen fuel cell drive for ferries.",
        topics=[network.topic],
    )
    response = client_for(member).post(
        "/matching/matches/new/", {"source": challenge.slug, "solution": solution.slug}
    )
    match = MatchRecord.objects.get(pk=_match_id(response))
    assert match.organisation == city and match.target_organisation == ours
    assert match.source_opportunity == challenge and match.solution == solution
    assert match.source_contact == "ferries@stavanger.example"
    assert match.reasons and "Matches topics: Hydrogen" in match.reasons


@pytest.mark.parametrize(
    ("steps", "to", "message"),
    [
        ([], "agreement", "cannot go to agreement reached: the next step is introduced"),
        ([], "meeting_held", "cannot go to meeting held"),
        (["introduced"], "suggested", "the next step is meeting held"),
        ([("closed", "No budget")], "introduced", "This match is closed"),
        (ROAD, "closed", "This match is agreement reached"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(
    ours, theirs, member, steps, to, message
):
    match = _suggest(member, ours, theirs)
    for step in steps:
        step, note = step if isinstance(step, tuple) else (step, "")
        services.match_transition(actor=member, match=match, to=step, note=note)
    with pytest.raises(ValidationError) as refused:
        services.match_transition(actor=member, match=match, to=to, note="why not")
    assert message in " ".join(refused.value.messages)
    before = MatchEvent.objects.filter(match=match).count()
    assert before == len(steps) + 1


def test_a_refused_transition_is_shown_as_a_message_on_the_page(ours, theirs, member):
    match = _suggest(member, ours, theirs)
    response = client_for(member).post(
        f"/matching/matches/{match.pk}/transition/", {"to": "agreement"}, follow=True
    )
    assert "cannot go to agreement reached" in response.content.decode()
    match.refresh_from_db()
    assert match.status == "suggested"


def test_closing_a_match_needs_a_reason_and_keeps_it(ours, theirs, member):
    match = _suggest(member, ours, theirs)
    with pytest.raises(ValidationError, match="Say why"):
        services.match_transition(actor=member, match=match, to="closed")
    services.match_transition(actor=member, match=match, to="closed", note="They left the market")
    match.refresh_from_db()
    assert match.status == "closed" and match.closed_reason == "They left the market"
    assert match.next_steps() == []


def test_the_api_refuses_an_illegal_transition_with_a_422(ours, theirs, member):
    match = _suggest(member, ours, theirs)
    response = call(
        client_for(None),
        "POST",
        f"/matching/matches/{match.pk}/transition",
        {"to": "agreement"},
        **bearer(member),
    )
    assert response.status_code == 422
    assert "cannot go to agreement reached" in response.json()["detail"][0]["message"]


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("member", True),
        ("their_member", True),
        ("cluster_manager", True),
        ("other_manager", True),
        ("secretariat", True),
        ("cluster_peer", False),
        ("other_member", False),
        ("partner", False),
    ],
)
def test_a_match_is_seen_only_by_its_parties_their_cluster_managers_and_the_secretariat(
    request, ours, theirs, member, role, sees
):
    match = _suggest(member, ours, theirs)
    viewer = request.getfixturevalue(role)
    client = client_for(viewer)
    assert (client.get(f"/matching/matches/{match.pk}/").status_code == 200) == sees
    listed = client.get("/matching/matches/").content.decode()
    assert (f"/matching/matches/{match.pk}/" in listed) == sees
    api = call(client_for(None), "GET", f"/matching/matches/{match.pk}", **bearer(viewer))
    assert api.status_code == (200 if sees else 404)
    if not sees:
        moved = client.post(f"/matching/matches/{match.pk}/transition/", {"to": "introduced"})
        assert moved.status_code == 404
        match.refresh_from_db()
        assert match.status == "suggested"


def test_anonymous_visitors_are_sent_to_log_in(ours, theirs, member):
    match = _suggest(member, ours, theirs)
    assert client_for(None).get(f"/matching/matches/{match.pk}/").status_code == 302
    assert client_for(None).get("/matching/partners/").status_code == 302


def test_an_unrelated_member_cannot_suggest_an_introduction_between_others(
    network, cluster_peer, theirs
):
    with pytest.raises(PermissionDenied):
        services.match_suggest(
            actor=cluster_peer,
            organisation=network.org("clean", "public"),
            target_organisation=theirs,
        )


def test_follow_up_feedback_is_due_months_after_the_introduction(
    ours, theirs, member, their_member
):
    match = _suggest(member, ours, theirs)
    with pytest.raises(ValidationError, match="once the two sides have been introduced"):
        services.match_feedback(actor=member, match=match, rating=4)
    services.match_transition(actor=member, match=match, to="introduced")
    match.refresh_from_db()
    assert match.follow_up_due_on == timezone.localdate() + timedelta(days=90)
    services.match_feedback(actor=member, match=match, rating=4)
    with pytest.raises(ValidationError, match="The follow-up opens on"):
        services.match_feedback(actor=member, match=match, rating=5)
    today = timezone.localdate()
    assert match not in selectors.due_follow_ups(today=today)
    later = today + timedelta(days=90)
    assert list(selectors.due_follow_ups(today=later)) == [match]

    MatchRecord.objects.filter(pk=match.pk).update(follow_up_due_on=today)
    match.refresh_from_db()
    services.match_feedback(actor=member, match=match, rating=5, comment="Project running")
    assert list(selectors.due_follow_ups(today=later)) == [match]  # their side still owes it
    services.match_feedback(actor=their_member, match=match, rating=3, moment="introduction")
    services.match_feedback(actor=their_member, match=match, rating=4)
    assert list(selectors.due_follow_ups(today=later)) == []
    assert MatchFeedback.objects.filter(match=match, moment="follow_up").count() == 2
    with pytest.raises(ValidationError, match="already given"):
        services.match_feedback(actor=member, match=match, rating=5, moment="follow_up")


def test_an_introduction_recorded_without_notice_sends_no_e_mail(
    ours, theirs, member, mailoutbox, django_capture_on_commit_callbacks
):
    match = _suggest(member, ours, theirs)
    with django_capture_on_commit_callbacks(execute=True):
        services.match_transition(actor=member, match=match, to="introduced", notify=False)
    assert mailoutbox == []
    match.refresh_from_db()
    assert match.status == "introduced" and match.follow_up_due_on is not None


def test_a_due_follow_up_asks_both_sides_once_by_e_mail(ours, theirs, member, mailoutbox):
    match = _suggest(member, ours, theirs)
    services.match_transition(actor=member, match=match, to="introduced")
    mailoutbox.clear()
    assert services.match_follow_up_reminders() == 0  # not due yet
    MatchRecord.objects.filter(pk=match.pk).update(follow_up_due_on=timezone.localdate())
    out = StringIO()
    call_command("send-follow-ups", "--now", stdout=out)
    assert "1 follow-up e-mail(s) sent." in out.getvalue()
    [message] = mailoutbox
    assert match.get_absolute_url() in message.body
    assert set(message.to) >= {match.source_contact, match.target_contact} - {""}
    assert services.match_follow_up_reminders() == 0  # once
    call_command("send-follow-ups", stdout=out)  # queued, run at once in the tests
    assert len(mailoutbox) == 1


def test_feedback_comes_only_from_the_two_sides(ours, theirs, member, cluster_manager):
    match = _suggest(member, ours, theirs)
    services.match_transition(actor=member, match=match, to="introduced")
    with pytest.raises(PermissionDenied):
        services.match_feedback(actor=cluster_manager, match=match, rating=4)


# The funnel ---------------------------------------------------------------------------------


@pytest.fixture
def matches(network, member, secretariat, ours, theirs) -> list[MatchRecord]:
    """Four matches: one suggested, one introduced, one at agreement, one closed after a
    meeting; and one between two CLEAN organisations only."""
    made = []
    targets = [
        theirs,
        network.org("nordic-edge", "public"),
        network.org("nordic-edge", "cluster"),
        network.org("nordic-edge", "private"),
    ]
    roads: list[list[Any]] = [
        [],
        ["introduced"],
        ROAD,
        ["introduced", "meeting_held", ("closed", "No budget")],
    ]
    for target, road in zip(targets, roads, strict=True):
        match = services.match_suggest(
            actor=secretariat, organisation=ours, target_organisation=target
        )
        for step in road:
            step, note = step if isinstance(step, tuple) else (step, "")
            services.match_transition(actor=secretariat, match=match, to=step, note=note)
        made.append(match)
    made.append(
        services.match_suggest(
            actor=secretariat,
            organisation=network.org("clean", "public"),
            target_organisation=network.org("clean", "network"),
        )
    )
    return made


def test_the_funnel_counts_match_the_records(matches, network, secretariat):
    year = timezone.now().year
    overall = selectors.funnel(year=year)
    counts = {stage.status: stage.count for stage in overall.stages}
    assert counts == {
        "suggested": 5,
        "introduced": 3,
        "meeting_held": 2,
        "in_discussion": 1,
        "project_started": 1,
        "agreement": 1,
    }
    assert overall.closed == 1 and overall.total == 5
    nordic = selectors.funnel(cluster=network.nordic_edge)
    assert nordic.total == 4 and {s.status: s.count for s in nordic.stages}["suggested"] == 4
    assert selectors.funnel(year=year - 1).total == 0

    page = client_for(secretariat).get("/matching/funnel/", {"cluster": "nordic-edge"})
    body = page.content.decode()
    assert '<td class="text-end" data-status="introduced">3</td>' in body
    assert '<td class="text-end" data-status="total">4</td>' in body
    response = call(client_for(None), "GET", f"/matching/funnel?year={year}", **bearer(secretariat))
    assert response.status_code == 200
    assert {s["status"]: s["count"] for s in response.json()["stages"]} == counts


def test_only_the_secretariat_sees_the_funnel(matches, member, cluster_manager):
    assert client_for(member).get("/matching/funnel/").status_code == 403
    assert client_for(cluster_manager).get("/matching/funnel/").status_code == 403
    response = call(client_for(None), "GET", "/matching/funnel", **bearer(member))
    assert response.status_code == 403
