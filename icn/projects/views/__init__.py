"""Application pages: thin adapters over selectors (reads) and services (writes)."""

from __future__ import annotations

from django.urls import URLPattern, path

from icn.projects.views.applications import (
    application_create,
    application_detail,
    application_edit,
    application_export,
    application_list,
    application_transition,
)
from icn.projects.views.partners import (
    budget_set,
    invitation_accept,
    invitation_send,
    member_add,
    member_respond,
    member_update,
)
from icn.projects.views.workspace import (
    document_delete,
    document_download,
    document_upload,
    section_edit,
    section_settings,
    sections_seed,
    task_complete,
    task_create,
)

A = "projects/applications/<int:pk>"

urlpatterns: list[URLPattern] = [
    path("projects/applications/", application_list, name="application_list"),
    path("projects/applications/new/", application_create, name="application_create"),
    path(f"{A}/", application_detail, name="application_detail"),
    path(f"{A}/edit/", application_edit, name="application_edit"),
    path(f"{A}/transition/", application_transition, name="application_transition"),
    path(f"{A}/export.docx", application_export, name="application_export"),
    path(f"{A}/members/", member_add, name="member_add"),
    path(f"{A}/members/<int:member_pk>/", member_update, name="member_update"),
    path(f"{A}/members/<int:member_pk>/answer/", member_respond, name="member_respond"),
    path(f"{A}/members/<int:member_pk>/budget/", budget_set, name="budget_set"),
    path(f"{A}/invitations/", invitation_send, name="invitation_send"),
    path(f"{A}/sections/seed/", sections_seed, name="sections_seed"),
    path(f"{A}/sections/<slug:key>/", section_edit, name="section_edit"),
    path(f"{A}/sections/<slug:key>/settings/", section_settings, name="section_settings"),
    path(f"{A}/tasks/", task_create, name="task_create"),
    path(f"{A}/tasks/<int:task_pk>/done/", task_complete, name="task_complete"),
    path(f"{A}/documents/", document_upload, name="document_upload"),
    path(f"{A}/documents/<int:document_pk>/", document_download, name="document_download"),
    path(f"{A}/documents/<int:document_pk>/delete/", document_delete, name="document_delete"),
    path("projects/invitations/<str:token>/", invitation_accept, name="invitation_accept"),
]
