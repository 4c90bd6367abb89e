"""Passports: a member's visit to a cluster abroad, the desks clusters offer, and what came of it.

A passport moves one step at a time (see `STEPS`): the applicant submits it, the home cluster
endorses it or returns it, the host cluster accepts it, proposes other dates or declines it;
after the visit the applicant reports and, months later, gives follow-up feedback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from icn.core.countries import country_name, validate_country
from icn.core.models import TimeStampedModel
from icn.core.visibility import get_scope
from icn.directory.models import Cluster, Organisation, OrganisationKind, Person, Topic


class PassportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    ENDORSED = "endorsed", "Endorsed"
    DATES_PROPOSED = "dates_proposed", "Other dates proposed"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    VISITED = "visited", "Visited"
    REPORTED = "reported", "Reported"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = PassportStatus

# Who takes a step: the applicant organisation's people, the managers of the applicant's
# (home) cluster, the managers of the host cluster.
APPLICANT, HOME, HOST = "applicant", "home", "host"


@dataclass(frozen=True)
class Step:
    """One allowed move of a passport: who may make it and what the button says."""

    roles: tuple[str, ...]
    label: str
    note_required: str = ""  # the refusal when the step needs a note and has none


# The whole road. Anything not in this table is refused.
STEPS: dict[tuple[str, str], Step] = {
    (S.DRAFT, S.SUBMITTED): Step((APPLICANT,), "Submit"),
    (S.RETURNED, S.SUBMITTED): Step((APPLICANT,), "Submit again"),
    (S.SUBMITTED, S.ENDORSED): Step((HOME,), "Endorse"),
    (S.SUBMITTED, S.RETURNED): Step(
        (HOME,), "Return with comments", "Say what the applicant should change."
    ),
    (S.ENDORSED, S.ACCEPTED): Step((HOST,), "Accept"),
    (S.ENDORSED, S.DATES_PROPOSED): Step((HOST,), "Propose other dates"),
    (S.ENDORSED, S.DECLINED): Step((HOST,), "Decline", "Give the applicant a reason."),
    (S.DATES_PROPOSED, S.ACCEPTED): Step((APPLICANT,), "Accept the new dates"),
    (S.ACCEPTED, S.VISITED): Step((APPLICANT, HOST), "Mark as visited"),
    (S.VISITED, S.REPORTED): Step((APPLICANT,), "Send the closing report"),
    **{
        (status, S.WITHDRAWN): Step((APPLICANT,), "Withdraw")
        for status in (
            S.DRAFT,
            S.SUBMITTED,
            S.RETURNED,
            S.ENDORSED,
            S.DATES_PROPOSED,
            S.ACCEPTED,
        )
    },
}
FINAL_STATES = {S.DECLINED, S.REPORTED, S.WITHDRAWN}
# The host cluster's answers: the clock of "time to answer" stops at the first of them.
HOST_ANSWERS = {S.ACCEPTED, S.DATES_PROPOSED, S.DECLINED}
# States in which the visit is agreed and the host prepares it (desks, introductions).
HOSTING_STATES = {S.ACCEPTED}


def allowed_transitions(status: str) -> list[str]:
    """The states a passport may go to from `status`, in the table's order."""
    return [to for (frm, to) in STEPS if frm == status]


class Assistance(models.TextChoices):
    INTRODUCTIONS = "introductions", "Introductions to local organisations"
    MEETINGS = "meetings", "Meetings arranged"
    MARKET_BRIEFING = "market_briefing", "A briefing on the local market"
    EVENTS = "events", "Attendance at local events"


class PassportQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """The applicant's people, both clusters' managers (once submitted), the secretariat."""
        scope = get_scope(user)
        if scope.is_secretariat:
            return self.all()
        if not scope.is_authenticated:
            return self.none()
        seen = Q(organisation__in=scope.organisation_ids)
        managed = scope.managed_cluster_ids
        if managed:
            # A cluster's own application is its managers' from the first draft; a member's
            # reaches the clusters once submitted.
            seen |= Q(organisation__isnull=True, home_cluster__in=managed)
            seen |= Q(submitted_at__isnull=False) & (
                Q(home_cluster__in=managed) | Q(host_cluster__in=managed)
            )
        return self.filter(seen)

    def open(self) -> Self:
        return self.exclude(status__in=FINAL_STATES)


