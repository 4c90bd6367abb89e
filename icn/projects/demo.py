"""Demo project applications on the demo network: the network's record of one year.

Three applications: one granted 450,000 EUR to a consortium of five clusters' members (now
running), one on a reserve list, one being drafted for a call that is open. Each comes with
its steps (who and when), consortium and budget, sections with text and tasks. Keyed by the
calls' slugs and the applications' acronyms: a second run creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from icn.accounts.models import User
from icn.core.visibility import Visibility
from icn.directory.demo.vocabulary import (
    CLEAN,
    NORDIC_EDGE,
    SECRETARIAT_EMAIL,
    manager_email,
    member_email,
)
from icn.directory.models import Cluster, Organisation, OrganisationKind
from icn.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus
from icn.projects.models import (
    ApplicationEvent,
    ApplicationStatus,
    ConsortiumMember,
    MemberStatus,
    PartnerInvitation,
    ProjectApplication,
    Section,
    SectionRevision,
    SectionStatus,
    Task,
)
from icn.projects.programmes import template_for
from icn.projects.selectors import application_check, check_as_data

S = ApplicationStatus
Kind = OrganisationKind


@dataclass
class ProjectsDemoSummary:
    """What a run created."""

    calls: int = 0
    applications: int = 0
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CallPlan:
    slug: str
    title: str
    summary: str
    funder: str
    programme: str
    ceiling: int
    rate: int
    days: int  # the deadline, in days from today (negative: passed)
    rules: dict[str, Any]


CALLS = {
    "interreg": CallPlan(
        slug="interreg-north-sea-green-heat-call",
        title="Interreg North Sea: green heat for regions in transition",
        summary="Transnational pilots that decarbonise heating in the North Sea regions.",
        funder="Interreg North Sea Programme",
        programme="Interreg North Sea",
        ceiling=500_000,
        rate=60,
        days=-300,
        rules={
            "min_partners": 4,
            "min_countries": 4,
            "required_kinds": {"research": 1, "public_authority": 1},
        },
    ),
    "horizon": CallPlan(
        slug="horizon-europe-cluster-5-circular-hydrogen",
        title="Horizon Europe Cluster 5: hydrogen valleys for industrial regions",
        summary="Innovation actions that connect hydrogen production and industrial use.",
        funder="European Commission",
        programme="Horizon Europe Cluster 5",
        ceiling=1_500_000,
        rate=100,
        days=-150,
        rules={"min_partners": 3, "min_countries": 3, "required_kinds": {"research": 1}},
    ),
    "life": CallPlan(
        slug="life-clean-energy-transition-district-heating",
        title="LIFE Clean Energy Transition: smart district heating",
        summary="Coordination and support actions for low-temperature district heating.",
        funder="European Commission",
        programme="LIFE Clean Energy Transition",
        ceiling=1_000_000,
        rate=95,
        days=40,
        rules={"min_partners": 3, "min_countries": 2, "required_kinds": {"public_authority": 1}},
    ),
}


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _pick(cluster: str, kinds: tuple[str, ...], exclude: set[int]) -> Organisation | None:
    """A member of the cluster that the network sees, of the first kind it has."""
    members = (
        Organisation.objects.filter(clusters__slug=cluster)
        .exclude(visibility=Visibility.PRIVATE)
        .exclude(pk__in=exclude)
        .exclude(slug=cluster)  # not the cluster office itself
        .order_by("slug")
    )
    for kind in kinds:
        found = members.filter(kind=kind).first()
        if found is not None:
            return found
    return members.first()


def _acting_for(email: str) -> tuple[User | None, Organisation | None]:
    user = User.objects.filter(email__iexact=email).first()
    membership = user.memberships.select_related("organisation").first() if user else None
    return user, membership.organisation if membership else None


def _call(plan: CallPlan, now: datetime, summary: ProjectsDemoSummary) -> Opportunity:
    existing = Opportunity.objects.filter(slug=plan.slug).first()
    if existing is not None:
        return existing
    office = Organisation.objects.filter(slug=CLEAN).first()
    deadline = (now + timedelta(days=plan.days)).replace(hour=17, minute=0, second=0, microsecond=0)
    call = Opportunity(
        slug=plan.slug,
        kind=OpportunityKind.FUNDING_CALL,
        status=OpportunityStatus.PUBLISHED if plan.days > 0 else OpportunityStatus.CLOSED,
        title=plan.title,
        summary=plan.summary,
        body=f"{plan.summary} Consortia of companies, public authorities and research from "
        "several countries apply together; the network helps to form them.",
        author_organisation=office,
        cluster=Cluster.objects.filter(slug=CLEAN).first(),
        visibility=Visibility.NETWORK,
        funder=plan.funder,
        programme=plan.programme,
        budget_max=Decimal(plan.ceiling),
        currency="EUR",
        co_funding_rate=Decimal(plan.rate),
        eligibility=plan.rules,
        deadline=deadline,
        published_at=deadline - timedelta(days=120),
    )
    call.full_clean(exclude=["slug"])
    call.save()
    summary.calls += 1
    return call


@dataclass(frozen=True)
class Partner:
    organisation: Organisation | None
    role: str
    costs: int | None = None
    requested: int | None = None
    status: str = MemberStatus.CONFIRMED
    external: tuple[str, str, str, str] | None = None  # name, kind, country, e-mail


def _application(
    *,
    call: Opportunity,
    lead: Organisation,
    acronym: str,
    title: str,
    summary: str,
    author: User | None,
    started: datetime,
    partners: list[Partner],
) -> ProjectApplication:
    application = ProjectApplication(
        call=call, lead=lead, acronym=acronym, title=title, summary=summary, created_by=author
    )
    application.full_clean()
    application.save()
    for partner in partners:
        name, kind, country, email = partner.external or ("", "", "", "")
        member = ConsortiumMember(
            application=application,
            organisation=partner.organisation,
            external_name=name,
            external_kind=kind,
            external_country=country,
            contact_email=email,
            is_coordinator=partner.organisation is not None and partner.organisation.pk == lead.pk,
            role=partner.role,
            costs=Decimal(partner.costs) if partner.costs is not None else None,
            requested=Decimal(partner.requested) if partner.requested is not None else None,
            status=partner.status,
        )
        member.full_clean()
        member.save()
    ProjectApplication.objects.filter(pk=application.pk).update(created_at=started)
    return application


def _road(
    application: ProjectApplication, steps: list[tuple[str, datetime, User | None, str]]
) -> None:
    """The steps taken, with who and when; the application ends at the last one."""
    previous = ""
    for status, at, actor, note in steps:
        ApplicationEvent.objects.create(
            application=application,
            actor=actor,
            at=at,
            from_status=previous,
            to_status=status,
            note=note,
        )
        previous = status
    ProjectApplication.objects.filter(pk=application.pk).update(
        status=previous, updated_at=steps[-1][1]
    )
    application.status = previous


def _sections(
    application: ProjectApplication,
    texts: dict[str, list[tuple[str, User | None, datetime]]],
    owners: dict[str, User | None],
    statuses: dict[str, str],
) -> None:
    """The programme's sections, each with its saved versions."""
    template = template_for(application.call.programme)
    for n, part in enumerate(template.sections):
        versions = texts.get(part.key, [])
        last_text, last_author, last_at = versions[-1] if versions else ("", None, timezone.now())
        section = Section.objects.create(
            application=application,
            key=part.key,
            title=part.title,
            guidance=part.guidance,
            position=n,
            owner=owners.get(part.key),
            status=statuses.get(part.key, SectionStatus.DONE if versions else SectionStatus.TODO),
            text=last_text,
            version=len(versions),
            updated_at=last_at,
            updated_by=last_author,
        )
        SectionRevision.objects.bulk_create(
            SectionRevision(section=section, version=v, text=text, author=author, at=at)
            for v, (text, author, at) in enumerate(versions, start=1)
        )


