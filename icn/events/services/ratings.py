"""Ratings of meetings, right after and months later; they move the two organisations'
match record along, so the matching engine learns which meetings lead somewhere."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from icn.events.models import (
    FollowUpOutcome,
    Meeting,
    MeetingRating,
    RatingMoment,
    Registration,
    RequestStatus,
)
from icn.matching.models import STAGES, MatchRecord, MatchStatus

logger = logging.getLogger(__name__)


def follow_up_opens(meeting: Meeting) -> Any:
    return meeting.slot.ends_at + timedelta(days=settings.ICN_MATCHING_FOLLOW_UP_DAYS)


def _side(actor: Any, meeting: Meeting) -> Registration:
    """The participant rating: the one the actor is (organisers do not rate for others)."""
    for side in (meeting.request.sender, meeting.request.receiver):
        if side.user_id is not None and side.user_id == getattr(actor, "pk", None):
            return side
    raise PermissionDenied("The two participants rate their meeting.")


@transaction.atomic
def meeting_rate(
    *,
    actor: Any,
    meeting: Meeting,
    rating: int,
    comment: str = "",
    held: bool = True,
    outcome: str = "",
    moment: str | None = None,
) -> MeetingRating:
    """A participant's rating: right after the meeting, then again when the follow-up is due.
    A meeting that took place marks the two organisations' match as "meeting held"; the
    follow-up's outcome moves it on (in discussion, project started, agreement)."""
    side = _side(actor, meeting)
    if meeting.request.status != RequestStatus.ACCEPTED:
        raise ValidationError("This meeting was called off.")
    if not meeting.has_ended():
        raise ValidationError("Rate the meeting once it has taken place.")
    given = set(
        MeetingRating.objects.filter(meeting=meeting, registration=side).values_list(
            "moment", flat=True
        )
    )
    if moment is None:
        moment = (
            RatingMoment.FOLLOW_UP
            if RatingMoment.AFTER_MEETING in given
            else RatingMoment.AFTER_MEETING
        )
    if moment not in RatingMoment.values:
        raise ValidationError({"moment": f"Unknown moment: {moment}."})
    if moment in given:
        raise ValidationError("You have rated this meeting already.")
    if moment == RatingMoment.FOLLOW_UP:
        if RatingMoment.AFTER_MEETING not in given:
            raise ValidationError("Rate the meeting itself first.")
        opens = follow_up_opens(meeting)
        if timezone.now() < opens:
            raise ValidationError(f"The follow-up opens on {timezone.localtime(opens):%-d %B %Y}.")
    if outcome not in FollowUpOutcome.values:
        raise ValidationError({"outcome": f"Unknown outcome: {outcome}."})
    if outcome and moment != RatingMoment.FOLLOW_UP:
        raise ValidationError({"outcome": "The outcome is asked at the follow-up."})
    record = MeetingRating(
        meeting=meeting,
        registration=side,
        author=actor,
        moment=moment,
        held=held,
        rating=rating,
        outcome=outcome,
        comment=(comment or "").strip(),
    )
    record.full_clean()
    record.save()
    if held:
        record.match = _advance_match(actor, meeting, side, record)
        if record.match is not None:
            record.save(update_fields=["match"])
    return record


def _advance_match(
    actor: Any, meeting: Meeting, side: Registration, rating: MeetingRating
) -> MatchRecord | None:
    """The open match between the two organisations (made if there is none), moved one step
    at a time up to what the rating says happened; never back."""
    from icn.matching import services as matching

    other = meeting.request.other(side)
    mine, theirs = side.organisation, other.organisation
    if mine is None or theirs is None or mine.pk == theirs.pk:
        return None
    target = MatchStatus.MEETING_HELD
    if rating.moment == RatingMoment.FOLLOW_UP and rating.outcome:
        target = MatchStatus(rating.outcome)
    event = meeting.request.event
    day = timezone.localtime(meeting.slot.starts_at)
    note = f"Met at {event.title} on {day:%-d %B %Y}."
    try:
        match = (
            MatchRecord.objects.open()
            .filter(
                Q(organisation=mine, target_organisation=theirs)
                | Q(organisation=theirs, target_organisation=mine)
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if match is None:
            match = matching.match_suggest(
                actor=actor, organisation=mine, target_organisation=theirs
            )
        while match.status in STAGES and STAGES.index(match.status) < STAGES.index(target):
            following = STAGES[STAGES.index(match.status) + 1]
            # They have met: record the introduction without e-mailing one.
            match = matching.match_transition(
                actor=actor, match=match, to=following, note=note, notify=False
            )
    except (PermissionDenied, ValidationError) as exc:
        # The rating stands without a match record: the actor may not see the other side.
        logger.info("A meeting rating did not move a match: %s", exc)
        return None
    return match