class Passport(TimeStampedModel):
    """A member's (or a cluster's) application to visit a cluster abroad, and its visit."""

    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="passports",
        help_text="The member organisation that travels; empty when the cluster itself does.",
    )
    home_cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, related_name="passports_sent"
    )
    host_cluster = models.ForeignKey(
        Cluster,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="passports_hosted",
        help_text="Empty when the applicant names a country or region and the secretariat picks.",
    )
    target_country = models.CharField(
        max_length=2, blank=True, validators=[validate_country], help_text="Where to go."
    )
    target_region = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=200, help_text="The visit in one line.")
    purpose = models.TextField(help_text="What the visit is for and what you bring.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="passports")
    wanted_contacts = models.TextField(
        blank=True, help_text="Whom you would like to meet: roles, kinds of organisations, names."
    )
    partner_kinds = models.JSONField(
        default=list, blank=True, help_text="Kinds of organisations sought as partners."
    )
    assistance = models.JSONField(default=list, blank=True, help_text="Help asked of the host.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    desk_days = models.PositiveSmallIntegerField(
        default=0, help_text="Days at a desk in the host's workplace."
    )
    contact_email = models.EmailField(help_text="Who travels and answers for the applicant.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        max_length=16, choices=PassportStatus.choices, default=S.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(
        null=True, blank=True, help_text="The host cluster's first answer."
    )
    host_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="passports_hosting",
    )
    proposed_starts_on = models.DateField(null=True, blank=True)
    proposed_ends_on = models.DateField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    follow_up_due_on = models.DateField(null=True, blank=True, db_index=True)
    follow_up_reminded_at = models.DateTimeField(null=True, blank=True)

    objects = PassportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="passport_starts_before_it_ends"
            ),
            models.CheckConstraint(
                condition=Q(proposed_starts_on__isnull=True)
                | Q(proposed_ends_on__isnull=True)
                | Q(proposed_starts_on__lte=F("proposed_ends_on")),
                name="passport_proposed_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(host_cluster=F("home_cluster")),
                name="passport_visits_another_cluster",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant_name} → {self.destination}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("passports:detail", args=[self.pk])

    @property
    def applicant_name(self) -> str:
        if self.organisation_id is not None and self.organisation is not None:
            return self.organisation.name
        return str(self.home_cluster)

    @property
    def destination(self) -> str:
        if self.host_cluster_id is not None and self.host_cluster is not None:
            return str(self.host_cluster)
        place = ", ".join(
            part for part in (self.target_region, country_name(self.target_country)) if part
        )
        return place or "a cluster to be chosen"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def assistance_labels(self) -> list[str]:
        return [Assistance(value).label for value in self.assistance or []]

    def partner_kind_labels(self) -> list[str]:
        return [OrganisationKind(value).label for value in self.partner_kinds or []]

    def next_steps(self) -> list[str]:
        return allowed_transitions(self.status)

    def is_final(self) -> bool:
        return self.status in FINAL_STATES

    def is_editable(self) -> bool:
        return self.status in (S.DRAFT, S.RETURNED)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The visit ends before it starts."
        if (
            self.proposed_starts_on
            and self.proposed_ends_on
            and self.proposed_ends_on < self.proposed_starts_on
        ):
            errors["proposed_ends_on"] = "The proposed visit ends before it starts."
        if self.host_cluster_id is not None and self.host_cluster_id == self.home_cluster_id:
            errors["host_cluster"] = "A passport visits another cluster than the home cluster."
        if self.starts_on and self.ends_on and self.desk_days > self.days:
            errors["desk_days"] = f"The visit lasts {self.days} day(s)."
        unknown = [v for v in self.partner_kinds or [] if v not in OrganisationKind.values]
        if unknown:
            errors["partner_kinds"] = f"Unknown kind(s): {', '.join(map(str, unknown))}."
        unknown = [v for v in self.assistance or [] if v not in Assistance.values]
        if unknown:
            errors["assistance"] = f"Unknown assistance: {', '.join(map(str, unknown))}."
        if errors:
            raise ValidationError(errors)


