"""`icn demo`: load the demo network and print its logins."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from icn.directory.demo import DemoSummary, load_demo
from icn.events import demo as events_demo
from icn.knowledge import demo as library_demo
from icn.opportunities.demo import load_opportunities_demo
from icn.passports import demo as passports_demo
from icn.projects import demo as projects_demo


class Command(BaseCommand):
    help = (
        "Load the demo network: the network's clusters with generated member organisations, "
        "people, partners, a cluster application and demo logins. Safe to run again: it only "
        "creates what is missing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo network although development mode (ICN_DEBUG) is off.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo logins share one known password: never on a production database by accident.
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "The demo network creates logins with a shared password, so it is loaded only "
                "in development mode (ICN_DEBUG=1). Use --force to load it anyway."
            )
        password = settings.ICN_DEMO_PASSWORD
        started = time.perf_counter()
        summary = load_demo(password=password)
        shared = load_opportunities_demo()
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(_outcome(summary, seconds)))
        if shared.opportunities or shared.solutions:
            self.stdout.write(
                f"Shared {shared.opportunities} opportunities and {shared.solutions} solutions."
            )
        # Projects, events, passports and the library build on the network and its calls.
        projects_demo.load(stdout=self.stdout)
        events_demo.load(stdout=self.stdout)
        passports_demo.load(stdout=self.stdout)
        library_demo.load(stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {password})")
        width = max(len(login.email) for login in summary.logins)
        self.stdout.write(f"  {'E-mail':<{width}}  Role")
        for login in summary.logins:
            self.stdout.write(f"  {login.email:<{width}}  {login.role}")


def _outcome(summary: DemoSummary, seconds: float) -> str:
    if not summary.created_anything:
        return f"The demo network is already loaded; nothing to create ({seconds:.1f} s)."
    counts = [
        (summary.clusters, "cluster", "clusters"),
        (summary.organisations, "organisation", "organisations"),
        (summary.people, "person", "people"),
        (summary.partnerships, "partnership", "partnerships"),
        (summary.applications, "cluster application", "cluster applications"),
        (summary.users, "user", "users"),
    ]
    created = ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts if n)
    return f"Demo network loaded in {seconds:.1f} s: created {created}."
