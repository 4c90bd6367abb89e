"""Writes of matchmaking: suggesting introductions, moving them along, feedback, reindexing."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from icn.core.visibility import can_view, get_scope
from icn.directory.models import Cluster, Organisation, Person
from icn.matching.models import (
    FINAL_STATES,
    DocumentKind,
    FeedbackMoment,
    MatchEvent,
    MatchFeedback,
    MatchRecord,
    MatchStatus,
    allowed_transitions,
)
from icn.opportunities.models import Opportunity, OpportunityKind, Solution

logger = logging.getLogger(__name__)


def record_changed(kind: str, pk: int) -> None:
    """A solution, organisation or opportunity changed: reindex it once the change is saved.

    The index also heals itself at query time; this makes the change show at once and keeps
    the stored vector current, so no page pays for encoding it.
    """
    from icn.matching.tasks import reindex_record

    if kind not in DocumentKind.values:
        raise ValueError(f"Unknown kind of document: {kind}.")
    transaction.on_commit(partial(reindex_record.enqueue, kind, int(pk)))


def may_act_on(actor: Any, organisations: Iterable[Organisation]) -> bool:
    """The sides of a match, their clusters' managers and the secretariat act on it."""
    scope = get_scope(actor)
    if scope.is_secretariat:
        return True
    if not scope.is_authenticated:
        return False
    organisations = list(organisations)
    if any(o.pk in scope.organisation_ids for o in organisations):
        return True
    if not scope.managed_cluster_ids:
        return False
    return Organisation.clusters.through.objects.filter(
        organisation_id__in=[o.pk for o in organisations],
        cluster_id__in=scope.managed_cluster_ids,
    ).exists()


def contact_for(
    organisation: Organisation, *, opportunity: Opportunity | None = None, actor: Any = None
) -> str:
    """Who speaks for a side: the item's contact, the acting member, else a listed person."""
    if (
        opportunity is not None
        and opportunity.author_organisation_id == organisation.pk
        and opportunity.contact_email
    ):
        return opportunity.contact_email
    if actor is not None and organisation.pk in get_scope(actor).organisation_ids:
        return str(actor.email)
    person = (
        Person.objects.filter(organisation=organisation)
        .exclude(email="")
        .order_by("-listed", "pk")
        .first()
    )
    if person is not None:
        return person.email
    member = (
        get_user_model()
        .objects.filter(memberships__organisation=organisation, is_active=True)
        .order_by("memberships__role", "pk")
        .first()
    )
    return str(member.email) if member is not None else ""


def _explain(
    source: Opportunity | None,
    organisation: Organisation,
    target: Organisation,
    solution: Solution | None,
    viewer: Any,
) -> tuple[float, list[str]]:
    """The engine's score and reasons for this one pair, as the pages showed them."""
    from icn.matching import selectors

    try:
        return selectors.explain_pair(
            viewer=viewer,
            source=source,
            organisation=organisation,
            target=target,
            solution=solution,
        )
    except Exception:  # an explanation is a nicety; the suggestion stands without one
        logger.exception("Could not explain a suggested match.")
        return 0.0, []


