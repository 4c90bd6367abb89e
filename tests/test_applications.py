"""Project applications: from the idea to the funder's answer, on the pages. The lifecycle and
its result data, who sees and runs an application, the shared workspace (sections that several
partners write without overwriting each other, tasks, documents), budgets against the call's
rules, the DOCX export, invitations, reminders and the demo."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO, StringIO
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from docx import Document as WordDocument

from icn.accounts.models import Membership, User
from icn.directory.demo import load_demo
from icn.directory.models import Organisation
from icn.opportunities.models import Opportunity
from icn.projects import demo, selectors, services
from icn.projects.models import (
    ApplicationEvent,
    ApplicationStatus,
    ConsortiumMember,
    MemberStatus,
    ProjectApplication,
    Reminder,
    SectionRevision,
    Task,
)
from tests.conftest import Network, client_for

pytestmark = pytest.mark.django_db

S = ApplicationStatus
PASSWORD = "a-long-test-password"


# The network's call, lead and partner ------------------------------------------------------


@pytest.fixture
def funding_call(network: Network) -> Opportunity:
    """An open Horizon Europe call: two partners from two countries, 100,000 EUR at most,
    70 % of each partner's costs."""
    now = timezone.now()
    return Opportunity.objects.create(
        kind="funding_call",
        status="published",
        title="Hydrogen valleys for industrial regions",
        slug="hydrogen-valleys-call",
        author_organisation=network.org("clean", "public"),
        cluster=network.clean,
        visibility="network",
        funder="European Commission",
        programme="Horizon Europe Cluster 5",
        budget_max=Decimal("100000"),
        co_funding_rate=Decimal("70"),
        currency="EUR",
        eligibility={"min_partners": 2, "min_countries": 2},
        deadline=now + timedelta(days=30),
        published_at=now,
    )


@pytest.fixture
def lead(network: Network) -> Organisation:
    """CLEAN's private organisation, which `member` runs."""
    return network.org("clean", "private")


@pytest.fixture
def partner_org(network: Network) -> Organisation:
    """A company of Nordic Edge (Norway)."""
    return network.org("nordic-edge", "network")


@pytest.fixture
def partner_user(partner_org: Organisation) -> User:
    """Someone who acts for the Norwegian partner."""
    user = User.objects.create_user("ola@nordic.example", PASSWORD, full_name="Ola Partner")
    Membership.objects.create(user=user, organisation=partner_org, role="member")
    return user


@pytest.fixture
def application(member, funding_call, lead, partner_org) -> ProjectApplication:
    return services.application_create(
        actor=member,
        call=funding_call,
        lead=lead,
        partners=[partner_org],
        title="Hydrogen valleys that share electrolysers",
        acronym="H2V",
    )


def coordinator(application: ProjectApplication) -> ConsortiumMember:
    return application.members.get(is_coordinator=True)


def partner_of(application: ProjectApplication, organisation: Organisation) -> ConsortiumMember:
    return application.members.get(organisation=organisation)


def make_ready(
    application: ProjectApplication, member: User, partner_user: User, partner_org: Organisation
) -> ProjectApplication:
    """A consortium that meets every rule, confirmed, budgeted and written, in drafting."""
    partner = partner_of(application, partner_org)
    services.member_respond(actor=partner_user, member=partner, accept=True)
    services.budget_set(
        actor=member, member=coordinator(application), costs="50000", requested="35000"
    )
    services.budget_set(actor=partner_user, member=partner, costs="40000", requested="28000")
    application = services.application_transition(
        actor=member, application=application, to=S.DRAFTING
    )
    for section in application.sections.all():
        services.section_save(
            actor=member, section=section, text=f"Our {section.key}.", base_version=0
        )
    return application


def location_id(response: Any) -> int:
    found = re.search(r"/projects/applications/(\d+)/", response["Location"])
    assert found, response["Location"]
    return int(found.group(1))


# The whole road on the pages ----------------------------------------------------------------


