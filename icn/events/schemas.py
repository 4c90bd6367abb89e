"""What the events API reads and writes: events by slug, participants and requests by id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict
from pydantic_core import PydanticCustomError

from icn.core.visibility import Visibility
from icn.directory.schemas import CountryCode, InputSchema, PatchSchema
from icn.events.models import (
    Event,
    EventKind,
    EventStatus,
    FollowUpOutcome,
    Meeting,
    MeetingRating,
    MeetingRequest,
    RatingMoment,
    Registration,
    RegistrationStatus,
    RequestStatus,
    ScheduleRun,
    Session,
)


def _aware(value: datetime) -> datetime:
    """Naive times are the platform's local time; the database must be able to store it."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError("datetime_range", "The date is out of range.") from None
    return value


Moment = Annotated[datetime, AfterValidator(_aware)]
Seconds = Annotated[int, Field(ge=1, le=600)]
# Checked against the users when saved; here only its length.
Email = Annotated[str, Field(min_length=3, max_length=254)]


def _slug(record: Any) -> str | None:
    return record.slug if record is not None else None


# Out ---------------------------------------------------------------------------------------


class SlotOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime


class SessionOut(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    for_meetings: bool
    location: str
    slots: list[SlotOut]

    @staticmethod
    def resolve_slots(obj: Session) -> list[Any]:
        return list(obj.slots.all())


class QuestionSchema(Schema):
    """A registration question."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(..., min_length=1, max_length=200)
    required: bool = False
    choices: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=50
    )


class EventOut(Schema):
    """An event as its visitors see it; `registration_open` and `places_left` are now."""

    slug: str
    title: str
    kind: EventKind
    status: EventStatus
    visibility: Visibility
    summary: str
    description: str
    host_cluster: str | None
    organisation: str | None
    starts_at: datetime
    ends_at: datetime
    venue: str
    city: str
    country: str
    online_url: str
    capacity: int | None
    confirmed: int
    places_left: int | None
    registration_open: bool
    registration_closes_at: datetime | None
    registration_questions: list[QuestionSchema]
    meetings_enabled: bool
    auto_accept: bool
    request_expiry_days: int
    max_meetings: int | None
    tables: int
    table_names: list[str]
    schedule_seconds: int
    sessions: list[SessionOut]
    url: str

    @staticmethod
    def resolve_host_cluster(obj: Event) -> str | None:
        return _slug(obj.host_cluster)

    @staticmethod
    def resolve_organisation(obj: Event) -> str | None:
        return _slug(obj.organisation)

    @staticmethod
    def resolve_confirmed(obj: Event) -> int:
        from icn.events.selectors import confirmed_count

        counted = getattr(obj, "confirmed", None)  # annotated by the list's selector
        return int(counted) if counted is not None else confirmed_count(obj)

    @staticmethod
    def resolve_places_left(obj: Event) -> int | None:
        if obj.capacity is None:
            return None
        return max(0, obj.capacity - EventOut.resolve_confirmed(obj))

    @staticmethod
    def resolve_registration_open(obj: Event) -> bool:
        return obj.registration_open()

    @staticmethod
    def resolve_sessions(obj: Event) -> list[Any]:
        return list(obj.sessions.prefetch_related("slots").order_by("starts_at", "pk"))

    @staticmethod
    def resolve_url(obj: Event) -> str:
        return obj.get_absolute_url()


class ParticipantOrganisationOut(Schema):
    slug: str
    name: str
    country: str


class ParticipantOut(Schema):
    """A confirmed participant as other participants see it."""

    id: int
    name: str
    organisation: ParticipantOrganisationOut | None
    offer: str
    seek: str


class RegistrationOut(Schema):
    """A participant's own registration (or, to organisers, anyone's)."""

    id: int
    event: str
    name: str
    email: str
    organisation: ParticipantOrganisationOut | None
    status: RegistrationStatus
    answers: dict[str, str]
    offer: str
    seek: str
    max_meetings: int | None
    meeting_cap: int | None
    availability: list[int] = Field(..., description="Ids of the slots the participant is free in.")
    registered_at: datetime
    cancelled_at: datetime | None

    @staticmethod
    def resolve_event(obj: Registration) -> str:
        return obj.event.slug

    @staticmethod
    def resolve_meeting_cap(obj: Registration) -> int | None:
        return obj.meeting_cap()

    @staticmethod
    def resolve_availability(obj: Registration) -> list[int]:
        from icn.events.selectors import meeting_slots

        busy = set(obj.busy_slots.values_list("pk", flat=True))
        return [
            pk for pk in meeting_slots(obj.event).values_list("pk", flat=True) if pk not in busy
        ]


class MeetingSuggestionOut(Schema):
    """Another participant worth meeting, and why; `score` (0..1) ranks within this list."""

    participant: ParticipantOut
    score: float
    reasons: list[str]
    passages: list[str]

    @staticmethod
    def resolve_participant(obj: Any) -> Registration:
        return obj.registration


class MeetingOut(Schema):
    """A scheduled meeting: where and when."""

    id: int
    request: int
    slot: SlotOut
    table: int
    table_name: str
    locked: bool
    participants: list[int]

    @staticmethod
    def resolve_request(obj: Meeting) -> int:
        return obj.request_id

    @staticmethod
    def resolve_participants(obj: Meeting) -> list[int]:
        return [obj.request.sender_id, obj.request.receiver_id]


class MeetingRef(Schema):
    id: int
    slot: SlotOut
    table: int
    table_name: str
    locked: bool


class RequestOut(Schema):
    """A meeting request, and its meeting once scheduled."""

    id: int
    sender: ParticipantOut
    receiver: ParticipantOut
    message: str
    status: RequestStatus
    priority: int
    expires_at: datetime | None
    created_at: datetime
    answered_at: datetime | None
    meeting: MeetingRef | None

    @staticmethod
    def resolve_meeting(obj: MeetingRequest) -> Meeting | None:
        return getattr(obj, "meeting", None)


class UnplacedOut(Schema):
    request: int
    reason: str


class RunOut(Schema):
    """A run of the meeting scheduler: how far it got, how good that is, what it left out."""

    id: int
    status: str
    time_limit: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    requests: int
    placed: int
    weight: int
    bound: float
    gap: float
    seconds: float
    solver_status: str
    moved: int
    dropped: int
    changed_participants: int
    unplaced: list[UnplacedOut]
    progress: list[list[float]]
    error: str

    @staticmethod
    def resolve_unplaced(obj: ScheduleRun) -> list[dict[str, Any]]:
        return [{"request": int(pk), "reason": why} for pk, why in (obj.unplaced or {}).items()]


class ScheduleOut(Schema):
    """The latest run and every meeting in the grid."""

    run: RunOut | None
    meetings: list[MeetingOut]


class AgendaItemOut(Schema):
    """A line of a participant's agenda: a session or a meeting."""

    kind: str
    starts_at: datetime
    ends_at: datetime
    title: str
    where: str
    partner: ParticipantOut | None
    meeting: int | None
    rating_due: str


