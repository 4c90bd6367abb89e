from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from icn.api import api

admin.site.site_header = "ICN Platform administration"
admin.site.site_title = "ICN Platform"

urlpatterns = [
    path("", include("icn.core.urls")),
    path("accounts/", include("icn.accounts.urls")),
    path("", include("icn.directory.urls")),
    path("", include("icn.opportunities.urls")),
    path("", include("icn.matching.urls")),
    path("", include("icn.projects.urls")),
    path("", include("icn.passports.urls")),
    path("", include("icn.events.urls")),
    path("", include("icn.knowledge.urls")),
    path("", include("icn.audit.urls")),
    path("", include("icn.impact.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
