"""Background tasks are retried with backoff, and a worker killed in the middle of a task
leaves nothing half written: the run goes back to the queue and completes once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from icn.core.tasks import ATTEMPT_ARGUMENT, requeue_interrupted, retried_task, retry_delay

ROOT = Path(__file__).resolve().parent.parent

CALLS: list[int] = []


@retried_task(attempts=3)
def fails_twice(n: int) -> int:
    """Raises on its first two runs, then returns n."""
    CALLS.append(n)
    if len(CALLS) < 3:
        raise ConnectionError("the mail server did not answer")
    return n


@retried_task(attempts=3)
def always_fails() -> None:
    CALLS.append(0)
    raise ConnectionError("the mail server did not answer")


@pytest.fixture(autouse=True)
def _fresh_calls() -> None:
    CALLS.clear()


def test_the_delay_grows_fourfold_from_thirty_seconds() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 120, 480, 1920]


@pytest.mark.django_db
def test_a_failing_task_runs_again_until_it_succeeds() -> None:
    result = fails_twice.enqueue(7)  # the test settings run tasks at once
    assert CALLS == [7, 7, 7]
    assert result.status == TaskResultStatus.FAILED  # the first run; its retries followed


@pytest.mark.django_db
def test_a_task_that_keeps_failing_stops_after_its_attempts() -> None:
    always_fails.enqueue()
    assert len(CALLS) == 3


@pytest.fixture
def database_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# The worker closes its database connection when it is done: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_in_the_database_queue_a_failed_run_is_queued_again_later(database_queue: None) -> None:
    from django.core.management import call_command

    always_fails.enqueue()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    failed, again = DBTaskResult.objects.order_by("enqueued_at")
    assert failed.status == TaskResultStatus.FAILED
    assert again.status == TaskResultStatus.READY
    assert again.args_kwargs["kwargs"] == {ATTEMPT_ARGUMENT: 2}
    wait = again.run_after - timezone.now()
    assert timedelta(seconds=20) < wait <= timedelta(seconds=30)


@pytest.mark.django_db
def test_runs_left_running_by_a_dead_worker_are_queued_again(database_queue: None) -> None:
    interrupted = fails_twice.enqueue(1)
    fresh = fails_twice.enqueue(2)
    DBTaskResult.objects.filter(pk=interrupted.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(hours=2)
    )
    DBTaskResult.objects.filter(pk=fresh.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    assert requeue_interrupted() == 1
    assert DBTaskResult.objects.get(pk=interrupted.id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=fresh.id).status == TaskResultStatus.RUNNING


def _icn(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "icn.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_a_worker_killed_mid_task_leaves_nothing_written_and_the_task_runs_again(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "ICN_VAR_DIR": str(tmp_path),
        "ICN_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "ICN_MATCHING_EMBEDDER": "hashing",
        "ICN_DEBUG": "0",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    _icn(env, "migrate", "--noinput", "-v0")
    ask = "from tests.reliability_tasks import write_then_wait as t; t.enqueue('killed-mid-task')"
    _icn(env, "shell", "-c", ask)
    count = (
        "from icn.directory.models import Topic as T; "
        "from django_tasks_db.models import DBTaskResult as R; "
        "print(T.objects.filter(slug='killed-mid-task').count(), "
        "list(R.objects.values_list('status', flat=True)))"
    )

    flag = tmp_path / "flag"
    slow = {**env, "ICN_TEST_FLAG": str(flag), "ICN_TEST_WAIT": "120"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "icn.cli", "db_worker", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=slow,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not flag.exists():
            assert worker.poll() is None, "the worker stopped by itself"
            assert time.monotonic() < deadline, "the worker never started the task"
            time.sleep(0.2)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()

    assert _last_line(_icn(env, "shell", "-c", count)) == "0 ['RUNNING']"

    assert "1 interrupted" in _icn(env, "requeue-interrupted", "--minutes", "0")
    _icn(env, "db_worker", "--batch", "--no-startup-delay")
    assert _last_line(_icn(env, "shell", "-c", count)) == "1 ['SUCCESSFUL']"