def _granted(now: datetime, summary: ProjectsDemoSummary) -> None:
    call = _call(CALLS["interreg"], now, summary)
    if ProjectApplication.objects.filter(call=call, acronym="NORTH-HEAT").exists():
        return
    member, lead = _acting_for(member_email(CLEAN))
    manager = User.objects.filter(email__iexact=manager_email(CLEAN)).first()
    if lead is None:
        return
    used = {lead.pk}
    picks = []
    for cluster, kinds in (
        ("clean-tech-delta", (Kind.RESEARCH,)),
        (NORDIC_EDGE, (Kind.PUBLIC_AUTHORITY,)),
        ("tweed", (Kind.SME, Kind.LARGE_COMPANY)),
        ("sbh", (Kind.PUBLIC_AUTHORITY, Kind.RESEARCH)),
    ):
        found = _pick(cluster, kinds, used)
        if found is None:
            return
        used.add(found.pk)
        picks.append(found)
    research, city, company, region = picks
    deadline = call.deadline or now
    started = deadline - timedelta(days=62)
    application = _application(
        call=call,
        lead=lead,
        acronym="NORTH-HEAT",
        title="Low-temperature heat networks for North Sea towns",
        summary="Five regions pilot low-temperature district heating fed by industrial waste "
        "heat, with one shared planning toolbox for towns of 20,000 to 200,000 people.",
        author=manager,
        started=started,
        partners=[
            Partner(lead, "Coordinator; heat pump integration", 200_000, 120_000),
            Partner(research, "Planning toolbox and monitoring", 137_500, 82_500),
            Partner(city, "Pilot site: harbour district", 137_500, 82_500),
            Partner(company, "Waste heat recovery units", 137_500, 82_500),
            Partner(region, "Pilot site and regional roll-out", 137_500, 82_500),
        ],
    )
    submitted = deadline - timedelta(hours=5)
    granted = deadline + timedelta(days=95)
    _sections(
        application,
        {
            "relevance": [
                (
                    "Towns around the North Sea must replace gas heating by 2035 but lack "
                    "the planning capacity of large cities.",
                    member,
                    started + timedelta(days=9),
                ),
                (
                    "Towns around the North Sea must replace gas heating by 2035 but lack the "
                    "planning capacity of large cities. NORTH-HEAT gives them a shared toolbox "
                    "and five working pilots, fed by the waste heat their industries already "
                    "release.",
                    manager,
                    started + timedelta(days=30),
                ),
            ],
            "partnership": [
                (
                    "Five partners from five clusters of the International Cleantech Network "
                    "bring a research centre, two public authorities, a technology company "
                    "and the coordinator's heat pump know-how.",
                    manager,
                    started + timedelta(days=14),
                )
            ],
            "work_plan": [
                (
                    "WP1 Planning toolbox (months 1–12). WP2 Five pilots (months 6–30). WP3 "
                    "Monitoring and replication (months 12–36).",
                    member,
                    started + timedelta(days=40),
                )
            ],
            "budget_justification": [
                (
                    "Staff costs are 58 % of the budget; equipment for the pilots 30 %; "
                    "travel and dissemination the rest.",
                    member,
                    started + timedelta(days=50),
                )
            ],
        },
        owners={"relevance": manager, "partnership": manager, "work_plan": member},
        statuses={},
    )
    for title, due, who in (
        ("Collect the partner declarations", deadline - timedelta(days=20), manager),
        ("Letters of support from the five regions", deadline - timedelta(days=14), member),
        ("Final read-through before submission", deadline - timedelta(days=2), member),
        ("Sign the grant agreement", granted + timedelta(days=30), member),
    ):
        Task.objects.create(
            application=application,
            title=title,
            due_on=timezone.localdate(due),
            assignee=who,
            done=True,
            done_at=due,
            done_by=who,
            created_by=manager,
            created_at=started,
        )
    _road(
        application,
        [
            (S.CONSORTIUM, started, manager, "Consortium from the call's partner suggestions."),
            (S.DRAFTING, started + timedelta(days=7), manager, ""),
            (S.SUBMITTED, submitted, member, "Submitted on the programme's portal."),
            (S.GRANTED, granted, manager, "Approved by the monitoring committee."),
            (S.SIGNED, granted + timedelta(days=28), member, ""),
            (S.RUNNING, granted + timedelta(days=45), member, "Kick-off meeting in Copenhagen."),
        ],
    )
    ProjectApplication.objects.filter(pk=application.pk).update(
        submitted_at=submitted,
        result_at=granted,
        amount_granted=Decimal(450_000),
        evaluation_scores={"Relevance": 5, "Partnership": 4.5, "Work plan": 4, "Budget": 4.5},
        evaluation_comments="A strong transnational partnership with credible pilots.",
        submission_check=_check_at(application),
    )
    summary.applications += 1
    summary.names.append("NORTH-HEAT (granted 450,000 EUR, running)")


