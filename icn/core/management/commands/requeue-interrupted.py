"""`icn requeue-interrupted [--minutes N]`: put background task runs that a worker claimed and
never finished (the worker was killed) back in the queue. `icn daily` runs it first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from icn.core.tasks import INTERRUPTED_AFTER, requeue_interrupted


class Command(BaseCommand):
    help = "Queue again the task runs a worker started and never finished."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--minutes",
            type=int,
            default=int(INTERRUPTED_AFTER.total_seconds() // 60),
            help="A run still marked running after this many minutes was interrupted.",
        )

    def handle(self, *args: Any, minutes: int, **options: Any) -> None:
        count = requeue_interrupted(older_than=timedelta(minutes=minutes))
        self.stdout.write(f"{count} interrupted task run(s) queued again.")
