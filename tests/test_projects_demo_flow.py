"""The projects feature end to end on the demo network, as the CLEAN cluster manager: pick an
open funding call of CLEAN, get a consortium that meets every rule of the call from the
consortium builder, start the application with it, ask a partner from outside the network in
by e-mail, have every partner confirm, set the budget within the call's limits, write every
section, submit and record the funder's answer. Once through the API, once through the pages.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from icn.accounts.models import Membership, OrganisationRole, User
from icn.directory.demo import load_demo
from icn.directory.models import Organisation, OrganisationKind
from icn.opportunities.demo import load_opportunities_demo
from icn.opportunities.models import Opportunity
from icn.projects import consortia
from icn.projects import demo as projects_demo
from icn.projects.models import (
    ApplicationEvent,
    ApplicationStatus,
    MemberStatus,
    PartnerInvitation,
    ProjectApplication,
)
from tests.conftest import client_for
from tests.test_api import assert_error, bearer, call, get_all

pytestmark = pytest.mark.django_db

S = ApplicationStatus
MANAGER = "manager.clean@icn.example"
# The demo's own funding call of CLEAN: open, with rules on partners, countries and kinds.
CALL = "clean-call-1"
RULES = {
    "min_partners",
    "min_countries",
    "required_kinds:research",
    "required_kinds:public_authority",
    "budget_ceiling",
    "co_funding_rate",
    "deadline",
}
OUTSIDER = {
    "name": "Lund Urban Heat Lab",
    "kind": "research",
    "country": "SE",
    "email": "anna@lund-heat.example",
    "role": "Measures the pilots",
}


@pytest.fixture
def manager() -> User:
    """The demo network with its opportunities and applications; CLEAN's cluster manager."""
    load_demo(password=settings.ICN_DEMO_PASSWORD)
    load_opportunities_demo()
    projects_demo.load()
    return User.objects.get(email=MANAGER)


def _lead(manager: User, call: Opportunity) -> Organisation:
    """A company of CLEAN that its manager may lead for (not the funder who wrote the call)."""
    lead = (
        consortia.lead_choices(viewer=manager)
        .filter(clusters__slug="clean", kind=OrganisationKind.SME)
        .exclude(pk=call.author_organisation_id)
        .order_by("slug")
        .first()
    )
    assert lead is not None
    return lead


def _person_for(organisation: Organisation) -> User:
    """Someone who acts for the partner on the platform, as the partner's own staff would."""
    user = User.objects.create_user(
        f"contact@{organisation.slug}.example",
        "a-long-test-password",
        full_name=f"Contact of {organisation.name}",
    )
    Membership.objects.create(user=user, organisation=organisation, role=OrganisationRole.ADMIN)
    return user


def _budget_plan(
    ceiling: Decimal, rate: Decimal, partners: int
) -> tuple[Decimal, Decimal, Decimal]:
    """Each partner's costs and request: together 90 % of the ceiling, under the rate."""
    requested = (ceiling * Decimal("0.9") / partners / 1000).to_integral_value(ROUND_DOWN) * 1000
    costs = (requested * 100 / rate).to_integral_value() + 10_000
    assert requested <= costs * rate / 100
    return costs, requested, requested * partners


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _link_path(body: str) -> tuple[str, str]:
    """The invitation link in an e-mail: its path and its token."""
    found = re.search(r"https?://\S+?(/projects/invitations/([^/\s]+)/)", body)
    assert found, body
    return found.group(1), found.group(2)


# The API ------------------------------------------------------------------------------------


