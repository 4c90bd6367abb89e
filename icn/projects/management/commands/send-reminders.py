"""`icn send-reminders [--now]`: deadline and task reminders of project applications.

Run it from a scheduler (cron, a systemd timer) daily. The lead's people hear when the call of
an application not yet submitted closes within 14, 7 or 1 days; assignees hear about tasks due
tomorrow or overdue. Each reminder goes once. By default it queues a task for the worker
(`icn db_worker`); with --now it sends here, without a worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from icn.projects import services
from icn.projects.tasks import send_reminders


class Command(BaseCommand):
    help = "Queue (or, with --now, send) the application deadline and task reminders that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Send here and now instead of queueing a task."
        )

    def handle(self, *args: Any, now: bool, **options: Any) -> None:
        if now:
            sent = services.reminders_send()
            self.stdout.write(f"{sent} reminder(s) sent.")
        else:
            send_reminders.enqueue()
            self.stdout.write("Reminders queued.")
