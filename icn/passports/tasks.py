"""Background work of passports: asking visitors, months later, what came of their visit.

Tasks take keys."""

from __future__ import annotations

from icn.core.tasks import retried_task
from icn.passports import services


@retried_task()
def send_passport_follow_ups() -> int:
    """Ask every visitor whose follow-up is due what came of the visit, once."""
    return services.passport_follow_up_reminders()
