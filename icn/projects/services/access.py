"""Who may write to an application, and the row lock every write takes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from icn.projects import selectors
from icn.projects.models import ApplicationEvent, ProjectApplication


def require_user(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Log in first.")


def require_manage(actor: Any, application: ProjectApplication) -> None:
    require_user(actor)
    if not selectors.can_manage(actor, application):
        raise PermissionDenied(
            "Only the lead's people, its cluster managers and the secretariat do this."
        )


def require_edit(actor: Any, application: ProjectApplication) -> None:
    require_user(actor)
    if not selectors.can_edit(actor, application):
        raise PermissionDenied("Only the consortium's people work on the application.")


def require_preparing(application: ProjectApplication, what: str) -> None:
    if not application.is_preparing():
        raise ValidationError(
            f"The application is {application.get_status_display().lower()}: {what} "
            "can no longer change."
        )


def locked(application: ProjectApplication) -> ProjectApplication:
    """The application row, locked until the transaction ends: one writer at a time."""
    return (
        ProjectApplication.objects.select_for_update(of=("self",))
        .select_related("call", "lead")
        .get(pk=application.pk)
    )


def touch(application: ProjectApplication) -> None:
    """The application changed (its consortium, budget or workspace): it moves up the list."""
    ProjectApplication.objects.filter(pk=application.pk).update(updated_at=timezone.now())


def record_event(
    application: ProjectApplication, actor: Any, from_status: str, to: str, note: str = ""
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=to,
        note=note,
    )
