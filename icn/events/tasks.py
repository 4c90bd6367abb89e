"""Background work of events: the meeting scheduler's runs, expiring requests. Tasks take keys."""

from __future__ import annotations

from django_tasks import task

from icn.events import services


@task()
def run_schedule(run_id: int) -> str:
    """Compute one queued schedule run; returns its final status."""
    run = services.schedule_execute(run_id)
    return run.status if run is not None else "missing"


@task()
def expire_requests() -> int:
    """Meeting requests nobody answered in time expire; returns how many."""
    return services.requests_expire()