def _check_at(application: ProjectApplication) -> list[dict[str, Any]]:
    """The rules as checked when it was submitted: without the deadline, which has passed."""
    return [r for r in check_as_data(application_check(application)) if r["rule"] != "deadline"]


def _reserve(now: datetime, summary: ProjectsDemoSummary) -> None:
    call = _call(CALLS["horizon"], now, summary)
    if ProjectApplication.objects.filter(call=call, acronym="H2-VALLEYS").exists():
        return
    member, lead = _acting_for(member_email(NORDIC_EDGE))
    manager = User.objects.filter(email__iexact=manager_email(NORDIC_EDGE)).first()
    if lead is None:
        return
    used = {lead.pk}
    picks = []
    for cluster, kinds in (
        (CLEAN, (Kind.RESEARCH,)),
        ("oreec", (Kind.PUBLIC_AUTHORITY,)),
        ("basque-energy", (Kind.LARGE_COMPANY, Kind.SME)),
    ):
        found = _pick(cluster, kinds, used)
        if found is None:
            return
        used.add(found.pk)
        picks.append(found)
    research, city, company = picks
    deadline = call.deadline or now
    started = deadline - timedelta(days=75)
    application = _application(
        call=call,
        lead=lead,
        acronym="H2-VALLEYS",
        title="Hydrogen valleys that share their electrolysers",
        summary="Industrial regions in Norway, Denmark and Spain share electrolyser capacity "
        "and storage to serve steel, fertiliser and transport users.",
        author=manager,
        started=started,
        partners=[
            Partner(lead, "Coordinator; electrolyser operations", 420_000, 420_000),
            Partner(research, "Scheduling models and life-cycle assessment", 380_000, 380_000),
            Partner(city, "Port of Oslo demonstration", 260_000, 260_000),
            Partner(company, "Storage and industrial off-take", 320_000, 320_000),
        ],
    )
    submitted = deadline - timedelta(days=1)
    answered = deadline + timedelta(days=120)
    words = {
        "excellence": "Sharing electrolysers between valleys raises their use from 40 to 75 % "
        "of the hours in a year, and halves the cost of green hydrogen for small users.",
        "impact": "Three regions, 12 industrial users and a replication guide for 20 more "
        "valleys in the network.",
        "implementation": "Four work packages over 42 months; the coordinator has run two EU "
        "projects.",
    }
    _sections(
        application,
        {
            key: [(text, member, started + timedelta(days=20 + n * 10))]
            for n, (key, text) in enumerate(words.items())
        },
        owners={"excellence": member, "impact": manager, "implementation": member},
        statuses={},
    )
    Task.objects.create(
        application=application,
        title="Ask the Commission when the reserve list moves",
        due_on=timezone.localdate(now + timedelta(days=10)),
        assignee=manager,
        created_by=manager,
        created_at=answered,
    )
    _road(
        application,
        [
            (S.IDEA, started - timedelta(days=10), member, "From the hydrogen working group."),
            (S.CONSORTIUM, started, manager, ""),
            (S.DRAFTING, started + timedelta(days=12), manager, ""),
            (S.SUBMITTED, submitted, member, "Submitted on the Funding & Tenders portal."),
            (S.RESERVE, answered, manager, "Above every threshold; second on the reserve list."),
        ],
    )
    ProjectApplication.objects.filter(pk=application.pk).update(
        submitted_at=submitted,
        result_at=answered,
        evaluation_scores={"Excellence": 4.5, "Impact": 4.0, "Implementation": 3.5},
        evaluation_comments="Convincing ambition; the exploitation plan should name the "
        "industrial users' commitments more precisely.",
        submission_check=_check_at(application),
    )
    summary.applications += 1
    summary.names.append("H2-VALLEYS (reserve list)")


