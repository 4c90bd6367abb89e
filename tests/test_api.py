"""The REST API at /api/v1/: each role reads its scope, writes what it may, bad input is a 4xx."""

from __future__ import annotations

import json
import re
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command
from django.test import Client

from icn.accounts.models import ApiToken
from icn.accounts.services import token_create, token_revoke
from icn.directory import selectors
from icn.directory.models import Organisation, Partnership, Person, Topic
from tests.conftest import Network, client_for

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


def call(client: Client, method: str, path: str, body: Any = None, **headers: str) -> Any:
    """Send a JSON request; `body` may be raw text to send malformed JSON."""
    data = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
    return client.generic(
        method, f"/api/v1{path}", data=data, content_type="application/json", headers=headers
    )


def get_all(client: Client, path: str, **headers: str) -> list[dict[str, Any]]:
    response = call(client, "GET", f"{path}{'&' if '?' in path else '?'}limit=500", **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["items"]) == body["count"]
    return body["items"]


def bearer(user: Any, name: str = "test") -> dict[str, str]:
    _, raw = token_create(actor=user, name=name)
    return {"Authorization": f"Bearer {raw}"}


def assert_error(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["message"]
    if field is not None:
        assert field in {item["field"] for item in body["detail"]}, body
    return body


NEW_ORG = {"name": "Hydrogen Valley", "kind": "sme", "country": "DK", "clusters": ["clean"]}


# Reading: each role sees its scope --------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_exactly_the_organisations_it_may_see(request, network, role):
    user = request.getfixturevalue(role)
    slugs = {item["slug"] for item in get_all(client_for(user), "/organisations")}
    assert slugs == set(Organisation.objects.visible_to(user).values_list("slug", flat=True))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_exactly_the_people_it_may_see(request, network, role):
    user = request.getfixturevalue(role)
    ids = {item["id"] for item in get_all(client_for(user), "/people")}
    assert ids == set(selectors.person_list(viewer=user).values_list("pk", flat=True))


def test_anonymous_visitor_sees_only_public_organisations(network, anonymous):
    slugs = {item["slug"] for item in get_all(client_for(anonymous), "/organisations")}
    assert slugs == {"clean-public-org", "nordic-edge-public-org", "c40-cities"}


def test_an_organisation_carries_its_id_visibility_clusters_and_topics(network, member):
    organisation = network.org("clean", "cluster")
    response = call(client_for(member), "GET", f"/organisations/{organisation.slug}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == organisation.pk
    assert body["visibility"] == "cluster"
    assert body["clusters"] == ["clean"]
    assert body["topics"] == ["hydrogen"]
    assert {"kind", "country", "city", "website", "description", "nace_codes", "size"} <= set(body)


def test_an_organisation_the_caller_cannot_see_is_not_found_rather_than_forbidden(
    network, cluster_manager, anonymous
):
    hidden = network.org("nordic-edge", "cluster").slug
    assert_error(call(client_for(cluster_manager), "GET", f"/organisations/{hidden}"), 404)
    assert_error(call(client_for(anonymous), "GET", f"/organisations/{hidden}"), 404)
    assert_error(call(client_for(anonymous), "GET", "/organisations/no-such-org"), 404)


def test_a_person_the_caller_cannot_see_is_not_found(network, cluster_peer):
    hidden = network.people["clean"]["private"]
    assert_error(call(client_for(cluster_peer), "GET", f"/people/{hidden.pk}"), 404)


def test_list_returns_items_and_count_and_pages_with_limit_and_offset(network, secretariat):
    client = client_for(secretariat)
    first = call(client, "GET", "/organisations?limit=4").json()
    second = call(client, "GET", "/organisations?limit=4&offset=4").json()
    assert set(first) == {"items", "count"}
    assert first["count"] == second["count"] == Organisation.objects.count()
    assert len(first["items"]) == 4
    assert not {i["slug"] for i in first["items"]} & {i["slug"] for i in second["items"]}


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=-1", "limit=abc", "offset=-5", "offset=99999999999999999999999"]
)
def test_out_of_range_pagination_is_refused_with_a_422(network, anonymous, query):
    assert_error(call(client_for(anonymous), "GET", f"/organisations?{query}"), 422)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=partner", {"c40-cities"}),
        ("country=no", {"nordic-edge-public-org", "nordic-edge-network-org"}),
        ("cluster=clean", {f"clean-{v}-org" for v in ("public", "network", "cluster")}),
        ("visibility=network", {"clean-network-org", "nordic-edge-network-org"}),
        ("q=Stavanger", {"nordic-edge-public-org", "nordic-edge-network-org"}),
        ("q=hydrogen&country=DK", {f"clean-{v}-org" for v in ("public", "network", "cluster")}),
        ("topic=hydrogen&kind=partner", set()),
    ],
)
def test_organisation_list_takes_the_filters_of_the_directory_page(
    network, cluster_peer, query, expected
):
    slugs = {item["slug"] for item in get_all(client_for(cluster_peer), f"/organisations?{query}")}
    assert slugs == expected


