"""Base models shared by every app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

# One rating scale for "how useful was it": matches and meetings.
RATING_CHOICES: list[tuple[int, str]] = [
    (1, "1 – not useful"),
    (2, "2"),
    (3, "3 – useful"),
    (4, "4"),
    (5, "5 – very valuable"),
]


class TimeStampedModel(models.Model):
    """A record that knows when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def assign(instance: models.Model, fields: dict[str, Any]) -> None:
    """Set the given fields on a record (a service then cleans and saves it)."""
    for name, value in fields.items():
        setattr(instance, name, value)


def delete_or_explain(instance: models.Model) -> None:
    """Delete ``instance``, or say in words which records keep it (a ValidationError).

    A record that a grant, a project or another protected link points to cannot go; the
    message names what holds it instead of a server error.
    """
    try:
        with transaction.atomic():
            instance.delete()
    except models.ProtectedError as error:
        by_kind: dict[str, list[str]] = {}
        for obj in error.protected_objects:
            by_kind.setdefault(str(obj._meta.verbose_name), []).append(str(obj))
        parts = []
        for kind, names in sorted(by_kind.items()):
            shown = ", ".join(f"“{name}”" for name in sorted(names)[:3])
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            parts.append(f"{kind} {shown}{more}")
        raise ValidationError(
            f"{instance} cannot be deleted: {'; '.join(parts)} still refer to it."
        ) from error
