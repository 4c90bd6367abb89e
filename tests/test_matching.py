"""Matchmaking suggestions: solutions for a challenge, partners abroad, organisations for a call,
funding calls checked against their rules, and the index kept in step with the database."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from icn.accounts.models import Membership, User
from icn.core.visibility import Visibility
from icn.directory.models import Organisation, OrganisationKind, Topic
from icn.matching import eligibility, index, selectors, services
from icn.matching.engine import load_embedder
from icn.matching.models import Embedding
from icn.opportunities.models import Opportunity, Solution
from icn.opportunities.services import opportunity_create, solution_create, solution_update
from tests.conftest import Network, client_for
from tests.test_api import ROLES, bearer, call

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(network: Network) -> Organisation:
    """Copenhagen's city administration, a public member of CLEAN."""
    organisation = Organisation.objects.create(
        name="City of Copenhagen",
        slug="city-of-copenhagen",
        kind=OrganisationKind.PUBLIC_AUTHORITY,
        country="DK",
        visibility=Visibility.PUBLIC,
        description="The city administration, buying clean buses and heating for the city.",
    )
    organisation.clusters.add(network.clean)
    organisation.topics.add(network.topic)
    return organisation


@pytest.fixture
def solutions(network: Network, secretariat: User) -> dict[str, Solution]:
    """A hydrogen bus from every organisation of the network, at its organisation's visibility,
    and a solar roof that has nothing to do with buses."""
    made = {}
    for cluster in ("clean", "nordic-edge"):
        for visibility in ("public", "network", "cluster", "private"):
            made[f"{cluster}-{visibility}"] = solution_create(
                actor=secretariat,
                organisation=network.org(cluster, visibility),
                topics=[network.topic],
                title=f"Hydrogen fuel cell bus ({cluster} {visibility})",
                description=(
                    "A hydrogen fuel cell bus for city transport with refuelling at the depot. "
                    "Zero emission public transport for municipalities."
                ),
                readiness_level=8,
                markets=["DK", "NO"],
                visibility=visibility,
            )
    made["solar"] = solution_create(
        actor=secretariat,
        organisation=network.org("nordic-edge", "public"),
        topics=[Topic.objects.get(slug="solar-power")],
        title="Solar roof tiles",
        description="Roof tiles that make electricity from sunlight on family houses.",
        readiness_level=9,
        visibility="public",
    )
    return made


@pytest.fixture
def challenge(city: Organisation, secretariat: User, network: Network) -> Opportunity:
    return opportunity_create(
        actor=secretariat,
        author_organisation=city,
        publish=True,
        kind="challenge",
        title="Zero emission hydrogen buses for the city",
        summary="Copenhagen wants hydrogen fuel cell buses for its public transport.",
        body="We look for a hydrogen bus with refuelling at the depot, ready for a pilot.",
        visibility="public",
        trl_min=7,
        trl_max=9,
        contact_email="buses@copenhagen.example",
        topics=[network.topic],
        deadline=timezone.now() + timedelta(days=60),
    )


def _call(
    secretariat: User, network: Network, title: str, rules: dict[str, Any], **fields: Any
) -> Opportunity:
    return opportunity_create(
        actor=secretariat,
        author_organisation=network.org("clean", "public"),
        publish=True,
        kind="funding_call",
        title=title,
        summary="Funding for hydrogen demonstration projects.",
        body="Consortia demonstrate hydrogen buses and refuelling.",
        funder="Interreg",
        visibility=fields.pop("visibility", "network"),
        eligibility=rules,
        topics=[network.topic],
        deadline=timezone.now() + timedelta(days=90),
        **fields,
    )


@pytest.fixture
def calls(secretariat: User, network: Network) -> dict[str, Opportunity]:
    return {
        "pair": _call(secretariat, network, "Hydrogen pilots for pairs", {"min_partners": 2}),
        "bigger": _call(
            secretariat,
            network,
            "Interreg hydrogen consortia",
            {"min_partners": 3, "min_countries": 2, "required_kinds": {"research": 1}},
        ),
        "swedish": _call(
            secretariat,
            network,
            "Swedish-only hydrogen call",
            {"eligible_countries": ["SE"], "min_partners": 2},
        ),
    }


