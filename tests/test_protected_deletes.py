"""A record that a project application still refers to cannot be deleted: the page and the
API say which records hold it, instead of failing with a server error."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from icn.directory.models import Organisation
from icn.opportunities.models import Opportunity
from icn.projects import services
from tests.conftest import Network, client_for
from tests.test_api import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(network: Network, member, secretariat) -> tuple[Organisation, Opportunity]:
    now = timezone.now()
    call = Opportunity.objects.create(
        kind="funding_call",
        status="published",
        title="District heating pilots",
        slug="district-heating-pilots",
        author_organisation=network.org("clean", "public"),
        cluster=network.clean,
        visibility="network",
        funder="Nordic Innovation",
        budget_max=Decimal("200000"),
        deadline=now + timedelta(days=40),
        published_at=now,
    )
    lead = network.org("clean", "private")
    services.application_create(actor=member, call=call, lead=lead, title="Heat from data centres")
    return lead, call


def test_deleting_an_organisation_that_leads_an_application_is_explained(held, member):
    lead, _ = held
    response = client_for(member).post(f"/organisations/{lead.slug}/delete/", follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be deleted:" in body and "project application “Heat from data centres”" in body
    assert Organisation.objects.filter(pk=lead.pk).exists()


def test_the_api_refuses_to_delete_a_call_an_application_uses(held, secretariat):
    _, call = held
    response = client_for(secretariat).delete(
        f"/api/v1/opportunities/{call.slug}", **bearer(secretariat)
    )
    assert response.status_code == 422
    assert "still refer to it" in response.content.decode()
    assert Opportunity.objects.filter(pk=call.pk).exists()
