"""Background work of the opportunities app: digests. Tasks take primary keys."""

from __future__ import annotations

from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from icn.core.tasks import retried_task
from icn.opportunities import alerts
from icn.opportunities.models import AlertSettings, DigestFrequency
from icn.opportunities.services import opportunities_close_expired


@retried_task()
def send_digest(user_id: int, force: bool = False) -> int:
    """Send the user's digest if it is due and has news; returns how many items it listed.

    The settings row is locked while the digest is built and sent, and the window moves on
    only after the e-mail went out: a task run twice, or retried after a failed send, sends
    each item at most once and loses none.
    """
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    now = timezone.now()
    with transaction.atomic():
        row, _ = AlertSettings.objects.select_for_update().get_or_create(user=user)
        if row.frequency == DigestFrequency.NEVER or not (force or alerts.is_due(row, now)):
            return 0
        digest = alerts.build_digest(user, now=now)
        if digest is not None:
            alerts.digest_message(digest).send(fail_silently=False)
        row.last_digest_at = now
        row.save(update_fields=["last_digest_at"])
    return len(digest.items) if digest else 0


@retried_task()
def send_due_digests(frequency: str) -> int:
    """Close expired items, then queue the digest of every user due at this frequency."""
    opportunities_close_expired()
    user_ids = alerts.due_user_ids(frequency=frequency)
    for user_id in user_ids:
        transaction.on_commit(partial(send_digest.enqueue, user_id))
    return len(user_ids)