class RatingOut(Schema):
    id: int
    meeting: int
    moment: RatingMoment
    held: bool
    rating: int
    outcome: str
    comment: str
    match: int | None
    created_at: datetime

    @staticmethod
    def resolve_meeting(obj: MeetingRating) -> int:
        return obj.meeting_id

    @staticmethod
    def resolve_match(obj: MeetingRating) -> int | None:
        return obj.match_id


# In ----------------------------------------------------------------------------------------


class EventIn(InputSchema):
    """A new event; the host cluster, the organisation and co-organisers named by slug or
    e-mail."""

    kind: EventKind
    title: str = Field(..., min_length=1, max_length=200)
    summary: str = Field("", max_length=300)
    description: str = ""
    host_cluster: str | None = Field(None, description="Cluster slug; none for the network.")
    organisation: str | None = Field(None, description="Organisation slug.")
    visibility: Visibility = Visibility.NETWORK
    starts_at: Moment
    ends_at: Moment
    venue: str = Field("", max_length=200)
    city: str = Field("", max_length=120)
    country: CountryCode = ""
    online_url: str = Field("", max_length=500)
    capacity: int | None = Field(None, ge=1, le=1_000_000)
    registration_closes_at: Moment | None = None
    registration_questions: list[QuestionSchema] = Field(default_factory=list, max_length=20)
    meetings_enabled: bool = True
    auto_accept: bool = False
    request_expiry_days: int = Field(7, ge=1, le=90)
    max_meetings: int | None = Field(None, ge=1, le=1000)
    tables: int = Field(10, ge=1, le=500)
    table_names: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=list, max_length=500
    )
    schedule_seconds: Seconds = 20
    organisers: list[Email] = Field(default_factory=list, description="Co-organisers.")
    publish: bool = False