@transaction.atomic
def match_suggest(
    *,
    actor: Any,
    target_organisation: Organisation | None = None,
    organisation: Organisation | None = None,
    source_opportunity: Opportunity | None = None,
    solution: Solution | None = None,
) -> MatchRecord:
    """Suggest introducing two organisations; the same open suggestion is not made twice."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Log in first.")
    if solution is not None:
        if not can_view(actor, solution):
            raise PermissionDenied("You may not see this solution.")
        target_organisation = target_organisation or solution.organisation
    if source_opportunity is not None:
        if not can_view(actor, source_opportunity):
            raise PermissionDenied("You may not see this item.")
        if source_opportunity.kind not in (
            OpportunityKind.CHALLENGE,
            OpportunityKind.FUNDING_CALL,
        ):
            raise ValidationError("Matches start from a challenge or a funding call.")
        if organisation is None and source_opportunity.kind == OpportunityKind.CHALLENGE:
            organisation = source_opportunity.author_organisation
    if organisation is None:
        raise ValidationError({"organisation": "Choose the organisation to introduce."})
    if target_organisation is None:
        raise ValidationError({"target_organisation": "Choose whom to introduce it to."})
    if organisation.pk == target_organisation.pk:
        raise ValidationError("A match introduces two different organisations.")
    for side in (organisation, target_organisation):
        if not can_view(actor, side):
            raise PermissionDenied("You may not see one of the organisations.")
    if not may_act_on(actor, [organisation, target_organisation]):
        raise PermissionDenied(
            "Introductions are suggested by the two sides, their cluster managers or the "
            "secretariat."
        )
    existing = (
        MatchRecord.objects.open()
        .filter(
            source_opportunity=source_opportunity,
            organisation=organisation,
            target_organisation=target_organisation,
            solution=solution,
        )
        .first()
    )
    if existing is not None:
        return existing
    score, reasons = _explain(
        source_opportunity, organisation, target_organisation, solution, actor
    )
    match = MatchRecord(
        source_opportunity=source_opportunity,
        organisation=organisation,
        target_organisation=target_organisation,
        solution=solution,
        created_by=actor,
        score=score,
        reasons=reasons,
        source_contact=contact_for(organisation, opportunity=source_opportunity, actor=actor),
        target_contact=contact_for(target_organisation, actor=actor),
    )
    match.full_clean()
    match.save()
    MatchEvent.objects.create(
        match=match, actor=actor, from_status="", to_status=MatchStatus.SUGGESTED
    )
    return match


def _refusal(match: MatchRecord, to: str) -> str:
    current = MatchStatus(match.status).label.lower()
    if match.status in FINAL_STATES:
        return f"This match is {current}: it cannot change any more."
    wanted = MatchStatus(to).label.lower()
    following = MatchStatus(allowed_transitions(match.status)[0]).label.lower()
    return (
        f"A match that is {current} cannot go to {wanted}: the next step is "
        f"{following}, or it can be closed."
    )


@transaction.atomic
def match_transition(
    *, actor: Any, match: MatchRecord, to: str, note: str = "", notify: bool = True
) -> MatchRecord:
    """Move a match one step on, or close it with a reason; every step is recorded.

    ``notify=False`` records an introduction that happened elsewhere (two participants who
    met at an event) without sending the introduction e-mail.
    """
    if not MatchRecord.objects.visible_to(actor).filter(pk=match.pk).exists():
        raise PermissionDenied("You may not change this match.")
    match = (
        MatchRecord.objects.select_for_update(of=("self",))
        .select_related(
            "organisation", "target_organisation", "source_opportunity", "solution", "created_by"
        )
        .get(pk=match.pk)
    )
    if to not in MatchStatus.values:
        raise ValidationError({"to": f"Unknown stage: {to}."})
    if to not in allowed_transitions(match.status):
        raise ValidationError({"to": _refusal(match, to)})
    note = (note or "").strip()
    if to == MatchStatus.CLOSED and not note:
        raise ValidationError({"note": "Say why the match is closed."})
    from_status = match.status
    match.status = to
    if to == MatchStatus.INTRODUCED:
        match.introduced_at = timezone.now()
        match.follow_up_due_on = timezone.localdate() + timedelta(
            days=settings.ICN_MATCHING_FOLLOW_UP_DAYS
        )
    if to == MatchStatus.CLOSED:
        match.closed_reason = note
    match.full_clean()
    match.save()
    MatchEvent.objects.create(
        match=match, actor=actor, from_status=from_status, to_status=to, note=note
    )
    if to == MatchStatus.INTRODUCED and notify:
        message = introduction_message(match, actor=actor, note=note)
        transaction.on_commit(lambda: message.send(fail_silently=False))
    return match


def cluster_manager_emails(organisations: Iterable[Organisation]) -> list[str]:
    """The managers of every cluster the organisations belong to."""
    clusters = Cluster.objects.filter(organisations__in=[o.pk for o in organisations])
    users = get_user_model().objects.filter(managed_clusters__in=clusters, is_active=True)
    return sorted({str(email) for email in users.values_list("email", flat=True) if email})


def introduction_message(match: MatchRecord, *, actor: Any, note: str = "") -> EmailMessage:
    """One e-mail to the two contacts and both sides' cluster managers."""
    sides = [match.organisation, match.target_organisation]
    everyone = [match.source_contact, match.target_contact, *cluster_manager_emails(sides)]
    recipients = list(dict.fromkeys(email for email in everyone if email))
    link = settings.SITE_URL + match.get_absolute_url()
    lines = [
        f"{actor} introduces {match.organisation} and {match.target_organisation} through the "
        f"{settings.SITE_NAME}.",
        "",
        f"Where it started: {match.source_label}.",
    ]
    if match.solution is not None:
        lines.append(f"The solution: {match.solution.title}.")
    if match.reasons:
        lines += ["", "Why the two fit:", *(f"- {reason}" for reason in match.reasons)]
    if note:
        lines += ["", note]
    lines += [
        "",
        "Contacts:",
        f"- {match.organisation}: {match.source_contact or 'no contact on file'}",
        f"- {match.target_organisation}: {match.target_contact or 'no contact on file'}",
        "",
        f"Tell us how the introduction went, and follow the match: {link}",
    ]
    return EmailMessage(
        subject=f"Introduction: {match.organisation} and {match.target_organisation}",
        body="\n".join(lines),
        to=recipients,
        reply_to=[email for email in [match.source_contact] if email],
    )


