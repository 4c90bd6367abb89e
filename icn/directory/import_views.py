"""Member import and export pages (built in the import/export slice)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def organisation_import(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def organisation_export(request: HttpRequest, fmt: str) -> HttpResponse:
    raise NotImplementedError
