"""Curating collections on the pages: cluster managers and the secretariat create, fill, order
and delete them; nobody else can. Owners delete documents from a confirmation page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from icn.core.visibility import Visibility
from icn.directory.models import Topic, TopicKind
from icn.knowledge import services
from icn.knowledge.models import Collection, KnowledgeDocument
from tests.conftest import Network, client_for
from tests.test_library import add_document, media_fixture  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(
    network: Network, secretariat: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> list[KnowledgeDocument]:
    return [
        add_document(
            secretariat,
            title=title,
            organisation=network.org("clean", "public"),
            visibility=Visibility.PUBLIC,
            capture=django_capture_on_commit_callbacks,
        )
        for title in ("Valley governance", "Valley financing", "Valley skills")
    ]


@pytest.fixture
def collection(network: Network, cluster_manager: Any) -> Collection:
    return services.collection_create(
        actor=cluster_manager,
        title="Hydrogen valley playbooks",
        cluster=network.clean,
        visibility=Visibility.PUBLIC,
    )


def titles_in_order(html: str, titles: list[str]) -> list[str]:
    found = [t for t in titles if t in html]
    return sorted(found, key=html.index)


def test_a_cluster_manager_creates_a_collection_for_their_cluster_on_the_page(
    network: Network, cluster_manager: Any
) -> None:
    client = client_for(cluster_manager)
    listing = client.get("/library/collections/").content.decode()
    assert "New collection" in listing
    form = client.get("/library/collections/new/").content.decode()
    # Only the cluster they manage is offered, already chosen; a collection is never private.
    assert re.search(f'<option value="{network.clean.pk}" selected>CLEAN</option>', form)
    assert "Nordic Edge" not in form
    assert 'value="private"' not in form

    response = client.post(
        "/library/collections/new/",
        {
            "title": "Harbour electrification",
            "description": "What worked in three ports.",
            "cluster": network.clean.pk,
            "visibility": "network",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/library/collections/harbour-electrification/"
    collection = Collection.objects.get(slug="harbour-electrification")
    assert (collection.cluster, collection.curated_by) == (network.clean, cluster_manager)


def test_a_cluster_only_collection_without_a_cluster_is_refused_on_the_field(
    secretariat: Any,
) -> None:
    response = client_for(secretariat).post(
        "/library/collections/new/", {"title": "Internal notes", "visibility": "cluster"}
    )
    assert response.status_code == 200
    assert "A cluster-only collection needs its cluster." in response.content.decode()
    assert not Collection.objects.exists()


@pytest.mark.parametrize("role", ["member", "partner", "cluster_peer"])
def test_people_who_manage_no_cluster_cannot_create_collections(
    request: Any, role: str, network: Network
) -> None:
    client = client_for(request.getfixturevalue(role))
    assert "New collection" not in client.get("/library/collections/").content.decode()
    assert client.get("/library/collections/new/").status_code == 403
    response = client.post("/library/collections/new/", {"title": "Mine", "visibility": "network"})
    assert response.status_code == 403
    assert not Collection.objects.exists()


def test_a_curator_adds_documents_from_their_pages_then_orders_and_removes_them(
    collection: Collection, documents: list[KnowledgeDocument], cluster_manager: Any
) -> None:
    client = client_for(cluster_manager)
    names = [d.title for d in documents]
    for document in documents:
        page = client.get(document.get_absolute_url()).content.decode()
        assert "Add to a collection" in page and collection.title in page
        response = client.post(
            "/library/collections/add/",
            {"collection": collection.slug, "action": "add", "document": document.slug},
        )
        assert response["Location"] == document.get_absolute_url()
    # Once in, the collection is named on the document's page and no longer offered.
    page = client.get(documents[0].get_absolute_url()).content.decode()
    assert "Add to a collection" not in page
    assert f'In <a href="{collection.get_absolute_url()}">{collection.title}</a>' in page

    items = f"/library/collections/{collection.slug}/items/"
    client.post(items, {"action": "up", "document": documents[2].slug})
    client.post(items, {"action": "up", "document": documents[2].slug})
    client.post(items, {"action": "down", "document": documents[0].slug})
    html = client_for(None).get(collection.get_absolute_url()).content.decode()
    assert titles_in_order(html, names) == [
        "Valley skills",
        "Valley financing",
        "Valley governance",
    ]

    client.post(items, {"action": "remove", "document": documents[1].slug})
    html = client_for(None).get(collection.get_absolute_url()).content.decode()
    assert titles_in_order(html, names) == ["Valley skills", "Valley governance"]
    assert KnowledgeDocument.objects.filter(pk=documents[1].pk).exists()


def test_moving_the_first_document_up_keeps_the_order(
    collection: Collection, documents: list[KnowledgeDocument], cluster_manager: Any
) -> None:
    services.collection_set_documents(
        actor=cluster_manager, collection=collection, documents=documents
    )
    services.collection_move_document(
        actor=cluster_manager, collection=collection, document=documents[0], offset=-1
    )
    assert [i.document for i in collection.items.all()] == documents


def test_adding_a_network_document_to_a_public_collection_says_why_not(
    network: Network,
    collection: Collection,
    cluster_manager: Any,
    media: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    internal = add_document(
        cluster_manager,
        title="Members-only lessons",
        cluster=network.clean,
        visibility=Visibility.NETWORK,
        capture=django_capture_on_commit_callbacks,
    )
    response = client_for(cluster_manager).post(
        "/library/collections/add/",
        {"collection": collection.slug, "action": "add", "document": internal.slug},
        follow=True,
    )
    assert "A public collection lists public documents only: Members-only lessons." in (
        response.content.decode()
    )
    assert not collection.items.exists()


@pytest.mark.parametrize("role", ["other_manager", "member", "anonymous"])
def test_nobody_but_its_curators_changes_or_deletes_a_collection(
    request: Any, role: str, collection: Collection, documents: list[KnowledgeDocument]
) -> None:
    client = client_for(request.getfixturevalue(role))
    slug = collection.slug
    expected = {302} if role == "anonymous" else {403}  # visitors are sent to log in
    assert client.get(f"/library/collections/{slug}/edit/").status_code in expected
    assert client.post(f"/library/collections/{slug}/delete/").status_code in expected
    response = client.post(
        f"/library/collections/{slug}/items/", {"action": "add", "document": documents[0].slug}
    )
    assert response.status_code in expected
    assert "Move up" not in client.get(collection.get_absolute_url()).content.decode()
    assert Collection.objects.filter(pk=collection.pk, items__isnull=True).exists()


def test_the_secretariat_edits_and_deletes_a_clusters_collection_keeping_its_documents(
    collection: Collection, documents: list[KnowledgeDocument], secretariat: Any
) -> None:
    services.collection_set_documents(actor=secretariat, collection=collection, documents=documents)
    client = client_for(secretariat)
    response = client.post(
        f"/library/collections/{collection.slug}/edit/",
        {
            "title": "Hydrogen valley playbooks (2026)",
            "cluster": collection.cluster_id,
            "visibility": "network",
        },
    )
    assert response.status_code == 302
    collection.refresh_from_db()
    assert (collection.title, collection.visibility) == (
        "Hydrogen valley playbooks (2026)",
        "network",
    )

    confirm = client.get(f"/library/collections/{collection.slug}/delete/").content.decode()
    assert "Its documents stay in the library." in confirm
    client.post(f"/library/collections/{collection.slug}/delete/")
    assert not Collection.objects.exists()
    assert KnowledgeDocument.objects.count() == len(documents)


def test_an_owner_deletes_a_document_from_its_confirmation_page_others_cannot(
    documents: list[KnowledgeDocument], secretariat: Any, member: Any
) -> None:
    document = documents[0]
    assert client_for(member).get(f"/library/{document.slug}/delete/").status_code == 403
    assert client_for(member).post(f"/library/{document.slug}/delete/").status_code == 403

    client = client_for(secretariat)
    assert "Every version and its file go" in (
        client.get(f"/library/{document.slug}/delete/").content.decode()
    )
    response = client.post(f"/library/{document.slug}/delete/")
    assert response["Location"] == "/library/"
    assert not KnowledgeDocument.objects.filter(pk=document.pk).exists()


def test_the_edit_page_fills_in_the_suggestions_and_saving_confirms_them(
    network: Network, member: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sdg7 = Topic.objects.get(kind=TopicKind.SDG, code="SDG7")
    document = add_document(
        member,
        title="Energy access",
        name="notes.txt",
        data=f"{sdg7.name}. {sdg7.description} {sdg7.name}.".encode(),
        organisation=network.org("clean", "private"),
        capture=django_capture_on_commit_callbacks,
    )
    client = client_for(member)
    edit = f"/library/{document.slug}/edit/"
    page = client.get(edit).content.decode()
    assert "Suggested from the document's text" in page and sdg7.name in page
    assert not document.sdgs.exists()  # shown, not saved

    filled = client.get(edit, {"suggest": "1"}).content.decode()
    assert re.search(f'<option value="{sdg7.pk}" selected>', filled)
    assert not document.sdgs.exists()

    client.post(
        edit,
        {
            "title": document.title,
            "kind": "report",
            "organisation": network.org("clean", "private").pk,
            "language": "en",
            "visibility": "private",
            "sdgs": [sdg7.pk],
        },
    )
    assert list(document.sdgs.all()) == [sdg7]
