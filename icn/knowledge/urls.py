from __future__ import annotations

from django.urls import URLPattern, path

from icn.knowledge import views

app_name = "library"

urlpatterns: list[URLPattern] = [
    path("library/", views.search, name="search"),
    path("library/new/", views.create, name="create"),
    path("library/feed/", views.feed, name="feed"),
    path("library/collections/", views.collection_list, name="collections"),
    path("library/collections/new/", views.collection_create, name="collection_create"),
    path("library/collections/add/", views.collection_add, name="collection_add"),
    path("library/collections/<slug:slug>/", views.collection_detail, name="collection"),
    path("library/collections/<slug:slug>/edit/", views.collection_edit, name="collection_edit"),
    path(
        "library/collections/<slug:slug>/delete/", views.collection_delete, name="collection_delete"
    ),
    path("library/collections/<slug:slug>/items/", views.collection_items, name="collection_items"),
    path("library/<slug:slug>/", views.detail, name="detail"),
    path("library/<slug:slug>/edit/", views.edit, name="edit"),
    path("library/<slug:slug>/delete/", views.delete, name="delete"),
    path("library/<slug:slug>/versions/", views.version_add, name="version_add"),
    path("library/<slug:slug>/versions/<int:number>/", views.download, name="download"),
]