def test_a_cluster_manager_takes_a_demo_call_to_a_grant_through_the_api(
    manager, mailoutbox, django_capture_on_commit_callbacks
):
    started = timezone.now()
    client = Client()
    auth = bearer(manager)

    # An open funding call of CLEAN, from the calls the manager sees.
    calls = get_all(client, "/opportunities?kind=funding_call&cluster=clean", **auth)
    open_calls = {c["slug"]: c for c in calls if c["is_open"]}
    assert CALL in open_calls, sorted(open_calls)
    chosen = open_calls[CALL]
    ceiling, rate = Decimal(chosen["budget_max"]), Decimal(chosen["co_funding_rate"])
    lead = _lead(manager, Opportunity.objects.get(slug=CALL))

    # The consortium builder: the best consortium, proven optimal, meets every rule.
    response = call(
        client,
        "POST",
        "/projects/consortia",
        {"call": CALL, "lead": lead.slug, "alternatives": 2, "time_limit": 20},
        **auth,
    )
    assert response.status_code == 200, response.content
    plan = response.json()
    assert plan["status"] == "optimal", plan["summary"]
    best = plan["proposals"][0]
    assert best["rank"] == 1 and best["optimal"] and best["eligible"]
    assert {r["rule"] for r in best["rules"]} >= RULES
    assert all(r["passed"] for r in best["rules"]), best["rules"]
    assert best["members"][0]["slug"] == lead.slug and best["members"][0]["lead"]
    partners = [m["slug"] for m in best["members"][1:]]
    assert len(partners) >= 2
    kinds = {m["kind"] for m in best["members"]}
    assert {"research", "public_authority"} <= kinds
    assert len({m["country"] for m in best["members"]}) >= 3
    assert best["application_url"].startswith("/projects/applications/new/?call=")

    # The application with the proposed consortium: the lead coordinates, the others are
    # asked in, the call's rules are met and the programme's sections laid out.
    response = call(
        client,
        "POST",
        "/projects/applications",
        {
            "call": CALL,
            "lead": lead.slug,
            "partners": partners,
            "title": "Circular materials valleys for Europe's industrial regions",
            "acronym": "CIRCVAL",
            "summary": "Demonstrators that turn industrial side streams into materials.",
        },
        **auth,
    )
    assert response.status_code == 201, response.content
    application = response.json()
    pk = application["id"]
    base = f"/projects/applications/{pk}"
    assert application["status"] == S.CONSORTIUM
    assert application["call"] == CALL and application["lead"] == lead.slug
    members = {m["organisation"]: m for m in application["members"]}
    assert set(members) == {lead.slug, *partners}
    assert members[lead.slug]["is_coordinator"]
    assert members[lead.slug]["status"] == MemberStatus.CONFIRMED
    assert {members[p]["status"] for p in partners} == {MemberStatus.INVITED}
    assert application["eligible"] and all(r["passed"] for r in application["rules"])
    sections = [s["key"] for s in application["sections"]]
    assert sections == ["excellence", "impact", "implementation"]  # Horizon Europe

    # A research lab from outside the network joins; the invitation goes out by e-mail.
    response = call(client, "POST", f"{base}/members", {**OUTSIDER, "email": ""}, **auth)
    assert response.status_code == 201, response.content
    outsider = response.json()
    assert outsider["external"] and outsider["status"] == MemberStatus.INVITED
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            client,
            "POST",
            f"{base}/invitations",
            {
                "member": outsider["id"],
                "email": OUTSIDER["email"],
                "message": "We would like you to measure the pilots.",
            },
            **auth,
        )
    assert response.status_code == 201, response.content
    sent = response.json()
    assert sent["state"] == "pending" and sent["member"] == outsider["id"]
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [OUTSIDER["email"]] and mail.reply_to == [MANAGER]
    assert "CIRCVAL" in mail.subject and "measure the pilots" in mail.body
    path, token = _link_path(mail.body)
    assert sent["link"].endswith(path)

    # Only a partner's own people answer for it: not the manager who asked it in.
    first = members[partners[0]]
    response = call(
        client, "POST", f"{base}/members/{first['id']}/answer", {"accept": True}, **auth
    )
    assert_error(response, 403)

    # Each partner of the network: its own person sees the application and confirms.
    people = {}
    for slug in partners:
        person = _person_for(Organisation.objects.get(slug=slug))
        people[slug] = person
        headers = bearer(person)
        listed = get_all(client, "/projects/applications", **headers)
        assert pk in {a["id"] for a in listed}
        response = call(
            client,
            "POST",
            f"{base}/members/{members[slug]['id']}/answer",
            {"accept": True},
            **headers,
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == MemberStatus.CONFIRMED

    # The outside partner's person accepts with the link from the e-mail.
    anna = User.objects.create_user(OUTSIDER["email"], "a-long-test-password", full_name="Anna")
    response = call(
        client, "POST", "/projects/invitations/accept", {"token": token}, **bearer(anna)
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == MemberStatus.CONFIRMED
    invitations = call(client, "GET", f"{base}/invitations", **auth).json()
    assert [(i["email"], i["state"]) for i in invitations] == [(OUTSIDER["email"], "accepted")]

    # The budget: a request over the call's ceiling is refused with the rule's reason; then
    # every partner within the ceiling and the co-funding rate (one partner sets its own).
    application = call(client, "GET", base, **auth).json()
    assert Decimal(application["budget"]["ceiling"]) == ceiling
    assert Decimal(application["budget"]["co_funding_rate"]) == rate
    everyone = application["members"]
    assert len(everyone) == len(partners) + 2
    over = ceiling + 1
    response = call(
        client,
        "PUT",
        f"{base}/members/{everyone[0]['id']}/budget",
        {"costs": str(over * 2), "requested": str(over)},
        **auth,
    )
    body = assert_error(response, 422, "requested")
    assert f"{ceiling:,.0f}" in str(body["detail"]), body
    costs, requested, total = _budget_plan(ceiling, rate, len(everyone))
    for member in everyone:
        own = member["organisation"] == partners[0]
        headers = bearer(people[partners[0]]) if own else auth
        response = call(
            client,
            "PUT",
            f"{base}/members/{member['id']}/budget",
            {"costs": str(costs), "requested": str(requested)},
            **headers,
        )
        assert response.status_code == 200, response.content
        assert Decimal(response.json()["requested"]) == requested
    application = call(client, "GET", base, **auth).json()
    assert Decimal(application["budget"]["requested"]) == total <= ceiling
    assert Decimal(application["budget"]["costs"]) == costs * len(everyone)

    # Every section written on top of the version read; a partner writes the first one.
    # A save on a stale version overwrites nothing.
    for n, key in enumerate(sections):
        section = call(client, "GET", f"{base}/sections/{key}", **auth).json()
        writer = people[partners[0]] if n == 0 else manager
        response = call(
            client,
            "PUT",
            f"{base}/sections/{key}",
            {
                "text": f"{section['title']}: what the consortium does, and why it works.",
                "base_version": section["version"],
            },
            **bearer(writer),
        )
        assert response.status_code == 200, response.content
        saved = response.json()
        assert saved["version"] == section["version"] + 1
        assert saved["updated_by"] == writer.email
    response = call(
        client,
        "PUT",
        f"{base}/sections/{sections[0]}",
        {"text": "An older draft.", "base_version": 0},
        **auth,
    )
    assert response.status_code == 409, response.content
    assert response.json()["current_version"] == 1

    # Drafting, then the submission: every rule met, every partner confirmed, every section
    # written; the rule check is kept as it stood.
    for to, note in ((S.DRAFTING, ""), (S.SUBMITTED, "Submitted on the funder's portal.")):
        response = call(client, "POST", f"{base}/transition", {"to": to, "note": note}, **auth)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == to
    submitted = response.json()
    assert submitted["submitted_at"] is not None
    assert submitted["eligible"] and {r["rule"] for r in submitted["rules"]} >= RULES
    assert all(r["passed"] for r in submitted["rules"]), submitted["rules"]
    money = {
        r["rule"]: r
        for r in submitted["rules"]
        if r["rule"] in ("budget_ceiling", "co_funding_rate")
    }
    assert not any(r["informational"] for r in money.values()), money

    # Once submitted, the budget no longer changes.
    response = call(
        client,
        "PUT",
        f"{base}/members/{everyone[0]['id']}/budget",
        {"costs": str(costs), "requested": "1"},
        **auth,
    )
    assert_error(response, 422)

    # The funder's answer: granted, with the amount.
    response = call(
        client,
        "POST",
        f"{base}/transition",
        {"to": S.GRANTED, "amount": str(total), "note": "Grant letter received."},
        **auth,
    )
    assert response.status_code == 200, response.content

    final = call(client, "GET", base, **auth).json()
    assert final["status"] == S.GRANTED
    assert Decimal(final["amount_granted"]) == total
    assert final["result_at"] is not None
    assert final["next_steps"] == [S.SIGNED, S.WITHDRAWN]
    assert {m["status"] for m in final["members"]} == {MemberStatus.CONFIRMED}
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in final["events"]] == [
        ("", S.CONSORTIUM, MANAGER),
        (S.CONSORTIUM, S.DRAFTING, MANAGER),
        (S.DRAFTING, S.SUBMITTED, MANAGER),
        (S.SUBMITTED, S.GRANTED, MANAGER),
    ]
    moments = [_at(e["at"]) for e in final["events"]]
    assert moments == sorted(moments)
    assert started <= moments[0] and moments[-1] <= timezone.now()
    assert final["rules"] == submitted["rules"]

    stored = ProjectApplication.objects.get(pk=pk)
    assert stored.submission_check == submitted["rules"]
    assert all(r["passed"] for r in stored.submission_check)
    assert stored.submitted_at is not None and stored.submitted_at <= stored.result_at
    assert stored.members.get(organisation=None).user == anna
    assert ApplicationEvent.objects.filter(application=stored, actor=manager).count() == 4


# The pages ----------------------------------------------------------------------------------


def _alerts(page: str) -> list[tuple[str, str]]:
    """The messages on a page: (level, text)."""
    found = re.findall(r'<div class="alert alert-(\w+)" role="alert">(.*?)</div>', page, re.S)
    return [(level, html.unescape(text).strip()) for level, text in found]


def _post(client: Client, url: str, data: dict[str, Any], *, then: str, says: str) -> str:
    """Post a form; it redirects to `then`, whose page shows the success message `says`."""
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    target = response["Location"].split("#", 1)[0]
    assert target == then, target
    page = client.get(target).content.decode()
    alerts = _alerts(page)
    assert ("success", says) in alerts, alerts
    return page


def _selected(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]+)"[^>]*\bselected\b', select.group(1))


