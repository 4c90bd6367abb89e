"""Events of the network, registrations, B2B meeting requests, their schedule and ratings."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from icn.core.countries import country_name, validate_country
from icn.core.models import RATING_CHOICES, TimeStampedModel
from icn.core.visibility import ShareableModel, ShareableQuerySet, Visibility, get_scope
from icn.directory.models import Cluster, Organisation


class EventKind(models.TextChoices):
    ANNUAL_MEETING = "annual_meeting", "Annual meeting"
    MATCHMAKING_MISSION = "matchmaking_mission", "Matchmaking mission"
    WORKSHOP = "workshop", "Workshop"
    SPEED_DATING = "speed_dating", "Cluster speed-dating"
    WEBINAR = "webinar", "Webinar"


class EventStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"


MAX_QUESTIONS = 20


def validate_questions(value: Any) -> None:
    """Registration questions: a list of {"label", "required", "choices"} with unique labels."""
    if value in (None, []):
        return
    if not isinstance(value, list):
        raise ValidationError("Registration questions are a list.")
    if len(value) > MAX_QUESTIONS:
        raise ValidationError(f"Ask at most {MAX_QUESTIONS} questions.")
    labels: set[str] = set()
    for question in value:
        if not isinstance(question, dict) or not isinstance(question.get("label"), str):
            raise ValidationError("Each question is an object with a label.")
        unknown = set(question) - {"label", "required", "choices"}
        if unknown:
            raise ValidationError(f"Unknown question field(s): {', '.join(sorted(unknown))}.")
        label = question["label"].strip()
        if not label or len(label) > 200:
            raise ValidationError("A question's label has 1 to 200 characters.")
        if label.lower() in labels:
            raise ValidationError(f"The question “{label}” is asked twice.")
        labels.add(label.lower())
        if not isinstance(question.get("required", False), bool):
            raise ValidationError(f"“{label}”: required is true or false.")
        choices = question.get("choices", [])
        if not isinstance(choices, list) or not all(
            isinstance(c, str) and c.strip() for c in choices
        ):
            raise ValidationError(f"“{label}”: choices are a list of texts.")


def validate_table_names(value: Any) -> None:
    if value in (None, []):
        return
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValidationError("Table names are a list of texts.")
    if any(len(name) > 60 for name in value):
        raise ValidationError("A table's name has at most 60 characters.")


class EventQuerySet(ShareableQuerySet):
    def visible_to(self, user: Any) -> Self:
        """As every shareable record, drafts only to organisers; organisers and registered
        participants always see their own events."""
        scope = get_scope(user)
        if scope.is_secretariat:
            return self.all()
        shared = super().visible_to(user)
        if scope.user_id is None:
            return shared.exclude(status=EventStatus.DRAFT)
        editable = self.editable_by(user).values("pk")
        shown = Q(pk__in=shared.exclude(status=EventStatus.DRAFT).values("pk")) | Q(pk__in=editable)
        registered = Registration.objects.filter(user_id=scope.user_id).exclude(
            status=RegistrationStatus.CANCELLED
        )
        shown |= Q(pk__in=registered.values("event_id")) & ~Q(status=EventStatus.DRAFT)
        return self.filter(shown)

    def editable_by(self, user: Any) -> Self:
        """As every shareable record (the secretariat, the host cluster's managers, the host
        organisation's admins), and the event's own organisers."""
        scope = get_scope(user)
        if scope.user_id is None:
            return self.none()
        base = ShareableQuerySet.editable_by(self, user)
        organised = Event.organisers.through.objects.filter(user_id=scope.user_id).values(
            "event_id"
        )
        return self.filter(Q(pk__in=base.values("pk")) | Q(pk__in=organised))

    def upcoming(self) -> Self:
        return self.filter(ends_at__gte=timezone.now())

    def past(self) -> Self:
        return self.filter(ends_at__lt=timezone.now())


class Event(ShareableModel, TimeStampedModel):
    """A meeting of the network: an annual meeting, a mission, a workshop, a webinar."""

    VISIBILITY_ORGANISATION_PATH = "organisation"
    VISIBILITY_CLUSTER_PATH = "host_cluster"

    kind = models.CharField(max_length=24, choices=EventKind.choices, db_index=True)
    status = models.CharField(
        max_length=12, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300, blank=True, help_text="One or two sentences.")
    description = models.TextField(blank=True)
    host_cluster = models.ForeignKey(
        Cluster,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        help_text="The cluster hosting it; empty for events of the whole network.",
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        help_text="The organisation running it (e.g. the cluster's office); its admins edit it.",
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organised_events"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(db_index=True)
    venue = models.CharField(max_length=200, blank=True, help_text="The place; empty online.")
    city = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=2, blank=True, validators=[validate_country])
    online_url = models.URLField(max_length=500, blank=True, verbose_name="Online link")
    capacity = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Confirmed places; those who register later join the waiting list.",
    )
    registration_closes_at = models.DateTimeField(null=True, blank=True)
    registration_questions: Any = models.JSONField(
        default=list, blank=True, validators=[validate_questions]
    )
    # Meetings between participants.
    meetings_enabled = models.BooleanField(
        default=True, help_text="Participants request one-to-one meetings."
    )
    auto_accept = models.BooleanField(
        default=False, help_text="Meeting requests are accepted without asking the receiver."
    )
    request_expiry_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="A request nobody answered expires after these days.",
    )
    max_meetings = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        verbose_name="Meetings per participant",
        help_text="The most meetings one participant may request and have; empty for no cap.",
    )
    tables = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text="Tables or rooms available for meetings in every slot.",
    )
    table_names: Any = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_table_names],
        help_text="Names of the tables or rooms, in order; unnamed ones are numbered.",
    )
    schedule_seconds = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="How long the scheduler may improve its first result.",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.slug])

    @property
    def country_name(self) -> str:
        return country_name(self.country) if self.country else ""

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.venue

    @property
    def place(self) -> str:
        parts = [self.venue, self.city, self.country_name]
        where = ", ".join(part for part in parts if part)
        return where or ("Online" if self.online_url else "")

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.ends_at < (now or timezone.now())

    def registration_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.status != EventStatus.PUBLISHED or self.has_ended(now):
            return False
        return self.registration_closes_at is None or now <= self.registration_closes_at

    def table_name(self, number: int) -> str:
        """The name of table `number` (counted from 1)."""
        names = self.table_names or []
        if 1 <= number <= len(names) and names[number - 1].strip():
            return str(names[number - 1]).strip()
        return f"Table {number}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = "The event ends before it starts."
        if (
            self.registration_closes_at
            and self.ends_at
            and self.registration_closes_at > self.ends_at
        ):
            errors["registration_closes_at"] = "Registration closes after the event has ended."
        if self.kind == EventKind.WEBINAR and not self.online_url:
            errors["online_url"] = "A webinar needs its online link."
        if not (self.venue or self.city or self.online_url):
            errors["venue"] = "Give the place, or the online link."
        if self.table_names and len(self.table_names) > (self.tables or 0):
            errors["table_names"] = "More table names than tables."
        if self.visibility == Visibility.CLUSTER and self.host_cluster_id is None:
            errors["host_cluster"] = "A cluster-only event needs its host cluster."
        if self.visibility == Visibility.PRIVATE and self.organisation_id is None:
            errors["visibility"] = "A private event belongs to an organisation."
        if errors:
            raise ValidationError(errors)


class Session(models.Model):
    """A part of an event's programme; a meeting session is cut into time slots."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    for_meetings = models.BooleanField(
        default=True, help_text="One-to-one meetings take place in this session's slots."
    )
    location = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The session ends before it starts."})