def test_organisation_topic_filter_includes_subtopics(network, secretariat):
    parent = network.topic.parent or network.topic
    items = get_all(client_for(secretariat), f"/organisations?topic={parent.slug}")
    assert len(items) == 8


def test_an_unknown_kind_filter_is_a_422_naming_the_parameter(network, anonymous):
    assert_error(call(client_for(anonymous), "GET", "/organisations?kind=spaceship"), 422, "kind")


def test_people_list_filters_by_organisation_and_cluster(network, secretariat):
    client = client_for(secretariat)
    by_org = get_all(client, "/people?organisation=clean-network-org")
    assert [p["name"] for p in by_org] == ["CLEAN network person"]
    by_cluster = get_all(client, "/people?cluster=nordic-edge")
    assert {p["organisation"] for p in by_cluster} == {
        f"nordic-edge-{v}-org" for v in ("public", "network", "cluster", "private")
    }


# E-mail addresses ---------------------------------------------------------------------------


def test_anonymous_visitors_never_see_e_mail_addresses(network, anonymous):
    people = get_all(client_for(anonymous), "/people")
    assert people
    assert all(person["email"] is None for person in people)


def test_an_organisation_admin_sees_the_e_mail_of_its_own_people_only(network, member):
    people = {p["organisation"]: p["email"] for p in get_all(client_for(member), "/people")}
    assert people["clean-private-org"] == "private@clean.example"
    assert people["clean-public-org"] is None


def test_a_person_sees_its_own_e_mail_address(network, cluster_peer):
    own = network.people["clean"]["network"]
    own.user = cluster_peer
    own.save()
    response = call(client_for(cluster_peer), "GET", f"/people/{own.pk}")
    assert response.json()["email"] == "network@clean.example"


# Authentication -----------------------------------------------------------------------------


def test_a_personal_token_authenticates_as_its_user(network, member):
    slugs = {item["slug"] for item in get_all(Client(), "/organisations", **bearer(member))}
    assert slugs == set(Organisation.objects.visible_to(member).values_list("slug", flat=True))


def test_a_revoked_token_is_refused_with_a_401(network, member):
    token, raw = token_create(actor=member, name="old")
    token_revoke(actor=member, token=token)
    response = call(Client(), "GET", "/organisations", Authorization=f"Bearer {raw}")
    assert_error(response, 401)


@pytest.mark.parametrize("header", ["Bearer icn_bogus", "Bearer ", "Basic dXNlcjpwYXNz", "icn_x"])
def test_a_bogus_authorization_header_is_refused_with_a_401(network, header):
    assert_error(call(Client(), "GET", "/organisations", Authorization=header), 401)


def test_a_session_write_without_the_csrf_token_is_refused(network, secretariat):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat, backend="django.contrib.auth.backends.ModelBackend")
    response = call(client, "POST", "/organisations", NEW_ORG)
    assert response.status_code in (401, 403)
    assert response.json()["message"]
    assert not Organisation.objects.filter(name="Hydrogen Valley").exists()