def _one(pattern: str, page: str) -> str:
    found = re.search(pattern, page, re.S)
    assert found, pattern
    return found.group(1)


def test_a_cluster_manager_takes_a_demo_call_to_the_reserve_list_on_the_pages(
    manager, mailoutbox, django_capture_on_commit_callbacks
):
    started = timezone.now()
    browser = client_for(manager)

    # The call, among CLEAN's open funding calls, and its link to the consortium builder.
    listing = browser.get("/opportunities/?kind=funding_call&cluster=clean").content.decode()
    assert f'href="/opportunities/{CALL}/"' in listing
    call_page = browser.get(f"/opportunities/{CALL}/").content.decode()
    builder_url = f"/projects/calls/{CALL}/consortium/"
    assert f'href="{builder_url}"' in call_page
    opportunity = Opportunity.objects.get(slug=CALL)
    lead = _lead(manager, opportunity)
    builder = browser.get(builder_url).content.decode()
    assert f'<option value="{lead.pk}">' in builder

    # The builder proposes (a GET, so the answer can be linked to).
    response = browser.get(builder_url, {"lead": lead.pk, "alternatives": 2, "time_limit": 20})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-status="optimal"' in page
    best = _one(
        r'(<article class="card mb-3 consortium-proposal" data-rank="1">.*?</article>)', page
    )
    assert "proven best" in best and "meets every rule" in best
    verdicts = dict(re.findall(r'<li data-rule="([^"]+)" data-passed="(\w+)">', best))
    assert set(verdicts) >= RULES and set(verdicts.values()) == {"true"}, verdicts
    slugs = re.findall(r'class="consortium-member" data-organisation="([^"]+)"', best)
    assert slugs[0] == lead.slug and len(slugs) >= 3
    start = html.unescape(
        _one(r'<a class="btn btn-outline-primary btn-sm" href="([^"]+)">Start', best)
    )

    # "Start an application" opens the create page prefilled with that consortium.
    query = parse_qs(urlsplit(start).query)
    partner_pks = [int(pk) for pk in query["partners"]]
    assert query["call"] == [CALL] and query["lead"] == [str(lead.pk)]
    assert set(
        Organisation.objects.filter(pk__in=partner_pks).values_list("slug", flat=True)
    ) == set(slugs[1:])
    create = browser.get(start)
    assert create.status_code == 200
    form = create.content.decode()
    assert _selected(form, "call") == [CALL]
    assert _selected(form, "lead") == [str(lead.pk)]
    assert sorted(_selected(form, "partners")) == sorted(str(pk) for pk in partner_pks)
    assert "Every rule met" in form and "✗ Fail" not in form
    response = browser.post(
        urlsplit(start).path,
        {
            "call": _selected(form, "call")[0],
            "lead": _selected(form, "lead")[0],
            "partners": _selected(form, "partners"),
            "title": "Circular materials valleys for Europe's industrial regions",
            "acronym": "CIRCVAL",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    detail_url = response["Location"]
    pk = int(_one(r"^/projects/applications/(\d+)/$", detail_url))
    page = browser.get(detail_url).content.decode()
    assert any(
        level == "success" and text.startswith("Application started")
        for level, text in _alerts(page)
    )
    application = ProjectApplication.objects.get(pk=pk)
    assert application.status == S.CONSORTIUM and application.created_by == manager
    assert application.members.count() == len(slugs)

    # A partner from outside the network, then its invitation by e-mail.
    base = f"/projects/applications/{pk}"
    page = _post(
        browser,
        f"{base}/members/",
        {**OUTSIDER, "email": ""},
        then=detail_url,
        says="Partner added. Invite it when you are ready.",
    )
    invite_form = _one(rf'(<form method="post" action="{base}/invitations/".*?</form>)', page)
    outsider_pk = _one(
        rf'<option value="(\d+)">{re.escape(OUTSIDER["name"])} \(invited\)</option>', invite_form
    )
    with django_capture_on_commit_callbacks(execute=True):
        _post(
            browser,
            f"{base}/invitations/",
            {"member": outsider_pk, "email": OUTSIDER["email"], "message": "Join us."},
            then=detail_url,
            says=f"Invitation sent to {OUTSIDER['email']}.",
        )
    assert [m.to for m in mailoutbox] == [[OUTSIDER["email"]]]
    link, _ = _link_path(mailoutbox[0].body)

    # The partners of the network: each one's own person opens the application and says yes.
    people = {}
    for organisation in Organisation.objects.filter(slug__in=slugs[1:]):
        person = _person_for(organisation)
        people[organisation.slug] = person
        own = client_for(person)
        page = own.get(detail_url).content.decode()
        answers = re.findall(rf'action="({base}/members/\d+/answer/)"', page)
        assert len(answers) == 1, answers  # its own row only
        _post(
            own,
            answers[0],
            {"answer": "accept"},
            then=detail_url,
            says=f"{organisation.name} takes part.",
        )

    # The outside partner has no account: it creates one while accepting, and is let in.
    visitor = Client()
    assert OUTSIDER["name"] in visitor.get(link).content.decode()
    response = visitor.post(
        link,
        {
            "answer": "accept",
            "full_name": "Anna Lund",
            "new_password1": "a-long-test-password",
            "new_password2": "a-long-test-password",
        },
    )
    assert response.status_code == 302 and response["Location"] == detail_url
    page = visitor.get(detail_url).content.decode()
    assert ("success", "Welcome to the consortium of CIRCVAL.") in _alerts(page)
    anna = User.objects.get(email=OUTSIDER["email"])
    assert visitor.get(link).status_code == 410  # the link works once

    # Drafting; a submission now is refused, with what is missing.
    _post(
        browser,
        f"{base}/transition/",
        {"to": S.DRAFTING},
        then=detail_url,
        says="Moved to drafting.",
    )
    response = browser.post(f"{base}/transition/", {"to": S.SUBMITTED})
    assert response.status_code == 302
    alerts = _alerts(browser.get(detail_url).content.decode())
    assert alerts and alerts[0][0] == "danger", alerts
    assert "cannot be submitted yet" in alerts[0][1] and "Sections without text" in alerts[0][1]

    # The budget: every partner's row, within the ceiling and the co-funding rate.
    page = browser.get(detail_url).content.decode()
    budgets = re.findall(rf'action="({base}/members/(\d+)/budget/)"', page)
    assert len(budgets) == len(slugs) + 1
    ceiling, rate = opportunity.budget_max, opportunity.co_funding_rate
    costs, requested, total = _budget_plan(ceiling, rate, len(budgets))
    for url, member_pk in budgets:
        name = application.members.get(pk=member_pk).name
        _post(
            browser,
            url,
            {f"m{member_pk}-costs": str(costs), f"m{member_pk}-requested": str(requested)},
            then=detail_url,
            says=f"Budget of {name} saved.",
        )

    # Every section, each on top of the version shown.
    page = browser.get(detail_url).content.decode()
    section_urls = list(dict.fromkeys(re.findall(rf'href="({base}/sections/[\w-]+/)"', page)))
    assert len(section_urls) == 3
    for url in section_urls:
        editor = browser.get(url).content.decode()
        version = _one(r'name="base_version" value="(\d+)"', editor)
        title = html.unescape(_one(r'<h1 class="h3 mb-0">(.*?)</h1>', editor))
        _post(
            browser,
            url,
            {
                "text": f"{title}: what the consortium does, and why it works.",
                "base_version": version,
            },
            then=detail_url,
            says=f"“{title}” saved.",
        )

    # Nothing stands in the way now: submit, then the funder puts it on the reserve list.
    page = browser.get(detail_url).content.decode()
    assert "Before submitting" not in page
    assert "Every rule met" in page
    _post(
        browser,
        f"{base}/transition/",
        {"to": S.SUBMITTED, "note": "Submitted on the funder's portal."},
        then=detail_url,
        says="Moved to submitted.",
    )
    result_form = _one(
        rf'(<form method="post" action="{base}/transition/"[^>]*result-form.*?</form>)',
        browser.get(detail_url).content.decode(),
    )
    criteria = re.findall(r'name="(score_\w+)"', result_form)
    assert len(criteria) == 3, criteria
    scores = dict(zip(criteria, ["4", "3.5", "4.5"], strict=True))
    page = _post(
        browser,
        f"{base}/transition/",
        {"to": S.RESERVE, **scores, "comments": "Strong, but the budget is short."},
        then=detail_url,
        says="Moved to reserve list.",
    )

    # What the page shows: the answer with its scores, the rules as checked at submission.
    assert "The funder's answer" in page and "Reserve list" in page
    assert "The call's rules at submission" in page and "Every rule met" in page
    assert "✗ Fail" not in page and "Strong, but the budget is short." in page
    assert "Record the funder" in page  # from the reserve list: granted or rejected next

    application.refresh_from_db()
    assert application.status == S.RESERVE
    assert application.evaluation_scores == {
        "Excellence": 4.0,
        "Impact": 3.5,
        "Implementation": 4.5,
    }
    assert application.result_at is not None and application.amount_granted is None
    assert application.submitted_at is not None
    assert {r["rule"] for r in application.submission_check} >= RULES
    assert all(r["passed"] for r in application.submission_check)
    members = list(application.members.select_related("organisation"))
    assert {m.status for m in members} == {MemberStatus.CONFIRMED}
    assert sum(m.requested for m in members) == total <= ceiling
    assert next(m for m in members if m.is_external).user == anna
    assert PartnerInvitation.objects.get(member__application=application).state == "accepted"
    events = list(application.events.order_by("at", "pk"))
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [
        ("", S.CONSORTIUM, manager),
        (S.CONSORTIUM, S.DRAFTING, manager),
        (S.DRAFTING, S.SUBMITTED, manager),
        (S.SUBMITTED, S.RESERVE, manager),
    ]
    assert started <= events[0].at <= events[-1].at <= timezone.now()
    assert events[2].note == "Submitted on the funder's portal."
