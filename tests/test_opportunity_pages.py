"""The opportunity exchange's pages: finding, posting and taking part, within visibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from icn.opportunities.models import Comment, Follow, Interest, Opportunity, Reshare, Solution
from icn.opportunities.services import (
    opportunities_close_expired,
    opportunity_create,
    solution_create,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(network, secretariat):
    """One published challenge per visibility level in each cluster, and a draft."""
    made = {}
    for cluster in ("clean", "nordic-edge"):
        for visibility in ("public", "network", "cluster", "private"):
            made[(cluster, visibility)] = opportunity_create(
                actor=secretariat,
                author_organisation=network.org(cluster, visibility),
                publish=True,
                kind="challenge",
                title=f"{cluster} {visibility} challenge",
                body="We look for heat pumps for schools.",
                visibility=visibility,
                contact_email="city@example.com",
                deadline=timezone.now() + timedelta(days=30),
            )
    made["draft"] = opportunity_create(
        actor=secretariat,
        author_organisation=network.org("clean", "public"),
        kind="news",
        title="clean draft news",
        visibility="public",
    )
    return made


@pytest.mark.parametrize(
    ("persona", "seen"),
    [
        ("anonymous", {"clean public", "nordic-edge public"}),
        ("partner", {"clean public", "nordic-edge public", "clean network", "nordic-edge network"}),
        (
            "member",
            {
                "clean public",
                "nordic-edge public",
                "clean network",
                "nordic-edge network",
                "clean cluster",
                "clean private",
            },
        ),
        (
            "cluster_manager",
            {
                "clean public",
                "nordic-edge public",
                "clean network",
                "nordic-edge network",
                "clean cluster",
            },
        ),
        (
            "other_member",
            {
                "clean public",
                "nordic-edge public",
                "clean network",
                "nordic-edge network",
                "nordic-edge cluster",
                "nordic-edge private",
            },
        ),
    ],
)
def test_opportunity_list_shows_each_role_exactly_its_scope(request, items, persona, seen):
    body = client_for(request.getfixturevalue(persona)).get("/opportunities/").content.decode()
    for (cluster, visibility), _ in ((k, v) for k, v in items.items() if k != "draft"):
        label = f"{cluster} {visibility}"
        assert (f"{label} challenge" in body) == (label in seen), label
    assert "clean draft news" not in body


def test_a_draft_is_seen_only_by_its_organisation_and_the_secretariat(
    items, anonymous, member, secretariat, network
):
    url = items["draft"].get_absolute_url()
    assert client_for(anonymous).get(url).status_code == 404
    assert client_for(member).get(url).status_code == 404
    assert client_for(secretariat).get(url).status_code == 200


def test_search_and_filters_narrow_the_list(items, secretariat):
    client = client_for(secretariat)
    body = client.get("/opportunities/", {"q": "heat pump", "country": "NO"}).content.decode()
    assert "nordic-edge public challenge" in body and "clean public challenge" not in body
    body = client.get("/opportunities/", {"kind": "news"}).content.decode()
    assert "challenge" not in body.split('id="results"')[1]


def test_htmx_requests_get_only_the_results(items, anonymous):
    body = client_for(anonymous).get("/opportunities/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and "clean public challenge" in body


def test_expired_items_are_closed_and_leave_the_list(items, anonymous):
    item = items[("clean", "public")]
    Opportunity.objects.filter(pk=item.pk).update(deadline=timezone.now() - timedelta(days=1))
    assert (
        "clean public challenge"
        not in client_for(anonymous).get("/opportunities/").content.decode()
    )
    assert opportunities_close_expired() == 1
    item.refresh_from_db()
    assert item.status == "closed"
    body = client_for(anonymous).get("/opportunities/", {"include_closed": "on"}).content.decode()
    assert "clean public challenge" in body


def test_member_posts_a_challenge_for_its_organisation(network, member):
    response = client_for(member).post(
        "/opportunities/new/",
        {
            "kind": "challenge",
            "title": "Cooling for the data centre",
            "author_organisation": network.org("clean", "private").pk,
            "visibility": "cluster",
            "trl_min": 6,
            "trl_max": 9,
            "publish": "on",
        },
    )
    assert response.status_code == 302
    item = Opportunity.objects.get(title="Cooling for the data centre")
    assert item.status == "published" and item.cluster == network.clean


def test_the_form_keeps_a_funding_calls_eligibility_rules_as_data(network, secretariat):
    response = client_for(secretariat).post(
        "/opportunities/new/",
        {
            "kind": "funding_call",
            "title": "Interreg call",
            "author_organisation": network.org("clean", "public").pk,
            "visibility": "network",
            "funder": "Interreg",
            "eligible_countries": ["DK", "NO"],
            "min_partners": 3,
            "min_countries": 2,
            "required_kinds": "research: 1, public_authority: 1",
        },
    )
    assert response.status_code == 302
    item = Opportunity.objects.get(title="Interreg call")
    assert item.eligibility == {
        "eligible_countries": ["DK", "NO"],
        "min_partners": 3,
        "min_countries": 2,
        "required_kinds": {"research": 1, "public_authority": 1},
    }


def test_the_form_shows_errors_next_to_fields_and_saves_nothing(network, member):
    before = Opportunity.objects.count()
    response = client_for(member).post(
        "/opportunities/new/",
        {
            "kind": "funding_call",
            "title": "",
            "author_organisation": network.org("clean", "private").pk,
            "visibility": "network",
            "trl_min": 12,
            "required_kinds": "wizards: 2",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in body and "Unknown kind" in body
    assert Opportunity.objects.count() == before


def test_member_cannot_post_for_another_organisation(network, member):
    response = client_for(member).post(
        "/opportunities/new/",
        {
            "kind": "news",
            "title": "Not mine",
            "author_organisation": network.org("clean", "public").pk,
            "visibility": "public",
        },
    )
    assert response.status_code == 200  # not among the choices
    assert not Opportunity.objects.filter(title="Not mine").exists()


def test_member_follows_comments_and_expresses_interest(
    items, member, django_capture_on_commit_callbacks, mailoutbox
):
    item = items[("clean", "network")]
    client = client_for(member)
    client.post(f"{item.get_absolute_url()}follow/", {"follow": "1"})
    client.post(f"{item.get_absolute_url()}comments/", {"body": "We did this in Aarhus."})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{item.get_absolute_url()}interest/", {"message": "We can help."})
    assert Follow.objects.filter(user=member, opportunity=item).exists()
    assert Comment.objects.get(opportunity=item).body == "We did this in Aarhus."
    assert Interest.objects.filter(opportunity=item).count() == 1
    assert mailoutbox[0].to == ["city@example.com"] and "We can help." in mailoutbox[0].body


def test_comments_cannot_be_added_to_an_item_the_user_cannot_see(items, other_member):
    item = items[("clean", "cluster")]
    response = client_for(other_member).post(
        f"{item.get_absolute_url()}comments/", {"body": "Hello"}
    )
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_cluster_manager_reshares_another_clusters_network_item(items, other_manager, network):
    item = items[("clean", "network")]
    client_for(other_manager).post(
        f"{item.get_absolute_url()}reshare/", {"cluster": network.nordic_edge.pk, "note": "For you"}
    )
    assert Reshare.objects.filter(opportunity=item, cluster=network.nordic_edge).exists()


def test_the_author_publishes_and_closes_but_cannot_close_a_draft(items, secretariat):
    draft = items["draft"]
    client = client_for(secretariat)
    response = client.post(f"{draft.get_absolute_url()}status/", {"action": "close"}, follow=True)
    assert "cannot be closed" in response.content.decode()
    client.post(f"{draft.get_absolute_url()}status/", {"action": "publish"})
    draft.refresh_from_db()
    assert draft.status == "published"


def test_every_opportunity_page_renders_for_every_role(request, items, network):
    item = items[("clean", "public")]
    pages = ["/opportunities/", item.get_absolute_url(), "/solutions/", "/"]
    for persona in ["anonymous", "member", "partner", "cluster_manager", "secretariat"]:
        client = client_for(request.getfixturevalue(persona))
        for url in pages:
            assert client.get(url).status_code == 200, (persona, url)
    for persona in ["member", "cluster_manager", "secretariat"]:
        client = client_for(request.getfixturevalue(persona))
        for url in ["/opportunities/new/", "/opportunities/mine/", "/solutions/new/"]:
            assert client.get(url).status_code in (200, 403), (persona, url)


def test_a_member_says_its_solution_is_pilot_ready_but_cannot_award_itself(network, member):
    client = client_for(member)
    organisation = network.org("clean", "private")
    response = client.post(
        "/solutions/new/",
        {
            "organisation": organisation.pk,
            "title": "Heat battery",
            "description": "Stores heat.",
            "labels": ["pilot_ready", "efficient_solution"],
            "visibility": "network",
        },
    )
    assert response.status_code == 200  # the award is not among a member's choices
    client.post(
        "/solutions/new/",
        {
            "organisation": organisation.pk,
            "title": "Heat battery",
            "description": "Stores heat.",
            "labels": ["pilot_ready"],
            "visibility": "network",
        },
    )
    solution = Solution.objects.get(title="Heat battery")
    assert solution.labels == ["pilot_ready"]


def test_an_awarded_label_survives_the_members_own_edit(network, member, secretariat):
    solution = solution_create(
        actor=secretariat,
        organisation=network.org("clean", "private"),
        title="Heat battery",
        description="Stores heat.",
        labels=["efficient_solution"],
        visibility="network",
    )
    response = client_for(member).post(
        f"/solutions/{solution.slug}/edit/",
        {
            "organisation": solution.organisation_id,
            "title": "Heat battery 2",
            "description": "Stores heat.",
            "labels": ["pilot_ready"],
            "visibility": "network",
        },
    )
    assert response.status_code == 302
    solution.refresh_from_db()
    assert solution.title == "Heat battery 2"
    assert sorted(solution.labels) == ["efficient_solution", "pilot_ready"]


def test_an_item_cannot_be_published_with_a_deadline_in_the_past(network, member):
    response = client_for(member).post(
        "/opportunities/new/",
        {
            "kind": "news",
            "title": "Late",
            "author_organisation": network.org("clean", "private").pk,
            "visibility": "network",
            "deadline": "2020-01-01T12:00",
            "publish": "on",
        },
    )
    assert response.status_code == 200
    assert "The deadline has passed" in response.content.decode()


def test_home_shows_a_member_the_items_that_fit_its_profile_first(network, member, secretariat):
    fitting = opportunity_create(
        actor=secretariat,
        author_organisation=network.org("nordic-edge", "public"),
        publish=True,
        kind="challenge",
        title="Hydrogen buses for Stavanger",
        visibility="public",
        topics=[network.topic],
    )
    other = opportunity_create(
        actor=secretariat,
        author_organisation=network.org("nordic-edge", "public"),
        publish=True,
        kind="news",
        title="A new office opens",
        visibility="public",
    )
    hidden = opportunity_create(
        actor=secretariat,
        author_organisation=network.org("nordic-edge", "cluster"),
        publish=True,
        kind="challenge",
        title="Hydrogen ferries (Nordic Edge only)",
        visibility="cluster",
        topics=[network.topic],
    )
    body = client_for(member).get("/").content.decode()
    section = body.split("For you")[1]
    assert fitting.title in section and other.title in section
    assert section.index(fitting.title) < section.index(other.title)
    assert "Matches your topics: Hydrogen" in section
    assert hidden.title not in body


@pytest.mark.parametrize("persona", ["anonymous", "partner", "other_member", "cluster_manager"])
def test_home_never_shows_an_item_outside_the_viewers_scope(request, items, persona):
    user = request.getfixturevalue(persona)
    visible = set(Opportunity.objects.visible_to(user).values_list("title", flat=True))
    body = client_for(user).get("/").content.decode()
    for item in Opportunity.objects.all():
        if item.title not in visible:
            assert item.title not in body


def test_not_relevant_from_the_list_hides_the_item_from_the_home_page(items, member):
    item = items[("clean", "public")]
    client = client_for(member)
    assert item.title in client.get("/").content.decode()
    client.post(f"/alerts/not-relevant/{item.slug}/", {"next": "/"}, follow=True)
    assert item.title not in client.get("/").content.decode()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_author_attaches_a_pdf_that_only_those_who_see_the_item_can_download(
    items, secretariat, member, other_member, media
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = items[("clean", "cluster")]
    pdf = SimpleUploadedFile("brief.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    client_for(secretariat).post(f"{item.get_absolute_url()}attachments/", {"file": pdf})
    attachment = item.attachments.get()
    url = f"{item.get_absolute_url()}attachments/{attachment.pk}/"
    response = client_for(member).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert client_for(other_member).get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("brief.pdf", b"<html><script>alert(1)</script>", "not a .pdf file"),
        ("run.exe", b"MZ...", "files only"),
        ("notes.txt", b"abc\x00def", "binary data"),
    ],
)
def test_an_attachment_whose_content_does_not_match_its_type_is_refused(
    items, secretariat, media, name, content, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = items[("clean", "public")]
    response = client_for(secretariat).post(
        f"{item.get_absolute_url()}attachments/",
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    assert message in response.content.decode()
    assert not item.attachments.exists()


def test_only_those_who_may_edit_the_item_attach_files(items, member, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = items[("clean", "public")]
    response = client_for(member).post(
        f"{item.get_absolute_url()}attachments/",
        {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")},
    )
    assert response.status_code == 403
    assert not item.attachments.exists()
