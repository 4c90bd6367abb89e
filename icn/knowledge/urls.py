from __future__ import annotations

from django.urls import URLPattern, path

from icn.knowledge import views

app_name = "library"

urlpatterns: list[URLPattern] = [
    path("library/", views.search, name="search"),
    path("library/new/", views.create, name="create"),
    path("library/feed/", views.feed, name="feed"),
    path("library/collections/", views.collection_list, name="collections"),
    path("library/collections/<slug:slug>/", views.collection_detail, name="collection"),
    path("library/<slug:slug>/", views.detail, name="detail"),
    path("library/<slug:slug>/edit/", views.edit, name="edit"),
    path("library/<slug:slug>/versions/", views.version_add, name="version_add"),
    path("library/<slug:slug>/versions/<int:number>/", views.download, name="download"),
]
