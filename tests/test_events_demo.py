"""The demo's annual meeting: participants from the demo network, requests and a schedule,
loaded once."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.conf import settings

from icn.directory.demo import load_demo
from icn.events import demo
from icn.events.models import Event, Meeting, MeetingRequest, Registration, ScheduleRun
from icn.opportunities.demo import load_opportunities_demo
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_demo_loads_a_scheduled_annual_meeting_once():
    load_demo(password=settings.ICN_DEMO_PASSWORD)
    load_opportunities_demo()
    out = StringIO()
    summary = demo.load(stdout=out)
    event = Event.objects.get(slug=demo.SLUG)
    assert summary.registrations == Registration.objects.filter(event=event).count() >= 35
    assert MeetingRequest.objects.filter(event=event, status="accepted").exists()
    assert MeetingRequest.objects.filter(event=event, status="pending").exists()
    run = ScheduleRun.objects.get(event=event)
    assert run.status == "done" and run.placed == summary.meetings > 0
    meetings = list(Meeting.objects.filter(request__event=event).select_related("request"))
    busy = Counter(
        (m.slot_id, side) for m in meetings for side in (m.request.sender_id, m.request.receiver_id)
    )
    assert max(busy.values()) == 1
    assert "participants" in out.getvalue()
    # The demo member sees the event, its agenda with meetings, and suggestions.
    member = Registration.objects.get(event=event, user__email="member.clean@icn.example").user
    client = client_for(member)
    assert "Meeting with" in client.get(f"/events/{event.slug}/agenda/").content.decode()
    assert client.get(f"/events/{event.slug}/agenda.ics").status_code == 200
    # A second run creates nothing.
    assert demo.load().registrations == 0
    assert Event.objects.filter(slug=demo.SLUG).count() == 1