def _shown(body: str, attribute: str) -> list[str]:
    return re.findall(rf'{attribute}="([^"]+)"', body)


# The challenge page ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_challenge_page_shows_ranked_solutions_and_never_one_the_viewer_cannot_see(
    request, challenge, solutions, role
):
    viewer = request.getfixturevalue(role)
    body = client_for(viewer).get(challenge.get_absolute_url()).content.decode()
    shown = _shown(body, "data-solution")
    visible = set(Solution.objects.visible_to(viewer).values_list("slug", flat=True))
    assert shown, "some solution fits"
    assert set(shown) <= visible
    assert len(shown) == len(set(shown)) <= 5
    assert solutions["solar"].slug not in shown  # shares neither a topic nor a word
    if role == "anonymous":
        assert set(shown) == {solutions["clean-public"].slug, solutions["nordic-edge-public"].slug}


def test_each_suggested_solution_comes_with_its_reasons_and_matched_passages(
    challenge, solutions, member
):
    body = client_for(member).get(challenge.get_absolute_url()).content.decode()
    assert "Solutions that fit this challenge" in body
    assert "Matches topics: Hydrogen" in body
    assert "Readiness TRL 8 meets the wanted 7" in body
    assert "hydrogen fuel cell bus for city transport" in body.lower()  # a matched passage


def test_suggestions_are_ranked_best_first_and_an_off_topic_solution_is_left_out(
    challenge, solutions, secretariat
):
    results = selectors.solutions_for_challenge(viewer=secretariat, challenge=challenge, limit=9)
    ranked = [result.solution.slug for result in results if result.solution]
    assert len(ranked) == 8 and solutions["solar"].slug not in ranked
    assert all(a.score >= b.score for a, b in pairwise(results))


def test_eligible_calls_are_shown_with_the_rule_check_and_a_call_closed_by_country_is_not(
    challenge, solutions, calls, member
):
    body = client_for(member).get(challenge.get_absolute_url()).content.decode()
    assert "Hydrogen pilots for pairs" in body and "eligible as a pair" in body
    assert "Interreg hydrogen consortia" in body and "could apply with more partners" in body
    assert "Needs 3 partners: you have 2" in body
    assert "Needs 1 research organisation: you have 0" in body
    assert "Swedish-only hydrogen call" not in body


def test_the_rule_check_names_the_clusters_whose_members_would_complete_it(
    challenge, solutions, calls, network, secretariat
):
    Organisation.objects.create(
        name="Stavanger University",
        slug="stavanger-university",
        kind=OrganisationKind.RESEARCH,
        country="NO",
        visibility="public",
    ).clusters.add(network.nordic_edge)
    results = selectors.solutions_for_challenge(viewer=secretariat, challenge=challenge)
    checks = {
        fit.call.slug: fit.check for result in results for fit in result.calls if result.solution
    }
    bigger = checks[calls["bigger"].slug]
    texts = {r.rule: r.text for r in bigger.results}
    assert texts["required_kinds:research"] == (
        "Needs 1 research organisation: you have 0 — members of Nordic Edge would complete it"
    )
    assert bigger.needs_partners and not bigger.blocked
    assert calls["swedish"].slug not in checks


def test_the_api_gives_the_pages_solutions_with_the_same_reasons(
    challenge, solutions, calls, member
):
    response = call(client_for(member), "GET", f"/matching/challenges/{challenge.slug}/solutions")
    assert response.status_code == 200
    page = selectors.solutions_for_challenge(viewer=member, challenge=challenge)
    body = response.json()
    assert [item["solution"]["slug"] for item in body] == [
        r.solution.slug for r in page if r.solution
    ]
    assert body[0]["reasons"] == page[0].reasons
    visible = set(Solution.objects.visible_to(member).values_list("slug", flat=True))
    assert {item["solution"]["slug"] for item in body} <= visible
    rules = {rule["rule"] for item in body for c in item["calls"] for rule in c["rules"]}
    assert "min_partners" in rules


