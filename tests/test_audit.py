"""The audit log (every write: who, when, before and after; searched by the secretariat) and a
person's data on request (exported whole; erased, keeping what must be kept without a name)."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db.models import TextField
from django.db.models.functions import Cast

from icn.accounts.models import ApiToken, Membership, User
from icn.audit import privacy
from icn.directory.models import Organisation, Person
from icn.knowledge import services as library
from icn.knowledge.models import Collection
from icn.opportunities.models import Comment, Opportunity
from tests.conftest import Network, client_for
from tests.test_api import NEW_ORG, assert_error, bearer, call

pytestmark = pytest.mark.django_db


def entries_for(instance: Any) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(instance).order_by("timestamp", "pk"))


# The log ------------------------------------------------------------------------------------


def test_a_write_on_a_page_is_logged_with_who_and_the_values_before_and_after(
    network: Network, cluster_manager: User
) -> None:
    client = client_for(cluster_manager)
    client.post(
        "/library/collections/new/",
        {"title": "Harbour electrification", "cluster": network.clean.pk, "visibility": "network"},
    )
    collection = Collection.objects.get()
    client.post(
        f"/library/collections/{collection.slug}/edit/",
        {"title": "Harbour electrification", "cluster": network.clean.pk, "visibility": "public"},
    )

    created, changed = entries_for(collection)
    assert (created.action, created.actor) == (LogEntry.Action.CREATE, cluster_manager)
    assert created.changes["title"] == ["None", "Harbour electrification"]
    assert (changed.action, changed.actor) == (LogEntry.Action.UPDATE, cluster_manager)
    assert changed.changes["visibility"] == ["network", "public"]


def test_a_write_through_the_api_with_a_token_names_the_tokens_owner(
    network: Network, cluster_manager: User
) -> None:
    response = call(client_for(None), "POST", "/organisations", NEW_ORG, **bearer(cluster_manager))
    assert response.status_code == 201, response.content
    organisation = Organisation.objects.get(name=NEW_ORG["name"])
    entries = entries_for(organisation)
    assert entries[0].action == LogEntry.Action.CREATE
    assert {entry.actor for entry in entries} == {cluster_manager}


def test_a_deletion_keeps_the_values_that_were_deleted(
    network: Network, secretariat: User, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    collection = library.collection_create(
        actor=secretariat, title="Old playbooks", visibility="network"
    )
    client_for(secretariat).post(f"/library/collections/{collection.slug}/delete/")
    deleted = LogEntry.objects.get(action=LogEntry.Action.DELETE, object_repr="Old playbooks")
    assert deleted.changes["title"] == ["Old playbooks", "None"]
    assert deleted.actor == secretariat


@pytest.fixture(name="media")
def media_fixture(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_passwords_and_token_hashes_never_reach_the_log(member: User) -> None:
    ApiToken.objects.all().delete()
    bearer(member)
    member.set_password("another-long-password")
    member.save()
    logged = " ".join(
        LogEntry.objects.annotate(t=Cast("changes", TextField())).values_list("t", flat=True)
    )
    token = ApiToken.objects.get(user=member)
    assert member.password not in logged
    assert token.token_hash not in logged


def test_the_secretariat_searches_the_log_by_who_words_record_and_write(
    network: Network, secretariat: User, cluster_manager: User, member: User
) -> None:
    library.collection_create(
        actor=cluster_manager,
        title="Hydrogen playbooks",
        cluster=network.clean,
        visibility="public",
    )
    library.collection_create(actor=secretariat, title="Heat playbooks", visibility="network")
    client = client_for(secretariat)

    by_words = client.get("/audit/", {"q": "Hydrogen playbooks"}).content.decode()
    assert "Hydrogen playbooks" in by_words and "Heat playbooks" not in by_words
    by_record = client.get("/audit/", {"record": "knowledge.collection", "action": "0"})
    assert by_record.content.decode().count('<span class="badge text-bg-success">') == 2

    api = call(client, "GET", "/audit/entries?record=knowledge.collection&limit=10")
    assert api.status_code == 200
    assert {e["name"] for e in api.json()["items"]} == {"Hydrogen playbooks", "Heat playbooks"}
    assert all(e["action"] == "create" for e in api.json()["items"])


def test_a_search_with_the_end_before_the_start_says_so(secretariat: User) -> None:
    page = client_for(secretariat).get("/audit/", {"since": "2026-05-02", "until": "2026-05-01"})
    assert "The end comes before the start." in page.content.decode()


@pytest.mark.parametrize("role", ["member", "cluster_manager", "partner"])
def test_only_the_secretariat_reads_the_audit_log(request: Any, role: str) -> None:
    client = client_for(request.getfixturevalue(role))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/people/").status_code == 403
    assert_error(call(client, "GET", "/audit/entries"), 403)


def test_visitors_are_asked_to_log_in(anonymous: Any) -> None:
    client = client_for(anonymous)
    assert client.get("/audit/")["Location"].startswith("/accounts/login/")
    assert_error(call(client, "GET", "/audit/entries"), 401)


# A person's data ---------------------------------------------------------------------------


@pytest.fixture
def mads(network: Network) -> User:
    """A member with a login, a directory entry, a token, a comment and an audited change."""
    user = User.objects.create_user("mads@aerotek.example", "a-long-test-password")
    user.full_name = "Mads Kjær"
    user.save()
    organisation = network.org("clean", "network")
    Membership.objects.create(user=user, organisation=organisation, role="admin")
    Person.objects.create(
        name="Mads Kjær", email="mads@aerotek.example", organisation=organisation, user=user
    )
    bearer(user)
    opportunity = Opportunity.objects.create(
        kind="challenge",
        status="published",
        title="Cold storage with waste heat",
        slug="cold-storage",
        author_organisation=organisation,
        cluster=network.clean,
        visibility="network",
    )
    Comment.objects.create(opportunity=opportunity, user=user, body="We did this in Aarhus.")
    return user


def test_a_person_downloads_everything_held_about_them(mads: User) -> None:
    response = client_for(mads).get("/audit/my-data/")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == "mads@aerotek.example"
    assert "password" not in data["account"]
    assert data["records"]["opportunities.Comment (user)"][0]["body"] == "We did this in Aarhus."
    assert len(data["records"]["accounts.Membership (user)"]) == 1
    assert "token_hash" not in data["records"]["accounts.ApiToken (user)"][0]
    assert [p["name"] for p in data["directory_entries"]] == ["Mads Kjær"]


def test_erasure_deletes_what_is_personal_and_keeps_contributions_without_a_name(
    mads: User, secretariat: User
) -> None:
    comment = Comment.objects.get(user=mads)

    report = privacy.person_erase(actor=secretariat, user=mads)

    mads.refresh_from_db()
    assert mads.email == f"erased-{mads.pk}@erased.invalid"
    assert (mads.full_name, mads.is_active, mads.has_usable_password()) == (
        "Erased user",
        False,
        False,
    )
    assert not Membership.objects.filter(user=mads).exists()
    assert not ApiToken.objects.filter(user=mads).exists()
    assert not Person.objects.filter(email="mads@aerotek.example").exists()
    assert Comment.objects.get(pk=comment.pk).user == mads  # kept, attributed to nobody named
    assert report.deleted["directory.Person"] == 1
    # The audit trail is whole, and names them nowhere.
    assert LogEntry.objects.filter(object_repr="Mads Kjær").count() == 0
    everything = " ".join(
        f"{e.object_repr} {e.actor_email} {json.dumps(e.changes, ensure_ascii=False)}"
        for e in LogEntry.objects.all()
    )
    assert "mads@aerotek.example" not in everything
    assert "Mads Kjær" not in everything, [
        (e.content_type.model, e.object_repr, e.changes)
        for e in LogEntry.objects.all()
        if "Mads Kjær" in f"{e.object_repr} {json.dumps(e.changes, ensure_ascii=False)}"
    ]
    assert LogEntry.objects.filter(
        content_type__model="person", action=LogEntry.Action.DELETE, actor=secretariat
    ).exists()


def test_only_the_secretariat_erases_and_never_their_own_account(
    mads: User, member: User, secretariat: User
) -> None:
    with pytest.raises(PermissionDenied):
        privacy.person_erase(actor=member, user=mads)
    with pytest.raises(PermissionDenied):
        privacy.person_erase(actor=secretariat, user=secretariat)
    assert User.objects.get(pk=mads.pk).email == "mads@aerotek.example"


def test_the_secretariat_finds_a_person_downloads_and_erases_on_the_page(
    mads: User, secretariat: User
) -> None:
    client = client_for(secretariat)
    page = client.get("/audit/people/", {"email": "MADS@aerotek.example"}).content.decode()
    assert "opportunities.Comment (user)" in page and "Erase this person" in page
    download = client.get("/audit/people/", {"email": mads.email, "download": "1"})
    assert json.loads(download.content)["account"]["email"] == mads.email

    wrong = client.post(
        "/audit/people/erase/", {"email": mads.email, "confirm": "someone@else.example"}
    )
    assert wrong.status_code == 302
    assert User.objects.get(pk=mads.pk).is_active

    done = client.post(
        "/audit/people/erase/", {"email": mads.email, "confirm": mads.email}, follow=True
    )
    assert "Erased mads@aerotek.example" in done.content.decode()
    assert not User.objects.get(pk=mads.pk).is_active


def test_the_command_exports_and_erases(mads: User, secretariat: User, tmp_path: Any) -> None:
    target = tmp_path / "mads.json"
    call_command("personal_data", "export", mads.email, output=str(target), stdout=StringIO())
    assert json.loads(target.read_text())["account"]["full_name"] == "Mads Kjær"

    out = StringIO()
    call_command("personal_data", "erase", mads.email, by=secretariat.email, yes=True, stdout=out)
    assert "Erased mads@aerotek.example" in out.getvalue()
    assert not User.objects.filter(email="mads@aerotek.example").exists()