class PassportEvent(models.Model):
    """One step of a passport, or something done on it: who, when, from where to where, why."""

    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    from_status = models.CharField(max_length=16, choices=PassportStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=PassportStatus.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.passport_id}: {self.from_status or 'new'} → {self.to_status}"

    @property
    def is_change(self) -> bool:
        """A change of state, rather than a record of something done in the same state."""
        return self.from_status != self.to_status


class DeskOfferQuerySet(models.QuerySet):
    def current(self, today: date) -> Self:
        return self.filter(ends_on__gte=today)


class DeskOffer(TimeStampedModel):
    """Desks a cluster offers visitors at its workplace, over a range of dates."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="desk_offers")
    desks = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    starts_on = models.DateField()
    ends_on = models.DateField()
    address = models.CharField(max_length=300)
    notes = models.TextField(blank=True, help_text="Opening hours, access, what to bring.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DeskOfferQuerySet.as_manager()

    class Meta:
        ordering = ["cluster__short_name", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="desk_offer_starts_before_it_ends"
            ),
            models.CheckConstraint(condition=Q(desks__gte=1), name="desk_offer_has_desks"),
        ]

    def __str__(self) -> str:
        period = f"{self.starts_on:%-d %b} – {self.ends_on:%-d %b %Y}"
        return f"{self.cluster}: {self.desks} desk(s), {period}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The offer ends before it starts."})


class DeskBookingQuerySet(models.QuerySet):
    def active(self) -> Self:
        return self.filter(cancelled_at__isnull=True)

    def overlapping(self, starts_on: date, ends_on: date) -> Self:
        return self.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)


class DeskBooking(models.Model):
    """Desks of an offer booked for a visitor, from one day to another (both included)."""

    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="bookings")
    offer = models.ForeignKey(DeskOffer, on_delete=models.PROTECT, related_name="bookings")
    starts_on = models.DateField()
    ends_on = models.DateField()
    desks = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = DeskBookingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="desk_booking_starts_before_it_ends"
            ),
            models.CheckConstraint(condition=Q(desks__gte=1), name="desk_booking_has_desks"),
        ]

    def __str__(self) -> str:
        return f"{self.desks} desk(s) at {self.offer.cluster}, {self.starts_on} – {self.ends_on}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class PassportIntroduction(models.Model):
    """A local organisation (and a person there) the host cluster introduces the visitor to."""

    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="introductions")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, max_length=2000)
    match = models.ForeignKey(
        "matching.MatchRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="passport_introductions",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["passport", "organisation"], name="one_introduction_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.passport_id}: introduced to {self.organisation}"


class PassportReport(models.Model):
    """The visitor's closing report: meetings held, leads, next steps."""

    passport = models.OneToOneField(Passport, on_delete=models.CASCADE, related_name="report")
    meetings_held = models.PositiveSmallIntegerField(validators=[MaxValueValidator(500)])
    leads = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(500)],
        help_text="Business leads: possible customers, partners.",
    )
    summary = models.TextField(max_length=5000, help_text="Whom you met and what came of it.")
    next_steps = models.TextField(max_length=5000, blank=True)
    matches = models.ManyToManyField(
        "matching.MatchRecord", blank=True, related_name="passport_reports"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Report on passport {self.passport_id}"

    def has_outcomes(self) -> bool:
        return self.leads > 0 or self.matches.exists()


class PassportFollowUp(models.Model):
    """What came of the visit months later, from the visitor."""

    RATINGS: ClassVar[list[tuple[int, str]]] = [
        (1, "1 – nothing came of it"),
        (2, "2"),
        (3, "3 – useful"),
        (4, "4"),
        (5, "5 – very valuable"),
    ]

    passport = models.OneToOneField(Passport, on_delete=models.CASCADE, related_name="follow_up")
    rating = models.PositiveSmallIntegerField(
        choices=RATINGS, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    deals = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(500)],
        help_text="Contracts, sales or agreements that came of the visit.",
    )
    projects = models.TextField(
        blank=True, max_length=2000, help_text="Projects started with organisations met."
    )
    applications = models.ManyToManyField(
        "projects.ProjectApplication",
        blank=True,
        related_name="passport_follow_ups",
        help_text="Project applications the visiting organisation took part in since.",
    )
    comment = models.TextField(blank=True, max_length=2000)
    matches = models.ManyToManyField(
        "matching.MatchRecord", blank=True, related_name="passport_follow_ups"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Follow-up on passport {self.passport_id}: {self.rating}"
