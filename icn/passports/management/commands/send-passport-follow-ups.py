"""`icn send-passport-follow-ups [--now]`: ask visitors what came of their visit, when due.

Run it daily from a scheduler, like `icn send-follow-ups`. By default it queues a task for the
worker (`icn db_worker`); with --now it sends here. Each visitor is asked once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from icn.passports.services import passport_follow_up_reminders
from icn.passports.tasks import send_passport_follow_ups


class Command(BaseCommand):
    help = "Queue (or, with --now, send) the follow-up e-mails of passports whose follow-up is due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Send here and now instead of queueing a task."
        )

    def handle(self, *args: Any, now: bool, **options: Any) -> None:
        if now:
            self.stdout.write(f"{passport_follow_up_reminders()} follow-up e-mail(s) sent.")
        else:
            send_passport_follow_ups.enqueue()
            self.stdout.write("Follow-up e-mails queued.")
