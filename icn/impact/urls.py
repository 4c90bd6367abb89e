from __future__ import annotations

from django.urls import path

from icn.impact import views

app_name = "impact"

urlpatterns = [
    path("impact/", views.home, name="home"),
    path("impact/clusters/<slug:slug>/", views.cluster, name="cluster"),
    path("impact/organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("impact/export.csv", views.export_csv, name="export_csv"),
    path("impact/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("impact/report.docx", views.yearly_report, name="report"),
]