def test_a_challenge_the_caller_cannot_see_has_no_suggestions_in_the_api(
    network, city, secretariat, anonymous
):
    hidden = opportunity_create(
        actor=secretariat,
        author_organisation=city,
        publish=True,
        kind="challenge",
        title="Network-only challenge",
        visibility="network",
    )
    response = call(client_for(anonymous), "GET", f"/matching/challenges/{hidden.slug}/solutions")
    assert response.status_code == 404


# Eligibility rules ------------------------------------------------------------------------------


CITY = eligibility.Party("City of Aarhus", "public_authority", "DK")
COMPANY = eligibility.Party("Fjord Hydrogen", "sme", "NO")
LAB = eligibility.Party("DTU", "research", "DK")
OFFERS = [
    eligibility.ClusterOffer("CLEAN", "DK", {"sme": 40, "research": 3}),
    eligibility.ClusterOffer("TWEED", "BE", {"sme": 30, "research": 6}),
    eligibility.ClusterOffer("Nordic Edge", "NO", {"sme": 20}),
]


def test_every_rule_of_a_call_is_checked_with_a_plain_reason():
    rules = {
        "eligible_countries": ["DK", "NO", "BE"],
        "eligible_kinds": ["sme", "public_authority", "research"],
        "min_partners": 3,
        "max_partners": 6,
        "min_countries": 3,
        "required_kinds": {"research": 1, "public_authority": 1},
    }
    check = eligibility.check(rules, [CITY, COMPANY], OFFERS)
    results = {r.rule: r for r in check.results}
    assert set(results) == {
        "eligible_countries",
        "eligible_kinds",
        "min_partners",
        "max_partners",
        "min_countries",
        "required_kinds:public_authority",
        "required_kinds:research",
    }
    passed = {rule for rule, r in results.items() if r.passed}
    assert passed == {
        "eligible_countries",
        "eligible_kinds",
        "max_partners",
        "required_kinds:public_authority",
    }
    assert results["min_partners"].reason == "Needs 3 partners: you have 2"
    assert results["min_countries"].reason == "Needs 3 countries: you have 2"
    assert results["min_countries"].suggestion == "members of TWEED would complete it"
    assert results["required_kinds:research"].suggestion == (
        "members of TWEED or CLEAN would complete it"
    )
    assert check.needs_partners and not check.passed and not check.blocked


def test_a_party_from_a_country_the_call_excludes_blocks_the_call():
    check = eligibility.check({"eligible_countries": ["DK"], "min_partners": 3}, [CITY, COMPANY])
    country = check.results[0]
    assert not country.passed and not country.completable
    assert country.reason == "Open to organisations from DK: Fjord Hydrogen (NO) is not"
    assert check.blocked and not check.needs_partners


def test_a_call_without_rules_is_open_to_any_pair():
    assert eligibility.check({}, [CITY, COMPANY]).passed
    assert eligibility.check(None, []).results == ()


party_strategy = st.builds(
    eligibility.Party,
    name=st.sampled_from(["A", "B", "C", "D"]),
    kind=st.sampled_from(["sme", "research", "public_authority", "ngo"]),
    country=st.sampled_from(["DK", "NO", "SE", "BE"]),
)
rules_strategy = st.fixed_dictionaries(
    {},
    optional={
        "eligible_countries": st.lists(st.sampled_from(["DK", "NO", "SE", "BE"]), max_size=3),
        "eligible_kinds": st.lists(st.sampled_from(["sme", "research", "ngo"]), max_size=2),
        "min_partners": st.integers(0, 6),
        "max_partners": st.integers(0, 8),
        "min_countries": st.integers(0, 4),
        "required_kinds": st.dictionaries(
            st.sampled_from(["sme", "research", "public_authority"]), st.integers(1, 3)
        ),
    },
)


def _counts_hold(rules: dict[str, Any], parties: list[eligibility.Party]) -> bool:
    kinds = [p.kind for p in parties]
    return (
        len(parties) >= (rules.get("min_partners") or 0)
        and len({p.country for p in parties}) >= (rules.get("min_countries") or 0)
        and all(kinds.count(k) >= n for k, n in (rules.get("required_kinds") or {}).items())
    )


