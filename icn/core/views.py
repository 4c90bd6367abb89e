from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from icn.core.visibility import get_scope
from icn.directory import selectors
from icn.opportunities.alerts import ranked_for
from icn.opportunities.selectors import opportunity_list
from icn.passports.selectors import passport_statistics


def home(request: HttpRequest) -> HttpResponse:
    """The role-aware home: what the viewer's scope lets it do first."""
    context = selectors.home_summary(viewer=request.user)
    if get_scope(request.user).is_secretariat:
        context["passports"] = passport_statistics().total
    if request.user.is_authenticated:
        context["for_you"] = ranked_for(viewer=request.user, limit=6)
    else:
        context["latest"] = opportunity_list(viewer=request.user)[:5]
    return render(request, "core/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
