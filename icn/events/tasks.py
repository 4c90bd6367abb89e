"""Background work of events: the meeting scheduler's runs, expiring requests. Tasks take keys."""

from __future__ import annotations

from icn.core.tasks import retried_task
from icn.events import services


@retried_task()
def run_schedule(run_id: int) -> str:
    """Compute one queued schedule run; returns its final status."""
    run = services.schedule_execute(run_id)
    return run.status if run is not None else "missing"


@retried_task()
def expire_requests() -> int:
    """Meeting requests nobody answered in time expire; returns how many."""
    return services.requests_expire()
