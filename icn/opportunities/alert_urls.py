"""Alerts, feeds and digests (the alerts slice)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path


def _pending(request: HttpRequest, token: str = "") -> HttpResponse:
    raise NotImplementedError


urlpatterns = [
    path("alerts/unsubscribe/<str:token>/", _pending, name="unsubscribe"),
]
