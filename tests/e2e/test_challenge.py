"""A member company posts a challenge, reads it back, and finds the solutions that fit it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoNetwork, log_in, menu

pytestmark = pytest.mark.e2e

SUMMARY = "We lose a fifth of our drinking water to leaks in old pipes and want to find them."
BODY = (
    "Our water utility runs 900 km of drinking-water pipes, many of them cast iron. "
    "We look for leak detection that listens to the network and tells our crews where to dig, "
    "to be piloted in two districts next year."
)


def post_challenge(page: Page, title: str) -> None:
    """Share a challenge from the opportunities page, published at once."""
    menu(page).get_by_role("link", name="Opportunities", exact=True).click()
    page.get_by_role("link", name="Share an opportunity").click()
    expect(page.get_by_role("heading", name="Share an opportunity")).to_be_visible()
    page.get_by_role("combobox", name="Kind", exact=True).select_option(label="Challenge")
    page.get_by_role("textbox", name="Title", exact=True).fill(title)
    page.get_by_label("Summary").fill(SUMMARY)
    page.get_by_label("Body").fill(BODY)
    page.get_by_label("Publish now").check()
    page.get_by_role("button", name="Save").click()


def test_a_member_posts_a_challenge_and_sees_its_page(page: Page, demo: DemoNetwork) -> None:
    member = demo.personas["member"]
    log_in(page, member)
    title = "Find the leaks in our drinking-water network"

    post_challenge(page, title)

    expect(page.get_by_role("alert").filter(has_text="Saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text(SUMMARY)).to_be_visible()
    expect(page.get_by_text("Challenge", exact=True).first).to_be_visible()
    expect(page.get_by_text("Published", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=member.organisation, exact=True).first).to_be_visible()

    # The network finds it: it is listed among the opportunities, and among the member's own.
    menu(page).get_by_role("link", name="Opportunities", exact=True).click()
    page.get_by_label("Search").fill("leaks drinking-water network")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    page.goto("/opportunities/mine/")
    expect(page.get_by_role("link", name=title)).to_be_visible()


def test_a_challenge_page_lists_the_solutions_that_fit_and_starts_a_match(
    page: Page, demo: DemoNetwork
) -> None:
    member = demo.personas["member"]
    log_in(page, member)
    post_challenge(page, "Leak detection for the water utility's old pipes")

    matches = page.get_by_role("region", name="Solutions that fit this challenge")
    expect(matches).to_be_visible()
    suggestions = matches.locator(".match-solution")
    expect(suggestions.first).to_be_visible()
    assert suggestions.count() in range(1, 6)  # one page of suggestions, at most five
    # Each suggestion names a solution, its provider and how well it fits.
    first = suggestions.first
    expect(first.get_by_title("Fit score")).to_have_text(re.compile(r"^\d+ %$"))
    # Listening for leaks in water pipes is what one of the network's solutions does.
    expect(
        matches.get_by_role("link", name=re.compile("leak detection", re.IGNORECASE)).first
    ).to_be_visible()

    # Introduce the member's company to a provider (not to itself).
    suggest = page.get_by_role("button", name="Suggest an introduction")
    provider = suggestions.filter(has=suggest).first
    solution = provider.get_by_role("link").first.inner_text()
    provider.get_by_role("button", name="Suggest an introduction").click()

    expect(page.get_by_role("alert").filter(has_text="Introduction suggested.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(member.organisation)
    expect(page.get_by_role("link", name=solution).first).to_be_visible()

    menu(page).get_by_role("button", name="My work").click()
    menu(page).get_by_role("link", name="My matches").click()
    expect(page.get_by_role("heading", name="Matches")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=solution)
    expect(row.first).to_be_visible()
    expect(row.first).to_contain_text("Leak detection for the water utility's old pipes")
