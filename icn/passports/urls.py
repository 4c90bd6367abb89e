from __future__ import annotations

from django.urls import path

from icn.passports import views

app_name = "passports"

urlpatterns = [
    path("passports/", views.passport_list, name="list"),
    path("passports/apply/", views.passport_apply, name="apply"),
    path("passports/desks/", views.desk_offers, name="desks"),
    path("passports/desks/<int:pk>/", views.desk_offer_edit, name="desk_edit"),
    path("passports/desks/<int:pk>/delete/", views.desk_offer_delete, name="desk_delete"),
    path("passports/statistics/", views.statistics, name="statistics"),
    path("passports/statistics.csv", views.statistics_csv, name="statistics_csv"),
    path("passports/<int:pk>/", views.passport_detail, name="detail"),
    path("passports/<int:pk>/edit/", views.passport_edit, name="edit"),
    path("passports/<int:pk>/transition/", views.passport_transition, name="transition"),
    path("passports/<int:pk>/host/", views.passport_host, name="host"),
    path("passports/<int:pk>/introductions/", views.introduction_book, name="introduce"),
    path("passports/<int:pk>/desks/", views.desk_book, name="book"),
    path(
        "passports/<int:pk>/desks/<int:booking>/cancel/",
        views.booking_cancel,
        name="cancel_booking",
    ),
    path("passports/<int:pk>/report/", views.passport_report, name="report"),
    path("passports/<int:pk>/follow-up/", views.passport_follow_up, name="follow_up"),
]
