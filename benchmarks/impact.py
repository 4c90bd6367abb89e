"""Speed of the impact indicators (`icn.impact.indicators.compute`) on a large network.

Builds a synthetic network in a fresh database of its own: 20 member clusters, 50,000
organisations (15% in two clusters) and five years of activity (opportunities and
re-shares, matches with their stage history, passports with their history, reports and
follow-ups, events with registrations, meetings and ratings, applications to funding calls
with their consortia, history and grants, library documents and downloads), written with
bulk_create. Then times `compute()` for every indicator, every cluster and the network over
the five years, by year and by quarter (the median of three runs each), and
`organisation_table()` for the busiest organisation, and counts their queries.

The database is a temporary SQLite file, migrated from scratch; with --database-url (a
PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres) a new database is
created on that server and dropped at the end.

Prints JSON on stdout. Run: .venv/bin/python benchmarks/impact.py [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FIRST_YEAR, LAST_YEAR = 2021, 2025
BATCH = 5000
TZ = ZoneInfo("Europe/Copenhagen")
COUNTRIES = ["DK", "NO", "SE", "FI", "DE", "NL", "FR", "ES", "IT", "PL", "AT", "BE"]
KIND_SHARES = {
    "sme": 0.50,
    "large_company": 0.10,
    "public_authority": 0.12,
    "research": 0.18,
    "funder": 0.02,
    "ngo": 0.06,
    "partner": 0.02,
}
PROGRAMMES = ["Horizon Europe", "LIFE", "Interreg", "EIC Accelerator", "Innovation Fund", ""]

# Volumes over the five years (the organisations and clusters are given on the command line).
VOLUMES = {
    "opportunities": 20_000,  # published by members and clusters, about 4,000 a year
    "imported_tenders": 5_000,  # from OCDS feeds: not counted
    "reshares": 10_000,
    "matches": 60_000,
    "passports": 2_500,
    "events": 1_500,
    "registrations_per_event": 100,
    "meetings_per_event": 30,
    "funding_calls": 200,
    "applications": 5_000,
    "documents": 5_000,
    "downloads": 250_000,
}
# Of all matches, the share that reached each stage after "suggested".
MATCH_ROAD = [
    ("introduced", 0.6),
    ("meeting_held", 0.5),
    ("in_discussion", 0.6),
    ("project_started", 0.5),
    ("agreement", 0.5),
]


def _database(url: str | None, workdir: Path) -> tuple[str, Callable[[], None]]:
    """The database to build in, and how to get rid of it."""
    if url is None:
        return f"sqlite:///{workdir / 'impact.sqlite3'}", lambda: None
    import psycopg

    parts = urlsplit(url)
    name = f"icn_impact_bench_{os.getpid()}"
    server = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


@contextmanager
def _dates_as_given() -> Iterator[None]:
    """Let bulk_create keep the timestamps it is given; auto_now_add would set them all to
    now. Records given no timestamp still get now."""
    from django.apps import apps
    from django.utils import timezone

    changed = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now_add", False):

                def keep(instance: Any, add: bool, field: Any = field) -> Any:
                    value = getattr(instance, field.attname)
                    if value is None:
                        value = timezone.now()
                        setattr(instance, field.attname, value)
                    return value

                field.pre_save = keep  # type: ignore[method-assign,assignment]
                changed.append(field)
    try:
        yield
    finally:
        for field in changed:
            del field.pre_save


def _when(rng: random.Random, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> dt.datetime:
    start = dt.datetime(first, 1, 1, tzinfo=TZ)
    seconds = (dt.datetime(last + 1, 1, 1, tzinfo=TZ) - start).total_seconds()
    return start + dt.timedelta(seconds=rng.random() * seconds)


def _after(rng: random.Random, moment: dt.datetime, days: int) -> dt.datetime:
    return moment + dt.timedelta(days=rng.uniform(1, days), seconds=rng.randint(0, 86_399))


def build(n_organisations: int, n_clusters: int, seed: int) -> dict[str, Any]:
    """The synthetic network; returns how long it took."""
    from icn.directory.models import Cluster, Organisation
    from icn.events.models import (
        Event,
        Meeting,
        MeetingRating,
        MeetingRequest,
        Registration,
        Session,
        Slot,
    )
    from icn.knowledge.models import DocumentDownload, KnowledgeDocument
    from icn.matching.models import MatchEvent, MatchRecord
    from icn.opportunities.models import Opportunity, Reshare
    from icn.passports.models import Passport, PassportEvent, PassportFollowUp, PassportReport
    from icn.projects.models import ApplicationEvent, ConsortiumMember, ProjectApplication

    rng = random.Random(seed)
    started = time.perf_counter()

    def save(model: Any, rows: list[Any], by: str = "") -> list[Any]:
        """Write `rows`; records dated on insertion are written in the order of that date,
        as the platform writes them."""
        if by:
            rows.sort(key=attrgetter(by))
        return model.objects.bulk_create(rows, batch_size=BATCH)

    clusters = save(
        Cluster,
        [
            Cluster(
                name=f"Cluster {i}",
                short_name=f"C{i:02d}",
                slug=f"c{i:02d}",
                country=COUNTRIES[i % len(COUNTRIES)],
                city=f"City {i}",
                status="member",
            )
            for i in range(n_clusters)
        ],
    )
    cluster_ids = [c.pk for c in clusters]
    kinds, shares = list(KIND_SHARES), list(KIND_SHARES.values())
    organisations = []
    for i in range(n_organisations):
        # Most organisations were on the platform before the five years; the rest join.
        created = _when(rng, FIRST_YEAR - 3, FIRST_YEAR - 1) if rng.random() < 0.6 else _when(rng)
        organisations.append(
            Organisation(
                name=f"Organisation {i}",
                slug=f"org-{i}",
                kind=rng.choices(kinds, shares)[0],
                country=rng.choice(COUNTRIES),
                created_at=created,
            )
        )
    org_ids = [o.pk for o in save(Organisation, organisations, by="created_at")]
    home: dict[int, list[int]] = {}
    through = Organisation.clusters.through
    memberships: list[Any] = []
    for org in org_ids:
        chosen = rng.sample(cluster_ids, k=2 if rng.random() < 0.15 else 1)
        home[org] = chosen
        memberships.extend(through(organisation_id=org, cluster_id=c) for c in chosen)
    save(through, memberships)

    opportunity_kinds = ["news", "tender", "challenge", "funding_call", "event"]
    opportunities = []
    for i in range(VOLUMES["opportunities"]):
        author = rng.choice(org_ids)
        owned = rng.random() < 0.7
        published = _when(rng)
        opportunities.append(
            Opportunity(
                slug=f"opp-{i}",
                title=f"Opportunity {i}",
                kind=rng.choices(opportunity_kinds, [0.4, 0.15, 0.2, 0.1, 0.15])[0],
                status="published",
                published_at=published,
                created_at=published,
                author_organisation_id=author,
                cluster_id=home[author][0] if owned else None,
                funder="Funder",
            )
        )
    for i in range(VOLUMES["imported_tenders"]):
        published = _when(rng)
        opportunities.append(
            Opportunity(
                slug=f"ocds-{i}",
                title=f"Tender {i}",
                kind="tender",
                status="published",
                published_at=published,
                created_at=published,
                ocid=f"ocds-{i}",
            )
        )
    calls = [
        Opportunity(
            slug=f"call-{i}",
            title=f"Call {i}",
            kind="funding_call",
            status="published",
            published_at=_when(rng),
            funder="European Commission",
            programme=rng.choice(PROGRAMMES),
            currency="EUR" if rng.random() < 0.95 else "NOK",
        )
        for i in range(VOLUMES["funding_calls"])
    ]
    opportunities = save(Opportunity, opportunities, by="created_at")
    call_ids = [c.pk for c in save(Opportunity, calls)]
    shared = [o for o in opportunities if o.author_organisation_id is not None]
    save(
        Reshare,
        [
            Reshare(
                opportunity_id=o.pk,
                cluster_id=rng.choice(cluster_ids),
                created_at=_after(rng, o.created_at, 30),
            )
            for o in rng.sample(shared, VOLUMES["reshares"])
        ],
        by="created_at",
    )

    matches: list[Any] = []
    steps: list[Any] = []
    for _ in range(VOLUMES["matches"]):
        a, b = rng.sample(org_ids, 2)
        matches.append(
            MatchRecord(organisation_id=a, target_organisation_id=b, created_at=_when(rng))
        )
    for match in save(MatchRecord, matches, by="created_at"):
        road = [("", "suggested", match.created_at)]
        for stage, share in MATCH_ROAD:
            if rng.random() >= share:
                if rng.random() < 0.4:
                    road.append((road[-1][1], "closed", _after(rng, road[-1][2], 60)))
                break
            road.append((road[-1][1], stage, _after(rng, road[-1][2], 90)))
        steps.extend(
            MatchEvent(match_id=match.pk, from_status=f, to_status=t, at=w) for f, t, w in road
        )
    save(MatchEvent, steps, by="at")

    passports: list[Any] = []
    history: list[Any] = []
    reports: list[Any] = []
    follow_ups: list[Any] = []
    for _ in range(VOLUMES["passports"]):
        org = rng.choice(org_ids)
        home_cluster = home[org][0]
        host = rng.choice([c for c in cluster_ids if c != home_cluster])
        submitted = _when(rng)
        passports.append(
            Passport(
                organisation_id=org,
                home_cluster_id=home_cluster,
                host_cluster_id=host,
                title="Visit",
                purpose="Partners",
                starts_on=(submitted + dt.timedelta(days=60)).date(),
                ends_on=(submitted + dt.timedelta(days=63)).date(),
                contact_email="visitor@example.org",
                submitted_at=submitted,
                created_at=submitted - dt.timedelta(days=rng.uniform(1, 20)),
                status="submitted",
            )
        )
    for passport in save(Passport, passports, by="created_at"):
        assert passport.submitted_at is not None
        road = [("draft", "submitted", passport.submitted_at)]
        road.append(("submitted", "endorsed", _after(rng, road[-1][2], 10)))
        answer = rng.random()
        if answer < 0.7:
            road.append(("endorsed", "accepted", _after(rng, road[-1][2], 20)))
            if rng.random() < 0.85:
                road.append(("accepted", "visited", _after(rng, road[-1][2], 70)))
                reported = _after(rng, road[-1][2], 20)
                if rng.random() < 0.6:
                    road.append(("visited", "reported", reported))
                    reports.append(
                        PassportReport(
                            passport_id=passport.pk,
                            meetings_held=rng.randint(1, 12),
                            leads=rng.randint(0, 6),
                            summary="Met partners",
                            created_at=reported,
                        )
                    )
                    if rng.random() < 0.7:
                        follow_ups.append(
                            PassportFollowUp(
                                passport_id=passport.pk,
                                rating=rng.randint(1, 5),
                                deals=rng.randint(0, 3),
                                created_at=_after(rng, reported, 180),
                            )
                        )
        elif answer < 0.85:
            road.append(("endorsed", "declined", _after(rng, road[-1][2], 20)))
        history.extend(
            PassportEvent(passport_id=passport.pk, from_status=f, to_status=t, at=w)
            for f, t, w in road
        )
    save(PassportEvent, history, by="at")
    save(PassportReport, reports, by="created_at")
    save(PassportFollowUp, follow_ups, by="created_at")

    event_kinds = ["annual_meeting", "matchmaking_mission", "workshop", "speed_dating", "webinar"]
    events = []
    for i in range(VOLUMES["events"]):
        starts = _when(rng)
        events.append(
            Event(
                slug=f"event-{i}",
                title=f"Event {i}",
                kind=rng.choice(event_kinds),
                host_cluster_id=rng.choice(cluster_ids) if rng.random() < 0.9 else None,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=8),
                created_at=starts - dt.timedelta(days=rng.uniform(30, 120)),
                city="Somewhere",
                status="published" if rng.random() < 0.95 else "cancelled",
            )
        )
    events = save(Event, events, by="created_at")
    registrations = []
    for event in events:
        for org in rng.sample(org_ids, VOLUMES["registrations_per_event"]):
            registrations.append(
                Registration(
                    event_id=event.pk,
                    organisation_id=org,
                    name="Participant",
                    email="p@example.org",
                    created_at=event.starts_at - dt.timedelta(days=rng.uniform(1, 30)),
                    status=rng.choices(["confirmed", "waiting", "cancelled"], [0.85, 0.05, 0.1])[0],
                )
            )
    registrations = save(Registration, registrations, by="created_at")
    by_event: dict[int, list[int]] = {}
    for registration in registrations:
        by_event.setdefault(registration.event_id, []).append(registration.pk)
    sessions = save(
        Session,
        [
            Session(event_id=e.pk, title="Meetings", starts_at=e.starts_at, ends_at=e.ends_at)
            for e in events
        ],
    )
    slots = save(
        Slot,
        [
            Slot(
                session_id=s.pk,
                starts_at=s.starts_at + dt.timedelta(minutes=30 * k),
                ends_at=s.starts_at + dt.timedelta(minutes=30 * k + 25),
            )
            for s in sessions
            for k in range(10)
        ],
    )
    slots_of: dict[int, list[int]] = {}
    for slot in slots:
        slots_of.setdefault(slot.session_id, []).append(slot.pk)
    requests, placed = [], []
    for event, session in zip(events, sessions, strict=True):
        people = by_event[event.pk]
        for k in range(VOLUMES["meetings_per_event"]):
            sender, receiver = rng.sample(people, 2)
            requests.append(
                MeetingRequest(
                    event_id=event.pk, sender_id=sender, receiver_id=receiver, status="accepted"
                )
            )
            placed.append((slots_of[session.pk][k % 10], k // 10 + 1, sender, receiver))
    requests = save(MeetingRequest, requests)
    meetings = save(
        Meeting,
        [
            Meeting(request_id=r.pk, slot_id=slot, table=table)
            for r, (slot, table, _, _) in zip(requests, placed, strict=True)
        ],
    )
    ratings = []
    slot_start = {slot.pk: slot.starts_at for slot in slots}
    for meeting, (slot, _, sender, receiver) in zip(meetings, placed, strict=True):
        for side in (sender, receiver):
            if rng.random() < 0.6:
                ratings.append(
                    MeetingRating(
                        meeting_id=meeting.pk,
                        registration_id=side,
                        moment="after_meeting",
                        held=rng.random() < 0.9,
                        rating=rng.randint(1, 5),
                        created_at=slot_start[slot] + dt.timedelta(hours=rng.uniform(1, 72)),
                    )
                )
    save(MeetingRating, ratings, by="created_at")

    applications: list[Any] = []
    partners: list[Any] = []
    answers: list[Any] = []
    for i in range(VOLUMES["applications"]):
        applications.append(
            ProjectApplication(
                call_id=rng.choice(call_ids),
                title=f"Project {i}",
                lead_id=rng.choice(org_ids),
                created_at=_when(rng),
            )
        )
    applications = save(ProjectApplication, applications, by="created_at")
    for application in applications:
        team = [application.lead_id, *rng.sample(org_ids, rng.randint(2, 6))]
        for k, org in enumerate(dict.fromkeys(team)):
            partners.append(
                ConsortiumMember(
                    application_id=application.pk,
                    organisation_id=org,
                    is_coordinator=k == 0,
                    status="confirmed" if k == 0 or rng.random() < 0.9 else "declined",
                )
            )
        moment = application.created_at
        road = [("", "idea", moment), ("idea", "consortium", _after(rng, moment, 30))]
        road.append(("consortium", "drafting", _after(rng, road[-1][2], 30)))
        if rng.random() < 0.8:
            road.append(("drafting", "submitted", _after(rng, road[-1][2], 60)))
            answer = rng.random()
            if answer < 0.1:
                road.append(("submitted", "reserve", _after(rng, road[-1][2], 120)))
            if answer < 0.35:
                road.append((road[-1][1], "granted", _after(rng, road[-1][2], 120)))
                application.status = "granted"
                application.amount_granted = Decimal(rng.randrange(100_000, 5_000_000, 1000))
            elif answer < 0.9:
                road.append((road[-1][1], "rejected", _after(rng, road[-1][2], 120)))
        answers.extend(
            ApplicationEvent(application_id=application.pk, from_status=f, to_status=t, at=w)
            for f, t, w in road
        )
    ProjectApplication.objects.bulk_update(
        applications, ["status", "amount_granted"], batch_size=BATCH
    )
    save(ConsortiumMember, partners)
    save(ApplicationEvent, answers, by="at")

    documents = []
    for i in range(VOLUMES["documents"]):
        owner = rng.choice(org_ids)
        documents.append(
            KnowledgeDocument(
                slug=f"doc-{i}",
                title=f"Document {i}",
                kind=rng.choice(["report", "best_practice", "case_study", "template", "dataset"]),
                organisation_id=owner,
                cluster_id=home[owner][0] if rng.random() < 0.7 else None,
                created_at=_when(rng),
            )
        )
    documents = save(KnowledgeDocument, documents, by="created_at")
    downloads = []
    for _ in range(VOLUMES["downloads"]):
        document = rng.choice(documents)
        opened = _after(rng, document.created_at, 5 * 365)
        downloads.append(DocumentDownload(document_id=document.pk, version=1, at=opened))
    save(DocumentDownload, downloads, by="at")
    return {"seconds": round(time.perf_counter() - started, 1)}


def sizes() -> dict[str, int]:
    from django.apps import apps

    names = [
        "directory.Cluster",
        "directory.Organisation",
        "opportunities.Opportunity",
        "opportunities.Reshare",
        "matching.MatchRecord",
        "matching.MatchEvent",
        "passports.Passport",
        "passports.PassportEvent",
        "passports.PassportReport",
        "passports.PassportFollowUp",
        "events.Event",
        "events.Registration",
        "events.Meeting",
        "events.MeetingRating",
        "projects.ProjectApplication",
        "projects.ConsortiumMember",
        "projects.ApplicationEvent",
        "knowledge.KnowledgeDocument",
        "knowledge.DocumentDownload",
    ]
    found = {name: apps.get_model(name).objects.count() for name in names}
    from icn.directory.models import Organisation

    found["organisation–cluster memberships"] = Organisation.clusters.through.objects.count()
    return found


def timed(run: Callable[[], Any], runs: int) -> dict[str, Any]:
    """Wall-clock seconds of `runs` runs and their median; the CPU seconds of this process
    (with SQLite, the database's work too; with PostgreSQL, only the client's); the
    queries of one more run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        run()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    with CaptureQueriesContext(connection) as captured:
        run()
    reading = [q for q in captured.captured_queries if q["sql"].startswith(("SELECT", "WITH"))]
    return {
        "median_seconds": round(statistics.median(seconds), 3),
        "runs": [round(s, 3) for s in seconds],
        "median_cpu_seconds": round(statistics.median(cpu), 3),
        "queries": len(reading),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def machine(vendor: str) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    return {
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "database": f"{vendor} {version}",
        "django": __import__("django").get_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite file)")
    parser.add_argument("--organisations", type=int, default=50_000)
    parser.add_argument("--clusters", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="icn-impact-"))
    url, drop = _database(args.database_url, workdir)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icn.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.db.models import Count

        from icn.directory.models import Organisation
        from icn.impact.indicators import INDICATORS, compute, organisation_table

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate_seconds = round(time.perf_counter() - started, 1)
        with _dates_as_given():
            built = build(args.organisations, args.clusters, args.seed)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        counted = sizes()
        busiest = (
            Organisation.objects.annotate(n=Count("matches_started"))
            .order_by("-n", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        assert busiest is not None
        load_before = [round(x, 2) for x in os.getloadavg()]
        by_year = timed(lambda: compute(start=FIRST_YEAR, end=LAST_YEAR), args.runs)
        by_quarter = timed(
            lambda: compute(period="quarter", start=FIRST_YEAR, end=LAST_YEAR), args.runs
        )
        one = timed(
            lambda: organisation_table(organisation_id=busiest, start=FIRST_YEAR, end=LAST_YEAR),
            args.runs,
        )
        table = compute(start=LAST_YEAR, end=LAST_YEAR)
        network = {
            i.key: (
                round(v, 2) if (v := table.value(i.key, None, str(LAST_YEAR))) is not None else None
            )
            for i in INDICATORS
        }
        print(
            json.dumps(
                {
                    "date": dt.date.today().isoformat(),
                    "machine": machine(connection.vendor),
                    "seed": args.seed,
                    "years": [FIRST_YEAR, LAST_YEAR],
                    "indicators": len(INDICATORS),
                    "clusters": len(table.clusters),
                    "volumes": VOLUMES,
                    "rows": counted,
                    "migrate_seconds": migrate_seconds,
                    "build_seconds": built["seconds"],
                    "load_average_before": load_before,
                    "compute_by_year": by_year,
                    "compute_by_quarter": by_quarter,
                    "organisation_table_by_year": one,
                    f"network_{LAST_YEAR}": network,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    finally:
        drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
