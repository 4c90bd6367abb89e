from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from icn.directory import selectors


def home(request: HttpRequest) -> HttpResponse:
    """The role-aware home: what the viewer's scope lets it do first."""
    context = selectors.home_summary(viewer=request.user)
    return render(request, "core/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
