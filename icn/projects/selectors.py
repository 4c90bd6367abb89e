"""Reads of project applications that depend on who is asking, and the call's rule check."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from icn.accounts.models import Membership
from icn.core.visibility import get_scope
from icn.directory.models import Cluster, Organisation
from icn.matching.eligibility import EligibilityCheck, Party
from icn.opportunities.models import Opportunity, OpportunityKind
from icn.projects.models import (
    FINAL_STATES,
    GRANTED_STATES,
    PREPARING,
    ApplicationStatus,
    ConsortiumMember,
    MemberStatus,
    ProjectApplication,
    Section,
    Task,
)
from icn.projects.rules import check_consortium

# Days before the call's deadline at which the lead's people are reminded.
DEADLINE_REMINDER_DAYS = (14, 7, 1)


# Who may do what ----------------------------------------------------------------------------


def can_view(user: Any, application: ProjectApplication) -> bool:
    return ProjectApplication.objects.visible_to(user).filter(pk=application.pk).exists()


def can_edit(user: Any, application: ProjectApplication) -> bool:
    """Writes in the workspace: sections, tasks and documents."""
    return ProjectApplication.objects.editable_by(user).filter(pk=application.pk).exists()


def can_manage(user: Any, application: ProjectApplication) -> bool:
    """Moves the status, records the result, shapes the consortium and its budget."""
    return ProjectApplication.objects.manageable_by(user).filter(pk=application.pk).exists()


def speaks_for(user: Any, member: ConsortiumMember) -> bool:
    """The partner's own people: those who act for its organisation, or who accepted for it."""
    scope = get_scope(user)
    if scope.user_id is None:
        return False
    if member.organisation_id is not None and member.organisation_id in scope.organisation_ids:
        return True
    return member.user_id is not None and member.user_id == scope.user_id


def can_edit_budget(user: Any, member: ConsortiumMember) -> bool:
    """The lead's side sets every partner's budget; a partner sets its own."""
    return speaks_for(user, member) or can_manage(user, member.application)


def may_act_for(user: Any, organisation: Organisation) -> bool:
    """May lead an application for this organisation: its people, its cluster managers and
    the secretariat."""
    scope = get_scope(user)
    if scope.is_secretariat:
        return True
    if not scope.is_authenticated:
        return False
    if organisation.pk in scope.organisation_ids:
        return True
    return (
        bool(scope.managed_cluster_ids)
        and Organisation.clusters.through.objects.filter(
            organisation_id=organisation.pk, cluster_id__in=scope.managed_cluster_ids
        ).exists()
    )


# Choices for the create page and the API ----------------------------------------------------


def open_calls(*, viewer: Any) -> QuerySet[Opportunity]:
    """The open funding calls the viewer may see: what an application can be made to."""
    return (
        Opportunity.objects.visible_to(viewer)
        .open()
        .filter(kind=OpportunityKind.FUNDING_CALL)
        .order_by("deadline", "title")
    )


def lead_choices(*, viewer: Any) -> QuerySet[Organisation]:
    """Organisations the viewer may lead an application for."""
    scope = get_scope(viewer)
    if scope.is_secretariat:
        return Organisation.objects.order_by("name")
    if not scope.is_authenticated:
        return Organisation.objects.none()
    allowed = Q(pk__in=scope.organisation_ids)
    if scope.managed_cluster_ids:
        allowed |= Q(
            pk__in=Organisation.objects.filter(clusters__in=scope.managed_cluster_ids).values("pk")
        )
    return Organisation.objects.filter(allowed).order_by("name")


def partner_choices(*, viewer: Any) -> QuerySet[Organisation]:
    """Organisations of the network the viewer may see: who it may ask into a consortium."""
    return Organisation.objects.visible_to(viewer).order_by("name")


# Lists and records --------------------------------------------------------------------------


def application_list(
    *, viewer: Any, status: str = "", call: str = "", q: str = ""
) -> QuerySet[ProjectApplication]:
    """The applications the viewer may see, most recently changed first."""
    queryset = ProjectApplication.objects.visible_to(viewer)
    if status == "active":
        queryset = queryset.exclude(status__in=FINAL_STATES)
    elif status:
        queryset = queryset.filter(status=status)
    if call:
        queryset = queryset.filter(call__slug=call)
    for word in q.split()[:6]:
        queryset = queryset.filter(Q(title__icontains=word) | Q(acronym__icontains=word))
    return (
        queryset.select_related("call", "lead")
        .annotate(partner_count=Count("members", filter=~Q(members__status=MemberStatus.DECLINED)))
        .order_by("-updated_at", "-pk")
    )


