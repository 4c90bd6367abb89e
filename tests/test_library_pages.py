"""The library's pages, API, feed and collections, per role."""

from __future__ import annotations

from typing import Any

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from icn.core.visibility import Visibility
from icn.directory.models import Topic
from icn.knowledge import services
from icn.knowledge.models import KnowledgeDocument
from tests.conftest import Network, client_for
from tests.test_library import (  # noqa: F401  (fixtures)
    PHRASE,
    SEES,
    add_document,
    documents_of_every_visibility_fixture,
    docx_with_text,
    media_fixture,
)


@pytest.mark.parametrize("role", ["anonymous", "partner", "cluster_peer", "member"])
def test_the_search_page_shows_the_matched_passage_only_for_documents_the_viewer_may_see(
    role: str, request: Any, documents_of_every_visibility: dict[str, KnowledgeDocument]
) -> None:
    page = client_for(request.getfixturevalue(role)).get("/library/", {"q": PHRASE})
    assert page.status_code == 200
    html = page.content.decode()
    for visibility in Visibility.values:
        shown = f"Bunkering pilot ({visibility})" in html
        assert shown == (visibility in SEES[role]), visibility
    assert "The pilot of ammonia bunkering in Aarhus harbour" in html


@pytest.mark.parametrize("role", sorted(SEES))
def test_the_search_api_finds_a_phrase_in_a_body_only_for_those_allowed(
    role: str, request: Any, documents_of_every_visibility: dict[str, KnowledgeDocument]
) -> None:
    response = client_for(request.getfixturevalue(role)).get(
        "/api/v1/library/documents", {"q": PHRASE}
    )
    assert response.status_code == 200
    body = response.json()
    titles = {item["document"]["title"] for item in body["items"]}
    assert titles == {f"Bunkering pilot ({v})" for v in SEES[role]}
    assert all(any(PHRASE in p for p in item["passages"]) for item in body["items"])
    assert sum(f["count"] for f in body["facets"]["kind"]) == len(SEES[role])


def test_a_hidden_document_is_a_404_on_the_page_the_download_and_the_api(
    other_member: Any, documents_of_every_visibility: dict[str, KnowledgeDocument]
) -> None:
    slug = documents_of_every_visibility["cluster"].slug
    client = client_for(other_member)
    assert client.get(f"/library/{slug}/").status_code == 404
    assert client.get(f"/library/{slug}/versions/1/").status_code == 404
    assert client.get(f"/api/v1/library/documents/{slug}").status_code == 404


def test_the_document_page_lists_versions_downloads_and_more_like_this(
    cluster_peer: Any, documents_of_every_visibility: dict[str, KnowledgeDocument]
) -> None:
    document = documents_of_every_visibility["network"]
    client = client_for(cluster_peer)
    html = client.get(f"/library/{document.slug}/").content.decode()
    assert "Text extracted" in html
    assert "More like this" in html
    assert "Bunkering pilot (cluster)" in html  # similar, and visible to a CLEAN member
    assert "Bunkering pilot (private)" not in html
    download = client.get(f"/library/{document.slug}/versions/1/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")