def test_a_session_write_with_the_csrf_token_is_accepted(network, secretariat):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat, backend="django.contrib.auth.backends.ModelBackend")
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = call(client, "POST", "/organisations", NEW_ORG, **{"X-CSRFToken": secret})
    assert response.status_code == 201, response.content


def test_a_token_write_needs_no_csrf_token(network, secretariat):
    client = Client(enforce_csrf_checks=True)
    response = call(client, "POST", "/organisations", NEW_ORG, **bearer(secretariat))
    assert response.status_code == 201


# Writing organisations ----------------------------------------------------------------------


def test_a_cluster_manager_creates_an_organisation_in_its_own_cluster(network, cluster_manager):
    response = call(client_for(cluster_manager), "POST", "/organisations", NEW_ORG)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["clusters"] == ["clean"]
    assert body["visibility"] == "network"
    assert Organisation.objects.get(pk=body["id"]).slug == body["slug"]


def test_a_cluster_manager_cannot_create_an_organisation_in_another_cluster(
    network, cluster_manager
):
    body = {**NEW_ORG, "clusters": ["nordic-edge"]}
    assert_error(call(client_for(cluster_manager), "POST", "/organisations", body), 403)
    assert not Organisation.objects.filter(name="Hydrogen Valley").exists()


def test_a_member_cannot_create_organisations(network, member):
    assert_error(call(client_for(member), "POST", "/organisations", NEW_ORG), 403)


def test_an_anonymous_write_is_a_401(network, anonymous):
    client = client_for(anonymous)
    assert_error(call(client, "POST", "/organisations", NEW_ORG), 401)
    assert_error(call(client, "PATCH", "/organisations/clean-public-org", {"city": "X"}), 401)
    assert_error(call(client, "DELETE", "/organisations/clean-public-org"), 401)


def test_the_secretariat_creates_an_organisation_with_topics_and_sectors(network, secretariat):
    body = {**NEW_ORG, "clusters": ["nordic-edge"], "topics": ["hydrogen"], "nace_codes": ["35.11"]}
    response = call(client_for(secretariat), "POST", "/organisations", body)
    assert response.status_code == 201, response.content
    assert response.json()["topics"] == ["hydrogen"]
    assert response.json()["nace_codes"] == ["35.11"]


def test_a_member_admin_edits_its_own_organisation(network, member):
    slug = network.org("clean", "private").slug
    response = call(client_for(member), "PATCH", f"/organisations/{slug}", {"city": "Aarhus"})
    assert response.status_code == 200, response.content
    assert response.json()["city"] == "Aarhus"
    assert response.json()["visibility"] == "private"  # fields not sent stay as they were
    assert Organisation.objects.get(slug=slug).city == "Aarhus"


def test_a_member_cannot_edit_an_organisation_it_only_sees(network, member):
    response = call(client_for(member), "PATCH", "/organisations/clean-public-org", {"city": "X"})
    assert_error(response, 403)


def test_editing_an_organisation_the_caller_cannot_see_is_not_found(network, other_member):
    slug = network.org("clean", "private").slug
    assert_error(call(client_for(other_member), "PATCH", f"/organisations/{slug}", {}), 404)
    assert_error(call(client_for(other_member), "DELETE", f"/organisations/{slug}"), 404)


