"""Background tasks that survive failures: retried with backoff, and run again after a worker
was killed.

Every task of the platform is idempotent (it writes in one transaction, or marks each item
done in the transaction that does it), so running it again is always safe:

- `retried_task` is `django_tasks.task` that, when the function raises, queues the same call
  again after a growing delay (30 s, 2 min, 8 min, 32 min), up to `attempts` runs in all;
  the failed run stays in the queue's history with its error.
- `requeue_interrupted` finds runs a worker claimed and never finished (the process was
  killed, the machine stopped) and puts them back in the queue; `icn daily` and the worker
  start call it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.utils import timezone
from django_tasks import TaskResultStatus, task

logger = logging.getLogger(__name__)

ATTEMPTS = 5
FIRST_DELAY = timedelta(seconds=30)
BACKOFF = 4
# A run still marked running after this long was interrupted: no task takes nearly as long
# (the meeting scheduler, the longest, stops itself after at most ten minutes).
INTERRUPTED_AFTER = timedelta(minutes=30)
ATTEMPT_ARGUMENT = "_attempt"

F = TypeVar("F", bound=Callable[..., Any])


def retry_delay(attempt: int) -> timedelta:
    """How long to wait before the run after `attempt` failed ones: 30 s, 2 min, 8 min..."""
    return FIRST_DELAY * BACKOFF ** (attempt - 1)


def retried_task(*, attempts: int = ATTEMPTS, **options: Any) -> Callable[[F], Any]:
    """A task that is queued again, later, when it raises (see the module's docstring)."""

    def decorate(func: F) -> Any:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT_ARGUMENT, 1))
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt < attempts:
                    _again(the_task, attempt, args, kwargs)
                else:
                    logger.error("%s failed %d times; not retried.", func.__qualname__, attempt)
                raise

        the_task = task(**options)(run)
        return the_task

    return decorate


def _again(the_task: Any, attempt: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    delay = retry_delay(attempt)
    later = the_task
    if the_task.get_backend().supports_defer:
        later = the_task.using(run_after=timezone.now() + delay)
    logger.warning("%s failed (attempt %d); queued again in %s.", the_task.name, attempt, delay)
    later.enqueue(*args, **{**kwargs, ATTEMPT_ARGUMENT: attempt + 1})


def requeue_interrupted(*, older_than: timedelta = INTERRUPTED_AFTER) -> int:
    """Put runs that a worker claimed and never finished back in the queue; how many."""
    from django_tasks_db.models import DBTaskResult

    stale = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - older_than
    )
    count = stale.update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning("Queued %d interrupted task run(s) again.", count)
    return count
