"""The consortium builder on the network: its page and API per role, visibility respected
(an organisation a viewer may not see is never proposed to it), the rule check on every
proposal, the unmet rule when no consortium can be formed, and the API's shape."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from icn.accounts.models import User
from icn.core.visibility import Visibility
from icn.directory.models import Organisation, OrganisationKind
from icn.opportunities.models import Opportunity
from icn.opportunities.services import opportunity_create
from tests.conftest import Network, client_for
from tests.test_api import ROLES
from tests.test_api import call as api_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(network: Network) -> Organisation:
    """A hydrogen research lab in Stavanger, seen only inside Nordic Edge."""
    organisation = Organisation.objects.create(
        name="Stavanger hydrogen lab",
        slug="stavanger-hydrogen-lab",
        kind=OrganisationKind.RESEARCH,
        country="NO",
        visibility=Visibility.CLUSTER,
        description="Research on hydrogen fuel cells, electrolysers and hydrogen storage.",
    )
    organisation.clusters.add(network.nordic_edge)
    organisation.topics.add(network.topic)
    return organisation


def _call(network: Network, secretariat: User, slug: str, rules: dict[str, Any]) -> Opportunity:
    item = opportunity_create(
        actor=secretariat,
        kind="funding_call",
        title=f"Hydrogen call {slug}",
        summary="Consortia that demonstrate hydrogen fuel cells and refuelling.",
        funder="Nordic Energy Research",
        author_organisation=network.org("clean", "public"),
        visibility=Visibility.NETWORK,
        topics=[network.topic],
        deadline=timezone.now() + timedelta(days=60),
        eligibility=rules,
        publish=True,
    )
    item.slug = slug
    item.save(update_fields=["slug"])
    return item


@pytest.fixture
def two_countries(network: Network, secretariat: User) -> Opportunity:
    return _call(network, secretariat, "two-countries", {"min_partners": 2, "min_countries": 2})


@pytest.fixture
def needs_research(network: Network, secretariat: User, lab: Organisation) -> Opportunity:
    rules = {"min_partners": 2, "min_countries": 2, "required_kinds": {"research": 1}}
    return _call(network, secretariat, "needs-research", rules)


def _page(user: Any, call: Opportunity, **params: Any) -> Any:
    return client_for(user).get(f"/projects/calls/{call.slug}/consortium/", params)


def _propose(user: Any, body: dict[str, Any]) -> Any:
    return api_call(client_for(user), "POST", "/projects/consortia", body)


def _proposed(answer: dict[str, Any]) -> set[str]:
    return {m["slug"] for p in answer["proposals"] for m in p["members"]}


# Who may build, for whom ------------------------------------------------------------------


def test_a_visitor_is_sent_to_log_in(anonymous, two_countries):
    response = _page(anonymous, two_countries)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert _propose(anonymous, {"call": "two-countries", "lead": 1}).status_code == 401


def test_a_member_builds_for_its_own_organisation(network, member, two_countries):
    lead = network.org("clean", "private")
    response = _page(member, two_countries, lead=lead.pk, time_limit=5)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alternative 1" in body and "proven optimal in" in body
    assert "meets every rule" in body and "Needs 2 countries: you have 2" in body
    assert f'data-organisation="{lead.slug}"' in body
    assert "Start an application with this consortium" in body
    assert f"/projects/applications/new/?call=two-countries&amp;lead={lead.pk}" in body


def test_the_page_without_a_choice_shows_the_form_and_the_rules_in_words(member, two_countries):
    body = _page(member, two_countries).content.decode()
    assert "Propose consortia" in body
    assert "At least 2 partners" in body and "Partners from at least 2 countries" in body
    assert "Alternative 1" not in body


def test_a_member_cannot_build_for_someone_elses_organisation(network, member, two_countries):
    other = network.org("nordic-edge", "public")
    body = _page(member, two_countries, lead=other.pk).content.decode()
    assert "Select a valid choice" in body and "Alternative 1" not in body
    response = _propose(member, {"call": "two-countries", "lead": other.slug})
    assert response.status_code == 403


def test_a_cluster_manager_builds_for_its_clusters_members_only(
    network, cluster_manager, two_countries
):
    ours = _propose(cluster_manager, {"call": "two-countries", "lead": "clean-public-org"})
    assert ours.status_code == 200 and ours.json()["status"] == "optimal"
    theirs = _propose(cluster_manager, {"call": "two-countries", "lead": "nordic-edge-public-org"})
    assert theirs.status_code == 403


def test_the_secretariat_builds_for_any_organisation(network, secretariat, two_countries):
    response = _propose(secretariat, {"call": "two-countries", "lead": "nordic-edge-private-org"})
    assert response.status_code == 200
    assert response.json()["proposals"][0]["members"][0]["slug"] == "nordic-edge-private-org"


def test_a_partner_organisation_does_not_lead_a_consortium(network, partner, two_countries):
    body = _page(partner, two_countries).content.decode()
    assert "You have none yet" in body and "Propose consortia" not in body
    assert _propose(partner, {"call": "two-countries", "lead": "c40-cities"}).status_code == 403


def test_a_call_the_viewer_may_not_see_is_not_found(network, secretariat, member):
    hidden = _call(network, secretariat, "hidden-call", {})
    hidden.visibility = Visibility.PRIVATE
    hidden.author_organisation = network.org("nordic-edge", "private")
    hidden.save()
    assert _page(member, hidden).status_code == 404
    response = _propose(member, {"call": "hidden-call", "lead": "clean-private-org"})
    assert response.status_code == 422


# Visibility -------------------------------------------------------------------------------


def test_a_cluster_only_organisation_of_another_cluster_is_never_proposed_to_an_outsider(
    network, member, other_member, lab, needs_research
):
    body = {"call": "needs-research", "lead": "clean-private-org", "alternatives": 5}
    answer = _propose(member, body).json()
    # The only research organisation is Nordic Edge's cluster-only lab: hidden from CLEAN.
    assert answer["status"] == "infeasible" and answer["proposals"] == []
    assert answer["unmet_rule"] == "required_kinds:research"
    assert answer["missing"] == (
        "Needs 1 research organisation, but the call lets in none among the organisations "
        "you can see"
    )
    ours = {"call": "needs-research", "lead": "nordic-edge-private-org", "alternatives": 5}
    theirs = _propose(other_member, ours).json()
    assert theirs["status"] == "optimal"
    assert all(
        "stavanger-hydrogen-lab" in {m["slug"] for m in p["members"]} for p in theirs["proposals"]
    )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_leads_only_for_whom_it_acts_and_is_proposed_only_what_it_sees(
    request, network, lab, two_countries, role
):
    user = request.getfixturevalue(role)
    if role == "anonymous":
        assert _propose(user, {"call": "two-countries", "lead": 1}).status_code == 401
        return
    visible = set(Organisation.objects.visible_to(user).values_list("slug", flat=True))
    for organisation in Organisation.objects.exclude(kind=OrganisationKind.PARTNER):
        body = {"call": "two-countries", "lead": organisation.slug, "alternatives": 5}
        response = _propose(user, body)
        if organisation.slug not in visible:
            assert response.status_code == 422, (role, organisation.slug)
            continue
        may_lead = (
            role == "secretariat"
            or (
                role in ("member", "other_member", "cluster_peer")
                and organisation.memberships.filter(user=user).exists()
            )
            or (
                role in ("cluster_manager", "other_manager")
                and organisation.clusters.filter(managers=user).exists()
            )
        )
        if not may_lead:
            assert response.status_code == 403, (role, organisation.slug)
            continue
        assert response.status_code == 200, (role, organisation.slug, response.content)
        assert _proposed(response.json()) <= visible


def test_proposals_hold_only_organisations_the_viewer_may_see(network, member, two_countries):
    body = {"call": "two-countries", "lead": "clean-private-org", "alternatives": 5, "size": 4}
    answer = _propose(member, body).json()
    visible = set(Organisation.objects.visible_to(member).values_list("slug", flat=True))
    assert answer["proposals"] and _proposed(answer) <= visible
    assert "nordic-edge-cluster-org" not in _proposed(answer)
    assert "nordic-edge-private-org" not in _proposed(answer)
    assert "c40-cities" not in _proposed(answer)


def test_the_infeasible_page_says_which_rule_and_what_is_missing(
    network, member, lab, needs_research
):
    lead = network.org("clean", "private")
    body = _page(member, needs_research, lead=lead.pk).content.decode()
    assert "No consortium can meet the call's rules" in body
    assert 'data-rule="required_kinds:research"' in body
    assert "Needs 1 research organisation, but the call lets in none" in body
    assert "Stavanger hydrogen lab" not in body


# What the builder answers -------------------------------------------------------------------


def test_must_and_must_not_partners_are_honoured_on_the_page(network, member, two_countries):
    lead = network.org("clean", "private")
    wanted = network.org("nordic-edge", "network")
    unwanted = network.org("nordic-edge", "public")
    params = {"lead": lead.pk, "must": wanted.pk, "must_not": unwanted.pk, "alternatives": 3}
    body = _page(member, two_countries, **params).content.decode()
    assert body.count(f'data-organisation="{wanted.slug}"') == body.count("Alternative ")
    assert f'data-organisation="{unwanted.slug}"' not in body
    assert "Asked for as a partner" in body


def test_a_partner_both_wanted_and_excluded_is_an_error_next_to_the_field(
    network, member, two_countries
):
    other = network.org("nordic-edge", "public")
    lead = network.org("clean", "private")
    body = _page(member, two_countries, lead=lead.pk, must=other.pk, must_not=other.pk)
    assert "Both wanted and excluded" in body.content.decode()


def test_htmx_gets_the_builder_panel_only(network, member, two_countries):
    lead = network.org("clean", "private")
    response = client_for(member).get(
        f"/projects/calls/{two_countries.slug}/consortium/",
        {"lead": lead.pk},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert 'id="consortium-builder"' in body and "<html" not in body
    assert "Alternative 1" in body


def test_the_api_answers_with_members_reasons_rules_and_the_solvers_status(
    network, member, two_countries
):
    lead = network.org("clean", "private")
    response = _propose(member, {"call": "two-countries", "lead": lead.pk, "alternatives": 2})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert set(answer) >= {
        "call",
        "lead",
        "status",
        "summary",
        "objective",
        "bound",
        "seconds",
        "time_limit",
        "size",
        "candidates",
        "considered",
        "unmet_rule",
        "missing",
        "proposals",
    }
    assert answer["status"] == "optimal" and answer["summary"].startswith("proven optimal in")
    assert answer["lead"] == lead.slug and answer["unmet_rule"] == ""
    assert len(answer["proposals"]) == 2
    first = answer["proposals"][0]
    assert first["rank"] == 1 and first["eligible"] and first["optimal"]
    assert first["objective"] == answer["objective"]
    member_out = first["members"][0]
    assert member_out["lead"] and member_out["id"] == lead.pk
    assert set(member_out) == {
        "id",
        "slug",
        "name",
        "kind",
        "country",
        "clusters",
        "lead",
        "fit",
        "reasons",
    }
    assert member_out["reasons"][0] == "Leads and coordinates the consortium"
    assert {r["rule"] for r in first["rules"]} >= {"min_partners", "min_countries", "deadline"}
    assert all(r["passed"] for r in first["rules"])
    assert first["application_url"].startswith("/projects/applications/new/?call=two-countries")
    assert [p["objective"] for p in answer["proposals"]] == sorted(
        (p["objective"] for p in answer["proposals"]), reverse=True
    )


def test_a_partner_that_fits_the_call_says_so_in_the_matching_engines_words(
    network, secretariat, two_countries
):
    answer = _propose(secretariat, {"call": "two-countries", "lead": "clean-public-org"}).json()
    reasons = [r for p in answer["proposals"] for m in p["members"] for r in m["reasons"]]
    assert any(r.startswith("Fits the call (") and "matches topics: Hydrogen" in r for r in reasons)


def test_bad_input_is_a_422_naming_the_field(network, member, two_countries):
    for body, field in (
        ({"call": "no-such-call", "lead": "clean-private-org"}, "call"),
        ({"call": "two-countries", "lead": "no-such-org"}, "lead"),
        ({"call": "two-countries", "lead": "clean-private-org", "must": [10**9]}, "must"),
        ({"call": "two-countries", "lead": "clean-private-org", "time_limit": 600}, "time_limit"),
        ({"call": "two-countries", "lead": "clean-private-org", "alternatives": 0}, "alternatives"),
    ):
        response = _propose(member, body)
        assert response.status_code == 422, (body, response.content)
        assert field in {d["field"] for d in response.json()["detail"]}


# The check endpoint -------------------------------------------------------------------------


def test_the_check_endpoint_reports_every_rule_for_a_given_consortium(
    network, member, two_countries
):
    body = {
        "call": "two-countries",
        "organisations": ["clean-private-org", network.org("clean", "public").pk],
        "coordinator": "clean-private-org",
    }
    response = api_call(client_for(member), "POST", "/projects/consortia/check", body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["call"] == "two-countries" and not answer["eligible"]
    assert answer["needs_partners"]
    rules = {r["rule"]: r for r in answer["rules"]}
    assert rules["min_partners"]["passed"]
    assert not rules["min_countries"]["passed"]
    assert rules["min_countries"]["reason"] == "Needs 2 countries: you have 1"
    assert rules["min_countries"]["suggestion"] == "members of Nordic Edge would complete it"


def test_the_check_endpoint_refuses_organisations_the_caller_may_not_see(
    network, member, two_countries
):
    body = {"call": "two-countries", "organisations": ["nordic-edge-private-org"]}
    response = api_call(client_for(member), "POST", "/projects/consortia/check", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "organisations"
    outsider = {
        "call": "two-countries",
        "organisations": ["clean-private-org"],
        "coordinator": "clean-public-org",
    }
    response = api_call(client_for(member), "POST", "/projects/consortia/check", outsider)
    assert response.status_code == 422


def test_the_calls_page_links_to_the_builder(network, member, two_countries):
    body = client_for(member).get(two_countries.get_absolute_url()).content.decode()
    assert f"/projects/calls/{two_countries.slug}/consortium/" in body