def test_an_unreadable_file_shows_its_reason_on_the_document_page(
    network: Network, member: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = add_document(
        member,
        title="Scanned minutes",
        name="minutes.pdf",
        data=b"%PDF-1.7\nnothing readable here",
        organisation=network.org("clean", "private"),
        capture=django_capture_on_commit_callbacks,
    )
    html = client_for(member).get(f"/library/{document.slug}/").content.decode()
    assert "Could not be read" in html
    assert "The file could not be read" in html


def test_a_member_uploads_a_document_through_the_api_and_it_becomes_searchable(
    network: Network, member: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/library/documents",
            {
                "title": "District heating playbook",
                "kind": "best_practice",
                "organisation": network.org("clean", "private").slug,
                "visibility": "private",
                "file": SimpleUploadedFile(
                    "playbook.docx", docx_with_text("Waste heat from data centres warms homes.")
                ),
            },
        )
    assert response.status_code == 201, response.json()
    slug = response.json()["slug"]
    assert response.json()["versions"][0]["extraction_status"] == "pending"  # read after commit
    detail = client.get(f"/api/v1/library/documents/{slug}").json()
    assert detail["versions"][0]["extraction_status"] == "done"
    found = client.get("/api/v1/library/documents", {"q": "waste heat data centres"}).json()
    assert [i["document"]["title"] for i in found["items"]] == ["District heating playbook"]
    suggested = client.get(f"/api/v1/library/documents/{slug}/suggestions")
    assert suggested.json()["summary"] == "Waste heat from data centres warms homes."
    assert set(suggested.json()["sdgs"]) <= set(
        Topic.objects.filter(kind="sdg").values_list("slug", flat=True)
    )


def test_the_api_refuses_a_file_whose_content_is_not_its_type(
    network: Network, member: Any, media: Any
) -> None:
    response = client_for(member).post(
        "/api/v1/library/documents",
        {
            "title": "Budget",
            "kind": "dataset",
            "organisation": network.org("clean", "private").slug,
            "file": SimpleUploadedFile("budget.xlsx", docx_with_text("not a workbook")),
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "file"
    assert not KnowledgeDocument.objects.exists()


def test_a_member_adds_a_document_with_the_upload_form(
    network: Network, member: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/library/new/",
            {
                "title": "Heat pump guide",
                "kind": "report",
                "organisation": network.org("clean", "private").pk,
                "language": "en",
                "visibility": "private",
                "file": SimpleUploadedFile("guide.md", b"# Guide\n\nHeat pumps in old houses."),
            },
        )
    assert response.status_code == 302
    document = KnowledgeDocument.objects.get()
    assert document.versions.get().text.startswith("# Guide")


def test_the_atom_feed_lists_public_documents_only(
    documents_of_every_visibility: dict[str, KnowledgeDocument],
) -> None:
    response = client_for(None).get("/library/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert [entry.title for entry in feed.entries] == ["Bunkering pilot (public)"]


# Collections --------------------------------------------------------------------------------


def test_a_cluster_manager_curates_an_ordered_public_collection_with_a_public_page(
    network: Network,
    cluster_manager: Any,
    secretariat: Any,
    media: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first, second = (
        add_document(
            secretariat,
            title=title,
            organisation=network.org("clean", "public"),
            visibility=Visibility.PUBLIC,
            capture=django_capture_on_commit_callbacks,
        )
        for title in ("Valley governance", "Valley financing")
    )
    response = client_for(cluster_manager).post(
        "/api/v1/library/collections",
        {
            "title": "Hydrogen valley playbooks",
            "cluster": "clean",
            "visibility": "public",
            "documents": [second.slug, first.slug],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["documents"] == [second.slug, first.slug]
    html = client_for(None).get("/library/collections/hydrogen-valley-playbooks/").content.decode()
    assert html.index("Valley financing") < html.index("Valley governance")


def test_a_public_collection_cannot_list_a_network_document(
    network: Network, cluster_manager: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = add_document(
        cluster_manager,
        title="Members-only study",
        cluster=network.clean,
        visibility=Visibility.NETWORK,
        capture=django_capture_on_commit_callbacks,
    )
    collection = services.collection_create(
        actor=cluster_manager, title="Open reading", cluster=network.clean, visibility="public"
    )
    with pytest.raises(Exception, match="public documents only"):
        services.collection_set_documents(
            actor=cluster_manager, collection=collection, documents=[document]
        )


@pytest.mark.parametrize("role", ["member", "partner", "other_manager"])
def test_only_managers_of_the_cluster_and_the_secretariat_curate_its_collections(
    role: str, request: Any, network: Network
) -> None:
    response = client_for(request.getfixturevalue(role)).post(
        "/api/v1/library/collections",
        {"title": "Not mine", "cluster": "clean", "visibility": "network"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_cluster_only_collection_is_not_shown_to_visitors(
    network: Network, cluster_manager: Any
) -> None:
    services.collection_create(
        actor=cluster_manager, title="CLEAN internal", cluster=network.clean, visibility="cluster"
    )
    assert client_for(None).get("/library/collections/clean-internal/").status_code == 404
    assert (
        client_for(cluster_manager).get("/library/collections/clean-internal/").status_code == 200
    )


def test_a_document_without_an_owner_is_refused_on_the_form_not_with_a_403(cluster_manager):
    client = client_for(cluster_manager)
    response = client.post(
        "/library/new/",
        {
            "title": "Heat recovery playbook",
            "kind": "best_practice",
            "language": "en",
            "visibility": "network",
            "file": SimpleUploadedFile("playbook.md", b"# Heat\n\nWaste heat.", "text/markdown"),
        },
    )
    assert response.status_code == 200
    assert "Choose the organisation you act for or the cluster you manage." in (
        response.content.decode()
    )


def test_a_facet_link_keeps_the_words_and_the_other_facets_chosen(
    secretariat: Any, documents_of_every_visibility: dict[str, KnowledgeDocument]
) -> None:
    html = (
        client_for(secretariat)
        .get("/library/", {"q": PHRASE, "language": "en"})
        .content.decode()
        .replace("&amp;", "&")
    )
    assert f"?q={PHRASE.replace(' ', '+')}&language=en&kind=report" in html
    # The chosen facet links back to the search without it.
    assert f'href="?q={PHRASE.replace(" ", "+")}" title="Remove this filter"' in html


def test_the_search_api_pages_through_every_hit(
    secretariat: Any, documents_of_every_visibility: dict[str, KnowledgeDocument]
) -> None:
    client = client_for(secretariat)
    seen = []
    for offset in range(0, 5, 2):
        body = client.get(
            "/api/v1/library/documents", {"q": PHRASE, "limit": 2, "offset": offset}
        ).json()
        assert body["count"] == len(Visibility.values)
        seen += [item["document"]["slug"] for item in body["items"]]
    assert sorted(seen) == sorted(d.slug for d in documents_of_every_visibility.values())
    too_many = client.get("/api/v1/library/documents", {"limit": 100_000})
    assert too_many.status_code == 422