def test_a_cluster_manager_edits_the_clusters_shared_records(network, cluster_manager):
    response = call(
        client_for(cluster_manager),
        "PATCH",
        "/organisations/clean-network-org",
        {"topics": [], "description": "Electrolysers."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["topics"] == []
    assert response.json()["description"] == "Electrolysers."


def test_a_member_admin_deletes_its_own_organisation(network, member):
    slug = network.org("clean", "private").slug
    response = call(client_for(member), "DELETE", f"/organisations/{slug}")
    assert response.status_code == 204
    assert not Organisation.objects.filter(slug=slug).exists()


def test_a_plain_member_of_an_organisation_cannot_delete_it(network, cluster_peer):
    assert_error(call(client_for(cluster_peer), "DELETE", "/organisations/clean-network-org"), 403)


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW_ORG, "country": "XX"}, "country"),
        ({**NEW_ORG, "clusters": ["clean", "atlantis"]}, "clusters"),
        ({**NEW_ORG, "topics": ["perpetual-motion"]}, "topics"),
        ({**NEW_ORG, "kind": "spaceship"}, "kind"),
        ({**NEW_ORG, "name": 42}, "name"),
        ({**NEW_ORG, "clusters": "clean"}, "clusters"),
        ({**NEW_ORG, "nace_codes": ["99.99.99"]}, "nace_codes"),
        ({**NEW_ORG, "website": "not a url"}, "website"),
        ({**NEW_ORG, "visibility": "secret"}, "visibility"),
        ({**NEW_ORG, "size": "huge"}, "size"),
        ({**NEW_ORG, "name": "x" * 500}, "name"),
        ({**NEW_ORG, "name": "Nul\x00byte"}, "name"),
        ({"kind": "sme", "country": "DK"}, "name"),
    ],
)
def test_invalid_organisation_input_is_a_422_naming_the_field(network, secretariat, body, field):
    assert_error(call(client_for(secretariat), "POST", "/organisations", body), 422, field)


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "null", "1e999999"])
def test_a_malformed_json_body_is_a_4xx_with_a_message(network, secretariat, raw):
    response = call(client_for(secretariat), "POST", "/organisations", raw)
    assert 400 <= response.status_code < 500
    assert response.json()["message"]


@pytest.mark.parametrize(
    "body", [{"city": None}, {"kind": None}, {"nace_codes": None}, {"country": 7}]
)
def test_a_partial_update_refuses_nulls_and_wrong_types(network, member, body):
    slug = network.org("clean", "private").slug
    assert_error(call(client_for(member), "PATCH", f"/organisations/{slug}", body), 422)


@pytest.mark.parametrize(
    "path", ["/people/0", "/people/abc", "/people/99999999999999999999999", "/partnerships/-1"]
)
def test_a_bad_record_id_is_a_4xx(network, anonymous, path):
    response = call(client_for(anonymous), "GET", path)
    assert 400 <= response.status_code < 500
    assert response.json()["message"]


# People -------------------------------------------------------------------------------------


def test_a_member_admin_adds_a_person_to_its_own_organisation(network, member):
    body = {
        "name": "Ida Engineer",
        "organisation": network.org("clean", "private").slug,
        "email": "ida@example.org",
        "topics": ["hydrogen"],
        "listed": True,
    }
    response = call(client_for(member), "POST", "/people", body)
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "ida@example.org"
    assert response.json()["topics"] == ["hydrogen"]


def test_a_member_cannot_add_people_to_another_organisation(network, member):
    body = {"name": "Intruder", "organisation": "clean-public-org"}
    assert_error(call(client_for(member), "POST", "/people", body), 403)


def test_a_person_at_an_unknown_organisation_is_a_422(network, member):
    body = {"name": "Nobody", "organisation": "nordic-edge-private-org"}
    assert_error(call(client_for(member), "POST", "/people", body), 422, "organisation")


def test_only_cluster_managers_choose_key_contacts(network, member, cluster_manager):
    own = network.people["clean"]["private"]
    body = {"key_contact_for": ["clean"]}
    assert_error(call(client_for(member), "PATCH", f"/people/{own.pk}", body), 403)
    person = network.people["clean"]["network"]
    response = call(client_for(cluster_manager), "PATCH", f"/people/{person.pk}", body)
    assert response.status_code == 200, response.content
    assert response.json()["key_contact_for"] == ["clean"]


def test_a_member_admin_edits_and_removes_its_own_people(network, member):
    person = network.people["clean"]["private"]
    client = client_for(member)
    response = call(client, "PATCH", f"/people/{person.pk}", {"job_title": "CTO"})
    assert response.json()["job_title"] == "CTO"
    assert_error(call(client, "PATCH", f"/people/{person.pk}", {"email": "nope"}), 422, "email")
    assert call(client, "DELETE", f"/people/{person.pk}").status_code == 204
    assert not Person.objects.filter(pk=person.pk).exists()


# Clusters and topics ------------------------------------------------------------------------


