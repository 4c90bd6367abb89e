from __future__ import annotations

from django.urls import include, path

from icn.opportunities import views

app_name = "opportunities"

urlpatterns = [
    path("opportunities/", views.opportunity_list, name="list"),
    path("opportunities/new/", views.opportunity_create, name="create"),
    path("opportunities/mine/", views.own_list, name="mine"),
    path("opportunities/<slug:slug>/", views.opportunity_detail, name="detail"),
    path("opportunities/<slug:slug>/edit/", views.opportunity_edit, name="edit"),
    path("opportunities/<slug:slug>/status/", views.opportunity_status, name="status"),
    path("opportunities/<slug:slug>/follow/", views.opportunity_follow, name="follow"),
    path("opportunities/<slug:slug>/interest/", views.opportunity_interest, name="interest"),
    path("opportunities/<slug:slug>/comments/", views.opportunity_comment, name="comment"),
    path("opportunities/<slug:slug>/reshare/", views.opportunity_reshare, name="reshare"),
    path("opportunities/<slug:slug>/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "opportunities/<slug:slug>/attachments/<int:pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "opportunities/<slug:slug>/attachments/<int:pk>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("solutions/", views.solution_list, name="solution_list"),
    path("solutions/new/", views.solution_create, name="solution_create"),
    path("solutions/<slug:slug>/", views.solution_detail, name="solution_detail"),
    path("solutions/<slug:slug>/edit/", views.solution_edit, name="solution_edit"),
    path("", include("icn.opportunities.alert_urls")),
]
