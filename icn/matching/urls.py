from __future__ import annotations

from django.urls import path

from icn.matching import views

app_name = "matching"

urlpatterns = [
    path("matching/partners/", views.partner_search, name="partners"),
    path("matching/matches/", views.match_list, name="match_list"),
    path("matching/matches/new/", views.match_suggest, name="match_suggest"),
    path("matching/matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("matching/matches/<int:pk>/transition/", views.match_transition, name="transition"),
    path("matching/matches/<int:pk>/feedback/", views.match_feedback, name="feedback"),
    path("matching/funnel/", views.funnel, name="funnel"),
]
