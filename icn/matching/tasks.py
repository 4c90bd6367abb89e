"""Background work of matchmaking: keeping the search indexes current, follow-up e-mails.

Tasks take keys."""

from __future__ import annotations

from django_tasks import task

from icn.matching import index, services


@task()
def reindex_record(kind: str, pk: int) -> bool:
    """Store a fresh vector for one changed record; returns whether the record still exists."""
    return index.reindex_record(kind, pk)


@task()
def send_follow_up_reminders() -> int:
    """Ask both sides of every match whose follow-up is due for their feedback, once."""
    return services.match_follow_up_reminders()
