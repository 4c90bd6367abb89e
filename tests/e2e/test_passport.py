"""A member company applies for a Passport to visit a host cluster abroad."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoNetwork, log_in, menu

pytestmark = pytest.mark.e2e


def test_a_member_company_applies_for_a_passport_to_a_host_cluster(
    page: Page, demo: DemoNetwork
) -> None:
    member = demo.personas["member"]
    title = "Meet hydrogen partners on the Norwegian west coast"
    first_day = date.today() + timedelta(days=30)
    last_day = first_day + timedelta(days=2)
    log_in(page, member)

    menu(page).get_by_role("button", name="My work").click()
    menu(page).get_by_role("link", name="Passports", exact=True).click()
    page.get_by_role("link", name="Apply for a passport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for a passport")

    # The member's company travels: it is the one they act for.
    expect(page.get_by_label("Who travels").locator("option:checked")).to_have_text(
        member.organisation
    )
    page.get_by_label("Title").fill(title)
    page.get_by_label("Purpose").fill(
        "We bring a containerised electrolyser and look for ports and industrial sites to "
        "pilot it with, and for a local service partner."
    )
    page.get_by_label("Host cluster").select_option(label=demo.host_cluster)
    page.get_by_label("First day").fill(first_day.isoformat())
    page.get_by_label("Last day").fill(last_day.isoformat())
    page.get_by_label("Introductions to local organisations").check()
    page.get_by_role("button", name="Submit to my cluster").click()

    expect(page.get_by_role("alert").filter(has_text="Submitted to your cluster.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".passport-status")).to_have_text("Submitted")
    route = page.get_by_text(f"{demo.home_cluster} →")
    expect(route).to_contain_text(member.organisation)
    expect(route.get_by_role("link", name=demo.host_cluster)).to_be_visible()
    expect(
        page.get_by_text(f"{first_day:%-d %b %Y} – {last_day:%-d %b %Y} (3 days)")
    ).to_be_visible()

    # It waits for the home cluster among the member's passports.
    menu(page).get_by_role("button", name="My work").click()
    menu(page).get_by_role("link", name="Passports", exact=True).click()
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text(demo.host_cluster)
