"""`icn daily` runs every daily job once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from icn.core.management.commands.daily import JOBS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("now", [False, True])
def test_daily_runs_every_job(now):
    out = StringIO()
    call_command("daily", *(["--now"] if now else []), stdout=out)
    lines = out.getvalue().splitlines()
    for job in JOBS:
        assert any(line.startswith(f"{job}: ") for line in lines), job
