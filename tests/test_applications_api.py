"""The applications API: the same lifecycle, visibility, workspace and rules as the pages."""

# The fixtures come from the pages' tests, so pytest sees them as redefined arguments.
# ruff: noqa: F811

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from icn.accounts.models import User
from icn.projects import selectors
from icn.projects.models import ConsortiumMember, MemberStatus, ProjectApplication
from tests.conftest import client_for
from tests.test_api import assert_error, bearer, call, get_all
from tests.test_applications import (  # noqa: F401  (the fixtures are shared)
    SEES,
    application,
    coordinator,
    funding_call,
    lead,
    make_ready,
    partner_of,
    partner_org,
    partner_user,
)

pytestmark = pytest.mark.django_db

BASE = "/projects/applications"


@pytest.mark.parametrize(("role", "sees"), SEES.items())
def test_each_role_lists_and_reads_exactly_the_applications_it_may_see(
    request, application, role, sees
):
    user = request.getfixturevalue(role)
    client = client_for(user)
    ids = {item["id"] for item in get_all(client, BASE)}
    assert ids == ({application.pk} if sees else set())
    response = call(client, "GET", f"{BASE}/{application.pk}")
    if sees:
        assert response.status_code == 200
    else:
        assert_error(response, 404)
    section = call(client, "GET", f"{BASE}/{application.pk}/sections/impact")
    assert section.status_code == (200 if sees else 404)


def test_a_visitor_lists_nothing_and_reads_nothing(application, anonymous):
    client = client_for(anonymous)
    assert get_all(client, BASE) == []
    assert_error(call(client, "GET", f"{BASE}/{application.pk}"), 404)
    assert_error(
        call(client, "POST", f"{BASE}/{application.pk}/transition", {"to": "drafting"}), 401
    )


def test_the_detail_carries_the_consortium_budget_rules_sections_and_timeline(application, member):
    body = call(client_for(member), "GET", f"{BASE}/{application.pk}").json()
    assert body["status"] == "consortium"
    assert body["call"] == "hydrogen-valleys-call"
    assert body["programme_template"] == "Horizon Europe"
    assert [m["is_coordinator"] for m in body["members"]] == [True, False]
    assert Decimal(body["budget"]["ceiling"]) == Decimal("100000")
    rules = {r["rule"]: r for r in body["rules"]}
    assert rules["min_partners"]["passed"] is True
    assert [s["key"] for s in body["sections"]] == ["excellence", "impact", "implementation"]
    assert body["events"][0]["actor"] == member.email
    assert body["next_steps"] == ["drafting", "withdrawn"]