class Slot(models.Model):
    """A time slot of a meeting session: one meeting per table."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{start:%a %-d %b %H:%M}–{end:%H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The slot ends before it starts."})


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITING = "waiting", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"


class Registration(TimeStampedModel):
    """A participant of an event, for an organisation, with what they offer and seek."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
        help_text="Empty for a participant the organisers registered without a login.",
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices, db_index=True)
    answers: Any = models.JSONField(default=dict, blank=True)
    offer = models.TextField(blank=True, max_length=3000, verbose_name="What I offer")
    seek = models.TextField(blank=True, max_length=3000, verbose_name="What I seek")
    max_meetings = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        verbose_name="Most meetings I want",
        help_text="Below the event's cap if you want fewer meetings.",
    )
    busy_slots = models.ManyToManyField(
        Slot,
        blank=True,
        related_name="busy_registrations",
        help_text="Slots the participant cannot meet in; every other slot is available.",
    )
    registered_at = models.DateTimeField(
        default=timezone.now, help_text="When the participant (last) registered: the waiting order."
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(user__isnull=False),
                name="one_registration_per_user_and_event",
            )
        ]

    def __str__(self) -> str:
        if self.organisation_id is not None and self.organisation is not None:
            return f"{self.name} ({self.organisation.name})"
        return self.name

    @property
    def key(self) -> str:
        """The participant's name in a scheduling problem."""
        return f"r{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED

    def meeting_cap(self) -> int | None:
        """The most meetings: the event's cap, or the participant's own if lower."""
        caps = [cap for cap in (self.event.max_meetings, self.max_meetings) if cap]
        return min(caps) if caps else None


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


OPEN_REQUESTS = [RequestStatus.PENDING, RequestStatus.ACCEPTED]