def status_counts(*, viewer: Any, call: str = "") -> dict[str, int]:
    """How many of the viewer's applications are at each stage."""
    queryset = ProjectApplication.objects.visible_to(viewer)
    if call:
        queryset = queryset.filter(call__slug=call)
    counts = dict(
        queryset.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {status: int(counts.get(status, 0)) for status in ApplicationStatus.values}


def granted_total(*, viewer: Any, call: str = "") -> list[tuple[str, Decimal]]:
    """The money granted to the viewer's applications, per currency."""
    queryset = ProjectApplication.objects.visible_to(viewer).filter(
        status__in=GRANTED_STATES, amount_granted__isnull=False
    )
    if call:
        queryset = queryset.filter(call__slug=call)
    rows = (
        queryset.order_by()
        .values("call__currency")
        .annotate(total=Sum("amount_granted"))
        .values_list("call__currency", "total")
    )
    return sorted((currency or "EUR", total) for currency, total in rows if total)


def calls_applied_to(*, viewer: Any) -> QuerySet[Opportunity]:
    """The calls of the viewer's applications, for the list's filter."""
    ids = ProjectApplication.objects.visible_to(viewer).values("call")
    return Opportunity.objects.filter(pk__in=ids).order_by("title")


def application_for_viewer(*, viewer: Any, pk: int) -> ProjectApplication | None:
    return (
        ProjectApplication.objects.visible_to(viewer)
        .select_related("call", "lead", "created_by")
        .prefetch_related(
            "events__actor",
            Prefetch(
                "members",
                queryset=ConsortiumMember.objects.select_related("organisation", "user"),
            ),
            Prefetch("sections", queryset=Section.objects.select_related("owner", "updated_by")),
            Prefetch("tasks", queryset=Task.objects.select_related("assignee", "done_by")),
            "documents__member__organisation",
            "documents__uploaded_by",
        )
        .filter(pk=pk)
        .first()
    )


def section_for_viewer(*, viewer: Any, application_pk: int, key: str) -> Section | None:
    return (
        Section.objects.filter(
            application__in=ProjectApplication.objects.visible_to(viewer).filter(pk=application_pk),
            key=key,
        )
        .select_related("application__call", "application__lead", "owner", "updated_by")
        .first()
    )


def people_of(application: ProjectApplication) -> QuerySet[Any]:
    """Users who work on the application, for section owners and task assignees: the
    partners' people and the managers of the lead's clusters, who help to write it."""
    active = application.members.exclude(status=MemberStatus.DECLINED)
    acting = Membership.objects.filter(organisation__in=active.values("organisation"))
    managing = Cluster.objects.filter(organisations=application.lead_id, managers__isnull=False)
    return (
        get_user_model()
        .objects.filter(
            Q(pk__in=acting.values("user"))
            | Q(pk__in=active.filter(user__isnull=False).values("user"))
            | Q(pk__in=managing.values("managers")),
            is_active=True,
        )
        .order_by("full_name", "email")
    )


def lead_people(application: ProjectApplication) -> list[Any]:
    """Who speaks for the lead organisation; whoever created the application if nobody does."""
    people = list(
        get_user_model()
        .objects.filter(memberships__organisation=application.lead_id, is_active=True)
        .order_by("pk")
    )
    if not people and application.created_by is not None and application.created_by.is_active:
        people = [application.created_by]
    return people


# The consortium, its budget and the call's rules --------------------------------------------


def active_members(application: ProjectApplication) -> list[ConsortiumMember]:
    """The partners still in the consortium (invited or confirmed), coordinator first."""
    return [m for m in application.members.all() if m.status != MemberStatus.DECLINED]


def _money(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def parties(members: Iterable[ConsortiumMember], *, with_budget: bool = True) -> list[Party]:
    """The consortium as the rule check sees it."""
    return [
        Party(
            name=member.name,
            kind=member.kind,
            country=member.country,
            coordinator=member.is_coordinator,
            costs=_money(member.costs) if with_budget else None,
            requested=_money(member.requested) if with_budget else None,
        )
        for member in members
    ]


def application_check(
    application: ProjectApplication,
    members: Iterable[ConsortiumMember] | None = None,
    *,
    with_budget: bool = True,
) -> EligibilityCheck:
    """Every rule of the call, passed or not and why, for the consortium as it stands (or
    for `members`, a consortium as it would be)."""
    chosen = (
        active_members(application)
        if members is None
        else [m for m in members if m.status != MemberStatus.DECLINED]
    )
    return check_consortium(application.call, parties(chosen, with_budget=with_budget))


@dataclass(frozen=True)
class Budget:
    """The consortium's money: each partner's costs and request, and the totals."""

    costs: Decimal
    requested: Decimal
    ceiling: Decimal | None
    co_funding_rate: Decimal | None
    currency: str

    @property
    def rate(self) -> Decimal | None:
        if not self.costs:
            return None
        return (100 * self.requested / self.costs).quantize(Decimal("0.1"))

    @property
    def left(self) -> Decimal | None:
        """What could still be asked for under the ceiling."""
        return self.ceiling - self.requested if self.ceiling is not None else None

    @property
    def over_ceiling(self) -> bool:
        return self.ceiling is not None and self.requested > self.ceiling


def budget(application: ProjectApplication) -> Budget:
    members = active_members(application)
    return Budget(
        costs=sum((m.costs or Decimal(0) for m in members), Decimal(0)),
        requested=sum((m.requested or Decimal(0) for m in members), Decimal(0)),
        ceiling=application.call.budget_max,
        co_funding_rate=application.call.co_funding_rate,
        currency=application.currency,
    )


def consortium_preview(
    *, call: Opportunity, lead: Organisation | None, partners: Iterable[Organisation]
) -> dict[str, Any]:
    """The call's rules checked for a consortium not yet made: lead and partners."""
    organisations = [lead] if lead is not None else []
    organisations += [p for p in partners if lead is None or p.pk != lead.pk]
    check = check_consortium(
        call,
        [
            Party(
                name=o.name,
                kind=o.kind,
                country=o.country,
                coordinator=lead is not None and o.pk == lead.pk,
            )
            for o in organisations
        ],
    )
    return {
        "call": call,
        "lead": lead,
        "organisations": organisations,
        "results": check_as_data(check),
        "passed": check.passed,
    }


def check_as_data(check: EligibilityCheck) -> list[dict[str, Any]]:
    return [
        {
            "rule": r.rule,
            "passed": r.passed,
            "reason": r.reason,
            "suggestion": r.suggestion,
            "informational": bool(getattr(r, "informational", False)),
        }
        for r in check.results
    ]


def deadline_of(application: ProjectApplication) -> datetime | None:
    return application.call.deadline


def days_left(application: ProjectApplication, now: datetime | None = None) -> int | None:
    """Whole days until the call closes; None without a deadline, negative once passed."""
    deadline = application.call.deadline
    if deadline is None:
        return None
    now = now or timezone.now()
    return (timezone.localdate(deadline) - timezone.localdate(now)).days


# Reminders ----------------------------------------------------------------------------------


def deadline_reminders_due(
    *, now: datetime | None = None
) -> Iterator[tuple[ProjectApplication, int]]:
    """Applications not yet submitted whose call closes within 14, 7 or 1 days, each with
    the nearest of those marks it has reached."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(DEADLINE_REMINDER_DAYS))
    candidates = (
        ProjectApplication.objects.filter(
            status__in=PREPARING, call__deadline__gt=now, call__deadline__lte=horizon
        )
        .select_related("call", "lead", "created_by")
        .order_by("call__deadline", "pk")
    )
    for application in candidates:
        deadline = application.call.deadline
        assert deadline is not None
        left = deadline - now
        marks = [d for d in DEADLINE_REMINDER_DAYS if left <= timedelta(days=d)]
        if marks:
            yield application, min(marks)


def task_reminders_due(*, today: date | None = None) -> Iterator[tuple[Task, str]]:
    """Open tasks with an assignee that are due tomorrow ("due") or overdue ("overdue")."""
    today = today or timezone.localdate()
    tomorrow = today + timedelta(days=1)
    tasks = (
        Task.objects.filter(done=False, assignee__isnull=False, assignee__is_active=True)
        .filter(Q(due_on=tomorrow) | Q(due_on__lt=today))
        .exclude(application__status__in=FINAL_STATES)
        .select_related("application__call", "assignee")
        .order_by("due_on", "pk")
    )
    for task in tasks:
        assert task.due_on is not None
        yield task, "due" if task.due_on == tomorrow else "overdue"