def test_a_cluster_manager_takes_a_call_to_a_grant_on_the_pages(
    funding_call,
    lead,
    partner_org,
    partner_user,
    cluster_manager,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    manager = client_for(cluster_manager)
    # The consortium builder links here with the call, the lead and the partners.
    page = manager.get(
        f"/projects/applications/new/?call={funding_call.slug}&lead={lead.pk}&partners={partner_org.pk}"
    )
    assert page.status_code == 200
    response = manager.post(
        "/projects/applications/new/",
        {
            "call": funding_call.slug,
            "lead": lead.pk,
            "partners": [partner_org.pk],
            "title": "Hydrogen valleys",
            "acronym": "H2V",
        },
    )
    assert response.status_code == 302
    pk = location_id(response)
    base = f"/projects/applications/{pk}"
    application = ProjectApplication.objects.get(pk=pk)
    assert application.status == S.CONSORTIUM
    assert [s.key for s in application.sections.all()] == ["excellence", "impact", "implementation"]

    # A research partner from outside the network, invited by e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            f"{base}/members/",
            {
                "name": "Lund Hydrogen Lab",
                "kind": "research",
                "country": "SE",
                "email": "anna@lund.example",
                "role": "Electrolyser testing",
                "invite": "on",
            },
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["anna@lund.example"]
    link = re.search(r"http://\S+/projects/invitations/\S+/", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]

    # She has no account: she creates one while accepting, and is let in.
    visitor = client_for(None)
    assert "Lund Hydrogen Lab" in visitor.get(f"/{path}").content.decode()
    response = visitor.post(
        f"/{path}",
        {
            "answer": "accept",
            "full_name": "Anna Lund",
            "new_password1": "hydrogen-valleys-2025",
            "new_password2": "hydrogen-valleys-2025",
        },
    )
    assert response.status_code == 302
    external = application.members.get(external_name="Lund Hydrogen Lab")
    assert external.status == MemberStatus.CONFIRMED
    assert external.user is not None and external.user.email == "anna@lund.example"
    assert visitor.get(base + "/").status_code == 200

    # The Norwegian partner confirms, and the budget is set per partner.
    norwegian = partner_of(application, partner_org)
    response = client_for(partner_user).post(
        f"{base}/members/{norwegian.pk}/answer/", {"answer": "accept"}
    )
    assert response.status_code == 302
    for one, costs, requested in (
        (coordinator(application), "50000", "35000"),
        (norwegian, "30000", "21000"),
        (external, "40000", "28000"),
    ):
        manager.post(
            f"{base}/members/{one.pk}/budget/",
            {f"m{one.pk}-costs": costs, f"m{one.pk}-requested": requested},
        )
    assert selectors.budget(application).requested == Decimal("84000")

    assert manager.post(f"{base}/transition/", {"to": "drafting"}).status_code == 302
    for section in application.sections.all():
        response = manager.post(
            f"{base}/sections/{section.key}/",
            {"text": f"The {section.title} of H2V.", "base_version": "0"},
        )
        assert response.status_code == 302, response.content

    page = manager.get(base + "/").content.decode()
    assert "Every rule met" in page
    manager.post(f"{base}/transition/", {"to": "submitted", "note": "Sent on the portal"})
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and application.submitted_at is not None

    manager.post(f"{base}/transition/", {"to": "granted", "amount": "84000"})
    application.refresh_from_db()
    assert application.status == S.GRANTED
    assert application.amount_granted == Decimal("84000")
    page = manager.get(base + "/").content.decode()
    assert "84,000" in page and "Maja Manager" in page
    steps = list(application.events.values_list("to_status", "actor__email"))
    assert steps == [
        ("consortium", "manager.clean@icn.example"),
        ("drafting", "manager.clean@icn.example"),
        ("submitted", "manager.clean@icn.example"),
        ("granted", "manager.clean@icn.example"),
    ]


def test_the_create_page_is_prefilled_from_the_builders_link(
    funding_call, lead, partner_org, network, member
):
    other = network.org("nordic-edge", "public")
    query = (
        f"?call={funding_call.slug}&lead={lead.pk}&partners={partner_org.pk}&partners={other.pk}"
    )
    page = client_for(member).get(f"/projects/applications/new/{query}").content.decode()
    assert re.search(rf'<option value="{funding_call.slug}" selected>', page)
    assert re.search(rf'<option value="{lead.pk}" selected>', page)
    assert re.search(rf'<option value="{partner_org.pk}" selected>', page)
    assert re.search(rf'<option value="{other.pk}" selected>', page)
    # The call's rules, checked for the prefilled consortium, before anything is created.
    assert "Needs 2 partners: you have 3" in page
    assert ProjectApplication.objects.count() == 0


def test_the_create_page_offers_only_open_calls_and_organisations_the_user_may_lead(
    funding_call, network, member, cluster_manager
):
    closed = Opportunity.objects.create(
        kind="funding_call",
        status="closed",
        title="A closed call",
        slug="closed-call",
        funder="EU",
        visibility="network",
        deadline=timezone.now() - timedelta(days=1),
    )
    page = client_for(member).get("/projects/applications/new/").content.decode()
    assert funding_call.slug in page and closed.slug not in page
    form = page.split('name="lead"')[1].split("</select>")[0]
    assert network.org("clean", "private").name in form
    assert network.org("clean", "network").name not in form
    form = client_for(cluster_manager).get("/projects/applications/new/").content.decode()
    form = form.split('name="lead"')[1].split("</select>")[0]
    assert network.org("clean", "network").name in form
    assert network.org("nordic-edge", "network").name not in form


def test_someone_who_leads_nothing_cannot_start_an_application(funding_call, partner):
    assert client_for(partner).get("/projects/applications/new/").status_code == 200
    assert (
        client_for(User.objects.create_user("x@y.example", PASSWORD))
        .get("/projects/applications/new/")
        .status_code
        == 403
    )


# The lifecycle ------------------------------------------------------------------------------


def test_a_new_application_has_its_coordinator_partners_sections_and_first_step(
    application, member, lead, partner_org
):
    assert application.status == S.CONSORTIUM
    members = list(application.members.all())
    assert [(m.organisation, m.is_coordinator, m.status) for m in members] == [
        (lead, True, MemberStatus.CONFIRMED),
        (partner_org, False, MemberStatus.INVITED),
    ]
    event = application.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", S.CONSORTIUM, member)


def test_an_application_without_partners_starts_as_an_idea(member, funding_call, lead):
    application = services.application_create(
        actor=member, call=funding_call, lead=lead, title="Idea"
    )
    assert application.status == S.IDEA
    assert application.next_steps() == [S.CONSORTIUM, S.WITHDRAWN]


def test_no_application_to_a_closed_call_or_for_an_organisation_one_does_not_act_for(
    member, funding_call, lead, network
):
    funding_call.deadline = timezone.now() - timedelta(hours=1)
    funding_call.save()
    with pytest.raises(ValidationError):
        services.application_create(actor=member, call=funding_call, lead=lead, title="Late")
    funding_call.deadline = timezone.now() + timedelta(days=3)
    funding_call.save()
    with pytest.raises(PermissionDenied):
        services.application_create(
            actor=member, call=funding_call, lead=network.org("clean", "network"), title="Not ours"
        )


def test_steps_go_one_at_a_time_and_forbidden_ones_are_refused(application, member):
    for wrong in (S.SUBMITTED, S.GRANTED, S.RUNNING):
        with pytest.raises(ValidationError) as refused:
            services.application_transition(actor=member, application=application, to=wrong)
        assert "moves on to drafting" in str(refused.value)
    application.refresh_from_db()
    assert application.status == S.CONSORTIUM
    assert application.events.count() == 1


def test_submitting_needs_every_rule_met_every_partner_confirmed_and_every_section_written(
    application, member
):
    services.application_transition(actor=member, application=application, to=S.DRAFTING)
    with pytest.raises(ValidationError) as refused:
        services.application_transition(actor=member, application=application, to=S.SUBMITTED)
    text = " ".join(refused.value.messages)
    assert "Not confirmed yet: Nordic Edge network org" in text
    assert "Sections without text: 1. Excellence, 2. Impact" in text
    application.refresh_from_db()
    assert application.status == S.DRAFTING


def test_a_failing_call_rule_stops_the_submission(
    application, member, partner_user, partner_org, funding_call
):
    make_ready(application, member, partner_user, partner_org)
    funding_call.eligibility = {"min_partners": 3}
    funding_call.save()
    with pytest.raises(ValidationError) as refused:
        services.application_transition(actor=member, application=application, to=S.SUBMITTED)
    assert "Needs 3 partners: you have 2" in " ".join(refused.value.messages)


@pytest.fixture
def submitted(application, member, partner_user, partner_org) -> ProjectApplication:
    make_ready(application, member, partner_user, partner_org)
    return services.application_transition(
        actor=member, application=application, to=S.SUBMITTED, note="On the portal"
    )


def test_a_submission_keeps_the_rules_as_checked_and_freezes_the_text(submitted, member):
    assert submitted.submitted_at is not None
    assert {r["rule"] for r in submitted.submission_check} >= {"min_partners", "budget_ceiling"}
    assert all(r["passed"] for r in submitted.submission_check)
    section = submitted.sections.first()
    with pytest.raises(ValidationError):
        services.section_save(actor=member, section=section, text="Later", base_version=1)


@pytest.mark.parametrize(
    ("to", "data", "field"),
    [
        (S.GRANTED, {}, "amount"),
        (S.GRANTED, {"amount": "0"}, "amount"),
        (S.GRANTED, {"amount": "150000"}, "amount"),  # above the call's ceiling
        (S.RESERVE, {}, "scores"),
        (S.REJECTED, {"scores": {"Excellence": 2}}, "comments"),
        (S.REJECTED, {"comments": "Weak impact"}, "scores"),
        (S.REJECTED, {"scores": {"Excellence": 7}, "comments": "Out of range"}, "scores"),
        (S.WITHDRAWN, {}, "note"),
    ],
)
def test_a_result_needs_its_data(submitted, member, to, data, field):
    with pytest.raises(ValidationError) as refused:
        services.application_transition(actor=member, application=submitted, to=to, **data)
    assert field in refused.value.message_dict
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_a_rejection_keeps_the_scores_and_comments_and_is_final(submitted, member):
    rejected = services.application_transition(
        actor=member,
        application=submitted,
        to=S.REJECTED,
        scores={"Excellence": 3.5, "Impact": 2.5, "Implementation": 3},
        comments="The impact pathway is not convincing.",
    )
    assert rejected.evaluation_scores == {"Excellence": 3.5, "Impact": 2.5, "Implementation": 3.0}
    assert rejected.score_total == 9.0
    assert rejected.result_at is not None
    assert rejected.next_steps() == []
    with pytest.raises(ValidationError):
        services.application_transition(
            actor=member, application=rejected, to=S.WITHDRAWN, note="Too late"
        )


def test_from_the_reserve_list_to_a_grant_a_signed_agreement_and_a_running_project(
    submitted, member
):
    services.application_transition(
        actor=member, application=submitted, to=S.RESERVE, scores={"Excellence": 4}
    )
    services.application_transition(
        actor=member, application=submitted, to=S.GRANTED, amount=Decimal("60000")
    )
    services.application_transition(actor=member, application=submitted, to=S.SIGNED)
    running = services.application_transition(actor=member, application=submitted, to=S.RUNNING)
    assert running.amount_granted == Decimal("60000")
    assert running.evaluation_scores == {"Excellence": 4.0}
    assert running.is_final()
    assert list(running.events.values_list("to_status", flat=True)) == [
        "consortium",
        "drafting",
        "submitted",
        "reserve",
        "granted",
        "signed",
        "running",
    ]


def test_an_application_is_withdrawn_from_any_stage_that_is_not_final_with_a_reason(
    application, member
):
    withdrawn = services.application_transition(
        actor=member, application=application, to=S.WITHDRAWN, note="The partner left."
    )
    event = withdrawn.events.last()
    assert (event.from_status, event.to_status, event.note) == (
        S.CONSORTIUM,
        S.WITHDRAWN,
        "The partner left.",
    )
    assert withdrawn.next_steps() == []


def test_the_result_form_records_a_rejection_on_the_page(submitted, member):
    client = client_for(member)
    base = f"/projects/applications/{submitted.pk}"
    page = client.get(base + "/").content.decode()
    assert 'name="score_excellence"' in page
    client.post(
        f"{base}/transition/",
        {
            "to": "rejected",
            "score_excellence": "3",
            "score_impact": "2.5",
            "score_implementation": "3",
            "comments": "Below the threshold on impact.",
        },
    )
    submitted.refresh_from_db()
    assert submitted.status == S.REJECTED
    page = client.get(base + "/").content.decode()
    assert "Below the threshold on impact." in page and "8.5" in page


def test_a_refused_step_on_the_page_says_why(application, member):
    client = client_for(member)
    response = client.post(
        f"/projects/applications/{application.pk}/transition/", {"to": "granted"}, follow=True
    )
    assert "moves on to drafting" in response.content.decode()


# Who sees and who runs an application ------------------------------------------------------

SEES = {
    "secretariat": True,
    "cluster_manager": True,  # the lead is in CLEAN
    "other_manager": True,  # the partner is in Nordic Edge
    "member": True,  # acts for the lead
    "partner_user": True,  # acts for the partner
    "cluster_peer": False,
    "other_member": False,
    "partner": False,
}


@pytest.mark.parametrize(("role", "sees"), SEES.items())
def test_each_role_sees_the_application_or_a_404(request, application, role, sees):
    user = request.getfixturevalue(role)
    client = client_for(user)
    detail = client.get(f"/projects/applications/{application.pk}/")
    assert detail.status_code == (200 if sees else 404)
    listed = client.get("/projects/applications/").content.decode()
    assert ("Hydrogen valleys that share electrolysers" in listed) is sees
    section = client.get(f"/projects/applications/{application.pk}/sections/impact/")
    assert section.status_code == (200 if sees else 404)
    export = client.get(f"/projects/applications/{application.pk}/export.docx")
    assert export.status_code == (200 if sees else 404)


def test_a_visitor_is_sent_to_log_in_and_sees_nothing(application, anonymous):
    client = client_for(anonymous)
    response = client.get(f"/projects/applications/{application.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ProjectApplication.objects.visible_to(anonymous).exists()


MANAGES = {
    "secretariat": True,
    "cluster_manager": True,
    "member": True,
    "other_manager": False,
    "partner_user": False,
}


@pytest.mark.parametrize(("role", "manages"), MANAGES.items())
def test_only_the_leads_people_its_cluster_managers_and_the_secretariat_move_the_status(
    request, application, role, manages
):
    user = request.getfixturevalue(role)
    if manages:
        moved = services.application_transition(actor=user, application=application, to=S.DRAFTING)
        assert moved.events.last().actor == user
    else:
        with pytest.raises(PermissionDenied):
            services.application_transition(actor=user, application=application, to=S.DRAFTING)
        page = client_for(user).get(f"/projects/applications/{application.pk}/").content.decode()
        assert "Next step" not in page


EDITS = {
    "secretariat": True,
    "cluster_manager": True,
    "member": True,
    "partner_user": True,
    "other_manager": False,  # sees the partner's application, does not write it
}


@pytest.mark.parametrize(("role", "edits"), EDITS.items())
def test_the_consortiums_people_write_sections_and_tasks(request, application, role, edits):
    user = request.getfixturevalue(role)
    section = application.sections.get(key="impact")
    if edits:
        saved = services.section_save(actor=user, section=section, text="Impact", base_version=0)
        assert saved.version == 1
        assert services.task_create(actor=user, application=application, title="Call Ola")
    else:
        with pytest.raises(PermissionDenied):
            services.section_save(actor=user, section=section, text="Impact", base_version=0)
        with pytest.raises(PermissionDenied):
            services.task_create(actor=user, application=application, title="Call Ola")


def test_a_partner_sets_its_own_budget_but_not_the_others(
    application, partner_user, partner_org, member
):
    own = partner_of(application, partner_org)
    services.budget_set(actor=partner_user, member=own, costs="10000", requested="7000")
    with pytest.raises(PermissionDenied):
        services.budget_set(
            actor=partner_user, member=coordinator(application), costs="1", requested="0"
        )
    # The lead's side sets everyone's.
    services.budget_set(actor=member, member=own, costs="20000", requested="14000")
    own.refresh_from_db()
    assert (own.costs, own.requested) == (Decimal("20000.00"), Decimal("14000.00"))


def test_a_partner_that_declines_no_longer_sees_the_application(
    application, partner_user, partner_org
):
    services.member_respond(
        actor=partner_user, member=partner_of(application, partner_org), accept=False
    )
    assert not selectors.can_view(partner_user, application)


# Sections: several writers, nothing overwritten --------------------------------------------


def test_a_stale_save_is_a_conflict_that_loses_nothing_and_keeps_the_history(
    application, member, partner_user
):
    section = application.sections.get(key="excellence")
    # Both open version 0; Mette saves first.
    services.section_save(actor=member, section=section, text="Mette's ambition.", base_version=0)
    with pytest.raises(services.SectionConflict) as conflict:
        services.section_save(
            actor=partner_user, section=section, text="Ola's ambition.", base_version=0
        )
    assert conflict.value.section.text == "Mette's ambition."
    assert conflict.value.section.version == 1
    assert conflict.value.text == "Ola's ambition."
    section.refresh_from_db()
    assert (section.text, section.version) == ("Mette's ambition.", 1)
    # Ola merges on top of version 1.
    merged = services.section_save(
        actor=partner_user,
        section=section,
        text="Mette's ambition.\n\nOla's ambition.",
        base_version=1,
    )
    assert merged.version == 2
    history = list(SectionRevision.objects.filter(section=section).order_by("version"))
    assert [(r.version, r.author, r.text) for r in history] == [
        (1, member, "Mette's ambition."),
        (2, partner_user, "Mette's ambition.\n\nOla's ambition."),
    ]


def test_saving_the_same_text_on_a_stale_version_is_no_conflict(application, member, partner_user):
    section = application.sections.get(key="impact")
    services.section_save(actor=member, section=section, text="Same words.", base_version=0)
    saved = services.section_save(
        actor=partner_user, section=section, text="Same words.", base_version=0
    )
    assert saved.version == 1
    assert section.revisions.count() == 1


def test_the_section_page_shows_both_texts_on_a_conflict_and_the_merge_goes_through(
    application, member, partner_user
):
    base = f"/projects/applications/{application.pk}/sections/impact/"
    ola, mette = client_for(partner_user), client_for(member)
    assert 'name="base_version" value="0"' in ola.get(base).content.decode()
    assert mette.post(base, {"text": "Three regions.", "base_version": "0"}).status_code == 302
    response = ola.post(base, {"text": "Twelve industrial users.", "base_version": "0"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Three regions." in page and "Twelve industrial users." in page
    assert "Mette Member saved version 1" in page
    # The merge is written on top of the version now saved.
    assert 'name="base_version" value="1"' in page
    response = ola.post(
        base, {"text": "Three regions and twelve industrial users.", "base_version": "1"}
    )
    assert response.status_code == 302
    history = ola.get(base).content.decode()
    assert "Version 2" in history and "Version 1" in history
    assert "Three regions." in ola.get(base + "?version=1").content.decode()


def test_a_section_gets_an_owner_of_the_consortium_and_a_status(
    application, member, partner_user, other_member
):
    section = application.sections.get(key="impact")
    services.section_update(actor=member, section=section, owner=partner_user, status="review")
    section.refresh_from_db()
    assert (section.owner, section.status) == (partner_user, "review")
    with pytest.raises(ValidationError):
        services.section_update(actor=member, section=section, owner=other_member)


# Budgets against the call's rules ----------------------------------------------------------


def test_a_partner_asking_more_than_the_co_funding_rate_is_refused_with_the_rules_reason(
    application, member, partner_org
):
    partner = partner_of(application, partner_org)
    with pytest.raises(ValidationError) as refused:
        services.budget_set(actor=member, member=partner, costs="10000", requested="8000")
    reason = " ".join(refused.value.messages)
    assert "70 %" in reason and "Nordic Edge network org asks 80 %" in reason
    partner.refresh_from_db()
    assert partner.requested is None


def test_a_budget_over_the_ceiling_is_refused_and_lowering_it_is_let_through(
    application, member, partner_org, funding_call
):
    services.budget_set(
        actor=member, member=coordinator(application), costs="80000", requested="56000"
    )
    partner = partner_of(application, partner_org)
    with pytest.raises(ValidationError) as refused:
        services.budget_set(actor=member, member=partner, costs="70000", requested="49000")
    assert "Up to 100,000 EUR requested in total: you request 105,000 EUR" in " ".join(
        refused.value.messages
    )
    # The ceiling is lowered later: a partner easing the overrun is still let through.
    services.budget_set(actor=member, member=partner, costs="40000", requested="28000")
    funding_call.budget_max = Decimal("50000")
    funding_call.save()
    services.budget_set(actor=member, member=partner, costs="20000", requested="10000")
    check = selectors.application_check(application)
    ceiling = next(r for r in check.results if r.rule == "budget_ceiling")
    assert not ceiling.passed


def test_a_partner_cannot_ask_for_more_than_its_costs(application, member, partner_org):
    with pytest.raises(ValidationError):
        services.budget_set(
            actor=member, member=partner_of(application, partner_org), costs="10", requested="20"
        )


def test_the_page_shows_budgets_with_totals_and_every_rule_with_its_badge(
    application, member, partner_org
):
    services.budget_set(
        actor=member, member=coordinator(application), costs="50000", requested="35000"
    )
    services.budget_set(
        actor=member, member=partner_of(application, partner_org), costs="30000", requested="21000"
    )
    page = client_for(member).get(f"/projects/applications/{application.pk}/").content.decode()
    assert "80,000" in page and "56,000" in page and "70.0 %" in page
    assert "44,000" in page  # left under the ceiling
    assert "Needs 2 partners: you have 2" in page
    assert "rule-pass" in page
    assert "Up to 100,000 EUR requested in total: you request 56,000 EUR" in page


def test_the_consortium_is_shaped_by_the_leads_side(application, member, partner_org, network):
    extra = network.org("nordic-edge", "public")
    added = services.member_add(
        actor=member, application=application, organisation=extra, role="Pilot site"
    )
    with pytest.raises(ValidationError):
        services.member_add(actor=member, application=application, organisation=extra)
    with pytest.raises(ValidationError):
        services.member_remove(actor=member, member=coordinator(application))
    services.member_remove(actor=member, member=added)
    assert application.members.count() == 2
    with pytest.raises(ValidationError) as refused:
        services.member_add(actor=member, application=application, name="Nameless Ltd")
    assert {"kind", "country"} <= set(refused.value.message_dict)


def test_a_partner_of_the_network_is_added_on_the_page_and_answers_there(
    application, member, network, mailoutbox, django_capture_on_commit_callbacks
):
    extra = network.org("nordic-edge", "public")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(
            f"/projects/applications/{application.pk}/members/",
            {"organisation": extra.pk, "role": "Pilot site", "invite": "on"},
        )
    assert response.status_code == 302
    added = application.members.get(organisation=extra)
    assert (added.role, added.status) == ("Pilot site", MemberStatus.INVITED)
    assert mailoutbox == []  # no address given: its people answer on the page
    someone = User.objects.create_user("pilot@nordic.example", PASSWORD)
    Membership.objects.create(user=someone, organisation=extra, role="member")
    page = client_for(someone).get(f"/projects/applications/{application.pk}/").content.decode()
    assert "We take part" in page


# Tasks and documents -----------------------------------------------------------------------


def test_tasks_go_to_people_of_the_consortium_and_are_ticked_off(
    application, member, partner_user, other_member
):
    task = services.task_create(
        actor=member,
        application=application,
        title="Letter of support from the port",
        due_on=timezone.localdate() + timedelta(days=5),
        assignee=partner_user,
    )
    with pytest.raises(ValidationError):
        services.task_create(
            actor=member, application=application, title="X", assignee=other_member
        )
    client = client_for(partner_user)
    response = client.post(
        f"/projects/applications/{application.pk}/tasks/{task.pk}/done/",
        {"done": "1"},
        headers={"HX-Request": "true"},
    )
    assert (
        response.status_code == 200 and "text-decoration-line-through" in response.content.decode()
    )
    task.refresh_from_db()
    assert task.done and task.done_by == partner_user


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_letters_of_support_are_uploaded_checked_and_served_only_to_the_consortium(
    application, member, partner_user, cluster_peer, partner_org, media
):
    client = client_for(partner_user)
    upload = SimpleUploadedFile("support.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    response = client.post(
        f"/projects/applications/{application.pk}/documents/",
        {
            "file": upload,
            "kind": "letter_of_support",
            "member": partner_of(application, partner_org).pk,
        },
    )
    assert response.status_code == 302
    document = application.documents.get()
    assert (document.kind, document.uploaded_by) == ("letter_of_support", partner_user)
    url = f"/projects/applications/{application.pk}/documents/{document.pk}/"
    assert b"".join(client_for(member).get(url).streaming_content) == b"%PDF-1.4 letter"
    assert client_for(cluster_peer).get(url).status_code == 404
    fake = SimpleUploadedFile("fake.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.document_upload(actor=member, application=application, upload=fake)


# The DOCX export ---------------------------------------------------------------------------


def test_the_draft_exports_to_a_word_document_with_the_consortium_and_the_budget(
    application, member, partner_org
):
    services.budget_set(
        actor=member, member=coordinator(application), costs="50000", requested="35000"
    )
    services.budget_set(
        actor=member, member=partner_of(application, partner_org), costs="30000", requested="21000"
    )
    section = application.sections.get(key="excellence")
    services.section_save(
        actor=member, section=section, text="Our ambition.\n\nOur method.", base_version=0
    )
    response = client_for(member).get(f"/projects/applications/{application.pk}/export.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="h2v-draft.docx"' in response["Content-Disposition"]
    document = WordDocument(BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Hydrogen valleys that share electrolysers" in text
    assert "Hydrogen valleys for industrial regions" in text  # the call
    assert "Our ambition." in text and "Our method." in text
    consortium, budget = document.tables
    rows = [[cell.text for cell in row.cells] for row in consortium.rows]
    assert rows[1][1] == "CLEAN private org (coordinator)"
    assert rows[2][1:5] == ["Nordic Edge network org", "", "SME", "Norway"]
    rows = [[cell.text for cell in row.cells] for row in budget.rows]
    assert rows[0] == ["Partner", "Costs (EUR)", "Requested (EUR)", "Funding rate"]
    assert rows[-1] == ["Total", "80,000.00", "56,000.00", "70.0 %"]


# Invitations -------------------------------------------------------------------------------


def test_an_invitation_accepted_while_logged_in_links_the_partner_to_the_users_organisation(
    application, member, other_member, network, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        external = services.member_add(
            actor=member,
            application=application,
            name="Stavanger Port Authority",
            kind="public_authority",
            country="NO",
            email="port@stavanger.example",
            invite=True,
        )
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Stavanger Port Authority" in body and "H2V" in body
    token = re.search(r"/projects/invitations/([^/\s]+)/", body).group(1)
    # Someone of the network opens the link while logged in.
    client = client_for(other_member)
    response = client.post(f"/projects/invitations/{token}/", {"answer": "accept"})
    assert response.status_code == 302
    external.refresh_from_db()
    assert external.organisation == network.org("nordic-edge", "private")
    assert external.status == MemberStatus.CONFIRMED
    assert client.get(f"/projects/applications/{application.pk}/").status_code == 200
    # The link works once.
    assert client.get(f"/projects/invitations/{token}/").status_code == 410


def test_an_invitation_can_be_declined(application, member, django_capture_on_commit_callbacks):
    external = services.member_add(
        actor=member,
        application=application,
        name="Lund Hydrogen Lab",
        kind="research",
        country="SE",
        email="anna@lund.example",
    )
    _, raw = services.invitation_send(actor=member, member=external, email="anna@lund.example")
    response = client_for(None).post(f"/projects/invitations/{raw}/", {"answer": "decline"})
    assert response.status_code == 302
    external.refresh_from_db()
    assert external.status == MemberStatus.DECLINED


def test_an_existing_account_logs_in_to_accept(application, member, other_member, network):
    external = services.member_add(
        actor=member,
        application=application,
        name="Nordic testing company",
        kind="sme",
        country="NO",
        email=other_member.email,
    )
    _, raw = services.invitation_send(actor=member, member=external, email=other_member.email)
    with pytest.raises(PermissionDenied):
        services.invitation_accept(
            actor=AnonymousUser(), raw_token=raw, full_name="Someone", password="x-long-password-1"
        )
    accepted = services.invitation_accept(actor=other_member, raw_token=raw)
    assert accepted.status == MemberStatus.CONFIRMED
    assert accepted.organisation == network.org("nordic-edge", "private")


def test_an_organisation_joins_a_consortium_once(application, member, partner_user):
    external = services.member_add(
        actor=member,
        application=application,
        name="Ola's second company",
        kind="sme",
        country="NO",
        email=partner_user.email,
    )
    _, raw = services.invitation_send(actor=member, member=external, email=partner_user.email)
    # Ola acts for the Norwegian partner, which is in the consortium already.
    with pytest.raises(ValidationError) as refused:
        services.invitation_accept(actor=partner_user, raw_token=raw)
    assert "in the consortium already" in " ".join(refused.value.messages)


def test_only_the_leads_side_invites(application, partner_user, partner_org):
    with pytest.raises(PermissionDenied):
        services.invitation_send(
            actor=partner_user,
            member=partner_of(application, partner_org),
            email="someone@else.example",
        )


# Reminders ---------------------------------------------------------------------------------


def test_deadline_reminders_go_once_to_the_leads_people_at_14_7_and_1_days(
    application, funding_call, member, mailoutbox
):
    now = timezone.now()
    funding_call.deadline = now + timedelta(days=6, hours=3)
    funding_call.save()
    assert services.reminders_send(now=now) == 1
    assert mailoutbox[0].to == [member.email]
    assert "closes in 7 days" in mailoutbox[0].subject
    assert "Sections without text" in mailoutbox[0].body
    assert services.reminders_send(now=now) == 0
    assert services.reminders_send(now=now + timedelta(days=6)) == 1
    assert "closes tomorrow" in mailoutbox[1].subject
    assert services.reminders_send(now=now + timedelta(days=6, hours=1)) == 0
    assert Reminder.objects.count() == 2


def test_no_deadline_reminder_for_a_submitted_application(submitted, funding_call, mailoutbox):
    funding_call.deadline = timezone.now() + timedelta(days=2)
    funding_call.save()
    mailoutbox.clear()
    assert services.reminders_send() == 0


def test_task_reminders_go_once_when_due_tomorrow_and_once_when_overdue(
    application, member, partner_user, mailoutbox
):
    today = timezone.localdate()
    tomorrow = services.task_create(
        actor=member,
        application=application,
        title="Budget of the port",
        due_on=today + timedelta(days=1),
        assignee=partner_user,
    )
    services.task_create(
        actor=member,
        application=application,
        title="Read the call text",
        due_on=today - timedelta(days=3),
        assignee=member,
    )
    services.task_create(actor=member, application=application, title="Nobody's", due_on=today)
    assert services.reminders_send() == 2
    subjects = sorted(m.subject for m in mailoutbox)
    assert subjects == [
        "H2V: “Budget of the port” is due tomorrow",
        "H2V: “Read the call text” is overdue",
    ]
    assert services.reminders_send() == 0
    # The day after, the task of yesterday's reminder is overdue: one more, then no more.
    later = timezone.now() + timedelta(days=2)
    assert services.reminders_send(now=later) == 1
    assert Task.objects.get(pk=tomorrow.pk).reminders.count() == 2


def test_the_send_reminders_command_sends_now_or_queues_a_task(
    application, funding_call, mailoutbox
):
    funding_call.deadline = timezone.now() + timedelta(days=1, hours=-1)
    funding_call.save()
    out = StringIO()
    call_command("send-reminders", "--now", stdout=out)
    assert "1 reminder(s) sent." in out.getvalue()
    out = StringIO()
    call_command("send-reminders", stdout=out)  # the task runs at once in tests
    assert "queued" in out.getvalue()
    assert len(mailoutbox) == 1


# The list ----------------------------------------------------------------------------------


def test_the_list_filters_by_stage_and_call_and_counts(application, member, funding_call, lead):
    idea = services.application_create(
        actor=member, call=funding_call, lead=lead, title="Second idea"
    )
    client = client_for(member)
    page = client.get("/projects/applications/").content.decode()
    assert "H2V" in page and "Second idea" in page
    page = client.get("/projects/applications/?status=idea").content.decode()
    assert "Second idea" in page and "H2V" not in page
    page = client.get(f"/projects/applications/?call={funding_call.slug}&q=second").content.decode()
    assert "Second idea" in page and "H2V" not in page
    partial = client.get("/projects/applications/?status=idea", headers={"HX-Request": "true"})
    assert "<nav" not in partial.content.decode()
    assert selectors.status_counts(viewer=member)["idea"] == 1
    assert idea.pk != application.pk


# The demo ----------------------------------------------------------------------------------


def test_the_demo_network_gets_a_year_of_applications_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo(password="demo-password")
    out = StringIO()
    first = demo.load(stdout=out)
    assert first.applications == 3 and "NORTH-HEAT" in out.getvalue()
    assert demo.load().applications == 0
    granted = ProjectApplication.objects.get(acronym="NORTH-HEAT")
    assert granted.amount_granted == Decimal("450000")
    assert selectors.budget(granted).requested == Decimal("450000")
    clusters = {
        cluster
        for m in granted.members.all()
        for cluster in m.organisation.clusters.values_list("slug", flat=True)
    }
    assert len(clusters) == 5
    assert all(r["passed"] for r in granted.submission_check)
    statuses = dict(ProjectApplication.objects.values_list("acronym", "status"))
    assert statuses == {"NORTH-HEAT": "running", "H2-VALLEYS": "reserve", "SMART-DH": "drafting"}
    submitted = ProjectApplication.objects.exclude(submitted_at=None)
    first_day = min(a.submitted_at for a in submitted)
    assert max(a.submitted_at for a in submitted) - first_day < timedelta(days=365)
    drafting = ProjectApplication.objects.get(acronym="SMART-DH")
    assert drafting.sections.exclude(text="").count() == 2
    assert drafting.tasks.filter(done=False).exists()
    assert ApplicationEvent.objects.filter(application=granted).count() == 6
    # The demo member of CLEAN sees both of its cluster's applications, not the Norwegian one.
    clean_member = User.objects.get(email="member.clean@icn.example")
    seen = set(
        ProjectApplication.objects.visible_to(clean_member).values_list("acronym", flat=True)
    )
    assert {"NORTH-HEAT", "SMART-DH"} <= seen
    page = client_for(clean_member).get(granted.get_absolute_url()).content.decode()
    assert "450,000" in page
