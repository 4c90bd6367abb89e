"""What the opportunities API reads and writes: records refer to each other by slug."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from icn.core.countries import validate_country
from icn.core.visibility import Visibility
from icn.directory.models import OrganisationKind
from icn.directory.schemas import CountryCode, InputSchema, PatchSchema
from icn.opportunities.models import (
    STAGE_NAME_MAX,
    Comment,
    Interest,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Reshare,
    Solution,
    SolutionLabel,
)


def _slugs(related: Any) -> list[str]:
    return [item.slug for item in related.all()]


def _slug(record: Any) -> str | None:
    return record.slug if record is not None else None


def _known_country(value: str) -> str:
    if value:
        try:
            validate_country(value)
        except ValidationError as error:
            raise PydanticCustomError("country", error.messages[0]) from None
    return value


# Upper-cased and checked here, so a bad code in a list names its place in the list.
Country = Annotated[CountryCode, AfterValidator(_known_country)]


# Dates and times ----------------------------------------------------------------------------

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _end_of_day_if_date(value: Any) -> Any:
    """A deadline given as a day means the end of that day, in the platform's time zone."""
    if isinstance(value, str) and _DATE_ONLY.match(value.strip()):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            return value  # pydantic names the error
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    return value


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
Deadline = Annotated[
    datetime,
    BeforeValidator(_end_of_day_if_date),
    AfterValidator(_aware),
    Field(description="A date and time; a date alone means the end of that day (local time)."),
]

# Amounts as the model stores them: refused here rather than by the database.
Amount = Annotated[Decimal, Field(max_digits=14, decimal_places=2, ge=0)]
Percentage = Annotated[Decimal, Field(max_digits=5, decimal_places=2, ge=0, le=100)]
ReadinessLevel = Annotated[int, Field(ge=1, le=9, description="Technology readiness, 1–9.")]
Currency = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
    Field(pattern=r"^([A-Z]{3})?$", description="ISO 4217 code, e.g. EUR."),
]


# Eligibility rules --------------------------------------------------------------------------


