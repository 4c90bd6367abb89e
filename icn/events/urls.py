from __future__ import annotations

from django.urls import path

from icn.events import organiser_views, views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/new/", organiser_views.event_create, name="create"),
    path("events/<slug:slug>/", views.event_detail, name="detail"),
    path("events/<slug:slug>/calendar.ics", views.event_ics, name="event_ics"),
    path("events/<slug:slug>/register/", views.event_register, name="register"),
    path("events/<slug:slug>/profile/", views.registration_profile, name="profile"),
    path("events/<slug:slug>/cancel/", views.registration_cancel, name="cancel"),
    path("events/<slug:slug>/participants/", views.participant_list, name="participants"),
    path("events/<slug:slug>/requests/", views.request_list, name="requests"),
    path("events/<slug:slug>/requests/new/", views.request_create, name="request_create"),
    path(
        "events/<slug:slug>/requests/<int:pk>/<str:action>/",
        views.request_action,
        name="request_action",
    ),
    path("events/<slug:slug>/agenda/", views.agenda, name="agenda"),
    path("events/<slug:slug>/agenda.ics", views.agenda_ics, name="agenda_ics"),
    path("events/<slug:slug>/meetings/<int:pk>/rate/", views.meeting_rate, name="rate"),
    # The organisers' pages.
    path("events/<slug:slug>/edit/", organiser_views.event_edit, name="edit"),
    path("events/<slug:slug>/status/", organiser_views.event_status, name="status"),
    path("events/<slug:slug>/manage/", organiser_views.manage, name="manage"),
    path("events/<slug:slug>/manage/sessions/", organiser_views.sessions, name="sessions"),
    path(
        "events/<slug:slug>/manage/sessions/<int:pk>/delete/",
        organiser_views.session_delete,
        name="session_delete",
    ),
    path(
        "events/<slug:slug>/manage/requests/",
        organiser_views.manage_requests,
        name="manage_requests",
    ),
    path("events/<slug:slug>/manage/schedule/", organiser_views.schedule, name="schedule"),
    path(
        "events/<slug:slug>/manage/schedule/place/",
        organiser_views.meeting_place,
        name="meeting_place",
    ),
    path(
        "events/<slug:slug>/manage/meetings/<int:pk>/lock/",
        organiser_views.meeting_lock,
        name="meeting_lock",
    ),
]
