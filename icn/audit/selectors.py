"""Reading the audit log: the secretariat's search over every recorded write."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from ninja import Schema

from icn.core.visibility import get_scope


class AuditFilter(Schema):
    """What the secretariat searches the audit log by (the page and the API share it)."""

    q: str | None = None  # in the record's name or in the values before and after
    actor: str | None = None  # the e-mail address of who wrote
    record: str | None = None  # app_label.model
    action: int | None = None  # 0 created, 1 changed, 2 deleted
    since: date | None = None
    until: date | None = None

    def apply(self, queryset: QuerySet[LogEntry]) -> QuerySet[LogEntry]:
        if self.q:
            queryset = queryset.annotate(as_text=Cast("changes", TextField())).filter(
                Q(object_repr__icontains=self.q) | Q(as_text__icontains=self.q)
            )
        if self.actor:
            queryset = queryset.filter(
                Q(actor__email__icontains=self.actor) | Q(actor_email__icontains=self.actor)
            )
        if self.record and "." in self.record:
            app_label, model = self.record.split(".", 1)
            queryset = queryset.filter(content_type__app_label=app_label, content_type__model=model)
        if self.action is not None:
            queryset = queryset.filter(action=self.action)
        zone = timezone.get_current_timezone()
        if self.since:
            queryset = queryset.filter(
                timestamp__gte=datetime.combine(self.since, time.min, tzinfo=zone)
            )
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=zone)
            queryset = queryset.filter(timestamp__lt=end)
        return queryset


def may_read_audit(viewer: Any) -> bool:
    return get_scope(viewer).is_secretariat


def audit_entries(*, viewer: Any, filters: AuditFilter) -> QuerySet[LogEntry]:
    """Entries newest first; nothing for anyone but the secretariat."""
    if not may_read_audit(viewer):
        return LogEntry.objects.none()
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    return filters.apply(entries)


def record_types() -> list[tuple[str, str]]:
    """The kinds of record the log holds, as (app_label.model, readable name)."""
    used = LogEntry.objects.values_list("content_type", flat=True).distinct()
    kinds = ContentType.objects.filter(pk__in=used)
    return sorted(
        (f"{kind.app_label}.{kind.model}", f"{kind.app_label}: {kind.name}") for kind in kinds
    )


def changes_of(entry: LogEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for each value the write changed."""
    rows = []
    for name, values in (entry.changes or {}).items():
        if isinstance(values, list) and len(values) == 2:
            rows.append((name, values[0], values[1]))
        else:  # many-to-many changes: {"type": "add", "objects": [...]}
            rows.append((name, None, values))
    return rows