class Stage(Schema):
    """A stage of a call (an outline, a full proposal) and its deadline."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=STAGE_NAME_MAX)
    deadline: date


class Eligibility(Schema):
    """A funding call's eligibility rules, as the projects' rule checker reads them."""

    model_config = ConfigDict(extra="forbid")

    eligible_countries: list[Country] | None = Field(None, description="ISO codes.")
    eligible_country_groups: list[Literal["eu", "associated", "any"]] | None = Field(
        None,
        description=(
            "Groups of countries, besides eligible_countries: eu (the 27 member states), "
            "associated (countries associated to Horizon Europe), any."
        ),
    )
    eligible_kinds: list[OrganisationKind] | None = None
    min_partners: int | None = Field(None, ge=0, le=10_000)
    max_partners: int | None = Field(None, ge=0, le=10_000)
    min_countries: int | None = Field(None, ge=0, le=10_000)
    required_kinds: dict[OrganisationKind, Annotated[int, Field(ge=1, le=10_000)]] | None = Field(
        None, description='How many partners of each kind, e.g. {"research": 1}.'
    )
    coordinator_kinds: list[OrganisationKind] | None = Field(
        None, description="The kinds the coordinator may be of; then exactly one coordinates."
    )
    coordinator_countries: list[Country] | None = Field(
        None, description="The countries the coordinator may be from (ISO codes)."
    )
    stages: list[Stage] | None = Field(
        None, description="Stages before the final deadline, each with a name and a date."
    )

    def as_rules(self) -> dict[str, Any]:
        """The rules that are set, as the model keeps them."""
        return self.model_dump(exclude_none=True, mode="json")


# What the API returns -----------------------------------------------------------------------


class OpportunityOut(Schema):
    id: int
    slug: str
    visibility: Visibility
    kind: OpportunityKind
    status: OpportunityStatus
    title: str
    summary: str
    body: str
    author_organisation: str | None = Field(
        ..., description="Organisation slug; null for items imported from outside the network."
    )
    cluster: str | None = Field(..., description="Slug of the owning cluster.")
    contact_email: str | None = Field(
        ..., description="Who receives expressions of interest; null for anonymous callers."
    )
    topics: list[str]
    country: str
    region: str
    location: str
    deadline: datetime | None
    published_at: datetime | None
    is_open: bool
    source_url: str
    budget_min: Decimal | None
    budget_max: Decimal | None
    currency: str
    trl_min: int | None
    trl_max: int | None
    funder: str
    programme: str
    co_funding_rate: Decimal | None = Field(..., description="Per cent of costs the funder pays.")
    eligibility: dict[str, Any]
    buyer: str
    ocid: str
    procurement_method: str
    starts_at: datetime | None
    ends_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_author_organisation(obj: Opportunity) -> str | None:
        return _slug(obj.author_organisation)

    @staticmethod
    def resolve_cluster(obj: Opportunity) -> str | None:
        return _slug(obj.cluster)

    @staticmethod
    def resolve_contact_email(obj: Opportunity, context: Any) -> str | None:
        # An address is personal data: logged-in viewers of the item only, never visitors.
        request = (context or {}).get("request")
        viewer = getattr(request, "auth", None)
        if viewer is None or not viewer.is_authenticated:
            return None
        return obj.contact_email

    @staticmethod
    def resolve_topics(obj: Opportunity) -> list[str]:
        return _slugs(obj.topics)

    @staticmethod
    def resolve_is_open(obj: Opportunity) -> bool:
        return obj.is_open()

    @staticmethod
    def resolve_eligibility(obj: Opportunity) -> dict[str, Any]:
        return obj.eligibility or {}


class CommentOut(Schema):
    id: int
    author: str = Field(..., description="The commenter's name.")
    organisation: str | None = Field(..., description="Slug of the organisation it acts for.")
    body: str
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Comment) -> str:
        # The name only: falling back to the e-mail address would publish it.
        return obj.user.full_name or "A network member"

    @staticmethod
    def resolve_organisation(obj: Comment) -> str | None:
        return _slug(obj.organisation)


class InterestOut(Schema):
    id: int
    opportunity: str
    organisation: str | None
    message: str
    created_at: datetime

    @staticmethod
    def resolve_opportunity(obj: Interest) -> str:
        return obj.opportunity.slug

    @staticmethod
    def resolve_organisation(obj: Interest) -> str | None:
        return _slug(obj.organisation)


class ReshareOut(Schema):
    opportunity: str
    cluster: str
    note: str
    created_at: datetime

    @staticmethod
    def resolve_opportunity(obj: Reshare) -> str:
        return obj.opportunity.slug

    @staticmethod
    def resolve_cluster(obj: Reshare) -> str:
        return obj.cluster.slug


class FollowOut(Schema):
    following: bool
    followers: int = Field(..., description="How many users follow the item.")


class SolutionOut(Schema):
    id: int
    slug: str
    visibility: Visibility
    organisation: str
    title: str
    description: str
    topics: list[str]
    readiness_level: int | None
    markets: list[str]
    references: str
    labels: list[SolutionLabel]

    @staticmethod
    def resolve_organisation(obj: Solution) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_topics(obj: Solution) -> list[str]:
        return _slugs(obj.topics)


# What the API accepts -----------------------------------------------------------------------


class OpportunityIn(InputSchema):
    kind: OpportunityKind
    title: str
    summary: str = ""
    body: str = ""
    visibility: Visibility = Visibility.NETWORK
    author_organisation: str | None = Field(
        None,
        description=(
            "Slug of the organisation it is posted for; left out by a cluster manager posting "
            "for its cluster."
        ),
    )
    cluster: str | None = Field(
        None, description="Cluster slug; defaults to the organisation's cluster."
    )
    contact_email: str = Field("", description="Who receives expressions of interest.")
    topics: list[str] = Field(default_factory=list, description="Topic slugs.")
    country: Country = Field("", description="ISO 3166-1 alpha-2 code, e.g. DK.")
    region: str = ""
    location: str = ""
    deadline: Deadline | None = None
    source_url: str = ""
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    currency: Currency = "EUR"
    trl_min: ReadinessLevel | None = None
    trl_max: ReadinessLevel | None = None
    funder: str = Field("", description="Required for a funding call.")
    programme: str = ""
    co_funding_rate: Percentage | None = Field(None, description="Per cent of costs, 0–100.")
    eligibility: Eligibility | None = None
    buyer: str = ""
    procurement_method: str = ""
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    publish: bool = Field(False, description="Publish at once instead of keeping a draft.")


class OpportunityPatch(PatchSchema):
    NULLABLE: ClassVar[frozenset[str]] = frozenset(
        {
            "author_organisation",
            "cluster",
            "deadline",
            "budget_min",
            "budget_max",
            "trl_min",
            "trl_max",
            "co_funding_rate",
            "starts_at",
            "ends_at",
        }
    )

    kind: OpportunityKind | None = None
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    visibility: Visibility | None = None
    author_organisation: str | None = Field(None, description="Organisation slug.")
    cluster: str | None = Field(None, description="Cluster slug.")
    contact_email: str | None = None
    topics: list[str] | None = Field(None, description="Topic slugs.")
    country: Country | None = None
    region: str | None = None
    location: str | None = None
    deadline: Deadline | None = None
    source_url: str | None = None
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    currency: Currency | None = None
    trl_min: ReadinessLevel | None = None
    trl_max: ReadinessLevel | None = None
    funder: str | None = None
    programme: str | None = None
    co_funding_rate: Percentage | None = None
    eligibility: Eligibility | None = Field(None, description="Replaces the rules; {} clears.")
    buyer: str | None = None
    procurement_method: str | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None


class InterestIn(InputSchema):
    message: str = Field(..., max_length=2000)
    organisation: str | None = Field(
        None, description="Slug of the organisation it speaks for; its first one if left out."
    )


class CommentIn(InputSchema):
    body: str = Field(..., max_length=4000)


class ReshareIn(InputSchema):
    cluster: str = Field(..., description="Slug of a cluster the caller manages.")
    note: str = Field("", max_length=500)


class SolutionIn(InputSchema):
    organisation: str = Field(..., description="Organisation slug.")
    title: str
    description: str
    topics: list[str] = Field(default_factory=list, description="Topic slugs.")
    readiness_level: ReadinessLevel | None = None
    markets: list[Country] = Field(default_factory=list, description="ISO country codes.")
    references: str = ""
    labels: list[SolutionLabel] = Field(default_factory=list)
    visibility: Visibility = Visibility.NETWORK


class SolutionPatch(PatchSchema):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"readiness_level"})

    organisation: str | None = Field(None, description="Organisation slug.")
    title: str | None = None
    description: str | None = None
    topics: list[str] | None = Field(None, description="Topic slugs.")
    readiness_level: ReadinessLevel | None = None
    markets: list[Country] | None = Field(None, description="ISO country codes.")
    references: str | None = None
    labels: list[SolutionLabel] | None = None
    visibility: Visibility | None = None


def _clean_text(value: Any) -> Any:
    """Blank means no filter; NUL characters (which PostgreSQL refuses in text) are dropped."""
    if isinstance(value, str):
        value = value.replace("\x00", "").strip()
    return value or ""


class SolutionFilter(Schema):
    """Filters of the solution list."""

    q: str = Field("", description="Words in the title or description.")
    topic: str = Field("", description="Topic slug.")

    @field_validator("q", "topic", mode="before")
    @classmethod
    def _blank_is_nothing(cls, value: Any) -> Any:
        return _clean_text(value)
