"""Background work of project applications: reminders. Tasks take keys or nothing."""

from __future__ import annotations

from icn.core.tasks import retried_task
from icn.projects import services


@retried_task()
def send_reminders() -> int:
    """Deadline and task reminders that are due; each goes once. Returns how many went."""
    return services.reminders_send()