@given(rules_strategy, st.lists(party_strategy, max_size=6), party_strategy)
def test_adding_a_party_never_makes_a_minimum_fail(rules, parties, extra):
    before = {r.rule: r.passed for r in eligibility.check(rules, parties).results}
    after = {r.rule: r.passed for r in eligibility.check(rules, [*parties, extra]).results}
    for rule, passed in before.items():
        if passed and (rule.startswith("min_") or rule.startswith("required_kinds")):
            assert after[rule], rule


@given(rules_strategy, st.lists(party_strategy, min_size=1, max_size=6), st.data())
def test_a_passing_set_keeps_passing_without_a_party_exactly_when_the_counts_still_hold(
    rules, parties, data
):
    if not eligibility.check(rules, parties).passed:
        return
    gone = data.draw(st.integers(0, len(parties) - 1))
    rest = parties[:gone] + parties[gone + 1 :]
    assert eligibility.check(rules, rest).passed == _counts_hold(rules, rest)


@given(rules_strategy, st.lists(party_strategy, max_size=6))
def test_every_rule_set_is_reported_and_blocked_means_a_party_or_a_maximum_is_wrong(rules, parties):
    check = eligibility.check(rules, parties)
    reported = {r.rule.split(":")[0] for r in check.results}
    expected = {
        key
        for key, value in rules.items()
        if value not in ([], {}, None)
        and not (key in {"min_partners", "min_countries"} and not value)
    }
    assert reported == expected
    outside = any(
        (rules.get("eligible_countries") and p.country not in rules["eligible_countries"])
        or (rules.get("eligible_kinds") and p.kind not in rules["eligible_kinds"])
        for p in parties
    )
    too_many = rules.get("max_partners") is not None and len(parties) > rules["max_partners"]
    unaddable = bool(rules.get("eligible_kinds")) and any(
        kind not in rules["eligible_kinds"] and [p.kind for p in parties].count(kind) < n
        for kind, n in (rules.get("required_kinds") or {}).items()
    )
    assert check.blocked == bool(outside or too_many or unaddable)


# Partners abroad and organisations for a call -----------------------------------------------


@pytest.fixture
def research_abroad(network: Network) -> dict[str, Organisation]:
    made = {}
    for visibility in ("public", "private"):
        organisation = Organisation.objects.create(
            name=f"Stavanger hydrogen lab ({visibility})",
            slug=f"stavanger-lab-{visibility}",
            kind=OrganisationKind.RESEARCH,
            country="NO",
            visibility=visibility,
            description="Research on hydrogen fuel cells and hydrogen storage.",
        )
        organisation.clusters.add(network.nordic_edge)
        organisation.topics.add(network.topic)
        made[visibility] = organisation
    return made


def test_partner_search_returns_only_organisations_abroad_that_the_viewer_may_see(
    network, member, research_abroad
):
    body = client_for(member).get("/matching/partners/").content.decode()
    shown = _shown(body, "data-organisation")
    visible = set(Organisation.objects.visible_to(member).values_list("slug", flat=True))
    abroad = set(Organisation.objects.exclude(country="DK").values_list("slug", flat=True))
    assert shown and set(shown) <= visible & abroad
    assert research_abroad["public"].slug in shown
    assert research_abroad["private"].slug not in shown
    assert "Brings a research organisation to your SME" in body


def test_partner_search_through_the_api_explains_each_partner(network, member, research_abroad):
    response = call(
        client_for(member),
        "GET",
        f"/matching/partners?organisation={network.org('clean', 'private').slug}",
        **bearer(member),
    )
    assert response.status_code == 200
    body = response.json()
    assert body and all(item["organisation"]["country"] != "DK" for item in body)
    assert all(item["reasons"] for item in body)


