"""Alerts that fit: ranking by fit, digests, "not relevant", unsubscribe, settings, searches."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import StringIO
from itertools import count
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from icn.accounts.models import User
from icn.core.visibility import Visibility
from icn.directory.models import Organisation, Topic
from icn.opportunities import alerts, tasks
from icn.opportunities.models import (
    AlertSettings,
    Feedback,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Reshare,
    SavedSearch,
)
from icn.opportunities.services import (
    alert_settings_for,
    feedback_not_relevant,
    opportunity_create,
    saved_search_create,
)
from tests.conftest import Network, client_for

_numbers = count(1)


def _item(
    title: str,
    *,
    kind: str = OpportunityKind.NEWS,
    visibility: str = Visibility.PUBLIC,
    organisation: Organisation | None = None,
    topics: tuple[str, ...] = (),
    published_at: datetime | None = None,
    status: str = OpportunityStatus.PUBLISHED,
    **fields: Any,
) -> Opportunity:
    opportunity = Opportunity.objects.create(
        title=title,
        slug=f"item-{next(_numbers)}",
        kind=kind,
        visibility=visibility,
        author_organisation=organisation,
        status=status,
        published_at=(published_at or timezone.now())
        if status == OpportunityStatus.PUBLISHED
        else None,
        **fields,
    )
    opportunity.topics.set(Topic.objects.filter(slug__in=topics))
    return opportunity


def _titles(ranked: list[alerts.RankedItem]) -> list[str]:
    return [item.opportunity.title for item in ranked]


@pytest.fixture
def shared(network: Network) -> dict[str, Opportunity]:
    """One published item per visibility and cluster, and a draft."""
    clean, nordic = network.clean, network.nordic_edge
    return {
        "public": _item("Public", organisation=network.org("clean", "public"), cluster=clean),
        "network": _item(
            "Network",
            visibility=Visibility.NETWORK,
            organisation=network.org("nordic-edge", "network"),
            cluster=nordic,
        ),
        "clean_cluster": _item(
            "CLEAN only",
            visibility=Visibility.CLUSTER,
            organisation=network.org("clean", "network"),
            cluster=clean,
        ),
        "nordic_cluster": _item(
            "Nordic Edge only",
            visibility=Visibility.CLUSTER,
            organisation=network.org("nordic-edge", "network"),
            cluster=nordic,
        ),
        "clean_private": _item(
            "CLEAN private",
            visibility=Visibility.PRIVATE,
            organisation=network.org("clean", "private"),
            cluster=clean,
        ),
        "nordic_private": _item(
            "Nordic Edge private",
            visibility=Visibility.PRIVATE,
            organisation=network.org("nordic-edge", "private"),
            cluster=nordic,
        ),
        "draft": _item(
            "Draft",
            organisation=network.org("clean", "public"),
            cluster=clean,
            status=OpportunityStatus.DRAFT,
        ),
    }


EVERY_PUBLISHED = {
    "Public",
    "Network",
    "CLEAN only",
    "Nordic Edge only",
    "CLEAN private",
    "Nordic Edge private",
}
SEEN_BY = {
    "anonymous": {"Public"},
    "secretariat": EVERY_PUBLISHED,
    "cluster_manager": {"Public", "Network", "CLEAN only"},
    "member": {"Public", "Network", "CLEAN only", "CLEAN private"},
    "cluster_peer": {"Public", "Network", "CLEAN only"},
    "other_member": {"Public", "Network", "Nordic Edge only", "Nordic Edge private"},
    "partner": {"Public", "Network"},
}


# Ranking ------------------------------------------------------------------------------------


def test_items_on_the_members_organisation_topics_rank_first(
    network: Network, member: User
) -> None:
    now = timezone.now()
    _item("Solar news", topics=("solar-power",), published_at=now)
    _item("No topic at all", published_at=now - timedelta(minutes=1))
    _item("Hydrogen valleys", topics=("hydrogen",), published_at=now - timedelta(days=3))
    _item(
        "Electrolyser pilot",
        topics=("green-hydrogen-production",),
        published_at=now - timedelta(days=2),
    )

    ranked = alerts.ranked_for(viewer=member)

    assert _titles(ranked)[:2] == ["Hydrogen valleys", "Electrolyser pilot"]
    assert ranked[0].reasons == ["Matches your topics: Hydrogen"]
    assert ranked[1].reasons == ["Close to your topics: Green hydrogen production"]
    assert ranked[0].score > ranked[1].score > ranked[2].score


def test_followed_topics_saved_searches_reshares_and_country_explain_the_fit(
    network: Network, member: User
) -> None:
    row = alert_settings_for(member)
    row.topics.set(Topic.objects.filter(slug="wind-power"))
    saved_search_create(actor=member, name="Heat pumps", query={"q": "heat pumps"})
    wind = _item("Offshore wind tender", kind=OpportunityKind.TENDER, topics=("wind-power",))
    heat = _item("Heat pumps for district heating", country="DK")
    elsewhere = _item(
        "Port electrification",
        visibility=Visibility.NETWORK,
        organisation=network.org("nordic-edge", "network"),
        cluster=network.nordic_edge,
    )
    Reshare.objects.create(opportunity=elsewhere, cluster=network.clean)
    _item("Unrelated")

    reasons = {item.opportunity.title: item.reasons for item in alerts.ranked_for(viewer=member)}

    assert reasons[wind.title] == ["Matches your topics: Wind power"]
    assert reasons[heat.title] == ["In your saved search “Heat pumps”", "In your country: Denmark"]
    assert reasons[elsewhere.title] == ["Re-shared by CLEAN"]
    assert reasons["Unrelated"] == []
    assert _titles(alerts.ranked_for(viewer=member))[-1] == "Unrelated"


def test_not_relevant_removes_the_item_and_lowers_similar_ones(
    network: Network, member: User
) -> None:
    now = timezone.now()
    marked = _item(
        "Hydrogen tender A", kind=OpportunityKind.TENDER, topics=("hydrogen",), published_at=now
    )
    similar = _item(
        "Hydrogen tender B",
        kind=OpportunityKind.TENDER,
        topics=("hydrogen",),
        published_at=now - timedelta(minutes=1),
    )
    _item("Hydrogen news", topics=("hydrogen",), published_at=now - timedelta(minutes=2))
    _item("Other news", published_at=now - timedelta(minutes=3))
    before = {item.opportunity.title: item.score for item in alerts.ranked_for(viewer=member)}
    assert _titles(alerts.ranked_for(viewer=member)).index(similar.title) == 1

    feedback_not_relevant(actor=member, opportunity=marked)
    ranked = alerts.ranked_for(viewer=member)
    after = {item.opportunity.title: item.score for item in ranked}

    assert marked.title not in after
    assert after[similar.title] < before[similar.title]
    assert _titles(ranked) == ["Hydrogen news", "Other news", similar.title]


@pytest.mark.parametrize("persona", sorted(SEEN_BY))
def test_ranking_never_shows_an_item_outside_the_viewers_visibility(
    request: pytest.FixtureRequest, shared: dict[str, Opportunity], persona: str
) -> None:
    viewer = request.getfixturevalue(persona)

    assert set(_titles(alerts.ranked_for(viewer=viewer))) == SEEN_BY[persona]
    # Not even when the caller hands over every item there is (CLEAN's draft is seen by
    # the secretariat and CLEAN's manager, who may edit it).
    everything = Opportunity.objects.all()
    drafts = {"Draft"} if persona in ("secretariat", "cluster_manager") else set()
    assert set(_titles(alerts.ranked_for(viewer=viewer, queryset=everything))) == (
        SEEN_BY[persona] | drafts
    )


@pytest.mark.parametrize("persona", sorted(SEEN_BY))
def test_digest_never_lists_an_item_outside_the_users_visibility(
    request: pytest.FixtureRequest, shared: dict[str, Opportunity], persona: str
) -> None:
    user = request.getfixturevalue(persona)

    digest = alerts.build_digest(user)

    if persona == "anonymous":
        assert digest is None
    else:
        assert digest is not None
        assert set(_titles(digest.items)) == SEEN_BY[persona]


def test_home_page_ranking_takes_a_few_queries(
    network: Network, member: User, django_assert_max_num_queries: Any
) -> None:
    for number in range(12):
        _item(f"Item {number}", topics=("hydrogen", "wind-power"))
    alerts._profile_for(member)  # The scope is cached per request; count the ranking alone.

    with django_assert_max_num_queries(10):
        ranked = alerts.ranked_for(viewer=member, limit=6)
        [topic.name for item in ranked for topic in item.opportunity.topics.all()]

    assert len(ranked) == 6


def test_the_scoring_core_works_without_the_database() -> None:
    now = timezone.now()
    profile = alerts.FitProfile(
        organisation_topics=frozenset({1}),
        topic_names={1: "Hydrogen", 2: "Green hydrogen production"},
        topic_parents={1: None, 2: 1},
        not_relevant=(alerts.MarkedItem(pk=9, kind="tender", topic_ids=frozenset({1})),),
    )
    items = [
        alerts.ItemFacts(pk=1, kind="news", topic_ids=frozenset({1}), published_at=now),
        alerts.ItemFacts(pk=2, kind="news", topic_ids=frozenset({2}), published_at=now),
        alerts.ItemFacts(pk=9, kind="tender", topic_ids=frozenset({1}), published_at=now),
    ]

    ranked = alerts.rank(items, profile, now=now)

    assert [item.pk for item, _ in ranked] == [2, 1]


_topic_sets = st.frozensets(st.integers(min_value=1, max_value=6), max_size=4)
_facts = st.builds(
    alerts.ItemFacts,
    pk=st.integers(min_value=1, max_value=20),
    kind=st.sampled_from(OpportunityKind.values),
    country=st.sampled_from(["", "DK", "NO"]),
    topic_ids=_topic_sets,
    saved_searches=st.lists(st.text(min_size=1, max_size=5), max_size=2).map(tuple),
    reshared_by=st.lists(st.sampled_from(["CLEAN", "Nordic Edge"]), max_size=2).map(tuple),
)
_profiles = st.builds(
    alerts.FitProfile,
    organisation_topics=_topic_sets,
    followed_topics=_topic_sets,
    countries=st.frozensets(st.sampled_from(["DK", "NO"])),
    not_relevant=st.lists(
        st.builds(
            alerts.MarkedItem,
            pk=st.integers(min_value=1, max_value=20),
            kind=st.sampled_from(OpportunityKind.values),
            topic_ids=_topic_sets,
        ),
        max_size=3,
    ).map(tuple),
    topic_parents=st.just({1: None, 2: 1, 3: 1, 4: None, 5: 4, 6: None}),
)


@given(items=st.lists(_facts, max_size=8, unique_by=lambda item: item.pk), profile=_profiles)
def test_ranking_drops_marked_items_and_orders_by_score(
    items: list[alerts.ItemFacts], profile: alerts.FitProfile
) -> None:
    ranked = alerts.rank(items, profile, now=NOW)

    assert not {item.pk for item, _ in ranked} & profile.marked_ids
    assert len(ranked) == len([item for item in items if item.pk not in profile.marked_ids])
    scores = [fit.score for _, fit in ranked]
    assert scores == sorted(scores, reverse=True)


@given(item=_facts, profile=_profiles)
def test_following_an_items_topic_never_lowers_its_score(
    item: alerts.ItemFacts, profile: alerts.FitProfile
) -> None:
    before = alerts.score_item(item, profile, now=NOW)
    followed = profile.followed_topics | item.topic_ids
    after = alerts.score_item(
        item,
        alerts.FitProfile(
            organisation_topics=profile.organisation_topics,
            followed_topics=followed,
            countries=profile.countries,
            not_relevant=profile.not_relevant,
            topic_parents=profile.topic_parents,
        ),
        now=NOW,
    )

    assert (before is None) == (after is None)
    if before is not None and after is not None:
        assert after.score >= before.score


NOW = datetime(2026, 1, 1, tzinfo=UTC)


# Digests ------------------------------------------------------------------------------------


def test_digest_lists_only_items_published_since_the_last_one(
    network: Network, member: User
) -> None:
    now = timezone.now()
    row = alert_settings_for(member)
    row.last_digest_at = now - timedelta(hours=1)
    row.save()
    _item("Old news", published_at=now - timedelta(hours=2))
    _item("Fresh news", published_at=now - timedelta(minutes=10))

    digest = alerts.build_digest(member)

    assert digest is not None
    assert _titles(digest.items) == ["Fresh news"]


def test_a_first_weekly_digest_looks_back_one_week(network: Network, member: User) -> None:
    now = timezone.now()
    _item("Last month", published_at=now - timedelta(days=8))
    _item("This week", published_at=now - timedelta(days=6))

    digest = alerts.build_digest(member)

    assert digest is not None
    assert _titles(digest.items) == ["This week"]


def test_a_long_digest_lists_the_best_twenty_and_links_to_the_rest(
    network: Network, member: User
) -> None:
    for number in range(alerts.DIGEST_SIZE + 2):
        _item(f"News {number}")
    _item("Hydrogen first", topics=("hydrogen",), published_at=timezone.now() - timedelta(days=1))

    digest = alerts.build_digest(member)

    assert digest is not None
    assert len(digest.items) == alerts.DIGEST_SIZE
    assert digest.total == alerts.DIGEST_SIZE + 3
    assert digest.items[0].opportunity.title == "Hydrogen first"
    assert "And 3 more" in str(alerts.digest_message(digest).body)


def test_no_new_items_means_no_digest(network: Network, member: User) -> None:
    _item("Ancient", published_at=timezone.now() - timedelta(days=30))

    assert alerts.build_digest(member) is None


def test_a_digest_leaves_out_what_the_user_posted(network: Network, member: User) -> None:
    opportunity_create(
        actor=member,
        author_organisation=network.org("clean", "private"),
        publish=True,
        kind=OpportunityKind.NEWS,
        title="Our own news",
        visibility=Visibility.NETWORK,
    )

    assert alerts.build_digest(member) is None


def test_send_digest_sends_one_email_with_one_click_unsubscribe_and_a_second_run_sends_none(
    network: Network, member: User
) -> None:
    item = _item("Hydrogen valleys", topics=("hydrogen",), summary="Regions pair up.")

    tasks.send_digest.enqueue(member.pk)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    row = AlertSettings.objects.get(user=member)
    assert message.to == [member.email]
    assert message.extra_headers["List-Unsubscribe"] == f"<{_unsubscribe_url(row)}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _unsubscribe_url(row) in message.body
    assert item.title in message.body
    assert "http://" in message.body and item.get_absolute_url() in message.body
    assert "Matches your topics: Hydrogen" in message.body
    assert "Not relevant?" in message.body
    content, mimetype = message.alternatives[0]
    html = str(content)
    assert mimetype == "text/html" and item.title in html and _unsubscribe_url(row) in html
    assert row.last_digest_at is not None

    tasks.send_digest.enqueue(member.pk)
    tasks.send_digest.call(member.pk, force=True)

    assert len(mail.outbox) == 1


def _unsubscribe_url(row: AlertSettings) -> str:
    return settings.SITE_URL + reverse("opportunities:unsubscribe", args=[row.unsubscribe_token])


def test_an_unsubscribed_user_gets_no_digest(network: Network, member: User) -> None:
    row = alert_settings_for(member)
    row.frequency = "never"
    row.save()
    _item("News")

    tasks.send_digest.enqueue(member.pk)

    assert mail.outbox == []


def test_send_due_digests_picks_only_the_users_that_are_due(
    network: Network,
    member: User,
    cluster_peer: User,
    other_member: User,
    partner: User,
    secretariat: User,
    cluster_manager: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    now = timezone.now()
    for user, frequency, last in (
        (member, "daily", now - timedelta(hours=25)),
        (cluster_peer, "daily", now - timedelta(hours=2)),
        (other_member, "daily", None),
        (partner, "weekly", None),
        (secretariat, "never", None),
    ):
        AlertSettings.objects.create(user=user, frequency=frequency, last_digest_at=last)
    gone = User.objects.create_user("gone@icn.example", "a-long-test-password", is_active=False)
    AlertSettings.objects.create(user=gone, frequency="daily")
    _item("Everyone's news")

    assert alerts.due_user_ids(frequency="daily") == sorted([member.pk, other_member.pk])
    # Nobody chose yet: the weekly default applies to the cluster manager.
    assert set(alerts.due_user_ids(frequency="weekly")) == {partner.pk, cluster_manager.pk}

    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_due_digests.enqueue("daily")

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [member.email, other_member.email]
    )


def test_send_due_digests_closes_expired_items_first(network: Network, member: User) -> None:
    expired = _item("Expired call", deadline=timezone.now() - timedelta(days=1))

    tasks.send_due_digests.call("weekly")

    expired.refresh_from_db()
    assert expired.status == OpportunityStatus.CLOSED


def test_the_send_digests_command_sends_due_digests_at_once(
    network: Network, member: User, other_member: User
) -> None:
    AlertSettings.objects.create(user=member, frequency="daily")
    _item("Daily news")

    call_command("send-digests", "--frequency", "daily", "--now", stdout=StringIO())

    assert [message.to for message in mail.outbox] == [[member.email]]


def test_the_send_digests_command_queues_digests_on_commit(
    network: Network, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    _item("Weekly news")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("send-digests", "--frequency", "weekly", stdout=StringIO())

    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [[member.email]]


def test_with_the_database_backend_digests_wait_for_the_worker(
    network: Network, member: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _item("Weekly news")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send-digests", "--frequency", "weekly", stdout=StringIO())

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "icn.opportunities.tasks.send_digest"
    assert queued.args_kwargs == {"args": [member.pk], "kwargs": {}}
    assert mail.outbox == []


# Links in the e-mail -------------------------------------------------------------------------


def _link(body: str, marker: str) -> str:
    match = re.search(re.escape(marker) + r" (\S+)", body)
    assert match, body
    return match.group(1).removeprefix(settings.SITE_URL)


def test_the_unsubscribe_link_works_in_one_click_without_logging_in(
    network: Network, member: User
) -> None:
    _item("News")
    tasks.send_digest.enqueue(member.pk)
    path = _link(str(mail.outbox[0].body), "Unsubscribe in one click:")
    client = Client(enforce_csrf_checks=True)

    page = client.get(path)
    assert page.status_code == 200
    assert b"Unsubscribe" in page.content
    assert AlertSettings.objects.get(user=member).frequency == "weekly"

    done = client.post(path)

    assert done.status_code == 200
    assert b"You are unsubscribed" in done.content
    assert AlertSettings.objects.get(user=member).frequency == "never"


def test_a_mail_client_unsubscribes_with_the_rfc8058_post(network: Network, member: User) -> None:
    row = alert_settings_for(member)
    path = reverse("opportunities:unsubscribe", args=[row.unsubscribe_token])

    response = Client(enforce_csrf_checks=True).post(
        path, {"List-Unsubscribe": "One-Click"}, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.frequency == "never"


def test_an_unknown_unsubscribe_token_is_not_found(network: Network) -> None:
    path = reverse("opportunities:unsubscribe", args=["not-a-token"])

    assert Client().get(path).status_code == 404
    assert Client().post(path).status_code == 404


def test_the_emails_not_relevant_link_asks_then_records_without_logging_in(
    network: Network, member: User
) -> None:
    item = _item("Hydrogen valleys", topics=("hydrogen",))
    tasks.send_digest.enqueue(member.pk)
    path = _link(str(mail.outbox[0].body), "Not relevant?")
    client = Client()

    page = client.get(path)
    assert page.status_code == 200
    assert not Feedback.objects.filter(user=member, opportunity=item).exists()

    done = client.post(path)

    assert done.status_code == 200
    assert b"Marked not relevant" in done.content
    assert Feedback.objects.filter(user=member, opportunity=item).exists()
    assert client.post(path).status_code == 200  # Twice is harmless.


def test_a_tampered_not_relevant_link_is_refused(network: Network, member: User) -> None:
    item = _item("News")
    token = alerts.not_relevant_token(member, item)
    forged = token.replace(token[2], "x" if token[2] != "x" else "y", 1)

    response = Client().post(reverse("opportunities:not_relevant_link", args=[forged]))

    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_a_logged_in_user_marks_an_item_not_relevant_from_a_page(
    network: Network, member: User, shared: dict[str, Opportunity]
) -> None:
    client = client_for(member)
    url = reverse("opportunities:not_relevant", args=[shared["public"].slug])

    response = client.post(url, {"next": "/alerts/"})

    assert response.status_code == 302 and response["Location"] == "/alerts/"
    assert Feedback.objects.filter(user=member, opportunity=shared["public"]).exists()
    hidden = reverse("opportunities:not_relevant", args=[shared["nordic_cluster"].slug])
    assert client.post(hidden).status_code == 404
    partial = client.post(
        reverse("opportunities:not_relevant", args=[shared["network"].slug]),
        headers={"HX-Request": "true"},
    )
    assert b"Marked not relevant" in partial.content and b"<html" not in partial.content


# Settings page and saved searches -------------------------------------------------------------


def test_the_settings_page_needs_a_login(network: Network) -> None:
    response = Client().get(reverse("opportunities:alerts"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_settings_page_saves_frequency_and_followed_topics(
    network: Network, member: User
) -> None:
    client = client_for(member)
    wind, hydrogen = Topic.objects.get(slug="wind-power"), Topic.objects.get(slug="hydrogen")
    page = client.get(reverse("opportunities:alerts"))
    row = AlertSettings.objects.get(user=member)
    assert row.feed_token in page.content.decode()

    response = client.post(
        reverse("opportunities:alerts"), {"frequency": "daily", "topics": [wind.pk, hydrogen.pk]}
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.frequency == "daily"
    assert set(row.topics.all()) == {wind, hydrogen}


def test_the_settings_page_shows_the_error_next_to_a_bad_frequency(
    network: Network, member: User
) -> None:
    client = client_for(member)

    response = client.post(reverse("opportunities:alerts"), {"frequency": "hourly"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Select a valid choice" in content
    assert 'class="invalid-feedback d-block"' in content
    assert AlertSettings.objects.get(user=member).frequency == "weekly"


def test_a_search_is_saved_from_the_lists_filters_and_deleted(
    network: Network, member: User
) -> None:
    client = client_for(member)
    url = reverse("opportunities:saved_search_create") + "?kind=tender&topic=hydrogen&page=2"

    page = client.get(url)
    assert page.status_code == 200
    assert "Business tender · Hydrogen" in page.content.decode()

    response = client.post(url, {"name": "Hydrogen tenders"})

    assert response.status_code == 302
    saved = SavedSearch.objects.get(user=member)
    assert saved.name == "Hydrogen tenders"
    assert saved.query == {"kind": "tender", "topic": "hydrogen"}
    assert "Hydrogen tenders" in client.get(reverse("opportunities:alerts")).content.decode()

    deleted = client.post(reverse("opportunities:saved_search_delete", args=[saved.pk]))

    assert deleted.status_code == 302
    assert not SavedSearch.objects.exists()


def test_a_search_without_filters_is_refused_with_a_message(network: Network, member: User) -> None:
    response = client_for(member).post(
        reverse("opportunities:saved_search_create"), {"name": "Everything"}
    )

    assert response.status_code == 200
    assert "Choose at least one filter" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_nobody_deletes_another_users_saved_search(
    network: Network, member: User, other_member: User
) -> None:
    saved = saved_search_create(actor=member, name="Tenders", query={"kind": "tender"})

    response = client_for(other_member).post(
        reverse("opportunities:saved_search_delete", args=[saved.pk])
    )

    assert response.status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
