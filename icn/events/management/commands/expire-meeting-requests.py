"""`icn expire-meeting-requests [--now]`: meeting requests nobody answered in time expire.

Run it daily from a scheduler, like `icn send-follow-ups`. By default it queues a task for the
worker (`icn db_worker`); with --now it runs here. Answering a request checks its expiry too,
so a late sweep never lets an expired request be accepted.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from icn.events.services import requests_expire
from icn.events.tasks import expire_requests


class Command(BaseCommand):
    help = "Queue (or, with --now, run) the expiry of unanswered meeting requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Run here and now instead of queueing a task."
        )

    def handle(self, *args: Any, now: bool, **options: Any) -> None:
        if now:
            self.stdout.write(f"{requests_expire()} meeting request(s) expired.")
        else:
            expire_requests.enqueue()
            self.stdout.write("Expiry of meeting requests queued.")
