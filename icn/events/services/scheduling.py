"""Placing accepted meeting requests into (slot, table): the scheduler's runs and their results.

The engine (`icn.events.scheduler`) knows nothing of Django: this module turns an event into
its `Problem` (slots, tables, accepted requests with their priorities, availability, caps,
locked meetings, and the current schedule so a late change moves few meetings), runs it in
the background with its progress written down, and stores what it found.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from icn.events import scheduler, selectors
from icn.events.models import (
    Event,
    Meeting,
    MeetingRequest,
    Registration,
    RegistrationStatus,
    RequestStatus,
    ScheduleRun,
    ScheduleRunStatus,
    Slot,
)
from icn.events.services import mail
from icn.events.services.meeting_requests import requests_expire
from icn.events.services.programme import require_organiser

logger = logging.getLogger(__name__)

# How often the run's progress is written while the solver works (seconds).
POLL_SECONDS = 0.5
# A run that has not finished this long after its time limit is taken as lost.
STALE_AFTER = timedelta(minutes=10)
MAX_PROGRESS_POINTS = 200


@dataclass
class Built:
    """An event's scheduling problem and what its numbers stand for."""

    problem: scheduler.Problem
    requests: list[MeetingRequest]  # request index -> request
    slots: list[Slot]  # slot index -> slot
    participants: dict[str, Registration]  # problem key -> registration


def build_problem(event: Event) -> Built:
    """The event as the scheduler sees it. Meetings that are locked, or whose slot has begun,
    stay where they are; the others may move, but the current schedule is `previous`."""
    now = timezone.now()
    slots = list(selectors.meeting_slots(event))
    slot_index = {slot.pk: i for i, slot in enumerate(slots)}
    requests = list(
        MeetingRequest.objects.filter(
            event=event,
            status=RequestStatus.ACCEPTED,
            sender__status=RegistrationStatus.CONFIRMED,
            receiver__status=RegistrationStatus.CONFIRMED,
        )
        .select_related("sender__organisation", "receiver__organisation")
        .order_by("pk")
    )
    meetings = {
        m.request_id: m for m in Meeting.objects.filter(request__in=requests).select_related("slot")
    }
    participants: dict[str, Registration] = {}
    for request in requests:
        for side in (request.sender, request.receiver):
            participants[side.key] = side
    items: list[scheduler.Request] = []
    previous: dict[int, tuple[int, int]] = {}
    fixed: dict[str, set[int]] = defaultdict(set)  # participant -> slots of fixed meetings
    for i, request in enumerate(requests):
        meeting = meetings.get(request.pk)
        where = None
        if meeting is not None and meeting.slot_id in slot_index and meeting.table <= event.tables:
            where = (slot_index[meeting.slot_id], meeting.table - 1)
            previous[i] = where
        stays = (
            meeting is not None
            and where is not None
            and (meeting.locked or meeting.slot.starts_at <= now)
        )
        if stays and where is not None:
            fixed[request.sender.key].add(where[0])
            fixed[request.receiver.key].add(where[0])
        items.append(
            scheduler.Request(
                a=request.sender.key,
                b=request.receiver.key,
                weight=int(request.priority),
                locked=where if stays else None,
            )
        )
    every = set(range(len(slots)))
    begun = {i for i, slot in enumerate(slots) if slot.starts_at <= now}
    busy: dict[int, set[int]] = defaultdict(set)
    for registration_id, slot_id in Registration.busy_slots.through.objects.filter(
        registration_id__in=[r.pk for r in participants.values()]
    ).values_list("registration_id", "slot_id"):
        if slot_id in slot_index:
            busy[registration_id].add(slot_index[slot_id])
    available: dict[str, frozenset[int]] = {}
    for key, registration in participants.items():
        # Nobody is newly placed in a slot that has begun; fixed meetings keep theirs.
        free = (every - busy[registration.pk] - begun) | fixed[key]
        if free != every:
            available[key] = frozenset(free)
    caps = {
        key: cap
        for key, registration in participants.items()
        if (cap := registration.meeting_cap()) is not None
    }
    problem = scheduler.Problem(
        slots=len(slots),
        tables=event.tables,
        requests=items,
        available=available,
        caps=caps,
        previous=previous,
    )
    return Built(problem=problem, requests=requests, slots=slots, participants=participants)


