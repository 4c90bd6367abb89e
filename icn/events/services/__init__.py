"""Writes of events: pages, API, tasks and the demo all come here.

`programme` (events, organisers, sessions and slots), `registrations` (registering, the
waiting list, cancelling), `meeting_requests`, `scheduling` (the scheduler's runs and the
grid), `ratings`, and `mail` (the e-mails they send).
"""

from __future__ import annotations

from icn.events.services.meeting_requests import (
    request_accept,
    request_cancel,
    request_create,
    request_decline,
    requests_expire,
)
from icn.events.services.programme import (
    event_cancel,
    event_create,
    event_publish,
    event_update,
    organisers_by_email,
    require_organiser,
    session_create,
    session_delete,
)
from icn.events.services.ratings import meeting_rate
from icn.events.services.registrations import (
    clean_answers,
    profile_from_directory,
    promote_waiting,
    registration_cancel,
    registration_create,
    registration_update,
)
from icn.events.services.scheduling import (
    build_problem,
    meeting_lock,
    meeting_place,
    schedule_execute,
    schedule_start,
)

__all__ = [
    "build_problem",
    "clean_answers",
    "event_cancel",
    "event_create",
    "event_publish",
    "event_update",
    "meeting_lock",
    "meeting_place",
    "meeting_rate",
    "organisers_by_email",
    "profile_from_directory",
    "promote_waiting",
    "registration_cancel",
    "registration_create",
    "registration_update",
    "request_accept",
    "request_cancel",
    "request_create",
    "request_decline",
    "requests_expire",
    "require_organiser",
    "schedule_execute",
    "schedule_start",
    "session_create",
    "session_delete",
]
