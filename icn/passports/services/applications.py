"""Applications and their road: created, edited, moved one step at a time (`models.STEPS`),
the host chosen, the closing report and the follow-up.

Every change of state goes through `passport_transition`, which checks the step against the
table (and who may take it) and records it as a `PassportEvent`; things done without a change
of state (a host chosen, a desk booked, an introduction) are events too, from a state to the
same state, so the timeline tells the whole story.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from icn.core.visibility import get_scope
from icn.directory.models import Cluster, ClusterStatus, Organisation, Topic
from icn.matching.models import MatchRecord
from icn.passports.models import (
    APPLICANT,
    FINAL_STATES,
    HOST,
    HOST_ANSWERS,
    STEPS,
    Passport,
    PassportEvent,
    PassportFollowUp,
    PassportReport,
    PassportStatus,
    allowed_transitions,
)
from icn.passports.selectors import linkable_applications
from icn.passports.services.access import day, locked, require_role, role_names, roles_of, today
from icn.passports.services.messages import (
    announce,
    follow_up_message,
    host_chosen_message,
    status_message,
)
from icn.projects.models import ProjectApplication

S = PassportStatus


# Follow-up feedback is asked this many days after the closing report (at the earliest, after
# the visit's last day).
FOLLOW_UP_DAYS = int(getattr(settings, "ICN_PASSPORT_FOLLOW_UP_DAYS", 90))
MAX_VISIT_DAYS = 92


# Applications -------------------------------------------------------------------------------


def _home_cluster(actor: Any, organisation: Organisation | None, home: Cluster | None) -> Cluster:
    scope = get_scope(actor)
    if organisation is None:
        if home is None:
            raise ValidationError({"organisation": "Choose the organisation that travels."})
        if home.pk not in scope.managed_cluster_ids:
            raise PermissionDenied("A cluster applies through its managers.")
        return home
    if organisation.pk not in scope.organisation_ids:
        raise PermissionDenied("Apply for an organisation you act for.")
    clusters = organisation.clusters.filter(status=ClusterStatus.MEMBER).order_by("name")
    if home is None:
        home = clusters.first()
        if home is None:
            raise ValidationError(
                {"organisation": f"{organisation} is not a member of a cluster of the network."}
            )
    elif not clusters.filter(pk=home.pk).exists():
        raise ValidationError({"home_cluster": f"{organisation} is not a member of {home}."})
    return home


def _check_host(host: Cluster | None, home: Cluster) -> None:
    if host is None:
        return
    if host.status != ClusterStatus.MEMBER:
        raise ValidationError({"host_cluster": f"{host} is not a member cluster of the network."})
    if host.pk == home.pk:
        raise ValidationError(
            {"host_cluster": f"{home} is the home cluster: choose a cluster in another region."}
        )


def _check_dates(starts_on: date, ends_on: date, field: str = "starts_on") -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The visit ends before it starts."})
    if (ends_on - starts_on).days + 1 > MAX_VISIT_DAYS:
        raise ValidationError({"ends_on": f"A visit lasts at most {MAX_VISIT_DAYS} days."})
    if starts_on < today():
        raise ValidationError({field: "The visit must start today or later."})


def _check_ready(passport: Passport) -> None:
    """What a submitted application must say."""
    if passport.host_cluster_id is None and not (passport.target_country or passport.target_region):
        raise ValidationError(
            {"host_cluster": "Choose the host cluster, or the country or region you want to visit."}
        )
    _check_dates(passport.starts_on, passport.ends_on)


@transaction.atomic
def passport_create(
    *,
    actor: Any,
    title: str,
    purpose: str,
    starts_on: date,
    ends_on: date,
    organisation: Organisation | None = None,
    home_cluster: Cluster | None = None,
    host_cluster: Cluster | None = None,
    topics: Iterable[Topic] = (),
    submit: bool = False,
    **fields: Any,
) -> Passport:
    """A new application, a draft unless submitted at once."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Log in first.")
    home = _home_cluster(actor, organisation, home_cluster)
    _check_host(host_cluster, home)
    fields.setdefault("contact_email", actor.email)
    if not fields["contact_email"]:
        fields["contact_email"] = actor.email
    passport = Passport(
        organisation=organisation,
        home_cluster=home,
        host_cluster=host_cluster,
        title=(title or "").strip(),
        purpose=(purpose or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
        **fields,
    )
    if ends_on and starts_on and ends_on >= starts_on:
        _check_dates(starts_on, ends_on)
    passport.full_clean()
    passport.save()
    passport.topics.set(topics)
    PassportEvent.objects.create(passport=passport, actor=actor, from_status="", to_status=S.DRAFT)
    if submit:
        passport = passport_transition(actor=actor, passport=passport, to=S.SUBMITTED)
    return passport


EDITABLE = (
    "title",
    "purpose",
    "target_country",
    "target_region",
    "wanted_contacts",
    "partner_kinds",
    "assistance",
    "starts_on",
    "ends_on",
    "desk_days",
    "contact_email",
)


@transaction.atomic
def passport_update(
    *,
    actor: Any,
    passport: Passport,
    host_cluster: Cluster | None = None,
    topics: Iterable[Topic] | None = None,
    submit: bool = False,
    **fields: Any,
) -> Passport:
    """The applicant edits a draft, or an application returned with comments."""
    passport = locked(passport)
    require_role(actor, passport, APPLICANT, "Editing the application")
    if not passport.is_editable():
        raise ValidationError(
            f"A passport that is {passport.get_status_display().lower()} cannot be edited: "
            "only drafts and applications returned for changes can."
        )
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    _check_host(host_cluster, passport.home_cluster)
    for name, value in fields.items():
        setattr(passport, name, value.strip() if isinstance(value, str) else value)
    passport.host_cluster = host_cluster
    if not passport.contact_email:
        passport.contact_email = actor.email
    if passport.ends_on >= passport.starts_on:
        _check_dates(passport.starts_on, passport.ends_on)
    passport.full_clean()
    passport.save()
    if topics is not None:
        passport.topics.set(topics)
    if submit:
        passport = passport_transition(actor=actor, passport=passport, to=S.SUBMITTED)
    return passport


# Steps --------------------------------------------------------------------------------------

VERBS = {
    S.SUBMITTED: "submitted",
    S.RETURNED: "returned to the applicant",
    S.ENDORSED: "endorsed",
    S.ACCEPTED: "accepted",
    S.DATES_PROPOSED: "given other dates",
    S.DECLINED: "declined",
    S.VISITED: "marked as visited",
    S.REPORTED: "reported on",
    S.WITHDRAWN: "withdrawn",
}
# How far along the road each state is, to tell "not yet" from "already past it".
RANK = {
    S.DRAFT: 0,
    S.RETURNED: 0,
    S.SUBMITTED: 1,
    S.ENDORSED: 2,
    S.DATES_PROPOSED: 3,
    S.ACCEPTED: 4,
    S.DECLINED: 4,
    S.VISITED: 5,
    S.REPORTED: 6,
    S.WITHDRAWN: 9,
}


def _missing(current: str, to: str) -> str:
    """What has to happen before a passport in `current` can go to `to`."""
    if to == S.ENDORSED:
        return "it must be submitted first"
    if to == S.RETURNED:
        return "only a submitted application goes back to the applicant"
    if to in HOST_ANSWERS:
        if current == S.DATES_PROPOSED:
            return (
                "the host cluster has proposed other dates; the applicant accepts them or withdraws"
            )
        if current == S.SUBMITTED:
            return "it must be endorsed by the home cluster first"
        return "it must be submitted and endorsed by the home cluster first"
    if to == S.VISITED:
        return "the host cluster must accept the visit first"
    if to == S.WITHDRAWN:
        return "the visit has been made; what remains is the closing report"
    return "that step is not on its road"


# How a refusal names the passport, by where it stands.
SUBJECTS = {
    S.DRAFT: "A draft",
    S.SUBMITTED: "A submitted application",
    S.RETURNED: "An application returned for changes",
    S.ENDORSED: "An endorsed application",
    S.DATES_PROPOSED: "An application with other dates proposed",
    S.ACCEPTED: "An accepted visit",
    S.VISITED: "A visit already made",
}


def refusal(passport: Passport, to: str) -> str:
    """Why a passport cannot go to `to` from where it is, in the network's words."""
    current = S(passport.status)
    if current in FINAL_STATES:
        return f"This passport is {current.label.lower()}: it cannot change any more."
    if to == S.REPORTED and current != S.VISITED:
        if current == S.ACCEPTED and passport.ends_on >= today():
            return f"The closing report comes after the visit (ends on {day(passport.ends_on)})."
        if current == S.ACCEPTED:
            return "The closing report comes after the visit: mark the visit as made first."
        return "The closing report comes after the visit, and this visit has not been accepted yet."
    subject = SUBJECTS.get(current, f"A passport that is {current.label.lower()}")
    if to == current:
        why = "it is at that step already"
    elif RANK[S(to)] <= RANK[current] and to != S.WITHDRAWN:
        why = "it is past that step"
    else:
        why = _missing(current, to)
    following = [STEPS[(current, step)].label.lower() for step in allowed_transitions(current)]
    after = f" What it can do now: {', '.join(following)}." if following else ""
    return f"{subject} cannot be {VERBS.get(S(to), to)}: {why}.{after}"


def _check_step(actor: Any, passport: Passport, to: str, note: str) -> None:
    if to not in S.values:
        raise ValidationError({"to": f"Unknown state: {to}."})
    step = STEPS.get((passport.status, to))
    if step is None:
        raise ValidationError({"to": refusal(passport, to)})
    if HOST in step.roles and passport.host_cluster_id is None:
        raise ValidationError(
            {"to": "The secretariat has not chosen the host cluster yet: it answers after that."}
        )
    if not roles_of(actor, passport) & set(step.roles):
        raise PermissionDenied(f"“{step.label}” is up to {role_names(passport, step.roles)}.")
    if step.note_required and not note:
        raise ValidationError({"note": step.note_required})


def _host_contact(actor: Any, passport: Passport, host_contact: Any) -> Any:
    """The host cluster's person for the visitor: one of its managers, by default the actor
    (a manager of the host cluster, or the secretariat standing in for one)."""
    if host_contact is None or host_contact.pk == actor.pk:
        return actor
    assert passport.host_cluster is not None
    if not passport.host_cluster.managers.filter(pk=host_contact.pk, is_active=True).exists():
        raise ValidationError(
            {"host_contact": f"The host contact is one of {passport.host_cluster}'s managers."}
        )
    return host_contact


@transaction.atomic
def passport_transition(
    *,
    actor: Any,
    passport: Passport,
    to: str,
    note: str = "",
    host_contact: Any = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Passport:
    """Move a passport one step along its road; every step is recorded and announced.

    Accepting names the host contact (the acting manager by default); proposing other dates
    needs them; returning and declining need a note, which the applicant reads.
    """
    if not Passport.objects.visible_to(actor).filter(pk=passport.pk).exists():
        raise PermissionDenied("You may not change this passport.")
    passport = locked(passport)
    note = (note or "").strip()
    _check_step(actor, passport, to, note)
    if to == S.REPORTED:
        raise ValidationError({"to": "The closing report is sent with its form."})
    from_status = passport.status
    now = timezone.now()
    if to == S.SUBMITTED:
        _check_ready(passport)
        if passport.submitted_at is None:
            passport.submitted_at = now
    elif to in HOST_ANSWERS and from_status == S.ENDORSED:
        passport.answered_at = passport.answered_at or now
        if to == S.DECLINED:
            passport.decline_reason = note
        else:
            passport.host_contact = _host_contact(actor, passport, host_contact)
        if to == S.DATES_PROPOSED:
            if starts_on is None or ends_on is None:
                raise ValidationError({"starts_on": "Give the dates you propose."})
            _check_dates(starts_on, ends_on)
            if (starts_on, ends_on) == (passport.starts_on, passport.ends_on):
                raise ValidationError({"starts_on": "These are the dates asked for: accept them."})
            passport.proposed_starts_on, passport.proposed_ends_on = starts_on, ends_on
            period = f"Proposed: {day(starts_on)} – {day(ends_on)}."
            note = f"{period} {note}".strip()
    elif to == S.ACCEPTED and from_status == S.DATES_PROPOSED:
        assert passport.proposed_starts_on is not None and passport.proposed_ends_on is not None
        if passport.proposed_starts_on < today():
            raise ValidationError(
                {"to": "The proposed dates have passed: ask the host cluster for new ones."}
            )
        passport.starts_on = passport.proposed_starts_on
        passport.ends_on = passport.proposed_ends_on
        passport.desk_days = min(passport.desk_days, passport.days)
        passport.proposed_starts_on = passport.proposed_ends_on = None
    elif to == S.VISITED and passport.ends_on > today():
        raise ValidationError(
            {
                "to": f"The visit ends on {day(passport.ends_on)}: it can be marked as visited "
                "from that day."
            }
        )
    elif to == S.WITHDRAWN:
        passport.bookings.active().update(cancelled_at=now)
    passport.status = to
    passport.full_clean()
    passport.save()
    event = PassportEvent.objects.create(
        passport=passport, actor=actor, from_status=from_status, to_status=to, note=note
    )
    announce(status_message(passport, event))
    return passport


@transaction.atomic
def passport_choose_host(
    *, actor: Any, passport: Passport, host_cluster: Cluster, note: str = ""
) -> Passport:
    """The secretariat picks the host cluster when the applicant named a country or region."""
    if not get_scope(actor).is_secretariat:
        raise PermissionDenied("The secretariat chooses the host cluster.")
    passport = locked(passport)
    if passport.status not in (S.SUBMITTED, S.RETURNED, S.ENDORSED):
        raise ValidationError(
            {
                "host_cluster": "The host cluster is chosen while the application is submitted "
                f"or endorsed; this one is {passport.get_status_display().lower()}."
            }
        )
    _check_host(host_cluster, passport.home_cluster)
    passport.host_cluster = host_cluster
    passport.full_clean()
    passport.save()
    text = f"Host cluster: {host_cluster}."
    event = PassportEvent.objects.create(
        passport=passport,
        actor=actor,
        from_status=passport.status,
        to_status=passport.status,
        note=f"{text} {(note or '').strip()}".strip(),
    )
    announce(host_chosen_message(passport, event))
    return passport


# After the visit ----------------------------------------------------------------------------


def _outcome_matches(actor: Any, passport: Passport, matches: Iterable[MatchRecord]) -> list[Any]:
    """Match records the visitor may link: visible to it, with its organisation on a side."""
    wanted = [m.pk for m in matches]
    if not wanted:
        return []
    side = Q(organisation=passport.organisation_id) | Q(
        target_organisation=passport.organisation_id
    )
    found = list(MatchRecord.objects.visible_to(actor).filter(side, pk__in=wanted))
    if len(found) != len(set(wanted)):
        raise ValidationError({"matches": "Link matches of the visiting organisation only."})
    return found


@transaction.atomic
def passport_report(
    *,
    actor: Any,
    passport: Passport,
    meetings_held: int,
    leads: int,
    summary: str,
    next_steps: str = "",
    matches: Iterable[MatchRecord] = (),
) -> PassportReport:
    """The visitor's closing report, once the visit is over; it closes the passport."""
    if not Passport.objects.visible_to(actor).filter(pk=passport.pk).exists():
        raise PermissionDenied("You may not report on this passport.")
    passport = locked(passport)
    if passport.status != S.VISITED:
        raise ValidationError(refusal(passport, S.REPORTED))
    require_role(actor, passport, APPLICANT, "The closing report")
    linked = _outcome_matches(actor, passport, matches)
    report = PassportReport(
        passport=passport,
        meetings_held=meetings_held,
        leads=leads,
        summary=(summary or "").strip(),
        next_steps=(next_steps or "").strip(),
        author=actor,
    )
    report.full_clean()
    report.save()
    report.matches.set(linked)
    passport.status = S.REPORTED
    passport.follow_up_due_on = max(passport.ends_on, today()) + timedelta(days=FOLLOW_UP_DAYS)
    passport.save()
    event = PassportEvent.objects.create(
        passport=passport,
        actor=actor,
        from_status=S.VISITED,
        to_status=S.REPORTED,
        note=f"{meetings_held} meeting(s), {leads} lead(s).",
    )
    announce(status_message(passport, event))
    return report


@transaction.atomic
def passport_follow_up(
    *,
    actor: Any,
    passport: Passport,
    rating: int,
    deals: int = 0,
    projects: str = "",
    comment: str = "",
    matches: Iterable[MatchRecord] = (),
    applications: Iterable[ProjectApplication] = (),
) -> PassportFollowUp:
    """What came of the visit, months later."""
    passport = locked(passport)
    require_role(actor, passport, APPLICANT, "The follow-up")
    if passport.status != S.REPORTED:
        raise ValidationError("The follow-up comes after the closing report.")
    due = passport.follow_up_due_on
    if due is not None and today() < due:
        raise ValidationError(f"The follow-up opens on {day(due)}.")
    if PassportFollowUp.objects.filter(passport=passport).exists():
        raise ValidationError("The follow-up has been given already.")
    linked = _outcome_matches(actor, passport, matches)
    wanted = {application.pk for application in applications}
    projects_linked = list(
        linkable_applications(viewer=actor, passport=passport).filter(pk__in=wanted)
    )
    if len(projects_linked) != len(wanted):
        raise ValidationError(
            {"applications": "Link project applications of the visiting organisation only."}
        )
    follow_up = PassportFollowUp(
        passport=passport,
        rating=rating,
        deals=deals,
        projects=(projects or "").strip(),
        comment=(comment or "").strip(),
        author=actor,
    )
    follow_up.full_clean()
    follow_up.save()
    follow_up.matches.set(linked)
    follow_up.applications.set(projects_linked)
    PassportEvent.objects.create(
        passport=passport,
        actor=actor,
        from_status=passport.status,
        to_status=passport.status,
        note=f"Follow-up: rated {rating}/5, {deals} deal(s).",
    )
    return follow_up


def passport_follow_up_reminders(*, on: date | None = None) -> int:
    """Ask every visitor whose follow-up is due for it, once; returns how many were asked."""
    on = on or today()
    due = Passport.objects.filter(
        status=S.REPORTED,
        follow_up_due_on__lte=on,
        follow_up_reminded_at__isnull=True,
        follow_up__isnull=True,
    ).select_related("organisation", "home_cluster", "host_cluster", "created_by")
    sent = 0
    for passport in due:
        message = follow_up_message(passport)
        if not message.to:
            continue
        message.send()
        Passport.objects.filter(pk=passport.pk).update(follow_up_reminded_at=timezone.now())
        sent += 1
    return sent