def _drafting(now: datetime, summary: ProjectsDemoSummary) -> None:
    call = _call(CALLS["life"], now, summary)
    if ProjectApplication.objects.filter(call=call, acronym="SMART-DH").exists():
        return
    member, lead = _acting_for(member_email(CLEAN))
    manager = User.objects.filter(email__iexact=manager_email(CLEAN)).first()
    secretariat = User.objects.filter(email__iexact=SECRETARIAT_EMAIL).first()
    if lead is None:
        return
    used = {lead.pk}
    city = _pick(CLEAN, (Kind.PUBLIC_AUTHORITY,), used)
    used |= {city.pk} if city else set()
    research = _pick("greentech-south", (Kind.RESEARCH,), used)
    if city is None or research is None:
        return
    started = now - timedelta(days=21)
    application = _application(
        call=call,
        lead=lead,
        acronym="SMART-DH",
        title="Smart controls for fourth-generation district heating",
        summary="Controls that let district heating run at lower temperatures, tested with a "
        "Danish city and a British university, and a utility from outside the network.",
        author=member,
        started=started,
        partners=[
            Partner(lead, "Coordinator; control software", 310_000, 290_000),
            Partner(city, "Pilot network", 180_000, 171_000),
            Partner(research, "Modelling and evaluation", status=MemberStatus.INVITED),
            Partner(
                None,
                "Utility pilot",
                status=MemberStatus.INVITED,
                external=(
                    "Nordvarme District Heating",
                    Kind.LARGE_COMPANY,
                    "SE",
                    "projects@nordvarme.example",
                ),
            ),
        ],
    )
    external = application.members.get(organisation__isnull=True)
    invitation = PartnerInvitation(
        member=external, email=external.contact_email, invited_by=member, created_at=now
    )
    invitation.issue_token()  # the secret is not kept: the demo's e-mail was never sent
    invitation.save()
    _sections(
        application,
        {
            "summary": [
                ("Controls for lower temperatures.", member, started + timedelta(days=3)),
                (
                    "SMART-DH develops controls that let district heating networks run at "
                    "55 °C instead of 80 °C, cutting losses by a third.",
                    manager,
                    started + timedelta(days=10),
                ),
            ],
            "objectives": [
                (
                    "1. Cut heat losses in the pilot network by 30 %. 2. Connect 400 homes "
                    "without new pipes.",
                    member,
                    started + timedelta(days=12),
                )
            ],
        },
        owners={"summary": manager, "objectives": member, "work_plan": member, "impact": manager},
        statuses={"summary": SectionStatus.REVIEW, "objectives": SectionStatus.DRAFTING},
    )
    today = timezone.localdate(now)
    for title, due, who, done in (
        ("Agree the work packages with the city", today - timedelta(days=5), member, True),
        ("Budget from the university", today - timedelta(days=1), manager, False),
        ("Letter of support from the municipality", today + timedelta(days=7), member, False),
        ("Write the impact section", today + timedelta(days=14), manager, False),
    ):
        Task.objects.create(
            application=application,
            title=title,
            due_on=due,
            assignee=who,
            done=done,
            done_at=now if done else None,
            done_by=who if done else None,
            created_by=member,
            created_at=started,
        )
    _road(
        application,
        [
            (S.IDEA, started, member, "An idea from the CLEAN district heating group."),
            (S.CONSORTIUM, started + timedelta(days=2), manager, "Partners from the builder."),
            (S.DRAFTING, started + timedelta(days=9), secretariat or manager, ""),
        ],
    )
    summary.applications += 1
    summary.names.append("SMART-DH (drafting)")


def load(stdout: Any = None) -> ProjectsDemoSummary:
    """Create the demo applications that are missing; existing ones stay as they are."""
    summary = ProjectsDemoSummary()
    if not Cluster.objects.filter(slug=CLEAN).exists():
        _say(stdout, "The demo network is not loaded: no demo applications.")
        return summary
    now = timezone.now()
    with transaction.atomic():
        _granted(now, summary)
        _reserve(now, summary)
        _drafting(now, summary)
    if summary.applications:
        _say(
            stdout,
            f"Created {summary.applications} project applications: {', '.join(summary.names)}.",
        )
    return summary
