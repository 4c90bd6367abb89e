"""A person's data on request: everything the platform holds about one login, as JSON, and its
erasure, keeping what the network must keep (contributions, counts, the audit trail) in a
form that no longer names the person.

What is found is not listed by hand: every model with a foreign key to the user is read, so
a record type added later is exported (and handled on erasure) without a change here.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from icn.accounts.models import ApiToken, Invitation, Membership, User
from icn.audit.context import acting_as
from icn.core.visibility import get_scope
from icn.directory.models import Person

# Fields never exported: secrets, even hashed.
SECRET_FIELDS = {"password", "token_hash"}
# Records that exist only for the person and go with them on erasure (the rest stays,
# attributed to the erased account).
PERSONAL_ONLY: tuple[type[models.Model], ...] = (ApiToken, Membership)
ERASED_NAME = "Erased user"


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return value


def _row(instance: models.Model) -> dict[str, Any]:
    data = {}
    for model_field in instance._meta.concrete_fields:
        if model_field.name in SECRET_FIELDS:
            continue
        data[model_field.name] = _value(getattr(instance, model_field.attname))
    return data


def _user_links() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key to the user model, audit log excepted."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    links = []
    for model in apps.get_models():
        if model in (LogEntry, Session):
            continue
        for model_field in model._meta.concrete_fields:
            if model_field.is_relation and model_field.related_model is user_model:
                links.append((model, model_field.name))
    return sorted(links, key=lambda link: (link[0]._meta.label, link[1]))


def personal_data(user: User) -> dict[str, Any]:
    """Everything held about the user: the account, every record pointing to it, the directory
    entries with its address, and what the audit log says it did."""
    records: dict[str, list[dict[str, Any]]] = {}
    for model, name in _user_links():
        rows = [_row(r) for r in model._default_manager.filter(**{name: user})]
        if rows:
            records.setdefault(f"{model._meta.label} ({name})", []).extend(rows)
    people = Person.objects.filter(email__iexact=user.email).exclude(email="")
    actions = LogEntry.objects.filter(actor=user).order_by("timestamp")
    return {
        "exported_at": timezone.now().isoformat(),
        "account": _row(user),
        "records": records,
        "directory_entries": [_row(p) for p in people],
        "audit_log": [
            {
                "at": entry.timestamp.isoformat(),
                "action": entry.get_action_display(),
                "record": f"{entry.content_type.app_label}.{entry.content_type.model}",
                "object": entry.object_repr,
                "changes": entry.changes,
            }
            for entry in actions.select_related("content_type")
        ],
    }


@dataclass
class Erasure:
    """What erasing did, by record type."""

    email: str
    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)


def _scrub(value: Any, secrets: list[str], placeholder: str) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, placeholder)
        return value
    if isinstance(value, list):
        return [_scrub(v, secrets, placeholder) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, secrets, placeholder) for k, v in value.items()}
    return value


def may_erase(actor: Any) -> bool:
    return get_scope(actor).is_secretariat


def person_erase(*, actor: Any, user: User) -> Erasure:
    """Erase a person on their request (the secretariat does it).

    Deleted: logins (sessions, API tokens), memberships, invitations to the address, the
    directory entries with the address. Kept, no longer naming them: the account (so that
    what they wrote, registered for or decided stays counted and in its history) becomes
    "Erased user" with an address that is not theirs and no password; the audit log keeps
    every entry, with the address, name and network address taken out.
    """
    if not may_erase(actor):
        raise PermissionDenied("The secretariat erases personal data.")
    if user.pk == getattr(actor, "pk", None):
        raise PermissionDenied("Ask another member of the secretariat to erase your account.")
    with transaction.atomic(), acting_as(actor):
        return _erase(user)


def _erase(user: User) -> Erasure:
    old_email, old_name = user.email, user.full_name
    report = Erasure(email=old_email)
    placeholder = f"erased-{user.pk}@erased.invalid"

    def deleted(label: str, count: int) -> None:
        if count:
            report.deleted[label] = report.deleted.get(label, 0) + count

    # The records about the person go; their audit entries are rewritten below.
    about: list[models.QuerySet[Any]] = [
        *(model._default_manager.filter(user=user) for model in PERSONAL_ONLY),
        Invitation.objects.filter(email__iexact=old_email),
        Person.objects.filter(
            models.Q(user=user) | (models.Q(email__iexact=old_email) & ~models.Q(email=""))
        ),
    ]
    traces = models.Q(actor=user) | models.Q(actor_email__iexact=old_email)
    traces |= models.Q(content_type=ContentType.objects.get_for_model(User), object_pk=user.pk)
    if len(old_name) >= 3:  # other records named after them ("Comment by ...")
        traces |= models.Q(object_repr__contains=old_name)
    for queryset in about:
        kind = ContentType.objects.get_for_model(queryset.model)
        pks = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        if pks:
            traces |= models.Q(content_type=kind, object_pk__in=pks)
        deleted(queryset.model._meta.label, queryset.delete()[0])
    for session in Session.objects.filter(expire_date__gte=timezone.now()):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            deleted("sessions.Session", 1)

    # The account stays, naming nobody; its own change is audited like any other write.
    user.email = placeholder
    user.full_name = ERASED_NAME
    user.is_active = False
    user.is_staff = user.is_superuser = user.is_secretariat = False
    user.set_unusable_password()
    user.save()

    secrets = [s for s in (old_email, old_name) if s]
    mentions = LogEntry.objects.annotate(as_text=Cast("changes", models.TextField())).filter(
        as_text__icontains=old_email
    )
    entries = LogEntry.objects.filter(traces | models.Q(pk__in=mentions.values("pk")))
    count = 0
    for entry in entries:
        entry.changes = _scrub(entry.changes, secrets, placeholder)
        entry.object_repr = _scrub(entry.object_repr, secrets, ERASED_NAME)
        if entry.actor_id == user.pk:
            entry.actor_email = placeholder
        entry.remote_addr = None
        entry.save(update_fields=["changes", "object_repr", "actor_email", "remote_addr"])
        count += 1
    report.anonymised["auditlog.LogEntry"] = count
    report.anonymised["accounts.User"] = 1
    return report
