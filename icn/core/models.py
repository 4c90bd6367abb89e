"""Base models shared by every app."""

from __future__ import annotations

from typing import Any

from django.db import models


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