def test_clusters_are_public_with_their_focus_topics(network, anonymous):
    network.clean.focus_topics.add(network.topic)
    clusters = {c["slug"]: c for c in get_all(client_for(anonymous), "/clusters")}
    assert set(clusters) == {"clean", "nordic-edge"}
    assert clusters["clean"]["focus_topics"] == ["hydrogen"]
    assert call(client_for(anonymous), "GET", "/clusters/clean").json()["city"] == "Copenhagen"


def test_a_cluster_manager_edits_its_own_cluster_but_not_another(
    network, cluster_manager, other_manager
):
    body = {"description": "Copenhagen's cleantech cluster.", "focus_topics": ["hydrogen"]}
    response = call(client_for(cluster_manager), "PATCH", "/clusters/clean", body)
    assert response.status_code == 200, response.content
    assert response.json()["focus_topics"] == ["hydrogen"]
    assert_error(call(client_for(other_manager), "PATCH", "/clusters/clean", body), 403)


def test_only_the_secretariat_changes_a_clusters_status(network, cluster_manager, secretariat):
    body = {"status": "former"}
    assert_error(call(client_for(cluster_manager), "PATCH", "/clusters/clean", body), 403)
    response = call(client_for(secretariat), "PATCH", "/clusters/clean", body)
    assert response.json()["status"] == "former"


def test_cluster_coordinates_must_be_on_the_globe(network, secretariat):
    response = call(client_for(secretariat), "PATCH", "/clusters/clean", {"latitude": 123})
    assert_error(response, 422, "latitude")


def test_topics_list_the_whole_taxonomy_with_parents(network, anonymous):
    topics = get_all(client_for(anonymous), "/topics")
    assert len(topics) == Topic.objects.count()
    by_slug = {t["slug"]: t for t in topics}
    hydrogen = Topic.objects.get(slug="hydrogen")
    assert by_slug["hydrogen"]["parent"] == (hydrogen.parent.slug if hydrogen.parent else None)


def test_the_secretariat_adds_a_topic_under_a_parent(network, secretariat, cluster_manager):
    body = {"name": "Green ammonia", "parent": "hydrogen"}
    assert_error(call(client_for(cluster_manager), "POST", "/topics", body), 403)
    response = call(client_for(secretariat), "POST", "/topics", body)
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "green-ammonia"
    assert response.json()["parent"] == "hydrogen"
    assert call(client_for(None), "GET", "/topics/green-ammonia").status_code == 200


# Partnerships -------------------------------------------------------------------------------


def _partnership(network: Network, visibility: str) -> Partnership:
    partnership = Partnership.objects.create(
        partner=network.partner_org,
        title="Cities and clusters",
        scope="Pilots of cleantech in cities.",
        starts_on=date(2024, 1, 1),
        visibility=visibility,
    )
    partnership.clusters.add(network.clean)
    return partnership


def test_a_network_partnership_is_hidden_from_anonymous_visitors(network, anonymous, partner):
    partnership = _partnership(network, "network")
    assert get_all(client_for(anonymous), "/partnerships") == []
    assert_error(call(client_for(anonymous), "GET", f"/partnerships/{partnership.pk}"), 404)
    listed = get_all(client_for(partner), "/partnerships")
    assert listed[0]["id"] == partnership.pk
    assert listed[0]["partner"] == "c40-cities"
    assert listed[0]["clusters"] == ["clean"]
    assert listed[0]["visibility"] == "network"


def test_the_secretariat_creates_edits_and_ends_a_partnership(network, secretariat):
    client = client_for(secretariat)
    body = {
        "title": "C40 and ICN",
        "scope": "Joint city pilots.",
        "partner": "c40-cities",
        "starts_on": "2025-01-01",
        "clusters": ["clean", "nordic-edge"],
    }
    response = call(client, "POST", "/partnerships", body)
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = call(client, "PATCH", f"/partnerships/{pk}", {"ends_on": "2027-12-31"})
    assert response.json()["ends_on"] == "2027-12-31"
    bad_dates = {"ends_on": "2020-01-01"}
    assert_error(call(client, "PATCH", f"/partnerships/{pk}", bad_dates), 422, "ends_on")
    assert call(client, "DELETE", f"/partnerships/{pk}").status_code == 204