class Priority(models.IntegerChoices):
    NICE = 1, "Nice to have"
    IMPORTANT = 2, "Important"
    ESSENTIAL = 3, "Essential"


class MeetingRequest(TimeStampedModel):
    """One participant asking another for a one-to-one meeting at an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_requests")
    sender = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="requests_sent")
    receiver = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="requests_received"
    )
    message = models.TextField(blank=True, max_length=2000)
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices,
        default=Priority.NICE,
        help_text="How much the meeting matters: the scheduler places essential ones first.",
    )
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sender=models.F("receiver")), name="meeting_between_two_participants"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sender} → {self.receiver}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUESTS

    def other(self, registration: Registration) -> Registration:
        return self.receiver if registration.pk == self.sender_id else self.sender


class ScheduleRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ScheduleRun(models.Model):
    """One run of the meeting scheduler for an event: how far it got and what it left out."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="schedule_runs")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=8,
        choices=ScheduleRunStatus.choices,
        default=ScheduleRunStatus.QUEUED,
        db_index=True,
    )
    time_limit = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requests = models.PositiveIntegerField(default=0, help_text="Accepted requests to place.")
    placed = models.PositiveIntegerField(default=0)
    weight = models.PositiveIntegerField(default=0, help_text="Placed requests by priority.")
    bound = models.FloatField(default=0.0, help_text="No schedule places more weight than this.")
    seconds = models.FloatField(default=0.0)
    solver_status = models.CharField(max_length=16, blank=True)
    moved = models.PositiveIntegerField(default=0, help_text="Meetings placed elsewhere.")
    dropped = models.PositiveIntegerField(
        default=0, help_text="Meetings of the previous schedule that no longer fit."
    )
    changed_participants = models.PositiveIntegerField(default=0)
    unplaced: Any = models.JSONField(
        default=dict, blank=True, help_text="Request id → why it could not be placed."
    )
    progress: Any = models.JSONField(
        default=list, blank=True, help_text="[seconds, weight, bound] of each better result."
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Schedule of {self.event} ({self.get_status_display()})"

    @property
    def gap(self) -> float:
        return 0.0 if self.bound <= 0 else max(0.0, 1.0 - self.weight / self.bound)

    @property
    def gap_percent(self) -> float:
        return round(self.gap * 100, 1)

    @property
    def is_finished(self) -> bool:
        return self.status in (ScheduleRunStatus.DONE, ScheduleRunStatus.FAILED)

    @property
    def percent_of_time(self) -> int:
        """How much of its time limit the run has used, for a progress bar."""
        if self.is_finished:
            return 100
        if self.started_at is None:
            return 0
        spent = (timezone.now() - self.started_at).total_seconds()
        return max(1, min(99, round(100 * spent / max(1, self.time_limit))))


class Meeting(models.Model):
    """An accepted request placed at a table in a slot; a locked one stays put."""

    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE, related_name="meeting")
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="meetings")
    table = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    locked = models.BooleanField(default=False, help_text="Re-scheduling leaves it where it is.")
    run = models.ForeignKey(
        ScheduleRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slot__starts_at", "table"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "table"], name="one_meeting_per_table_and_slot")
        ]

    def __str__(self) -> str:
        return f"{self.request} at {self.slot}, table {self.table}"

    @property
    def table_name(self) -> str:
        return self.request.event.table_name(self.table)

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.slot.ends_at <= (now or timezone.now())


class RatingMoment(models.TextChoices):
    AFTER_MEETING = "after_meeting", "Right after the meeting"
    FOLLOW_UP = "follow_up", "Follow-up, months later"


class FollowUpOutcome(models.TextChoices):
    NOTHING = "", "Nothing came of it yet"
    IN_DISCUSSION = "in_discussion", "We are in discussion"
    PROJECT_STARTED = "project_started", "We started a project"
    AGREEMENT = "agreement", "We reached an agreement"


class MeetingRating(models.Model):
    """How one participant rated a meeting: right after it, and again months later."""

    RATINGS: ClassVar[list[tuple[int, str]]] = RATING_CHOICES

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="ratings")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    moment = models.CharField(max_length=16, choices=RatingMoment.choices)
    held = models.BooleanField(default=True, help_text="The meeting took place.")
    rating = models.PositiveSmallIntegerField(
        choices=RATINGS, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    outcome = models.CharField(
        max_length=16, choices=FollowUpOutcome.choices, blank=True, default=""
    )
    comment = models.TextField(blank=True, max_length=2000)
    match = models.ForeignKey(
        "matching.MatchRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The match record the rating moved along.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "registration", "moment"],
                name="one_rating_per_participant_and_moment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration} on {self.meeting} ({self.moment}): {self.rating}"