# Reasons in the organiser's words ----------------------------------------------------------

_RANGES = r"\d+(?:-\d+)?(?:, \d+(?:-\d+)?)*"


def _slot_label(slot: Slot, several_days: bool) -> str:
    start = timezone.localtime(slot.starts_at)
    return f"{start:%a %H:%M}" if several_days else f"{start:%H:%M}"


def explain(reason: str, built: Built, event: Event) -> str:
    """The scheduler's reason with slot numbers as times, tables by name and participants
    by name (the scheduler counts slots and tables from 0 and knows participants by key)."""
    days = {timezone.localtime(slot.starts_at).date() for slot in built.slots}
    labels = [_slot_label(slot, len(days) > 1) for slot in built.slots]

    def label(number: str) -> str:
        n = int(number)
        return labels[n] if 0 <= n < len(labels) else f"slot {n + 1}"

    def ranges(match: re.Match[str]) -> str:
        parts = []
        for part in match.group(2).split(", "):
            first, _, last = part.partition("-")
            parts.append(f"{label(first)}–{label(last)}" if last else label(first))
        return f"{match.group(1)} {', '.join(parts)}"

    def request(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if 0 <= n < len(built.requests):
            r = built.requests[n]
            return f"the meeting of {r.sender.key} and {r.receiver.key}"
        return match.group(0)

    text = re.sub(r"\brequest (\d+)", request, reason)
    text = re.sub(r"\btables (\d+)-(\d+)", lambda m: f"tables 1–{int(m.group(2)) + 1}", text)
    text = re.sub(r"\btable (\d+)", lambda m: event.table_name(int(m.group(1)) + 1), text)
    text = re.sub(rf"\b(slots|in) ({_RANGES})\b", ranges, text)
    text = re.sub(r"\bslot (\d+)", lambda m: label(m.group(1)), text)
    names = {key: str(registration) for key, registration in built.participants.items()}
    return re.sub(r"\br\d+\b", lambda m: names.get(m.group(0), m.group(0)), text)


# Runs --------------------------------------------------------------------------------------


@transaction.atomic
def schedule_start(*, actor: Any, event: Event, time_limit: int | None = None) -> ScheduleRun:
    """Queue a run of the scheduler; the worker computes it and the page follows it."""
    from icn.events.tasks import run_schedule

    require_organiser(actor, event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    limit = int(time_limit or event.schedule_seconds)
    if not 1 <= limit <= 600:
        raise ValidationError({"time_limit": "Give the scheduler 1 to 600 seconds."})
    if not selectors.meeting_slots(event).exists():
        raise ValidationError("Add a meeting session with time slots first.")
    now = timezone.now()
    for run in event.schedule_runs.filter(
        status__in=[ScheduleRunStatus.QUEUED, ScheduleRunStatus.RUNNING]
    ):
        if run.created_at + timedelta(seconds=run.time_limit) + STALE_AFTER > now:
            raise ValidationError("The scheduler is at work on this event already.")
        run.status = ScheduleRunStatus.FAILED
        run.error = "The run did not finish; a new one replaced it."
        run.finished_at = now
        run.save(update_fields=["status", "error", "finished_at"])
    run = ScheduleRun.objects.create(event=event, started_by=actor, time_limit=limit)
    transaction.on_commit(partial(run_schedule.enqueue, run.pk))
    return run


def _record(run: ScheduleRun, schedule: scheduler.Schedule) -> None:
    """Write a result the solver reported on its way: the page shows it while it works."""
    run.placed = schedule.placed
    run.weight = schedule.weight
    run.bound = float(schedule.bound)
    run.seconds = float(schedule.seconds)
    run.solver_status = schedule.status
    if len(run.progress) < MAX_PROGRESS_POINTS:
        run.progress = [
            *run.progress,
            [round(schedule.seconds, 2), schedule.weight, schedule.bound],
        ]
    run.save(update_fields=["placed", "weight", "bound", "seconds", "solver_status", "progress"])


def _solve_watching(run: ScheduleRun, problem: scheduler.Problem) -> scheduler.Schedule:
    """Run the solver in a thread of its own; this thread writes its progress to the
    database (the solver reports from its own threads, which must not touch it)."""
    state: dict[str, Any] = {"latest": None, "result": None, "error": None}

    def progress(schedule: scheduler.Schedule) -> None:
        state["latest"] = schedule

    def work() -> None:
        try:
            state["result"] = scheduler.solve(
                problem, time_limit=float(run.time_limit), progress=progress
            )
        except BaseException as exc:  # handed over to the waiting thread
            state["error"] = exc

    thread = threading.Thread(target=work, name=f"schedule-run-{run.pk}", daemon=True)
    thread.start()
    written = None
    while thread.is_alive():
        thread.join(POLL_SECONDS)
        latest = state["latest"]
        if latest is not None and latest is not written and thread.is_alive():
            _record(run, latest)
            written = latest
    if state["error"] is not None:
        raise state["error"]
    result: scheduler.Schedule = state["result"]
    return result


def schedule_execute(run_id: int) -> ScheduleRun | None:
    """Compute a queued run and store its schedule; a failure is recorded on the run.

    A run found running was interrupted (its worker was killed: the task queue hands a run
    to one worker at a time) and starts again; the schedule is stored in one transaction, so
    an interrupted run left nothing half written.
    """
    run = ScheduleRun.objects.select_related("event").filter(pk=run_id).first()
    if run is None or run.status not in (ScheduleRunStatus.QUEUED, ScheduleRunStatus.RUNNING):
        return run
    run.status = ScheduleRunStatus.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        requests_expire()
        built = build_problem(run.event)
        run.requests = len(built.requests)
        run.save(update_fields=["requests"])
        result = _solve_watching(run, built.problem)
        with transaction.atomic():
            store_schedule(run, built, result)
    except Exception as exc:
        logger.exception("Schedule run %s failed.", run.pk)
        run.status = ScheduleRunStatus.FAILED
        run.error = str(exc) or exc.__class__.__name__
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
    return run


def store_schedule(
    run: ScheduleRun, built: Built, result: scheduler.Schedule, *, notify: bool = True
) -> set[int]:
    """Keep meetings that stay, move or add the others, drop the ones no longer placed; tell
    each participant whose meetings changed. Returns the ids of those participants."""
    event = run.event
    first = not event.schedule_runs.filter(status=ScheduleRunStatus.DONE).exists()
    # Read again now: the event may have changed while the solver worked.
    existing = {m.request_id: m for m in Meeting.objects.filter(request__event=event)}
    before = {pk: (m.slot_id, m.table) for pk, m in existing.items()}
    found = {
        built.requests[i].pk: (built.slots[s].pk, t + 1) for i, (s, t) in result.assignments.items()
    }
    after, late = _still_valid(before, found, existing)
    changed = {pk for pk in before.keys() | after.keys() if before.get(pk) != after.get(pk)}
    Meeting.objects.filter(request_id__in=changed).delete()
    Meeting.objects.bulk_create(
        Meeting(request_id=pk, slot_id=after[pk][0], table=after[pk][1], run=run)
        for pk in sorted(changed)
        if pk in after
    )
    touched: set[int] = set()
    for sender, receiver in MeetingRequest.objects.filter(pk__in=changed).values_list(
        "sender_id", "receiver_id"
    ):
        touched.update((sender, receiver))
    run.weight = result.weight
    run.bound = float(result.bound)
    run.seconds = float(result.seconds)
    run.solver_status = result.status
    run.moved = sum(1 for pk in before.keys() & after.keys() if before[pk] != after[pk])
    run.dropped = len(before.keys() - after.keys())
    run.unplaced = {
        str(built.requests[i].pk): explain(reason, built, event)
        for i, reason in sorted(result.unplaced.items())
    }
    for pk in late:
        run.unplaced[str(pk)] = LATE_CHANGE
    run.placed = len(after)
    run.changed_participants = len(touched)
    point = [round(result.seconds, 2), result.weight, result.bound]
    if not run.progress or run.progress[-1] != point:
        run.progress = [*run.progress, point][-MAX_PROGRESS_POINTS:]
    run.status = ScheduleRunStatus.DONE
    run.finished_at = timezone.now()
    run.save()
    if notify:
        _tell(touched, first)
    return touched


LATE_CHANGE = (
    "It changed while the scheduler worked (a request called off or a meeting placed by "
    "hand); run the scheduler again to place it."
)


def _still_valid(
    before: dict[int, tuple[int, int]],
    found: dict[int, tuple[int, int]],
    existing: dict[int, Meeting],
) -> tuple[dict[int, tuple[int, int]], set[int]]:
    """The solver's placements that still hold. Meetings that stay where they are and those
    locked since the run began keep their places; a placement of a request no longer
    accepted, or one that now collides with a kept meeting, is left out (`late`)."""
    accepted: set[int] = set(
        MeetingRequest.objects.filter(
            pk__in=list(found.keys() | before.keys()),
            status=RequestStatus.ACCEPTED,
            sender__status=RegistrationStatus.CONFIRMED,
            receiver__status=RegistrationStatus.CONFIRMED,
        ).values_list("pk", flat=True)
    )
    sides = {
        pk: (sender, receiver)
        for pk, sender, receiver in MeetingRequest.objects.filter(
            pk__in=list(found.keys() | before.keys())
        ).values_list("pk", "sender_id", "receiver_id")
    }
    final: dict[int, tuple[int, int]] = {}
    tables: set[tuple[int, int]] = set()
    busy: set[tuple[int, int]] = set()

    def take(pk: int, where: tuple[int, int]) -> None:
        final[pk] = where
        tables.add(where)
        busy.update((where[0], side) for side in sides[pk])

    for pk, where in before.items():
        if pk in accepted and (found.get(pk) == where or existing[pk].locked):
            take(pk, where)
    late: set[int] = set()
    for pk, where in sorted(found.items()):
        if pk in final:
            continue
        if pk not in accepted:  # called off meanwhile: nothing to place
            continue
        if where in tables or any((where[0], side) in busy for side in sides[pk]):
            late.add(pk)
            continue
        take(pk, where)
    return final, late


def _tell(registration_ids: set[int], first: bool) -> None:
    registrations = Registration.objects.filter(
        pk__in=registration_ids, status=RegistrationStatus.CONFIRMED
    ).select_related("event")
    mail.send_on_commit(
        mail.schedule_changed(
            registration, list(selectors.participant_meetings(registration)), first
        )
        for registration in registrations
    )


# The organiser's hand on the grid ----------------------------------------------------------


@transaction.atomic
def meeting_lock(*, actor: Any, meeting: Meeting, locked: bool = True) -> Meeting:
    """A locked meeting stays where it is when the scheduler runs again."""
    require_organiser(actor, meeting.request.event)
    meeting.locked = locked
    meeting.save(update_fields=["locked"])
    return meeting


@transaction.atomic
def meeting_place(
    *, actor: Any, request: MeetingRequest, slot: Slot, table: int, locked: bool = True
) -> Meeting:
    """Put an accepted request at a table in a slot by hand (locked, by default)."""
    event = request.event
    require_organiser(actor, event)
    if request.status != RequestStatus.ACCEPTED:
        raise ValidationError("Only accepted requests are placed.")
    if not selectors.meeting_slots(event).filter(pk=slot.pk).exists():
        raise ValidationError({"slot": "Not a meeting slot of this event."})
    if not 1 <= table <= event.tables:
        raise ValidationError({"table": f"Choose a table from 1 to {event.tables}."})
    others = Meeting.objects.filter(slot=slot).exclude(request=request)
    if others.filter(table=table).exists():
        raise ValidationError({"table": f"{event.table_name(table)} is taken in this slot."})
    sides = [request.sender, request.receiver]
    for side in sides:
        if others.filter(Q(request__sender=side) | Q(request__receiver=side)).exists():
            raise ValidationError({"slot": f"{side} has another meeting in this slot."})
        if side.busy_slots.filter(pk=slot.pk).exists():
            raise ValidationError({"slot": f"{side} is not available in this slot."})
    meeting = Meeting.objects.filter(request=request).first()
    if meeting is None:
        meeting = Meeting(request=request)
    moved = meeting.pk is None or meeting.slot_id != slot.pk or meeting.table != table
    meeting.slot, meeting.table, meeting.locked = slot, table, locked
    meeting.full_clean(exclude=["request", "run"])
    meeting.save()
    if moved:
        _tell({request.sender_id, request.receiver_id}, first=False)
    return meeting
