"""The opportunities API: each role finds what it may see, posts what it may, bad input is a 4xx."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from icn.directory.models import Topic
from icn.opportunities.models import (
    ELIGIBILITY_KEYS,
    Comment,
    Feedback,
    Follow,
    Interest,
    Opportunity,
    Reshare,
    Solution,
)
from icn.opportunities.schemas import Eligibility
from tests.conftest import Network, client_for
from tests.test_api import ROLES, assert_error, call, get_all

pytestmark = pytest.mark.django_db

VISIBILITIES = ("public", "network", "cluster", "private")
PUBLIC = {"clean-public", "nordic-edge-public"}
NETWORK = PUBLIC | {"clean-network", "nordic-edge-network"}

# What each persona finds on the open list, of one published item per cluster and visibility.
SEEN = {
    "anonymous": PUBLIC,
    "partner": NETWORK,
    "member": NETWORK | {"clean-cluster", "clean-private"},
    "cluster_peer": NETWORK | {"clean-cluster"},
    "other_member": NETWORK | {"nordic-edge-cluster", "nordic-edge-private"},
    "cluster_manager": NETWORK | {"clean-cluster"},
    "other_manager": NETWORK | {"nordic-edge-cluster"},
    "secretariat": {f"{c}-{v}" for c in ("clean", "nordic-edge") for v in VISIBILITIES},
}
# Who else finds the draft of CLEAN's private organisation: its own people, CLEAN's managers.
SEES_DRAFT = {"member", "cluster_manager", "secretariat"}


def _item(network: Network, slug: str, **fields: Any) -> Opportunity:
    values: dict[str, Any] = {
        "kind": "challenge",
        "title": slug.replace("-", " ").capitalize(),
        "status": "published",
        "published_at": timezone.now(),
        "visibility": "network",
        "deadline": timezone.now() + timedelta(days=30),
        **fields,
    }
    return Opportunity.objects.create(slug=slug, **values)


@pytest.fixture
def items(network: Network) -> dict[str, Opportunity]:
    """One published challenge per cluster and visibility, posted by the organisation of that
    visibility, and a draft of CLEAN's private organisation (the member's)."""
    made = {}
    for cluster in (network.clean, network.nordic_edge):
        for visibility in VISIBILITIES:
            slug = f"{cluster.slug}-{visibility}"
            made[slug] = _item(
                network,
                slug,
                visibility=visibility,
                author_organisation=network.org(cluster.slug, visibility),
                cluster=cluster,
                contact_email=f"{slug}@example.org",
                body="We look for heat pumps for schools.",
            )
    made["clean-draft"] = _item(
        network,
        "clean-draft",
        status="draft",
        published_at=None,
        author_organisation=network.org("clean", "private"),
        cluster=network.clean,
    )
    return made


def slugs(client: Client, path: str) -> set[str]:
    return {item["slug"] for item in get_all(client, path)}


def ordered(client: Client, path: str) -> list[str]:
    return [item["slug"] for item in get_all(client, path)]


def only_open(queryset: Any) -> set[str]:
    return set(queryset.open().values_list("slug", flat=True))


# Reading: each role sees its scope --------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_exactly_the_open_opportunities_it_may_see(request, items, role):
    user = request.getfixturevalue(role)
    found = slugs(client_for(user), "/opportunities")
    assert found == SEEN[role]
    assert found == only_open(Opportunity.objects.visible_to(user))


@pytest.mark.parametrize("role", ROLES)
def test_with_closed_items_each_role_lists_what_it_may_see_and_drafts_only_if_it_owns_them(
    request, items, role
):
    user = request.getfixturevalue(role)
    found = slugs(client_for(user), "/opportunities?include_closed=true")
    assert found == set(Opportunity.objects.visible_to(user).values_list("slug", flat=True))
    assert ("clean-draft" in found) is (role in SEES_DRAFT)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_the_opportunities_it_may_see(request, items, role):
    user = request.getfixturevalue(role)
    client = client_for(user)
    for slug in items:
        expected = (
            200 if slug in SEEN[role] or (slug == "clean-draft" and role in SEES_DRAFT) else 404
        )
        response = call(client, "GET", f"/opportunities/{slug}")
        assert response.status_code == expected, (slug, response.content)


def test_a_draft_is_not_found_by_others_in_its_cluster(items, cluster_peer, other_member):
    assert_error(call(client_for(cluster_peer), "GET", "/opportunities/clean-draft"), 404)
    assert_error(call(client_for(other_member), "GET", "/opportunities/clean-draft"), 404)
    assert_error(call(client_for(None), "GET", "/opportunities/no-such-item"), 404)


@pytest.mark.parametrize(
    "path",
    [
        "/opportunities/a%00b",
        "/opportunities/a%00b/comments",
        "/solutions/a%00b",
        "/opportunities/%C3%A6bler",
        f"/opportunities/{'x' * 400}",
    ],
)
def test_a_slug_that_cannot_exist_is_a_4xx_not_a_database_error(network, partner, path):
    response = call(client_for(partner), "GET", path)
    assert 400 <= response.status_code < 500
    assert response.json()["message"]


def test_an_opportunity_carries_its_owner_topics_and_state(network, items, member):
    items["clean-cluster"].topics.add(network.topic)
    body = call(client_for(member), "GET", "/opportunities/clean-cluster").json()
    assert body["id"] == items["clean-cluster"].pk
    assert body["visibility"] == "cluster"
    assert body["kind"] == "challenge"
    assert body["status"] == "published"
    assert body["author_organisation"] == "clean-cluster-org"
    assert body["cluster"] == "clean"
    assert body["topics"] == ["hydrogen"]
    assert body["is_open"] is True
    assert body["contact_email"] == "clean-cluster@example.org"
    for field in ("summary", "body", "deadline", "published_at", "source_url", "trl_min"):
        assert field in body
    for field in ("budget_max", "funder", "eligibility", "buyer", "starts_at", "ends_at"):
        assert field in body


def test_an_imported_item_has_no_author_organisation(network, anonymous):
    _item(network, "eu-tender", kind="tender", visibility="public", buyer="City of Oslo")
    body = call(client_for(anonymous), "GET", "/opportunities/eu-tender").json()
    assert body["author_organisation"] is None
    assert body["buyer"] == "City of Oslo"


def test_anonymous_visitors_never_see_the_contact_e_mail_address(items, anonymous, partner):
    listed = get_all(client_for(anonymous), "/opportunities")
    assert listed
    assert all(item["contact_email"] is None for item in listed)
    detail = call(client_for(anonymous), "GET", "/opportunities/clean-public").json()
    assert detail["contact_email"] is None
    assert "clean-public@example.org" not in str(listed) + str(detail)
    seen = call(client_for(partner), "GET", "/opportunities/clean-public").json()
    assert seen["contact_email"] == "clean-public@example.org"


# Search, filters and sorting ----------------------------------------------------------------


@pytest.fixture
def electrolysers(network: Network) -> dict[str, Opportunity]:
    return {
        "in-title": _item(
            network,
            "electrolyser-pilot",
            title="Electrolyser pilot in the harbour",
            body="A port wants to test green fuel.",
            published_at=timezone.now() - timedelta(days=3),
        ),
        "in-body": _item(
            network,
            "harbour-fuel",
            title="Green fuel for ferries",
            body="The ferry company needs an electrolyser supplier and storage tanks.",
            published_at=timezone.now(),
        ),
        "unrelated": _item(network, "school-heat", title="Heat pumps for schools"),
    }


def test_search_finds_a_word_in_the_body(electrolysers, partner):
    assert slugs(client_for(partner), "/opportunities?q=tanks") == {"harbour-fuel"}


def test_search_ranks_a_title_match_above_a_body_match(electrolysers, partner):
    found = ordered(client_for(partner), "/opportunities?q=electrolyser&sort=relevance")
    assert found == ["electrolyser-pilot", "harbour-fuel"]


def test_search_matches_other_forms_of_a_word(electrolysers, partner):
    assert "electrolyser-pilot" in slugs(client_for(partner), "/opportunities?q=electrolysers")


def test_search_respects_visibility(network, electrolysers, anonymous, partner):
    _item(network, "secret-electrolyser", visibility="cluster", cluster=network.clean)
    assert slugs(client_for(anonymous), "/opportunities?q=electrolyser") == set()
    assert "secret-electrolyser" not in slugs(client_for(partner), "/opportunities?q=electrolyser")


def test_far_away_deadlines_are_no_error(network, partner):
    _item(network, "open-call")
    assert slugs(client_for(partner), "/opportunities?deadline_before=9999-12-31") == {"open-call"}
    assert slugs(client_for(partner), "/opportunities?deadline_after=9999-12-31") == set()


@pytest.mark.parametrize("q", ["!!!", '"', "AND OR", "tank*", "a\x00b", "(", "-"])
def test_odd_search_text_is_never_an_error(electrolysers, partner, q):
    response = client_for(partner).get("/api/v1/opportunities", {"q": q})
    assert response.status_code == 200, response.content


@pytest.fixture
def assorted(network: Network) -> dict[str, Opportunity]:
    soon = timezone.now() + timedelta(days=5)
    later = timezone.now() + timedelta(days=60)
    made = {
        "call": _item(
            network, "dk-call", kind="funding_call", funder="EUDP", country="DK", deadline=later
        ),
        "tender": _item(network, "no-tender", kind="tender", country="NO", deadline=soon),
        "news": _item(network, "news-item", kind="news", deadline=None),
        "nordic": _item(
            network,
            "nordic-challenge",
            author_organisation=network.org("nordic-edge", "network"),
            cluster=network.nordic_edge,
            deadline=timezone.now() + timedelta(days=20),
        ),
    }
    made["call"].topics.add(network.topic)
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=funding_call", {"dk-call"}),
        ("kind=tender", {"no-tender"}),
        ("topic=hydrogen", {"dk-call"}),
        ("country=no", {"no-tender"}),
        ("cluster=nordic-edge", {"nordic-challenge"}),
        (
            "deadline_before=" + (timezone.now() + timedelta(days=10)).date().isoformat(),
            {"no-tender"},
        ),
        (
            "deadline_after=" + (timezone.now() + timedelta(days=30)).date().isoformat(),
            {"dk-call"},
        ),
        ("kind=news&country=DK", set()),
    ],
)
def test_the_list_takes_the_filters_of_the_list_page(assorted, partner, query, expected):
    assert slugs(client_for(partner), f"/opportunities?{query}") == expected


def test_the_topic_filter_includes_subtopics(network, assorted, partner):
    child = Topic.objects.create(name="Green ammonia", slug="green-ammonia", parent=network.topic)
    assorted["tender"].topics.add(child)
    found = slugs(client_for(partner), f"/opportunities?topic={network.topic.slug}")
    assert found == {"dk-call", "no-tender"}


def test_sorting_by_deadline_puts_the_nearest_first_and_items_without_one_last(assorted, partner):
    found = ordered(client_for(partner), "/opportunities?sort=deadline")
    assert found == ["no-tender", "nordic-challenge", "dk-call", "news-item"]


def test_the_newest_items_come_first_by_default(network, partner):
    for days, slug in ((3, "old"), (1, "recent"), (2, "middle")):
        _item(network, slug, published_at=timezone.now() - timedelta(days=days))
    assert ordered(client_for(partner), "/opportunities") == ["recent", "middle", "old"]


def test_closed_and_expired_items_are_listed_only_when_asked_for(network, partner):
    _item(network, "open-call")
    _item(network, "closed-call", status="closed")
    _item(network, "expired-call", deadline=timezone.now() - timedelta(days=1))
    client = client_for(partner)
    assert slugs(client, "/opportunities") == {"open-call"}
    with_closed = get_all(client, "/opportunities?include_closed=true")
    assert {i["slug"] for i in with_closed} == {"open-call", "closed-call", "expired-call"}
    assert {i["slug"]: i["is_open"] for i in with_closed} == {
        "open-call": True,
        "closed-call": False,
        "expired-call": False,
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=spaceship", "kind"),
        ("sort=random", "sort"),
        ("deadline_after=2025-13-45", "deadline_after"),
        ("include_closed=perhaps", "include_closed"),
        ("deadline_after=0001-01-01", "deadline_after"),
        ("limit=0", "limit"),
    ],
)
def test_bad_list_parameters_are_a_422_naming_the_parameter(network, anonymous, query, field):
    assert_error(call(client_for(anonymous), "GET", f"/opportunities?{query}"), 422, field)


# Posting ------------------------------------------------------------------------------------

NEW_CHALLENGE = {
    "kind": "challenge",
    "title": "Heat recovery for a data centre",
    "summary": "Waste heat into the district network.",
    "body": "We want to pilot heat recovery.",
    "author_organisation": "clean-private-org",
    "topics": ["hydrogen"],
    "country": "dk",
    "contact_email": "heat@example.org",
    "budget_min": "10000",
    "budget_max": 50000,
    "trl_min": 5,
    "trl_max": 7,
}


def test_a_member_posts_a_draft_for_its_organisation(network, member):
    response = call(client_for(member), "POST", "/opportunities", NEW_CHALLENGE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["published_at"] is None
    assert body["author_organisation"] == "clean-private-org"
    assert body["cluster"] == "clean"  # the organisation's cluster
    assert body["country"] == "DK"
    assert body["topics"] == ["hydrogen"]
    assert body["trl_min"] == 5
    item = Opportunity.objects.get(pk=body["id"])
    assert item.slug == body["slug"] == "heat-recovery-for-a-data-centre"
    assert item.author == member
    assert item.budget_min == 10000


def test_a_member_publishes_at_once(network, member):
    body = {**NEW_CHALLENGE, "publish": True}
    response = call(client_for(member), "POST", "/opportunities", body)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "published"
    assert response.json()["published_at"]
    assert response.json()["slug"] in slugs(client_for(member), "/opportunities")


def test_a_member_cannot_post_for_another_organisation(network, member):
    body = {**NEW_CHALLENGE, "author_organisation": "clean-public-org"}
    assert_error(call(client_for(member), "POST", "/opportunities", body), 403)
    assert not Opportunity.objects.exists()


def test_an_anonymous_visitor_cannot_post(network, anonymous):
    assert_error(call(client_for(anonymous), "POST", "/opportunities", NEW_CHALLENGE), 401)


def test_a_cluster_manager_posts_for_its_cluster_without_an_organisation(network, cluster_manager):
    body = {"kind": "news", "title": "CLEAN annual meeting", "cluster": "clean", "publish": True}
    response = call(client_for(cluster_manager), "POST", "/opportunities", body)
    assert response.status_code == 201, response.content
    assert response.json()["author_organisation"] is None
    assert response.json()["cluster"] == "clean"


def test_a_cluster_manager_cannot_post_for_another_cluster(network, cluster_manager):
    body = {"kind": "news", "title": "Not ours", "cluster": "nordic-edge"}
    assert_error(call(client_for(cluster_manager), "POST", "/opportunities", body), 403)


def test_a_cluster_only_item_without_a_cluster_is_a_422(network, partner):
    # The partner organisation belongs to no cluster, so there is none to default to.
    body = {
        "kind": "news",
        "title": "For one cluster",
        "author_organisation": "c40-cities",
        "visibility": "cluster",
    }
    assert_error(call(client_for(partner), "POST", "/opportunities", body), 422, "cluster")


def test_a_funding_call_carries_its_funder_and_eligibility_rules(network, secretariat):
    body = {
        "kind": "funding_call",
        "title": "Green hydrogen partnerships",
        "funder": "Innovation Fund Denmark",
        "programme": "Grand Solutions",
        "co_funding_rate": 75,
        "currency": "dkk",
        "deadline": "2031-05-01",
        "eligibility": {
            "eligible_countries": ["dk", "NO"],
            "min_partners": 3,
            "required_kinds": {"research": 1},
        },
        "author_organisation": "clean-public-org",
        "publish": True,
    }
    response = call(client_for(secretariat), "POST", "/opportunities", body)
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["funder"] == "Innovation Fund Denmark"
    assert made["currency"] == "DKK"
    assert made["eligibility"] == {
        "eligible_countries": ["DK", "NO"],
        "min_partners": 3,
        "required_kinds": {"research": 1},
    }
    # A deadline given as a day is the end of that day where the platform is.
    deadline = timezone.localtime(datetime.fromisoformat(made["deadline"]))
    assert (deadline.date().isoformat(), deadline.hour) == ("2031-05-01", 23)


def test_an_event_carries_its_start_and_end(network, member):
    body = {
        "kind": "event",
        "title": "Hydrogen day",
        "author_organisation": "clean-private-org",
        "starts_at": "2031-03-01T09:00:00+01:00",
        "ends_at": "2031-03-01T17:00:00",
    }
    response = call(client_for(member), "POST", "/opportunities", body)
    assert response.status_code == 201, response.content
    item = Opportunity.objects.get(pk=response.json()["id"])
    assert item.ends_at - item.starts_at == timedelta(hours=8)  # naive times are local


def test_the_eligibility_schema_knows_every_rule_the_model_knows(network):
    assert set(Eligibility.model_fields) == ELIGIBILITY_KEYS


BAD_INPUT = [
    ({"kind": "spaceship"}, "kind"),
    ({"deadline": "2025-13-45"}, "deadline"),
    ({"deadline": "next tuesday"}, "deadline"),
    ({"deadline": "0001-01-01T00:00:00+14:00"}, "deadline"),
    ({"starts_at": "2031-02-30T10:00"}, "starts_at"),
    ({"trl_min": 12}, "trl_min"),
    ({"trl_min": 7, "trl_max": 5}, "trl_min"),
    ({"budget_min": 9000, "budget_max": 10}, "budget_min"),
    ({"budget_max": "NaN"}, "budget_max"),
    ({"budget_max": "1e20"}, "budget_max"),
    ({"co_funding_rate": 120}, "co_funding_rate"),
    ({"currency": "euro"}, "currency"),
    ({"eligibility": {"favourite_colour": "green"}}, "eligibility.favourite_colour"),
    ({"eligibility": {"eligible_countries": "DK"}}, "eligibility.eligible_countries"),
    ({"eligibility": {"eligible_countries": ["DK", "XX"]}}, "eligibility.eligible_countries.1"),
    ({"eligibility": {"eligible_kinds": ["wizard"]}}, "eligibility.eligible_kinds.0"),
    ({"eligibility": {"min_partners": 4, "max_partners": 2}}, "eligibility"),
    ({"eligibility": "anyone"}, "eligibility"),
    ({"topics": ["hydrogen", "perpetual-motion"]}, "topics"),
    ({"cluster": "atlantis"}, "cluster"),
    ({"author_organisation": "no-such-org"}, "author_organisation"),
    ({"country": "XX"}, "country"),
    ({"visibility": "secret"}, "visibility"),
    ({"contact_email": "not an address"}, "contact_email"),
    ({"source_url": "not a url"}, "source_url"),
    ({"title": "x" * 400}, "title"),
    ({"title": "Nul\x00byte"}, "title"),
    ({"kind": "funding_call"}, "funder"),
    ({"starts_at": "2031-03-02T10:00", "ends_at": "2031-03-01T10:00"}, "ends_at"),
    ({"publish": "maybe"}, "publish"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INPUT)
def test_invalid_opportunity_input_is_a_422_naming_the_field(network, secretariat, change, field):
    body = {**NEW_CHALLENGE, **change}
    response = call(client_for(secretariat), "POST", "/opportunities", body)
    assert_error(response, 422, field)
    assert not Opportunity.objects.exists()


def test_a_missing_title_is_a_422(network, member):
    body = {k: v for k, v in NEW_CHALLENGE.items() if k != "title"}
    assert_error(call(client_for(member), "POST", "/opportunities", body), 422, "title")


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "null", '{"budget_max": 1e999999}'])
def test_a_malformed_body_is_a_4xx_with_a_message(network, member, raw):
    response = call(client_for(member), "POST", "/opportunities", raw)
    assert 400 <= response.status_code < 500
    assert response.json()["message"]


# Changing -----------------------------------------------------------------------------------


def test_a_member_admin_edits_its_own_item(items, member):
    client = client_for(member)
    change = {"summary": "Now with a budget.", "budget_max": 1000, "topics": ["hydrogen"]}
    response = call(client, "PATCH", "/opportunities/clean-private", change)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["summary"] == "Now with a budget."
    assert body["topics"] == ["hydrogen"]
    assert body["visibility"] == "private"  # fields not sent stay as they were
    assert float(body["budget_max"]) == 1000
    cleared = call(client, "PATCH", "/opportunities/clean-private", {"deadline": None})
    assert cleared.json()["deadline"] is None


def test_a_partial_update_refuses_nulls_where_a_field_cannot_be_empty(items, member):
    for change in ({"title": None}, {"kind": None}, {"topics": None}, {"eligibility": None}):
        response = call(client_for(member), "PATCH", "/opportunities/clean-private", change)
        assert_error(response, 422, next(iter(change)))


def test_a_member_cannot_edit_an_item_it_only_sees(items, member):
    response = call(client_for(member), "PATCH", "/opportunities/clean-public", {"title": "X"})
    assert_error(response, 403)


def test_editing_or_deleting_a_hidden_item_is_not_found(items, other_member):
    client = client_for(other_member)
    assert_error(call(client, "PATCH", "/opportunities/clean-private", {"title": "X"}), 404)
    assert_error(call(client, "DELETE", "/opportunities/clean-draft"), 404)


def test_making_an_item_cluster_only_without_a_cluster_is_a_422(items, member):
    change = {"cluster": None, "visibility": "cluster"}
    response = call(client_for(member), "PATCH", "/opportunities/clean-private", change)
    assert_error(response, 422, "cluster")


def test_a_member_admin_deletes_its_own_item(items, member):
    assert call(client_for(member), "DELETE", "/opportunities/clean-draft").status_code == 204
    assert not Opportunity.objects.filter(slug="clean-draft").exists()


def test_anonymous_changes_are_a_401(items, anonymous):
    client = client_for(anonymous)
    assert_error(call(client, "PATCH", "/opportunities/clean-public", {"title": "X"}), 401)
    assert_error(call(client, "DELETE", "/opportunities/clean-public"), 401)
    assert_error(call(client, "POST", "/opportunities/clean-public/close"), 401)


# Publishing, closing and archiving ----------------------------------------------------------


def test_an_item_is_published_closed_and_published_again(items, member, partner):
    client = client_for(member)
    response = call(client, "POST", "/opportunities/clean-draft/publish")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert response.json()["published_at"]
    assert "clean-draft" in slugs(client_for(partner), "/opportunities")

    closed = call(client, "POST", "/opportunities/clean-draft/close")
    assert closed.json()["status"] == "closed"
    assert closed.json()["is_open"] is False
    assert "clean-draft" not in slugs(client_for(partner), "/opportunities")

    again = call(client, "POST", "/opportunities/clean-draft/publish")
    assert again.json()["status"] == "published"


def test_closing_a_draft_is_a_422_saying_why(items, member):
    response = call(client_for(member), "POST", "/opportunities/clean-draft/close")
    body = assert_error(response, 422)
    assert "cannot be closed" in body["detail"][0]["message"]
    assert Opportunity.objects.get(slug="clean-draft").status == "draft"


def test_publishing_an_item_whose_deadline_has_passed_is_a_422(items, member):
    Opportunity.objects.filter(slug="clean-draft").update(
        deadline=timezone.now() - timedelta(days=1)
    )
    response = call(client_for(member), "POST", "/opportunities/clean-draft/publish")
    assert_error(response, 422, "deadline")


def test_an_archived_item_is_kept_for_its_owners_only(items, member, partner):
    response = call(client_for(member), "POST", "/opportunities/clean-network/archive")
    assert_error(response, 403)  # the member does not act for that organisation
    response = call(client_for(member), "POST", "/opportunities/clean-private/archive")
    assert response.json()["status"] == "archived"
    assert call(client_for(member), "GET", "/opportunities/clean-private").status_code == 200
    Opportunity.objects.filter(slug="clean-network").update(status="archived")
    assert_error(call(client_for(partner), "GET", "/opportunities/clean-network"), 404)


def test_someone_who_only_sees_an_item_cannot_close_it(items, cluster_peer):
    assert_error(call(client_for(cluster_peer), "POST", "/opportunities/clean-cluster/close"), 403)


# Taking part --------------------------------------------------------------------------------


def test_a_user_follows_and_unfollows_an_item(items, partner):
    client = client_for(partner)
    response = call(client, "POST", "/opportunities/clean-network/follow")
    assert response.status_code == 200, response.content
    assert response.json() == {"following": True, "followers": 1}
    assert call(client, "POST", "/opportunities/clean-network/follow").json()["followers"] == 1
    assert Follow.objects.filter(user=partner, opportunity=items["clean-network"]).exists()
    response = call(client, "DELETE", "/opportunities/clean-network/follow")
    assert response.json() == {"following": False, "followers": 0}
    assert not Follow.objects.exists()


def test_following_needs_a_login_and_an_item_the_user_sees(items, anonymous, partner):
    assert_error(call(client_for(anonymous), "POST", "/opportunities/clean-public/follow"), 401)
    assert_error(call(client_for(partner), "POST", "/opportunities/clean-cluster/follow"), 404)


def test_interest_is_sent_by_e_mail_to_the_items_contact(
    items, cluster_peer, django_capture_on_commit_callbacks
):
    body = {"message": "We build heat pumps for schools.", "organisation": "clean-network-org"}
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            client_for(cluster_peer), "POST", "/opportunities/clean-cluster/interest", body
        )
    assert response.status_code == 201, response.content
    assert response.json()["organisation"] == "clean-network-org"
    assert response.json()["opportunity"] == "clean-cluster"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["clean-cluster@example.org"]
    assert "We build heat pumps for schools." in mail.outbox[0].body
    assert Interest.objects.get().user == cluster_peer


def test_interest_for_an_organisation_the_user_does_not_act_for_is_refused(items, cluster_peer):
    body = {"message": "Hello.", "organisation": "clean-public-org"}
    response = call(client_for(cluster_peer), "POST", "/opportunities/clean-cluster/interest", body)
    assert_error(response, 403)
    assert not Interest.objects.exists()


def test_interest_in_a_closed_item_or_without_words_is_a_422(
    items, partner, django_capture_on_commit_callbacks
):
    client = client_for(partner)
    with django_capture_on_commit_callbacks(execute=True):
        blank = call(client, "POST", "/opportunities/clean-public/interest", {"message": "  "})
        Opportunity.objects.filter(slug="clean-network").update(status="closed")
        closed = call(client, "POST", "/opportunities/clean-network/interest", {"message": "Hi"})
    assert_error(blank, 422, "message")
    assert_error(closed, 422)
    assert mail.outbox == []


def test_interest_needs_a_login(items, anonymous):
    body = {"message": "Hello."}
    assert_error(
        call(client_for(anonymous), "POST", "/opportunities/clean-public/interest", body), 401
    )


def test_comments_are_seen_by_those_who_see_the_item(items, member, cluster_peer, other_member):
    response = call(
        client_for(member),
        "POST",
        "/opportunities/clean-cluster/comments",
        {"body": "Count us in."},
    )
    assert response.status_code == 201, response.content
    assert response.json()["author"] == "Mette Member"
    assert response.json()["organisation"] == "clean-private-org"

    comments = get_all(client_for(cluster_peer), "/opportunities/clean-cluster/comments")
    assert [(c["author"], c["body"]) for c in comments] == [("Mette Member", "Count us in.")]
    assert comments[0]["created_at"]

    stranger = client_for(other_member)
    assert_error(call(stranger, "GET", "/opportunities/clean-cluster/comments"), 404)
    response = call(stranger, "POST", "/opportunities/clean-cluster/comments", {"body": "Hi"})
    assert_error(response, 404)
    assert Comment.objects.count() == 1


def test_a_commenter_without_a_name_is_not_shown_by_e_mail_address(items, cluster_peer, anonymous):
    call(client_for(cluster_peer), "POST", "/opportunities/clean-public/comments", {"body": "Hi"})
    comments = get_all(client_for(anonymous), "/opportunities/clean-public/comments")
    assert len(comments) == 1
    assert cluster_peer.email not in str(comments)


def test_an_empty_or_anonymous_comment_is_refused(items, member, anonymous):
    response = call(
        client_for(member), "POST", "/opportunities/clean-public/comments", {"body": " "}
    )
    assert_error(response, 422, "body")
    response = call(
        client_for(anonymous), "POST", "/opportunities/clean-public/comments", {"body": "x"}
    )
    assert_error(response, 401)


def test_a_cluster_manager_reshares_a_network_item_from_another_cluster(
    items, cluster_manager, cluster_peer
):
    body = {"cluster": "clean", "note": "Relevant for our ports."}
    response = call(
        client_for(cluster_manager), "POST", "/opportunities/nordic-edge-network/reshare", body
    )
    assert response.status_code == 201, response.content
    assert response.json()["cluster"] == "clean"
    assert response.json()["note"] == "Relevant for our ports."
    assert Reshare.objects.get().shared_by == cluster_manager
    assert "nordic-edge-network" in slugs(client_for(cluster_peer), "/opportunities?cluster=clean")


def test_a_member_cannot_reshare(items, member):
    body = {"cluster": "clean"}
    response = call(client_for(member), "POST", "/opportunities/nordic-edge-network/reshare", body)
    assert_error(response, 403)
    assert not Reshare.objects.exists()


def test_a_cluster_manager_cannot_reshare_to_another_cluster_or_reshare_cluster_only_items(
    items, cluster_manager
):
    client = client_for(cluster_manager)
    response = call(
        client, "POST", "/opportunities/nordic-edge-network/reshare", {"cluster": "nordic-edge"}
    )
    assert_error(response, 403)
    response = call(client, "POST", "/opportunities/clean-cluster/reshare", {"cluster": "clean"})
    assert_error(response, 422)
    response = call(
        client, "POST", "/opportunities/nordic-edge-cluster/reshare", {"cluster": "clean"}
    )
    assert_error(response, 404)
    response = call(
        client, "POST", "/opportunities/nordic-edge-network/reshare", {"cluster": "atlantis"}
    )
    assert_error(response, 422, "cluster")


def test_a_user_marks_an_item_not_relevant(items, partner, anonymous):
    response = call(client_for(partner), "POST", "/opportunities/clean-network/not-relevant")
    assert response.status_code == 204
    assert Feedback.objects.filter(user=partner, opportunity=items["clean-network"]).exists()
    assert_error(
        call(client_for(anonymous), "POST", "/opportunities/clean-public/not-relevant"), 401
    )


# Solutions ----------------------------------------------------------------------------------


@pytest.fixture
def solutions(network: Network) -> dict[str, Solution]:
    made = {}
    for cluster in ("clean", "nordic-edge"):
        for visibility in VISIBILITIES:
            made[f"{cluster}-{visibility}"] = Solution.objects.create(
                organisation=network.org(cluster, visibility),
                slug=f"{cluster}-{visibility}-solution",
                title=f"{cluster} {visibility} heat pump",
                description="A heat pump for district heating.",
                visibility=visibility,
            )
    return made


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_exactly_the_solutions_it_may_see(request, solutions, role):
    user = request.getfixturevalue(role)
    found = slugs(client_for(user), "/solutions")
    assert found == set(Solution.objects.visible_to(user).values_list("slug", flat=True))
    for slug in (s.slug for s in solutions.values()):
        expected = 200 if slug in found else 404
        assert call(client_for(user), "GET", f"/solutions/{slug}").status_code == expected


def test_anonymous_visitors_see_public_solutions_only(solutions, anonymous):
    assert slugs(client_for(anonymous), "/solutions") == {
        "clean-public-solution",
        "nordic-edge-public-solution",
    }


def test_solutions_are_found_by_words_and_topic(network, solutions, secretariat):
    solutions["clean-network"].topics.add(network.topic)
    client = client_for(secretariat)
    assert slugs(client, "/solutions?q=nordic-edge%20private") == {"nordic-edge-private-solution"}
    assert slugs(client, "/solutions?topic=hydrogen") == {"clean-network-solution"}
    assert slugs(client, "/solutions?q=%00") == {s.slug for s in solutions.values()}


NEW_SOLUTION = {
    "organisation": "clean-private-org",
    "title": "Modular electrolyser",
    "description": "Containerised PEM electrolysers.",
    "topics": ["hydrogen"],
    "readiness_level": 7,
    "markets": ["dk", "SE"],
    "labels": ["pilot_ready"],
    "visibility": "cluster",
}


def test_a_member_creates_edits_and_deletes_a_solution_of_its_organisation(network, member):
    client = client_for(member)
    response = call(client, "POST", "/solutions", NEW_SOLUTION)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organisation"] == "clean-private-org"
    assert body["markets"] == ["DK", "SE"]
    assert body["topics"] == ["hydrogen"]
    assert body["labels"] == ["pilot_ready"]
    assert body["slug"] == "modular-electrolyser"

    response = call(client, "PATCH", f"/solutions/{body['slug']}", {"readiness_level": 8})
    assert response.status_code == 200, response.content
    assert response.json()["readiness_level"] == 8
    assert response.json()["visibility"] == "cluster"

    assert call(client, "DELETE", f"/solutions/{body['slug']}").status_code == 204
    assert not Solution.objects.exists()


def test_a_cluster_only_solution_is_hidden_from_other_clusters(network, member, other_member):
    slug = call(client_for(member), "POST", "/solutions", NEW_SOLUTION).json()["slug"]
    assert_error(call(client_for(other_member), "GET", f"/solutions/{slug}"), 404)
    assert_error(call(client_for(other_member), "PATCH", f"/solutions/{slug}", {"title": "X"}), 404)


def test_a_member_cannot_post_or_change_another_organisations_solution(
    network, solutions, member, anonymous
):
    body = {**NEW_SOLUTION, "organisation": "clean-public-org"}
    assert_error(call(client_for(member), "POST", "/solutions", body), 403)
    slug = solutions["clean-public"].slug
    assert_error(call(client_for(member), "PATCH", f"/solutions/{slug}", {"title": "X"}), 403)
    assert_error(call(client_for(member), "DELETE", f"/solutions/{slug}"), 403)
    assert_error(call(client_for(anonymous), "POST", "/solutions", NEW_SOLUTION), 401)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"readiness_level": 12}, "readiness_level"),
        ({"markets": ["XX"]}, "markets.0"),
        ({"labels": ["best_in_show"]}, "labels.0"),
        ({"topics": ["perpetual-motion"]}, "topics"),
        ({"organisation": "no-such-org"}, "organisation"),
        ({"description": ""}, "description"),
        ({"visibility": "secret"}, "visibility"),
    ],
)
def test_invalid_solution_input_is_a_422_naming_the_field(network, member, change, field):
    body = {**NEW_SOLUTION, **change}
    assert_error(call(client_for(member), "POST", "/solutions", body), 422, field)


# The schema ---------------------------------------------------------------------------------


def test_the_openapi_schema_lists_the_opportunity_and_solution_paths(network):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/opportunities",
        "/api/v1/opportunities/{slug}",
        "/api/v1/opportunities/{slug}/publish",
        "/api/v1/opportunities/{slug}/close",
        "/api/v1/opportunities/{slug}/archive",
        "/api/v1/opportunities/{slug}/follow",
        "/api/v1/opportunities/{slug}/interest",
        "/api/v1/opportunities/{slug}/comments",
        "/api/v1/opportunities/{slug}/reshare",
        "/api/v1/opportunities/{slug}/not-relevant",
        "/api/v1/solutions",
        "/api/v1/solutions/{slug}",
    ):
        assert path in paths
    assert {"opportunities", "solutions"} <= {
        tag for operations in paths.values() for op in operations.values() for tag in op["tags"]
    }
