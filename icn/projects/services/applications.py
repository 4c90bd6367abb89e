"""Applications: starting one, and moving it along its lifecycle with the result's data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from icn.core.visibility import can_view, get_scope
from icn.directory.models import Organisation
from icn.opportunities.models import Opportunity, OpportunityKind
from icn.projects import selectors
from icn.projects.models import (
    ApplicationStatus,
    ConsortiumMember,
    MemberStatus,
    ProjectApplication,
    Section,
    allowed_transitions,
)
from icn.projects.programmes import template_for
from icn.projects.services.access import locked, record_event, require_manage, require_user

S = ApplicationStatus


def _sections_from_template(application: ProjectApplication) -> list[Section]:
    template = template_for(application.call.programme)
    return Section.objects.bulk_create(
        Section(
            application=application,
            key=part.key,
            title=part.title,
            guidance=part.guidance,
            position=n,
        )
        for n, part in enumerate(template.sections)
    )


@transaction.atomic
def application_create(
    *,
    actor: Any,
    call: Opportunity,
    lead: Organisation,
    title: str,
    partners: Iterable[Organisation] = (),
    acronym: str = "",
    summary: str = "",
) -> ProjectApplication:
    """Start an application to an open call: the lead coordinates, the partners are asked
    in, and the sections of the programme's template are laid out."""
    require_user(actor)
    if call.kind != OpportunityKind.FUNDING_CALL:
        raise ValidationError({"call": "Applications are made to funding calls."})
    if not can_view(actor, call):
        raise ValidationError({"call": "Unknown call."})
    if not call.is_open():
        raise ValidationError({"call": "The call is closed: its deadline has passed."})
    if not selectors.may_act_for(actor, lead):
        raise PermissionDenied(
            "Lead an application for an organisation you act for or, as its cluster manager, "
            "manage."
        )
    chosen = [p for p in dict.fromkeys(partners) if p.pk != lead.pk]
    hidden = [p for p in chosen if not can_view(actor, p)]
    if hidden:
        raise ValidationError({"partners": "Unknown organisation."})
    application = ProjectApplication(
        call=call,
        lead=lead,
        title=(title or "").strip(),
        acronym=(acronym or "").strip(),
        summary=(summary or "").strip(),
        status=S.CONSORTIUM if chosen else S.IDEA,
        created_by=actor,
    )
    application.full_clean()
    application.save()
    record_event(application, actor, "", application.status, "Application started.")
    own = get_scope(actor).organisation_ids
    ConsortiumMember.objects.create(
        application=application,
        organisation=lead,
        is_coordinator=True,
        role="Coordinator",
        status=MemberStatus.CONFIRMED,
    )
    for partner in chosen:
        ConsortiumMember.objects.create(
            application=application,
            organisation=partner,
            # Someone who acts for the partner itself has already said yes.
            status=MemberStatus.CONFIRMED if partner.pk in own else MemberStatus.INVITED,
        )
    _sections_from_template(application)
    return application


@transaction.atomic
def application_update(
    *, actor: Any, application: ProjectApplication, title: str, acronym: str = "", summary: str = ""
) -> ProjectApplication:
    """Rename the application or rewrite its summary."""
    require_manage(actor, application)
    application = locked(application)
    application.title = (title or "").strip()
    application.acronym = (acronym or "").strip()
    application.summary = (summary or "").strip()
    application.full_clean()
    application.save()
    return application


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": "Give the amount as a number."}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": "Give the amount as a number."})
    return amount


def _scores(value: Mapping[str, Any] | None, max_score: int) -> dict[str, float]:
    """The evaluators' scores by criterion, each between 0 and the programme's maximum."""
    scores: dict[str, float] = {}
    for criterion, raw in (value or {}).items():
        name = str(criterion).strip()[:80]
        if raw is None or raw == "" or not name:
            continue
        try:
            score = float(raw)
        except (TypeError, ValueError):
            raise ValidationError({"scores": f"{name}: give the score as a number."}) from None
        if not 0 <= score <= max_score:
            raise ValidationError({"scores": f"{name}: scores go from 0 to {max_score}."})
        scores[name] = score
    return scores


def _refusal(application: ProjectApplication, to: str) -> str:
    if application.is_final():
        return f"The application is {application.get_status_display().lower()}: it is final."
    steps = ", ".join(ApplicationStatus(s).label.lower() for s in application.next_steps())
    return (
        f"An application that is {application.get_status_display().lower()} moves on to "
        f"{steps}, not to {ApplicationStatus(to).label.lower()}."
    )


def submission_problems(application: ProjectApplication) -> list[str]:
    """What stands between the application and its submission, in plain words."""
    problems = [
        f"{failure.reason}." for failure in selectors.application_check(application).failures
    ]
    waiting = [
        m.name for m in selectors.active_members(application) if m.status != MemberStatus.CONFIRMED
    ]
    if waiting:
        problems.append(f"Not confirmed yet: {', '.join(waiting)}.")
    empty = [s.title for s in application.sections.all() if not s.text.strip()]
    if empty:
        problems.append(f"Sections without text: {', '.join(empty)}.")
    return problems


@transaction.atomic
def application_transition(
    *,
    actor: Any,
    application: ProjectApplication,
    to: str,
    note: str = "",
    amount: Any = None,
    scores: Mapping[str, Any] | None = None,
    comments: str = "",
) -> ProjectApplication:
    """Move an application one allowed step, with the result's data where the step is the
    funder's answer; every step is recorded with who and when."""
    require_manage(actor, application)
    application = locked(application)
    if to not in ApplicationStatus.values:
        raise ValidationError({"to": f"Unknown stage: {to}."})
    if to not in allowed_transitions(application.status):
        raise ValidationError({"to": _refusal(application, to)})
    note = (note or "").strip()
    comments = (comments or "").strip()
    granted = _amount(amount)
    scored = _scores(scores, application.template.max_score)
    errors: dict[str, str] = {}
    if granted is not None and to != S.GRANTED:
        errors["amount"] = "Only a grant comes with an amount."
    if (scored or comments) and to not in (S.GRANTED, S.RESERVE, S.REJECTED):
        errors["scores"] = "Evaluation scores and comments come with the funder's answer."
    if to == S.GRANTED:
        ceiling = application.call.budget_max
        if granted is None or granted <= 0:
            errors["amount"] = "Give the amount granted."
        elif ceiling is not None and granted > ceiling:
            errors["amount"] = (
                f"The call grants at most {ceiling:,.0f} {application.currency} per project."
            )
    if to in (S.RESERVE, S.REJECTED) and not scored:
        errors["scores"] = "Give the evaluation scores."
    if to == S.REJECTED and not comments:
        errors["comments"] = "Give the evaluators' comments."
    if to == S.WITHDRAWN and not note:
        errors["note"] = "Say why the application is withdrawn."
    if errors:
        raise ValidationError(errors)
    if to == S.SUBMITTED:
        problems = submission_problems(application)
        if problems:
            raise ValidationError(["The application cannot be submitted yet.", *problems])
        application.submitted_at = timezone.now()
        application.submission_check = selectors.check_as_data(
            selectors.application_check(application)
        )
    if to in (S.GRANTED, S.RESERVE, S.REJECTED):
        application.result_at = timezone.now()
        if scored:
            application.evaluation_scores = scored
        if comments:
            application.evaluation_comments = comments
        if to == S.GRANTED:
            application.amount_granted = granted
    from_status = application.status
    application.status = to
    application.full_clean()
    application.save()
    record_event(application, actor, from_status, to, note)
    return application
