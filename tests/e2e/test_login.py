"""Each role logs in through the login form and finds its own name, home page and menu."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoNetwork, log_in, menu

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Expected:
    home_heading: str
    my_work: tuple[str, ...]
    not_in_my_work: tuple[str, ...]
    admin: bool


EXPECTED = {
    "secretariat": Expected(
        "Passports, all years",
        ("My matches", "Passports", "Desk offers", "Match funnel", "Passport statistics"),
        (),
        admin=True,
    ),
    "cluster_manager": Expected(
        "Your clusters",
        ("My matches", "Passports", "Desk offers"),
        ("Match funnel", "Passport statistics"),
        admin=False,
    ),
    "member": Expected(
        "You act for",
        ("My matches", "Project applications", "Passports"),
        ("Desk offers", "Match funnel"),
        admin=False,
    ),
    "partner": Expected(
        "You act for",
        ("My matches", "Passports"),
        ("Desk offers", "Match funnel"),
        admin=False,
    ),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_logs_in_and_sees_its_name_home_and_menu(
    page: Page, demo: DemoNetwork, role: str
) -> None:
    persona, expected = demo.personas[role], EXPECTED[role]
    log_in(page, persona)

    expect(page).to_have_url(f"{demo.base_url}/")
    bar = menu(page)
    profile = bar.get_by_role("link", name=persona.first_name)
    expect(profile).to_have_attribute("href", "/accounts/me/")
    expect(page.get_by_role("heading", name=expected.home_heading)).to_be_visible()
    if persona.organisation:
        expect(page.get_by_role("link", name=persona.organisation, exact=True)).to_be_visible()
    expect(bar.get_by_role("link", name="Admin", exact=True)).to_have_count(
        1 if expected.admin else 0
    )

    bar.get_by_role("button", name="My work").click()
    for item in expected.my_work:
        expect(bar.get_by_role("link", name=item, exact=True)).to_be_visible()
    for item in expected.not_in_my_work:
        expect(bar.get_by_role("link", name=item, exact=True)).to_have_count(0)

    # The profile page is theirs.
    profile.click()
    expect(page.get_by_text(persona.email).first).to_be_visible()


def test_a_wrong_password_is_refused_on_the_form(page: Page, demo: DemoNetwork) -> None:
    member = demo.personas["member"]
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(member.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That e-mail and password do not match an account.")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