def test_partner_search_for_an_organisation_the_viewer_does_not_act_for_is_refused(network, member):
    other = network.org("clean", "public").slug
    response = call(
        client_for(member), "GET", f"/matching/partners?organisation={other}", **bearer(member)
    )
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["member", "other_member", "partner", "anonymous"])
def test_the_call_page_groups_fitting_organisations_by_kind_within_visibility(
    request, network, secretariat, research_abroad, city, role
):
    viewer = request.getfixturevalue(role)
    call_item = _call(
        secretariat,
        network,
        "Hydrogen research and demonstration",
        {"min_partners": 3, "required_kinds": {"research": 1}},
        visibility="public",
    )
    body = client_for(viewer).get(call_item.get_absolute_url()).content.decode()
    assert "Organisations in the network that fit this call" in body
    shown = _shown(body, "data-organisation")
    visible = set(Organisation.objects.visible_to(viewer).values_list("slug", flat=True))
    assert shown and set(shown) <= visible
    groups = selectors.organisations_for_call(viewer=viewer, call=call_item)
    assert groups[0].kind == "research" and groups[0].required == 1
    assert "the call needs 1" in body
    assert "Of a kind the call asks for: research organisation" in body


def test_the_call_api_gives_the_same_groups_as_the_page(network, secretariat, research_abroad):
    call_item = _call(secretariat, network, "Hydrogen call", {"eligible_kinds": ["research"]})
    response = call(
        client_for(secretariat), "GET", f"/matching/calls/{call_item.slug}/organisations"
    )
    assert response.status_code == 200
    groups = response.json()
    assert [group["kind"] for group in groups] == ["research"]
    assert {o["organisation"]["slug"] for o in groups[0]["organisations"]} == {
        research_abroad["public"].slug,
        research_abroad["private"].slug,
    }


# The index -----------------------------------------------------------------------------------


def test_icn_reindex_stores_a_vector_for_every_record(challenge, solutions, calls):
    out = StringIO()
    call_command("reindex", stdout=out)
    assert "solutions: 9 records encoded with hashing" in out.getvalue()
    assert Embedding.objects.filter(kind="solutions").count() == Solution.objects.count()
    assert Embedding.objects.filter(kind="opportunities").count() == 4
    organisations = Organisation.objects.exclude(kind=OrganisationKind.PARTNER).count()
    assert Embedding.objects.filter(kind="organisations").count() == organisations
    call_command("reindex", kind="solutions", stdout=out)
    assert "solutions: 9/9" in out.getvalue()


def test_the_index_picks_up_a_changed_solution_without_being_told(solutions, secretariat):
    solar = solutions["solar"]
    kind_index = index.get_index("solutions")
    assert int(kind_index.search("seaweed packaging", k=1)[0].doc_id) != solar.pk
    # Changed behind the index's back: no service, no task.
    Solution.objects.filter(pk=solar.pk).update(
        description="Packaging made of seaweed instead of plastic.",
        updated_at=timezone.now() + timedelta(seconds=1),
    )
    assert int(kind_index.search("seaweed packaging", k=1)[0].doc_id) == solar.pk
    stored = Embedding.objects.get(kind="solutions", object_id=solar.pk)
    assert stored.text_hash == index.text_hash(kind_index.texts[solar.pk])
    Solution.objects.filter(pk=solar.pk).delete()
    assert solar.pk not in {int(h.doc_id) for h in kind_index.search("seaweed packaging")}


class CountingEmbedder:
    """The hashing embedder, counting the texts it encodes."""

    def __init__(self) -> None:
        self.inner = load_embedder("hashing")
        self.name = self.inner.name
        self.dim = self.inner.dim
        self.texts = 0

    def encode(self, texts: Any) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.encode(texts)


def test_stored_vectors_are_reused_after_the_process_wide_index_is_dropped(
    solutions, challenge, monkeypatch
):
    counting = CountingEmbedder()
    monkeypatch.setattr(index, "current_embedder", lambda: counting)
    index.get_index("solutions").refresh()
    assert counting.texts == Solution.objects.count()
    index.drop_indexes()  # as after a restart
    counting.texts = 0
    fresh = index.get_index("solutions")
    assert fresh.refresh() == Solution.objects.count()
    assert counting.texts == 0 and len(fresh) == Solution.objects.count()
    # A record whose text changed since its vector was stored is encoded again, alone.
    Solution.objects.filter(pk=solutions["solar"].pk).update(description="Wave power buoys.")
    index.drop_indexes()
    index.get_index("solutions").refresh()
    assert counting.texts == 1


