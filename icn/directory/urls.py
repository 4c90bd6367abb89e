from __future__ import annotations

from django.urls import path

from icn.directory import import_views, views

app_name = "directory"

urlpatterns = [
    path("clusters/", views.cluster_list, name="cluster_list"),
    path("clusters/apply/", views.cluster_apply, name="cluster_apply"),
    path("clusters/applications/", views.application_list, name="application_list"),
    path("clusters/applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("clusters/<slug:slug>/", views.cluster_detail, name="cluster_detail"),
    path("clusters/<slug:slug>/edit/", views.cluster_edit, name="cluster_edit"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/import/", import_views.organisation_import, name="organisation_import"),
    path(
        "organisations/export.<str:fmt>",
        import_views.organisation_export,
        name="organisation_export",
    ),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<slug:slug>/delete/", views.organisation_delete, name="organisation_delete"
    ),
    path("organisations/<slug:slug>/people/new/", views.person_create, name="person_create"),
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/delete/", views.person_delete, name="person_delete"),
    path("partnerships/", views.partnership_list, name="partnership_list"),
    path("partnerships/new/", views.partnership_create, name="partnership_create"),
    path("partnerships/<int:pk>/edit/", views.partnership_edit, name="partnership_edit"),
    path("topics/", views.topic_list, name="topic_list"),
]
