"""`icn send-follow-ups [--now]`: ask both sides of due matches for their follow-up feedback.

Run it daily from a scheduler, like `icn send-digests`. By default it queues a task for the
worker (`icn db_worker`); with --now it sends here. Each match is asked once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from icn.matching.services import match_follow_up_reminders
from icn.matching.tasks import send_follow_up_reminders


class Command(BaseCommand):
    help = "Queue (or, with --now, send) the follow-up e-mails of matches whose follow-up is due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Send here and now instead of queueing a task."
        )

    def handle(self, *args: Any, now: bool, **options: Any) -> None:
        if now:
            self.stdout.write(f"{match_follow_up_reminders()} follow-up e-mail(s) sent.")
        else:
            send_follow_up_reminders.enqueue()
            self.stdout.write("Follow-up e-mails queued.")
