"""`icn daily [--now]`: every job the platform needs once a day, in one scheduler entry.

Puts interrupted background tasks back in the queue, then queues (or, with --now, runs here)
the alert digests, the match follow-up e-mails, the project reminders, the passport follow-ups
and the expiry of unanswered meeting requests. Each job remembers what it sent, so running it
twice a day sends nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

JOBS = [
    "send-digests",
    "send-follow-ups",
    "send-reminders",
    "send-passport-follow-ups",
    "expire-meeting-requests",
]


class Command(BaseCommand):
    help = "Run every daily job: digests, follow-ups, reminders, expiries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Run here and now instead of queueing tasks."
        )

    def handle(self, *args: Any, now: bool, **options: Any) -> None:
        self.stdout.write("requeue-interrupted: ", ending="")
        call_command("requeue-interrupted", stdout=self.stdout)
        for job in JOBS:
            self.stdout.write(f"{job}: ", ending="")
            call_command(job, *(["--now"] if now else []), stdout=self.stdout)
