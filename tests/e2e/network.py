"""The network the browser tests run against, prepared in the server's own database.

Run as ``python -m tests.e2e.network FACTS_FILE`` with the server's environment. It does what
``make demo`` does (migrate, the demo network, its matching vectors), adds an event open for
registration that no demo login has registered for yet, and writes what the flows need to
know (logins, names, the funding call, the event) to FACTS_FILE as JSON, so the tests name
what the demo generated instead of copying it.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import django


def _persona(email: str) -> dict[str, Any]:
    from icn.accounts.models import User

    user = User.objects.get(email=email)
    organisation = user.memberships.select_related("organisation").first()
    return {
        "email": user.email,
        "name": user.full_name,
        "organisation": organisation.organisation.name if organisation else "",
    }


def _open_event(*, organiser_email: str, host_slug: str) -> dict[str, str]:
    """A matchmaking mission in six weeks, hosted by another cluster, open to the network."""
    from django.utils import timezone

    from icn.accounts.models import User
    from icn.core.visibility import Visibility
    from icn.directory.models import Cluster
    from icn.events.models import EventKind
    from icn.events.services.programme import event_create, session_create

    organiser = User.objects.get(email=organiser_email)
    host = Cluster.objects.get(slug=host_slug)
    day = timezone.localdate() + timedelta(days=42)

    def at(hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour)))

    event = event_create(
        actor=organiser,
        host_cluster=host,
        kind=EventKind.MATCHMAKING_MISSION,
        title="Hydrogen valleys study tour",
        summary="A day with the hydrogen projects of the region: sites, talks, partners.",
        starts_at=at(9),
        ends_at=at(17),
        venue="Harbour Innovation Hub",
        city=host.city,
        country=host.country,
        visibility=Visibility.NETWORK,
        capacity=40,
        publish=True,
    )
    session = session_create(
        actor=organiser,
        event=event,
        title="Site visit: the harbour electrolyser",
        starts_at=at(10),
        ends_at=at(12),
        for_meetings=False,
        slot_minutes=None,
        location="Harbour quay 4",
    )
    return {"slug": event.slug, "title": event.title, "session": session.title}


def prepare(facts_file: Path) -> None:
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", force=True)
    call_command("reindex", changed=True)

    from icn.directory.demo.vocabulary import (
        CLEAN,
        NORDIC_EDGE,
        PARTNER_EMAIL,
        SECRETARIAT_EMAIL,
        manager_email,
        member_email,
    )
    from icn.directory.models import Cluster
    from icn.opportunities.models import Opportunity

    # The demo's own funding call of CLEAN, the one its projects demo is built on.
    call = Opportunity.objects.get(slug="clean-call-1")
    facts = {
        "password": settings.ICN_DEMO_PASSWORD,
        "personas": {
            "secretariat": _persona(SECRETARIAT_EMAIL),
            "cluster_manager": _persona(manager_email(CLEAN)),
            "member": _persona(member_email(CLEAN)),
            "partner": _persona(PARTNER_EMAIL),
        },
        "home_cluster": str(Cluster.objects.get(slug=CLEAN)),
        "host_cluster": str(Cluster.objects.get(slug=NORDIC_EDGE)),
        "call": {"slug": call.slug, "title": call.title},
        "event": _open_event(organiser_email=manager_email(NORDIC_EDGE), host_slug=NORDIC_EDGE),
    }
    facts_file.write_text(json.dumps(facts, indent=2))


if __name__ == "__main__":
    django.setup()
    prepare(Path(sys.argv[1]))
