"""`icn send-digests [--frequency daily|weekly] [--now]`: the digests that are due.

Run it from a scheduler (cron, a systemd timer) at least daily. By default it queues one task
per user for the worker (`icn db_worker`); with --now it sends them here, without a worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from icn.opportunities import alerts
from icn.opportunities.models import DigestFrequency
from icn.opportunities.services import opportunities_close_expired
from icn.opportunities.tasks import send_digest, send_due_digests

FREQUENCIES = [DigestFrequency.DAILY.value, DigestFrequency.WEEKLY.value]


class Command(BaseCommand):
    help = "Queue (or, with --now, send) the daily and weekly opportunity digests that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--frequency",
            choices=FREQUENCIES,
            help="Only the daily or only the weekly digests (default: both).",
        )
        parser.add_argument(
            "--now", action="store_true", help="Send here and now instead of queueing tasks."
        )

    def handle(self, *args: Any, frequency: str | None, now: bool, **options: Any) -> None:
        for each in [frequency] if frequency else FREQUENCIES:
            if now:
                opportunities_close_expired()
                user_ids = alerts.due_user_ids(frequency=each)
                sent = sum(1 for user_id in user_ids if send_digest.call(user_id))
                self.stdout.write(f"{each}: {len(user_ids)} due, {sent} digest(s) sent.")
            else:
                queued = send_due_digests.call(each)
                self.stdout.write(f"{each}: {queued} digest(s) queued.")
