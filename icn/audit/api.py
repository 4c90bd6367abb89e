"""The audit log through the API, for the secretariat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema

from icn.api import READ_ERRORS, errors, paginated, require_user
from icn.audit.selectors import AuditFilter, audit_entries, may_read_audit

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    at: datetime
    actor: str | None
    action: str
    record: str
    record_id: str
    name: str
    changes: dict[str, Any] | None


def _entry(entry: Any) -> dict[str, Any]:
    return {
        "at": entry.timestamp,
        "actor": entry.actor.email if entry.actor else (entry.actor_email or None),
        "action": entry.get_action_display().lower(),
        "record": f"{entry.content_type.app_label}.{entry.content_type.model}",
        "record_id": entry.object_pk,
        "name": entry.object_repr,
        "changes": entry.changes,
    }


@router.get("/audit/entries", response={200: list[AuditEntryOut], **READ_ERRORS, **errors(403)})
@paginated
def entry_list(request: HttpRequest, filters: Query[AuditFilter]) -> Any:
    """Every write, newest first, with the values before and after (the secretariat only)."""
    user = require_user(request)
    if not may_read_audit(user):
        raise PermissionDenied("The secretariat reads the audit log.")
    return [_entry(e) for e in audit_entries(viewer=user, filters=filters)]
