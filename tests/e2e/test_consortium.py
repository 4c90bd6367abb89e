"""A cluster manager builds a consortium for a funding call with the consortium builder."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoNetwork, log_in, menu

pytestmark = pytest.mark.e2e


def test_a_cluster_manager_builds_a_consortium_for_a_funding_call(
    page: Page, demo: DemoNetwork
) -> None:
    manager, lead = demo.personas["cluster_manager"], demo.personas["member"].organisation
    call = demo.call["title"]
    log_in(page, manager)

    # Find the call among the opportunities.
    menu(page).get_by_role("link", name="Opportunities", exact=True).click()
    page.get_by_label("Search").fill(call)
    page.get_by_label("Kind").select_option(label="Funding call")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=call).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(call)

    page.get_by_role("link", name="Build a consortium").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Build a consortium")
    rules = page.locator(".call-rules li")
    expect(rules.first).to_be_visible()
    rule_count = rules.count()
    page.get_by_label("Lead and coordinator").select_option(label=lead)
    page.get_by_label("Alternatives").fill("2")
    # Room for a slow machine: the solver proves its answer optimal well within a second.
    page.get_by_label("Time limit (seconds)").fill("20")
    page.get_by_role("button", name="Propose consortia").click()

    plan = page.get_by_role("region", name=f"2 consortia for {lead}")
    expect(plan).to_be_visible()
    expect(plan.locator(".consortium-status")).to_contain_text("proven optimal")
    best = plan.locator("article.consortium-proposal").first
    expect(best.get_by_role("heading", name="Alternative 1")).to_be_visible()
    expect(best.get_by_text("meets every rule")).to_be_visible()
    expect(best.get_by_text("proven best", exact=True)).to_be_visible()
    lead_row = best.get_by_role("row").filter(has_text=lead)
    expect(lead_row).to_contain_text("lead")
    assert best.locator("tr.consortium-member").count() >= 3
    # Every rule of the call is checked under the proposal, and none fails.
    assert best.locator(".rule-check li").count() >= rule_count
    expect(best.locator(".rule-check").get_by_text("passes", exact=True).first).to_be_visible()
    expect(best.locator(".rule-check").get_by_text("fails", exact=True)).to_have_count(0)
    # The proposal is a link: the builder's form is in the address, to share or come back to.
    expect(page).to_have_url(re.compile(r"[?&]lead=\d+"))
    expect(
        best.get_by_role("link", name="Start an application with this consortium")
    ).to_be_visible()
