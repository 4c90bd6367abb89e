"""Full-text search over opportunities, on whichever database runs the suite."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from icn.opportunities.models import Opportunity
from icn.opportunities.search import fts5_query, search
from icn.opportunities.services import opportunity_create

pytestmark = pytest.mark.django_db


def _post(actor, organisation, title, body="", **fields):
    return opportunity_create(
        actor=actor,
        author_organisation=organisation,
        publish=True,
        kind="news",
        title=title,
        body=body,
        visibility="public",
        **fields,
    )


def test_search_finds_a_word_in_the_body_and_stems_plurals(network, secretariat):
    org = network.org("clean", "public")
    found = _post(secretariat, org, "Harbour news", "New electrolysers for green hydrogen.")
    _post(secretariat, org, "Unrelated", "Nothing about gas.")
    hits = search(Opportunity.objects.all(), "electrolyser")
    assert list(hits) == [found]


def test_title_matches_rank_above_body_matches(network, secretariat):
    org = network.org("clean", "public")
    in_body = _post(secretariat, org, "Port update", "District heating pilot in the port.")
    in_title = _post(secretariat, org, "District heating tender", "A new network.")
    ranked = list(search(Opportunity.objects.all(), "district heating").order_by("-search_rank"))
    assert ranked == [in_title, in_body]


def test_search_words_are_all_required(network, secretariat):
    org = network.org("clean", "public")
    both = _post(secretariat, org, "Wind and water", "Offshore wind for desalination.")
    _post(secretariat, org, "Wind only", "Offshore wind.")
    assert list(search(Opportunity.objects.all(), "wind desalination")) == [both]


def test_search_sees_edits_and_forgets_deleted_items(network, secretariat):
    org = network.org("clean", "public")
    item = _post(secretariat, org, "Solar roofs", "")
    item.title = "Geothermal wells"
    item.save()
    assert not search(Opportunity.objects.all(), "solar").exists()
    assert search(Opportunity.objects.all(), "geothermal").exists()
    item.delete()
    assert not search(Opportunity.objects.all(), "geothermal").exists()


def test_search_respects_visibility(network, secretariat, anonymous):
    org = network.org("clean", "cluster")
    opportunity_create(
        actor=secretariat,
        author_organisation=org,
        publish=True,
        kind="news",
        title="Secret biogas plans",
        visibility="cluster",
    )
    assert not search(Opportunity.objects.visible_to(anonymous), "biogas").exists()
    assert search(Opportunity.objects.visible_to(secretariat), "biogas").exists()


def test_text_without_words_finds_nothing(network):
    assert not search(Opportunity.objects.all(), " *** ").exists()


@given(st.text(max_size=60))
def test_any_user_text_becomes_a_safe_fts5_query(text):
    query = fts5_query(text)
    # Every term is quoted, so FTS5 operators in user text are taken as words.
    for term in filter(None, query.split(" ")):
        assert term.startswith('"') and term.rstrip("*").endswith('"')


@pytest.mark.parametrize("text", ["AND OR NOT", '"unbalanced', "near(a b)", "a:b", "-x", "*"])
def test_operators_in_user_text_are_not_errors(network, text):
    list(search(Opportunity.objects.all(), text))


def test_text_without_words_sorted_by_relevance_is_an_empty_list_not_an_error(network, anonymous):
    from tests.conftest import client_for

    response = client_for(anonymous).get("/opportunities/", {"q": "!!!", "sort": "relevance"})
    assert response.status_code == 200
    assert "Nothing matches" in response.content.decode()