def test_warm_up_loads_every_index_so_the_first_page_encodes_only_its_query(
    solutions, challenge, monkeypatch
):
    counting = CountingEmbedder()
    monkeypatch.setattr(index, "current_embedder", lambda: counting)
    sizes = index.warm_up()
    assert sizes["solutions"] == Solution.objects.count()
    assert sizes["organisations"] == len(index.get_index("organisations")) > 0
    counting.texts = 0
    index.get_index("solutions").search("solar panels on roofs")
    assert counting.texts == 1  # the query; the documents were in memory already


def test_the_warm_up_runs_in_the_background_only_when_switched_on(settings, monkeypatch):
    calls = []
    monkeypatch.setattr(index, "warm_up", lambda: calls.append("warmed") or {})
    settings.ICN_MATCHING_WARM_UP = False
    assert index.start_warm_up() is None
    settings.ICN_MATCHING_WARM_UP = True
    thread = index.start_warm_up()
    assert thread is not None
    thread.join(timeout=10)
    assert calls == ["warmed"]


def test_a_change_through_a_service_is_reindexed_by_a_task_on_commit(
    solutions, secretariat, django_capture_on_commit_callbacks
):
    solar = solutions["solar"]
    call_command("reindex", kind="solutions", stdout=StringIO())
    before = Embedding.objects.get(kind="solutions", object_id=solar.pk).text_hash
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        solution_update(actor=secretariat, solution=solar, description="Floating solar farms.")
    assert callbacks  # the service itself asked for the reindex
    after = Embedding.objects.get(kind="solutions", object_id=solar.pk).text_hash
    assert after != before
    assert "Floating solar farms." in index.get_index("solutions").texts[solar.pk]


def test_a_second_organisation_member_sees_suggestions_for_its_own_challenge(
    network, challenge, solutions, city
):
    user = User.objects.create_user("city@copenhagen.example", "a-long-test-password")
    Membership.objects.create(user=user, organisation=city, role="member")
    body = client_for(user).get(challenge.get_absolute_url()).content.decode()
    assert "Suggest an introduction" in body


def test_an_organisation_whose_introductions_led_to_meetings_is_said_to_have_good_outcomes(
    network, member, secretariat, research_abroad
):
    lab = research_abroad["public"]
    match = services.match_suggest(
        actor=secretariat,
        organisation=network.org("nordic-edge", "public"),
        target_organisation=lab,
    )
    for step in ("introduced", "meeting_held"):
        services.match_transition(actor=secretariat, match=match, to=step)
    results = selectors.partners_for(viewer=member, organisation=network.org("clean", "private"))
    reasons = {r.organisation.slug: r.reasons for r in results if r.organisation}
    assert "Good outcomes in past matches" in reasons[lab.slug]


def test_icn_reindex_changed_encodes_only_records_whose_text_changed(solutions, monkeypatch):
    counting = CountingEmbedder()
    monkeypatch.setattr(index, "current_embedder", lambda: counting)
    call_command("reindex", kind="solutions", stdout=StringIO())
    assert counting.texts == Solution.objects.count()
    counting.texts = 0
    Solution.objects.filter(pk=solutions["solar"].pk).update(description="Seaweed packaging.")
    out = StringIO()
    call_command("reindex", kind="solutions", changed=True, stdout=out)
    assert "up to date" in out.getvalue()
    assert counting.texts == 1


def test_a_topic_only_change_through_a_service_refreshes_the_stored_vector(
    network, solutions, secretariat, django_capture_on_commit_callbacks
):
    solar = solutions["solar"]
    call_command("reindex", kind="solutions", stdout=StringIO())
    before = Embedding.objects.get(kind="solutions", object_id=solar.pk).text_hash
    with django_capture_on_commit_callbacks(execute=True):
        solution_update(actor=secretariat, solution=solar, topics=[network.topic])
    after = Embedding.objects.get(kind="solutions", object_id=solar.pk).text_hash
    assert after != before
