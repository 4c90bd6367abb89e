"""The create-and-edit page every app shares: a form, a service, errors on the fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from icn.core.forms import apply_errors


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    save: Callable[[dict[str, Any]], Any],
    success: str,
    title: str,
    back: str,
    next_url: Callable[[Any], str] | None = None,
    template: str = "form.html",
    data: Callable[[Any], dict[str, Any]] | None = None,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """A valid form goes to a service (`save`); the service's refusals land on the fields.

    `data` turns the form's cleaned data into the service's arguments (by default as is);
    after saving, the page goes to `next_url(saved)` or the saved record's own page;
    `context` is shown beside the form.
    """
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(data(form) if data else dict(form.cleaned_data))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(next_url(saved) if next_url else saved.get_absolute_url())
    return render(
        request, template, {"form": form, "title": title, "back": back, **(context or {})}
    )
