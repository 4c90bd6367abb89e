"""Background work of matchmaking: keeping the search indexes current, follow-up e-mails.

Tasks take keys."""

from __future__ import annotations

from icn.core.tasks import retried_task
from icn.matching import index, services


@retried_task()
def reindex_record(kind: str, pk: int) -> bool:
    """Store a fresh vector for one changed record; returns whether the record still exists."""
    return index.reindex_record(kind, pk)


@retried_task()
def send_follow_up_reminders() -> int:
    """Ask both sides of every match whose follow-up is due for their feedback, once."""
    return services.match_follow_up_reminders()
