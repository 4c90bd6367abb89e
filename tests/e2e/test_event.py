"""A member registers for an event and takes the agenda along as a calendar file."""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoNetwork, log_in, menu

pytestmark = pytest.mark.e2e


def test_a_member_registers_for_an_event_and_downloads_the_agenda(
    page: Page, demo: DemoNetwork, tmp_path: Path
) -> None:
    member, event = demo.personas["member"], demo.event
    log_in(page, member)

    menu(page).get_by_role("link", name="Events", exact=True).click()
    page.get_by_role("link", name=event["title"]).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(event["title"])
    expect(page.get_by_text(event["session"])).to_be_visible()

    registration = page.locator("#registration")
    expect(registration.get_by_label("I come for").locator("option:checked")).to_have_text(
        member.organisation
    )
    registration.get_by_label("What I seek").fill("Ports that want to pilot an electrolyser.")
    registration.get_by_role("button", name="Register").click()

    expect(
        page.get_by_role("alert").filter(
            has_text="You are registered. A confirmation is on its way."
        )
    ).to_be_visible()
    expect(registration).to_contain_text(f"You are registered for {member.organisation}.")

    registration.get_by_role("link", name="My agenda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My agenda")
    expect(page.locator(".agenda-item").filter(has_text=event["session"])).to_be_visible()

    calendar_link = page.get_by_role("link", name="Add to my calendar (.ics)")
    with page.expect_download() as download_info:
        calendar_link.click()
    download = download_info.value
    assert download.suggested_filename == f"{event['slug']}-agenda.ics"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    # The same link, asked by the same logged-in browser, says what it serves.
    href = calendar_link.get_attribute("href")
    assert href
    response = page.request.get(href)
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]

    calendar = Calendar.from_ical(saved.read_bytes())
    assert calendar.name == "VCALENDAR"
    assert str(calendar["x-wr-calname"]) == f"{event['title']}: my agenda"
    entries = {str(entry.get("summary")): entry for entry in calendar.events}
    day, session = entries[event["title"]], entries[f"{event['session']} · {event['title']}"]
    # The session lies within the event's day.
    assert day.start <= session.start < session.end <= day.end
