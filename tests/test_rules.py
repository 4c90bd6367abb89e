"""A funding call's rules as data: each rule checked with a plain reason, refused when it
could never be met, edited on the call's form and API, and shown in words on its page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from icn.matching import eligibility
from icn.matching.country_groups import EU_MEMBER_STATES, HORIZON_EUROPE_ASSOCIATED, is_country
from icn.matching.eligibility import ClusterOffer, Party, check, describe
from icn.opportunities.models import Opportunity, eligibility_problems, validate_eligibility
from icn.opportunities.services import opportunity_create
from icn.projects.rules import call_rules, check_consortium
from tests.conftest import Network, client_for
from tests.test_api import call as api_call

TODAY = date(2026, 11, 22)
LABELS = {
    "sme": "SME",
    "large_company": "large company",
    "public_authority": "public authority",
    "research": "research organisation",
    "ngo": "NGO",
}
DTU = Party("DTU", "research", "DK", coordinator=True)
AARHUS = Party("City of Aarhus", "public_authority", "DK")
FJORD = Party("Fjord Hydrogen", "sme", "NO")
ACME = Party("Acme Inc", "sme", "US")
OFFERS = [
    ClusterOffer("CLEAN", "DK", {"sme": 40, "research": 3}),
    ClusterOffer("TWEED", "BE", {"sme": 30, "research": 6}),
    ClusterOffer("Nordic Edge", "NO", {"sme": 20}),
]


def _result(rules: dict, parties: list[Party], **kwargs) -> eligibility.RuleResult:
    results = check(rules, parties, OFFERS, LABELS, today=TODAY, **kwargs).results
    assert len({r.rule.split(":")[0] for r in results}) == 1, results
    return results[0]


# Country groups -------------------------------------------------------------------------------


def test_the_country_groups_hold_the_27_member_states_and_iso_codes_only():
    assert len(EU_MEMBER_STATES) == 27
    assert not EU_MEMBER_STATES & HORIZON_EUROPE_ASSOCIATED
    assert {"NO", "GB", "CH", "IS", "TR", "UA"} <= HORIZON_EUROPE_ASSOCIATED
    assert all(is_country(code) for code in EU_MEMBER_STATES | HORIZON_EUROPE_ASSOCIATED)


def test_a_call_open_to_eu_and_associated_countries_lets_norway_in_and_keeps_the_us_out():
    rules = {"eligible_country_groups": ["eu", "associated"]}
    passed = _result(rules, [DTU, FJORD])
    assert passed.passed
    failed = _result(rules, [DTU, FJORD, ACME])
    assert not failed.passed and not failed.completable
    assert failed.reason == (
        "Open to organisations from EU member states, countries associated to Horizon Europe: "
        "Acme Inc (US) is not"
    )


def test_groups_and_listed_countries_together_are_one_rule():
    rules = {"eligible_country_groups": ["eu"], "eligible_countries": ["US"]}
    assert _result(rules, [DTU, ACME]).passed
    assert not _result(rules, [FJORD]).passed


def test_a_call_open_to_any_country_says_so_and_passes():
    result = _result({"eligible_country_groups": ["any"]}, [ACME])
    assert result.passed and result.reason == "Open to organisations from any country"


# Partners, countries and kinds ------------------------------------------------------------------


def test_the_counting_rules_pass_and_fail_with_the_numbers():
    assert _result({"min_partners": 2}, [DTU, FJORD]).reason == "Needs 2 partners: you have 2"
    low = _result({"min_partners": 3}, [DTU, FJORD])
    assert not low.passed and low.completable
    assert low.text == "Needs 3 partners: you have 2 — members of CLEAN or TWEED would complete it"
    high = _result({"max_partners": 1}, [DTU, FJORD])
    assert not high.passed and not high.completable
    assert high.reason == "At most 1 partner: you have 2"


def test_too_few_countries_names_the_clusters_that_would_complete_it():
    result = _result({"min_countries": 3}, [DTU, FJORD])
    assert not result.passed
    assert result.text == "Needs 3 countries: you have 2 — members of TWEED would complete it"


def test_a_required_kind_counts_in_words_and_plural():
    result = check({"required_kinds": {"sme": 2, "research": 1}}, [DTU, FJORD], OFFERS, LABELS)
    by_rule = {r.rule: r for r in result.results}
    assert by_rule["required_kinds:research"].passed
    assert by_rule["required_kinds:sme"].reason == "Needs 2 SMEs: you have 1"
    assert not by_rule["required_kinds:sme"].passed


def test_an_excluded_kind_names_the_party_and_the_kinds_in_plural():
    result = _result({"eligible_kinds": ["sme", "research"]}, [DTU, AARHUS])
    assert not result.passed
    assert result.reason == (
        "Open to SMEs or research organisations: City of Aarhus (public authority) is not"
    )


# The coordinator ------------------------------------------------------------------------------


def test_one_coordinator_of_the_right_kind_and_country_passes():
    rules = {"coordinator_kinds": ["research", "sme"], "coordinator_countries": ["DK", "NO"]}
    results = {r.rule: r for r in check(rules, [DTU, FJORD], kind_labels=LABELS).results}
    assert all(r.passed for r in results.values())
    assert results["coordinator"].reason == "Coordinated by DTU"
    assert results["coordinator_kinds"].reason == (
        "Coordinated by a research organisation or an SME: DTU is a research organisation"
    )
    assert results["coordinator_countries"].reason == "Coordinated from DK or NO: DTU is from DK"


def test_a_coordinator_of_another_kind_or_country_fails():
    rules = {"coordinator_kinds": ["research"], "coordinator_countries": ["NO"]}
    city = Party("City of Aarhus", "public_authority", "DK", coordinator=True)
    results = {r.rule: r for r in check(rules, [city, FJORD], kind_labels=LABELS).results}
    assert results["coordinator"].passed
    assert results["coordinator_kinds"].reason == (
        "Coordinated by a research organisation: City of Aarhus is a public authority"
    )
    assert not results["coordinator_kinds"].passed
    assert not results["coordinator_countries"].passed


def test_no_coordinator_says_none_is_named_and_who_could():
    rules = {"coordinator_kinds": ["research"]}
    lab = Party("DTU", "research", "DK")
    results = {r.rule: r for r in check(rules, [lab, FJORD], kind_labels=LABELS).results}
    assert not results["coordinator"].passed and results["coordinator"].completable
    assert results["coordinator"].text == (
        "Needs one coordinator: none is named — DTU could coordinate"
    )
    assert results["coordinator_kinds"].reason.endswith("no coordinator is named yet")


def test_two_coordinators_are_one_too_many():
    rules = {"coordinator_countries": ["DK"]}
    other = Party("Fjord Hydrogen", "sme", "NO", coordinator=True)
    results = {r.rule: r for r in check(rules, [DTU, other]).results}
    assert results["coordinator"].reason == (
        "Needs exactly one coordinator: DTU and Fjord Hydrogen are all named"
    )
    assert not results["coordinator"].passed and not results["coordinator"].completable


# Money ---------------------------------------------------------------------------------------


def test_the_budget_ceiling_passes_without_budgets_and_says_so():
    result = _result({"budget_ceiling": 900_000, "currency": "EUR"}, [DTU, FJORD])
    assert result.passed and result.informational
    assert result.reason == "Up to 900,000 EUR requested in total: no budgets yet"


def test_the_budget_ceiling_adds_up_the_requests():
    parties = [
        Party("DTU", "research", "DK", requested=600_000),
        Party("Fjord Hydrogen", "sme", "NO", requested=400_000),
        AARHUS,
    ]
    result = _result({"budget_ceiling": 900_000}, parties)
    assert not result.passed
    assert result.reason == (
        "Up to 900,000 requested in total: you request 1,000,000 (1 partner without a budget yet)"
    )
    assert _result({"budget_ceiling": 1_000_000}, parties).passed


def test_the_co_funding_rate_is_checked_partner_by_partner():
    rules = {"co_funding_rate": 70, "currency": "EUR"}
    fine = Party("DTU", "research", "DK", costs=100_000, requested=70_000)
    greedy = Party("Fjord Hydrogen", "sme", "NO", costs=50_000, requested=40_000)
    vague = Party("City of Aarhus", "public_authority", "DK", requested=10_000)
    assert _result(rules, [DTU, FJORD]).reason.endswith("no budgets yet")
    assert _result(rules, [fine]).reason == (
        "The funder pays up to 70 % of each partner's costs: every request is within"
    )
    result = _result(rules, [fine, greedy, vague])
    assert not result.passed
    assert result.reason == (
        "The funder pays up to 70 % of each partner's costs: Fjord Hydrogen asks 80 % "
        "(40,000 of 50,000 EUR); City of Aarhus asks 10,000 without stating costs"
    )


# Time ----------------------------------------------------------------------------------------


def test_a_deadline_ahead_is_information_and_a_passed_one_fails():
    ahead = _result({"deadline": "2026-12-02T23:59:59+01:00"}, [DTU])
    assert ahead.passed and ahead.informational
    assert ahead.reason == "Apply by 2 December 2026 (in 10 days)"
    passed = _result({"deadline": "2026-11-01"}, [DTU])
    assert not passed.passed and not passed.completable
    assert passed.reason == "The deadline passed on 1 November 2026"


def test_stages_name_the_next_one_and_those_that_closed():
    rules = {
        "stages": [
            {"name": "Full proposal", "deadline": "2027-03-01"},
            {"name": "Outline", "deadline": "2026-10-01"},
        ]
    }
    result = _result(rules, [DTU])
    assert result.passed and result.informational
    assert result.reason == (
        "Next stage: “Full proposal” by 1 March 2027 (“Outline” closed on 1 October 2026)"
    )
    late = check(rules, [DTU], today=date(2027, 3, 2)).results[0]
    assert not late.passed
    assert late.reason.startswith("Every stage has closed")


# In words ------------------------------------------------------------------------------------


FULL_RULES = {
    "eligible_country_groups": ["eu"],
    "eligible_countries": ["NO"],
    "eligible_kinds": ["sme", "research", "public_authority"],
    "min_partners": 3,
    "max_partners": 6,
    "min_countries": 3,
    "required_kinds": {"research": 1, "public_authority": 1},
    "coordinator_kinds": ["research"],
    "coordinator_countries": ["DK", "NO"],
    "stages": [{"name": "Outline", "deadline": "2027-02-01"}],
}


def test_describe_words_every_rule_a_call_sets():
    rules = {**FULL_RULES, "budget_ceiling": 900_000, "currency": "EUR", "co_funding_rate": 70}
    assert describe({**rules, "deadline": "2027-03-12"}, LABELS) == [
        "Open to organisations from EU member states or Norway",
        "Open to SMEs, research organisations or public authorities",
        "3 to 6 partners",
        "Partners from at least 3 countries",
        "At least 1 public authority and 1 research organisation",
        "Coordinated by a research organisation from Denmark or Norway",
        "Up to 900,000 EUR requested in total",
        "The funder pays up to 70 % of each partner's costs",
        "Stage “Outline”: by 1 February 2027",
        "Apply by 12 March 2027",
    ]
    assert describe({}, LABELS) == []
    assert describe({"min_partners": 2}) == ["At least 2 partners"]


def test_every_rule_described_is_also_checked():
    results = check(FULL_RULES, [DTU, FJORD, AARHUS], kind_labels=LABELS, today=TODAY).results
    assert {r.rule.split(":")[0] for r in results} == {
        "eligible_countries",
        "eligible_kinds",
        "min_partners",
        "max_partners",
        "min_countries",
        "required_kinds",
        "coordinator",
        "coordinator_kinds",
        "coordinator_countries",
        "stages",
    }


# Refused when saved --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "words"),
    [
        ({"eligible_country_groups": ["nordic"]}, "Unknown country group: nordic"),
        ({"eligible_country_groups": "eu"}, "eligible_country_groups must be a list"),
        ({"coordinator_kinds": ["wizard"]}, "Unknown organisation kind in coordinator_kinds"),
        ({"coordinator_countries": ["XX"]}, "'XX' is not an ISO 3166-1 alpha-2"),
        ({"min_countries": 4, "max_partners": 3}, "at most 3 partners may apply"),
        ({"min_countries": 3, "eligible_countries": ["DK", "NO"]}, "only 2 countries"),
        ({"required_kinds": {"sme": 3, "research": 2}, "max_partners": 4}, "adds up to 5"),
        ({"required_kinds": {"ngo": 1}, "eligible_kinds": ["sme"]}, "ngo is not one of"),
        ({"coordinator_kinds": ["ngo"], "eligible_kinds": ["sme"]}, "none of them"),
        (
            {"coordinator_countries": ["US"], "eligible_country_groups": ["eu"]},
            "US is not an eligible country",
        ),
        ({"stages": [{"name": "Outline"}]}, "needs exactly a name and a deadline"),
        ({"stages": [{"name": "", "deadline": "2027-01-01"}]}, "needs a name"),
        ({"stages": [{"name": "Outline", "deadline": "soon"}]}, "not a date"),
        (
            {
                "stages": [
                    {"name": "Outline", "deadline": "2027-01-01"},
                    {"name": "outline", "deadline": "2027-02-01"},
                ]
            },
            "two stages are called",
        ),
        ({"min_partners": True}, "min_partners must be a whole number"),
    ],
)
def test_rules_no_consortium_could_meet_are_refused_with_a_clear_message(rules, words):
    with pytest.raises(ValidationError) as raised:
        validate_eligibility(rules)
    assert any(words in message for message in raised.value.messages), raised.value.messages


def test_good_rules_are_accepted():
    validate_eligibility(FULL_RULES)
    assert eligibility_problems({}) == []


def _call(network: Network, secretariat, **fields) -> Opportunity:
    values = {
        "kind": "funding_call",
        "title": "Hydrogen valleys",
        "funder": "Clean Hydrogen Partnership",
        "author_organisation": network.org("clean", "public"),
        "visibility": "network",
        "publish": True,
        **fields,
    }
    return opportunity_create(actor=secretariat, **values)


def test_a_stage_after_the_calls_deadline_is_refused(network, secretariat):
    with pytest.raises(ValidationError) as raised:
        _call(
            network,
            secretariat,
            deadline=timezone.now() + timedelta(days=10),
            eligibility={"stages": [{"name": "Outline", "deadline": "2099-01-01"}]},
        )
    assert "eligibility" in raised.value.message_dict


# The call's form, API and page ---------------------------------------------------------------


def test_the_form_sets_the_new_rules_and_keeps_them_as_data(network, secretariat):
    response = client_for(secretariat).post(
        "/opportunities/new/",
        {
            "kind": "funding_call",
            "title": "Horizon cleantech call",
            "author_organisation": network.org("clean", "public").pk,
            "visibility": "network",
            "funder": "European Commission",
            "eligible_country_groups": ["eu", "associated"],
            "min_partners": 3,
            "coordinator_kinds": ["research"],
            "coordinator_countries": ["DK"],
            "stages": "Outline: 2027-02-01\nFull proposal: 2027-05-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Opportunity.objects.get(title="Horizon cleantech call")
    assert item.eligibility == {
        "eligible_country_groups": ["eu", "associated"],
        "min_partners": 3,
        "coordinator_kinds": ["research"],
        "coordinator_countries": ["DK"],
        "stages": [
            {"name": "Outline", "deadline": "2027-02-01"},
            {"name": "Full proposal", "deadline": "2027-05-01"},
        ],
    }
    edit = client_for(secretariat).get(f"/opportunities/{item.slug}/edit/").content.decode()
    assert "Outline: 2027-02-01" in edit


def test_the_form_shows_an_impossible_rule_next_to_its_field(network, secretariat):
    response = client_for(secretariat).post(
        "/opportunities/new/",
        {
            "kind": "funding_call",
            "title": "Impossible call",
            "author_organisation": network.org("clean", "public").pk,
            "visibility": "network",
            "funder": "Nobody",
            "eligible_countries": ["DK", "NO"],
            "min_countries": 3,
            "stages": "next spring",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "min_countries is 3, but only 2 countries are eligible." in body
    assert "is not a stage" in body
    assert not Opportunity.objects.filter(title="Impossible call").exists()


def test_the_api_takes_the_new_rules_and_refuses_bad_ones(network, secretariat):
    body = {
        "kind": "funding_call",
        "title": "Horizon via the API",
        "funder": "European Commission",
        "author_organisation": "clean-public-org",
        "eligibility": {
            "eligible_country_groups": ["eu"],
            "coordinator_kinds": ["research"],
            "coordinator_countries": ["dk"],
            "stages": [{"name": "Outline", "deadline": "2027-02-01"}],
        },
    }
    client = client_for(secretariat)
    response = api_call(client, "POST", "/opportunities", body)
    assert response.status_code == 201, response.content
    assert response.json()["eligibility"] == {
        "eligible_country_groups": ["eu"],
        "coordinator_kinds": ["research"],
        "coordinator_countries": ["DK"],
        "stages": [{"name": "Outline", "deadline": "2027-02-01"}],
    }
    bad = {**body, "eligibility": {"eligible_country_groups": ["nordic"]}}
    response = api_call(client, "POST", "/opportunities", bad)
    assert response.status_code == 422
    impossible = {**body, "eligibility": {"eligible_countries": ["DK"], "min_countries": 2}}
    response = api_call(client, "POST", "/opportunities", impossible)
    assert response.status_code == 422
    assert "only 1 countries" in response.content.decode()


def test_the_calls_page_shows_its_rules_in_words_and_the_builder_button(
    network, secretariat, member, anonymous
):
    item = _call(
        network,
        secretariat,
        visibility="public",
        eligibility={"min_partners": 3, "required_kinds": {"research": 1}, **_groups()},
    )
    page = client_for(member).get(item.get_absolute_url()).content.decode()
    assert "At least 3 partners" in page
    assert "At least 1 research organisation" in page
    assert "Open to organisations from EU member states or countries associated" in page
    assert "Build a consortium" in page
    assert (
        "Build a consortium"
        not in client_for(anonymous).get(item.get_absolute_url()).content.decode()
    )


def _groups() -> dict:
    return {"eligible_country_groups": ["eu", "associated"]}


def test_call_rules_gather_budget_rate_deadline_and_the_check_uses_them(network, secretariat):
    item = _call(
        network,
        secretariat,
        budget_max=400_000,
        co_funding_rate=70,
        currency="EUR",
        deadline=timezone.now() + timedelta(days=30),
        eligibility={"min_partners": 2},
    )
    rules = call_rules(item)
    assert rules["budget_ceiling"] == 400_000 and rules["co_funding_rate"] == 70
    assert rules["currency"] == "EUR" and "deadline" in rules
    parties = [
        Party("A", "sme", "DK", coordinator=True, costs=100_000, requested=70_000),
        Party("B", "research", "NO", costs=500_000, requested=350_000),
    ]
    result = {r.rule: r for r in check_consortium(item, parties).results}
    assert result["min_partners"].passed and result["co_funding_rate"].passed
    assert not result["budget_ceiling"].passed
    assert result["deadline"].passed and result["deadline"].informational
