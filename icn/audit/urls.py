from __future__ import annotations

from django.urls import URLPattern, path

from icn.audit import views

app_name = "audit"

urlpatterns: list[URLPattern] = [
    path("audit/", views.entry_list, name="list"),
    path("audit/people/", views.person, name="person"),
    path("audit/people/erase/", views.person_erase, name="person_erase"),
    path("audit/my-data/", views.my_data, name="my_data"),
]
