"""Tasks the reliability tests run in a real worker process (not tests themselves)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.db import transaction

from icn.core.tasks import retried_task
from icn.directory.models import Topic


@retried_task()
def write_then_wait(slug: str) -> str:
    """Write a topic in a transaction, say so in a file, then wait before committing: a worker
    killed while it waits must leave no topic behind."""
    with transaction.atomic():
        Topic.objects.get_or_create(slug=slug, defaults={"name": f"Topic {slug}"})
        flag = os.environ.get("ICN_TEST_FLAG")
        if flag:
            Path(flag).write_text("written, not committed")
        time.sleep(float(os.environ.get("ICN_TEST_WAIT", "0")))
    return slug
