"""What the application pages share: finding the application, running a POST action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from icn.projects import selectors
from icn.projects.models import ProjectApplication


def message_of(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You may not do this."


def visible_application(request: HttpRequest, pk: int) -> ProjectApplication:
    """The application, if the viewer may see it; otherwise as absent as a missing one."""
    application = selectors.application_for_viewer(viewer=request.user, pk=pk)
    if application is None:
        raise Http404
    return application


def act(
    request: HttpRequest, application: ProjectApplication, action: Callable[[], Any], done: str
) -> HttpResponse:
    """Run a POST action; a refusal becomes a message on the application's page."""
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, done)
    return redirect(application)


def form_errors(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
