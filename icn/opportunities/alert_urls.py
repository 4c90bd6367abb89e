"""Alerts, feeds and digests: settings, saved searches, "not relevant", unsubscribe, feeds."""

from __future__ import annotations

from django.urls import path

from icn.opportunities import alert_views as views

urlpatterns = [
    path("alerts/", views.alert_settings, name="alerts"),
    path("alerts/searches/new/", views.saved_search_create, name="saved_search_create"),
    path("alerts/searches/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("alerts/not-relevant/<slug:slug>/", views.not_relevant, name="not_relevant"),
    path("alerts/feedback/<str:token>/", views.not_relevant_link, name="not_relevant_link"),
    # services.unsubscribe_url reverses this name; the e-mail's List-Unsubscribe points here.
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("feeds/opportunities.atom", views.feed, name="feed"),
    path("feeds/kind/<str:kind>.atom", views.kind_feed, name="kind_feed"),
    path("feeds/topic/<slug:slug>.atom", views.topic_feed, name="topic_feed"),
    path("feeds/cluster/<slug:slug>.atom", views.cluster_feed, name="cluster_feed"),
    path("feeds/deadlines.ics", views.deadlines, name="deadlines"),
    path("feeds/private/<str:token>/opportunities.atom", views.private_feed, name="private_feed"),
    path(
        "feeds/private/<str:token>/deadlines.ics",
        views.private_deadlines,
        name="private_deadlines",
    ),
]