class EventPatch(PatchSchema):
    NULLABLE: ClassVar[frozenset[str]] = frozenset(
        {"host_cluster", "organisation", "capacity", "registration_closes_at", "max_meetings"}
    )

    kind: EventKind | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, max_length=300)
    description: str | None = None
    host_cluster: str | None = None
    organisation: str | None = None
    visibility: Visibility | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    venue: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=120)
    country: CountryCode | None = None
    online_url: str | None = Field(None, max_length=500)
    capacity: int | None = Field(None, ge=1, le=1_000_000)
    registration_closes_at: Moment | None = None
    registration_questions: list[QuestionSchema] | None = Field(None, max_length=20)
    meetings_enabled: bool | None = None
    auto_accept: bool | None = None
    request_expiry_days: int | None = Field(None, ge=1, le=90)
    max_meetings: int | None = Field(None, ge=1, le=1000)
    tables: int | None = Field(None, ge=1, le=500)
    table_names: list[Annotated[str, Field(max_length=60)]] | None = Field(None, max_length=500)
    schedule_seconds: Seconds | None = None
    organisers: list[Email] | None = None


class SessionIn(InputSchema):
    """A part of the programme; a meeting session is cut into slots."""

    title: str = Field(..., min_length=1, max_length=200)
    starts_at: Moment
    ends_at: Moment
    for_meetings: bool = True
    slot_minutes: int = Field(20, ge=5, le=240)
    break_minutes: int = Field(5, ge=0, le=120)
    location: str = Field("", max_length=200)


class RegistrationIn(InputSchema):
    """Register yourself; offer and seek default to your organisation's directory entry."""

    organisation: str | None = Field(None, description="Organisation slug you come for.")
    answers: dict[str, Annotated[str, Field(max_length=1000)]] = Field(default_factory=dict)
    offer: str | None = Field(None, max_length=3000)
    seek: str | None = Field(None, max_length=3000)
    max_meetings: int | None = Field(None, ge=1, le=100)
    availability: list[int] | None = Field(
        None, description="Ids of the meeting slots you are free in; all when left out."
    )


class RegistrationPatch(PatchSchema):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"max_meetings"})

    offer: str | None = Field(None, max_length=3000)
    seek: str | None = Field(None, max_length=3000)
    max_meetings: int | None = Field(None, ge=1, le=100)
    answers: dict[str, Annotated[str, Field(max_length=1000)]] | None = None
    availability: list[int] | None = None


class RequestIn(InputSchema):
    """Ask a participant (by id, from the participant list) for a meeting."""

    receiver: int = Field(..., ge=1, le=2**63 - 1)
    message: str = Field("", max_length=2000)
    priority: int = Field(1, ge=1, le=3, description="1 nice to have, 2 important, 3 essential.")


class ScheduleIn(InputSchema):
    time_limit: Seconds | None = Field(None, description="Seconds to improve the first result.")


class LockIn(InputSchema):
    locked: bool = True


class RatingIn(InputSchema):
    rating: int = Field(..., ge=1, le=5)
    held: bool = True
    outcome: FollowUpOutcome = FollowUpOutcome.NOTHING
    comment: str = Field("", max_length=2000)
    moment: RatingMoment | None = None