def test_a_cluster_manager_picks_a_call_invites_drafts_submits_and_records_the_result_by_api(
    funding_call,
    lead,
    partner_org,
    partner_user,
    cluster_manager,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    headers = bearer(cluster_manager)
    client = client_for(None)
    response = call(
        client,
        "POST",
        BASE,
        {
            "call": funding_call.slug,
            "lead": lead.slug,
            "partners": [partner_org.slug],
            "title": "Hydrogen valleys",
            "acronym": "H2V",
        },
        **headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    norwegian = body["members"][1]["id"]

    # A partner from outside the network, invited at once.
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            client,
            "POST",
            f"{BASE}/{pk}/members",
            {
                "name": "Lund Hydrogen Lab",
                "kind": "research",
                "country": "SE",
                "email": "anna@lund.example",
                "invite": True,
            },
            **headers,
        )
    assert response.status_code == 201, response.content
    swedish = response.json()["id"]
    assert mailoutbox[-1].to == ["anna@lund.example"]
    # Anna has an account elsewhere on the platform, without an organisation: she accepts.
    anna = User.objects.create_user("anna@lund.example", "a-long-test-password")
    token = re.search(r"/projects/invitations/([^/\s]+)/", mailoutbox[-1].body).group(1)
    response = call(
        client, "POST", "/projects/invitations/accept", {"token": token}, **bearer(anna)
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"

    # The Norwegian partner confirms for itself.
    response = call(
        client,
        "POST",
        f"{BASE}/{pk}/members/{norwegian}/answer",
        {"accept": True},
        **bearer(partner_user),
    )
    assert response.json()["status"] == "confirmed"

    # Budgets; one that breaks the co-funding rate is refused with the rule's reason.
    for member_id, costs, requested in (
        (body["members"][0]["id"], "50000", "35000"),
        (norwegian, "30000", "21000"),
        (swedish, "40000", "28000"),
    ):
        response = call(
            client,
            "PUT",
            f"{BASE}/{pk}/members/{member_id}/budget",
            {"costs": costs, "requested": requested},
            **headers,
        )
        assert response.status_code == 200, response.content
    refused = call(
        client,
        "PUT",
        f"{BASE}/{pk}/members/{swedish}/budget",
        {"costs": "40000", "requested": "39000"},
        **headers,
    )
    detail = assert_error(refused, 422, "requested")["detail"]
    assert "Lund Hydrogen Lab asks 98 %" in detail[0]["message"]

    response = call(client, "POST", f"{BASE}/{pk}/transition", {"to": "drafting"}, **headers)
    assert response.status_code == 200
    sections = call(client, "GET", f"{BASE}/{pk}/sections", **headers).json()
    for section in sections:
        response = call(
            client,
            "PUT",
            f"{BASE}/{pk}/sections/{section['key']}",
            {"text": f"The {section['title']}.", "base_version": section["version"]},
            **headers,
        )
        assert response.status_code == 200, response.content
        assert response.json()["version"] == 1

    response = call(client, "POST", f"{BASE}/{pk}/transition", {"to": "submitted"}, **headers)
    assert response.status_code == 200, response.content
    assert response.json()["eligible"] is True
    response = call(
        client,
        "POST",
        f"{BASE}/{pk}/transition",
        {"to": "granted", "amount": "84000", "scores": {"Excellence": 4.5}},
        **headers,
    )
    body = response.json()
    assert body["status"] == "granted"
    assert Decimal(body["amount_granted"]) == Decimal("84000")
    assert body["evaluation_scores"] == {"Excellence": 4.5}
    assert [(e["to_status"], e["actor"]) for e in body["events"]][-2:] == [
        ("submitted", cluster_manager.email),
        ("granted", cluster_manager.email),
    ]


def test_forbidden_steps_and_missing_result_data_are_422_and_others_are_403(
    application, member, partner_user, partner_org, other_manager
):
    client = client_for(member)
    assert_error(
        call(client, "POST", f"{BASE}/{application.pk}/transition", {"to": "granted"}), 422
    )
    assert_error(
        call(client, "POST", f"{BASE}/{application.pk}/transition", {"to": "withdrawn"}),
        422,
        "note",
    )
    assert_error(
        call(client, "POST", f"{BASE}/{application.pk}/transition", {"to": "nowhere"}), 422
    )
    for outsider in (partner_user, other_manager):
        response = call(
            client_for(outsider), "POST", f"{BASE}/{application.pk}/transition", {"to": "drafting"}
        )
        assert_error(response, 403)
    make_ready(application, member, partner_user, partner_org)
    call(client, "POST", f"{BASE}/{application.pk}/transition", {"to": "submitted"})
    assert_error(
        call(
            client,
            "POST",
            f"{BASE}/{application.pk}/transition",
            {"to": "rejected", "scores": {"Excellence": 2}},
        ),
        422,
        "comments",
    )


def test_a_stale_section_save_is_a_409_with_the_current_text_and_nothing_is_lost(
    application, member, partner_user
):
    path = f"{BASE}/{application.pk}/sections/impact"
    mette, ola = client_for(member), client_for(partner_user)
    assert call(ola, "GET", path).json()["version"] == 0
    saved = call(mette, "PUT", path, {"text": "Three regions.", "base_version": 0})
    assert saved.status_code == 200 and saved.json()["version"] == 1
    response = call(ola, "PUT", path, {"text": "Twelve users.", "base_version": 0})
    assert response.status_code == 409
    body = response.json()
    assert body["current_text"] == "Three regions."
    assert body["current_version"] == 1
    assert body["your_text"] == "Twelve users."
    assert body["updated_by"] == member.email
    merged = call(
        ola, "PUT", path, {"text": "Three regions, twelve users.", "base_version": 1}
    ).json()
    assert merged["version"] == 2 and merged["text"] == "Three regions, twelve users."
    revisions = call(ola, "GET", path + "/revisions").json()
    assert [(r["version"], r["author"]) for r in revisions] == [
        (2, partner_user.email),
        (1, member.email),
    ]
    owned = call(mette, "PATCH", path, {"owner": partner_user.email, "status": "review"}).json()
    assert (owned["owner"], owned["status"]) == (partner_user.email, "review")


def test_tasks_and_documents_through_the_api(application, member, partner_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(member)
    response = call(
        client,
        "POST",
        f"{BASE}/{application.pk}/tasks",
        {"title": "Letters of support", "due_on": "2030-01-31", "assignee": partner_user.email},
    )
    assert response.status_code == 201, response.content
    task = response.json()
    assert task["assignee"] == partner_user.email
    done = call(
        client_for(partner_user),
        "PATCH",
        f"{BASE}/{application.pk}/tasks/{task['id']}",
        {"done": True},
    )
    assert done.json()["done"] is True
    assert_error(
        call(
            client,
            "POST",
            f"{BASE}/{application.pk}/tasks",
            {"title": "X", "assignee": "nobody@else.example"},
        ),
        422,
        "assignee",
    )
    upload = SimpleUploadedFile("declaration.pdf", b"%PDF-1.7 signed")
    response = client.post(
        f"/api/v1{BASE}/{application.pk}/documents",
        {"file": upload, "kind": "partner_declaration"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "partner_declaration"
    assert len(call(client, "GET", f"{BASE}/{application.pk}/documents").json()) == 1


def test_members_are_added_changed_and_removed_by_the_leads_side_only(
    application, member, partner_user, network
):
    client = client_for(member)
    extra = network.org("nordic-edge", "public")
    response = call(
        client,
        "POST",
        f"{BASE}/{application.pk}/members",
        {"organisation": extra.slug, "role": "Pilot"},
    )
    assert response.status_code == 201
    added = response.json()
    assert (added["organisation"], added["status"], added["external"]) == (
        extra.slug,
        "invited",
        False,
    )
    assert_error(
        call(client, "POST", f"{BASE}/{application.pk}/members", {"organisation": extra.slug}),
        422,
        "organisation",
    )
    patched = call(
        client,
        "PATCH",
        f"{BASE}/{application.pk}/members/{added['id']}",
        {"status": "confirmed", "role": "Pilot site"},
    ).json()
    assert (patched["status"], patched["role"]) == ("confirmed", "Pilot site")
    assert_error(
        call(
            client_for(partner_user),
            "DELETE",
            f"{BASE}/{application.pk}/members/{added['id']}",
        ),
        403,
    )
    assert (
        call(client, "DELETE", f"{BASE}/{application.pk}/members/{added['id']}").status_code == 204
    )
    assert not ConsortiumMember.objects.filter(pk=added["id"]).exists()


def test_invitations_are_listed_for_the_leads_side_and_sent_with_a_link(
    application, member, partner_user, partner_org, django_capture_on_commit_callbacks
):
    client = client_for(member)
    target = partner_of(application, partner_org)
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            client,
            "POST",
            f"{BASE}/{application.pk}/invitations",
            {"member": target.pk, "email": "ola@nordic.example", "message": "Join us"},
        )
    assert response.status_code == 201, response.content
    assert "/projects/invitations/" in response.json()["link"]
    listed = call(client, "GET", f"{BASE}/{application.pk}/invitations").json()
    assert [(i["email"], i["state"]) for i in listed] == [("ola@nordic.example", "pending")]
    assert (
        call(client_for(partner_user), "GET", f"{BASE}/{application.pk}/invitations").json() == []
    )
    assert_error(
        call(
            client,
            "POST",
            f"{BASE}/{application.pk}/invitations",
            {"member": target.pk, "email": "not-an-address"},
        ),
        422,
        "email",
    )


def test_creating_needs_an_open_call_and_a_lead_the_caller_acts_for(
    funding_call,
    member,
    network,
):
    client = client_for(member)
    new = {"call": funding_call.slug, "lead": "clean-private-org", "title": "Ours"}
    assert_error(call(client, "POST", BASE, {**new, "call": "no-such-call"}), 422, "call")
    assert_error(call(client, "POST", BASE, {**new, "lead": "clean-network-org"}), 403)
    assert_error(call(client, "POST", BASE, {**new, "partners": ["no-such-org"]}), 422, "partners")
    assert_error(call(client_for(None), "POST", BASE, new), 401)
    response = call(client, "POST", BASE, new)
    assert response.status_code == 201
    assert ProjectApplication.objects.get(pk=response.json()["id"]).status == "idea"


def test_a_partner_sets_its_own_budget_by_api_and_not_the_coordinators(
    application, partner_user, partner_org
):
    client = client_for(partner_user)
    own = partner_of(application, partner_org)
    ok = call(
        client,
        "PUT",
        f"{BASE}/{application.pk}/members/{own.pk}/budget",
        {"costs": "10000", "requested": "7000"},
    )
    assert ok.status_code == 200 and Decimal(ok.json()["requested"]) == 7000
    assert_error(
        call(
            client,
            "PUT",
            f"{BASE}/{application.pk}/members/{coordinator(application).pk}/budget",
            {"costs": "10", "requested": "1"},
        ),
        403,
    )
    assert selectors.budget(application).requested == Decimal("7000")
    own.refresh_from_db()
    assert own.status == MemberStatus.INVITED  # a budget is not an answer