def _feedback_side(
    actor: Any, match: MatchRecord, organisation: Organisation | None
) -> Organisation:
    ids = get_scope(actor).organisation_ids
    sides = [o for o in (match.organisation, match.target_organisation) if o.pk in ids]
    if organisation is not None:
        sides = [o for o in sides if o.pk == organisation.pk]
    if not sides:
        raise PermissionDenied("Feedback comes from the two sides of the match.")
    return sides[0]


@transaction.atomic
def match_feedback(
    *,
    actor: Any,
    match: MatchRecord,
    rating: int,
    comment: str = "",
    moment: str | None = None,
    organisation: Organisation | None = None,
) -> MatchFeedback:
    """A side's rating: right after the introduction, and again when the follow-up is due."""
    side = _feedback_side(actor, match, organisation)
    if match.introduced_at is None:
        raise ValidationError("Feedback opens once the two sides have been introduced.")
    given = set(
        MatchFeedback.objects.filter(match=match, organisation=side).values_list(
            "moment", flat=True
        )
    )
    if moment is None:
        moment = (
            FeedbackMoment.FOLLOW_UP
            if FeedbackMoment.INTRODUCTION in given
            else FeedbackMoment.INTRODUCTION
        )
    if moment not in FeedbackMoment.values:
        raise ValidationError({"moment": f"Unknown moment: {moment}."})
    if moment in given:
        raise ValidationError(f"{side} has already given this feedback.")
    due = match.follow_up_due_on
    if moment == FeedbackMoment.FOLLOW_UP and due is not None and timezone.localdate() < due:
        raise ValidationError(f"The follow-up opens on {due:%-d %B %Y}.")
    feedback = MatchFeedback(
        match=match,
        organisation=side,
        author=actor,
        moment=moment,
        rating=rating,
        comment=(comment or "").strip(),
    )
    feedback.full_clean()
    feedback.save()
    return feedback


def follow_up_message(match: MatchRecord) -> EmailMessage:
    """Asks both sides how the match went, months after the introduction."""
    sides = [match.organisation, match.target_organisation]
    everyone = [match.source_contact, match.target_contact, *cluster_manager_emails(sides)]
    recipients = list(dict.fromkeys(email for email in everyone if email))
    link = settings.SITE_URL + match.get_absolute_url()
    introduced = match.introduced_at or match.created_at
    body = "\n".join(
        [
            f"{match.organisation} and {match.target_organisation} were introduced through the "
            f"{settings.SITE_NAME} on {introduced:%-d %B %Y}.",
            "",
            "How did it go? A rating and a line from each side help the network learn which "
            "introductions lead somewhere:",
            link,
            "",
            f"Where the match stands now: {match.get_status_display()}.",
        ]
    )
    return EmailMessage(
        subject=f"How did it go? {match.organisation} and {match.target_organisation}",
        body=body,
        to=recipients,
    )


def match_follow_up_reminders(*, today: Any = None) -> int:
    """E-mail both sides of every match whose follow-up is due, once; returns how many."""
    from icn.matching.selectors import due_follow_ups

    sent = 0
    for match in due_follow_ups(today=today).filter(follow_up_reminded_at__isnull=True):
        message = follow_up_message(match)
        if not message.to:
            continue
        message.send()
        MatchRecord.objects.filter(pk=match.pk).update(follow_up_reminded_at=timezone.now())
        sent += 1
    return sent