def test_a_partnership_needs_a_partner_organisation(network, secretariat):
    body = {
        "title": "Not a partner",
        "scope": "-",
        "partner": "clean-public-org",
        "starts_on": "2025-01-01",
    }
    assert_error(call(client_for(secretariat), "POST", "/partnerships", body), 422, "partner")


def test_a_cluster_manager_cannot_create_partnerships(network, cluster_manager):
    body = {"title": "T", "scope": "S", "partner": "c40-cities", "starts_on": "2025-01-01"}
    assert_error(call(client_for(cluster_manager), "POST", "/partnerships", body), 403)


# The caller's account and tokens ------------------------------------------------------------


def test_me_describes_the_caller_and_its_roles(network, member, cluster_manager):
    body = call(client_for(member), "GET", "/me").json()
    assert body["email"] == member.email
    assert body["roles"] == ["member"]
    assert body["organisations"] == [
        {"slug": "clean-private-org", "name": "CLEAN private org", "role": "admin"}
    ]
    assert call(client_for(cluster_manager), "GET", "/me").json()["managed_clusters"] == ["clean"]


def test_me_is_a_401_for_anonymous_visitors(network, anonymous):
    assert_error(call(client_for(anonymous), "GET", "/me"), 401)
    assert_error(call(client_for(anonymous), "GET", "/me/tokens"), 401)


def test_a_user_creates_lists_and_revokes_its_tokens(network, member):
    client = client_for(member)
    created = call(client, "POST", "/me/tokens", {"name": "CRM sync"})
    assert created.status_code == 201, created.content
    raw = created.json()["token"]
    assert call(Client(), "GET", "/me", Authorization=f"Bearer {raw}").status_code == 200

    listed = get_all(client, "/me/tokens")
    assert [t["name"] for t in listed] == ["CRM sync"]
    assert raw not in json.dumps(listed)
    assert "token" not in listed[0]

    revoked = call(client, "DELETE", f"/me/tokens/{listed[0]['id']}")
    assert revoked.json()["is_active"] is False
    assert_error(call(Client(), "GET", "/me", Authorization=f"Bearer {raw}"), 401)


def test_a_user_cannot_revoke_someone_elses_token(network, member, other_member):
    token, _ = token_create(actor=other_member, name="theirs")
    assert_error(call(client_for(member), "DELETE", f"/me/tokens/{token.pk}"), 404)
    token.refresh_from_db()
    assert token.is_active


# Schema, docs and the command line ----------------------------------------------------------


def test_the_openapi_schema_is_valid_json_with_the_api_paths(network):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/organisations",
        "/api/v1/organisations/{slug}",
        "/api/v1/people/{person_id}",
        "/api/v1/clusters",
        "/api/v1/topics",
        "/api/v1/partnerships",
        "/api/v1/me",
        "/api/v1/me/tokens/{token_id}",
    ):
        assert path in paths


def test_the_api_docs_render_from_local_files_without_any_external_host(network):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn." not in html
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html), (
        "The docs page loads files from another host: ninja serves its own copy of Swagger UI "
        "only when 'ninja' is in INSTALLED_APPS."
    )
    assert '"validatorUrl": null' in html  # else Swagger UI asks swagger.io about the schema
    assets = re.findall(r"""(?:src|href)=["']/static/([^"']+)["']""", html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert finders.find(asset), f"{asset} is not among the static files"


def test_icn_token_prints_a_working_token_as_its_last_line(network, member):
    out = StringIO()
    call_command("token", member.email.upper(), "--name", "backup script", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    assert ApiToken.authenticate(raw) == member
    assert ApiToken.objects.get(user=member).name == "backup script"
    assert call(Client(), "GET", "/me", Authorization=f"Bearer {raw}").json()["email"] == (
        member.email
    )


def test_icn_token_refuses_an_unknown_e_mail_address(network):
    with pytest.raises(CommandError, match="No user"):
        call_command("token", "nobody@example.org", stdout=StringIO())
