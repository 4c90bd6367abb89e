"""What the directory API reads and writes: records refer to each other by slug."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar

from ninja import Field, Schema
from pydantic import BeforeValidator, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from icn.core.visibility import Visibility
from icn.directory.models import (
    Cluster,
    ClusterStatus,
    Organisation,
    OrganisationKind,
    OrganisationSize,
    Partnership,
    Person,
    Topic,
    TopicKind,
)


def _slugs(related: Any) -> list[str]:
    return [item.slug for item in related.all()]


# What the API returns -----------------------------------------------------------------------


class TopicOut(Schema):
    slug: str
    name: str
    kind: TopicKind
    code: str
    parent: str | None
    description: str

    @staticmethod
    def resolve_parent(obj: Topic) -> str | None:
        return obj.parent.slug if obj.parent is not None else None


class ClusterOut(Schema):
    slug: str
    name: str
    short_name: str
    country: str
    city: str
    latitude: float | None
    longitude: float | None
    website: str
    description: str
    status: ClusterStatus
    joined_on: date | None
    focus_topics: list[str]

    @staticmethod
    def resolve_focus_topics(obj: Cluster) -> list[str]:
        return _slugs(obj.focus_topics)


class OrganisationOut(Schema):
    id: int
    slug: str
    name: str
    visibility: Visibility
    kind: OrganisationKind
    country: str
    city: str
    website: str
    description: str
    nace_codes: list[str]
    size: str
    clusters: list[str]
    topics: list[str]

    @staticmethod
    def resolve_clusters(obj: Organisation) -> list[str]:
        return _slugs(obj.clusters)

    @staticmethod
    def resolve_topics(obj: Organisation) -> list[str]:
        return _slugs(obj.topics)


class PersonOut(Schema):
    id: int
    name: str
    job_title: str
    organisation: str
    email: str | None = Field(
        None, description="Only for viewers who may change the person, else null."
    )
    listed: bool
    visibility: Visibility
    topics: list[str]
    key_contact_for: list[str]

    @staticmethod
    def resolve_organisation(obj: Person) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_email(obj: Person) -> str | None:
        # Set by the endpoint from `editable_by`: an address is personal data.
        return obj.email if getattr(obj, "viewer_may_change", False) else None

    @staticmethod
    def resolve_topics(obj: Person) -> list[str]:
        return _slugs(obj.topics)

    @staticmethod
    def resolve_key_contact_for(obj: Person) -> list[str]:
        return _slugs(obj.key_contact_for)


class PartnershipOut(Schema):
    id: int
    visibility: Visibility
    title: str
    scope: str
    partner: str
    starts_on: date
    ends_on: date | None
    clusters: list[str]

    @staticmethod
    def resolve_partner(obj: Partnership) -> str:
        return obj.partner.slug

    @staticmethod
    def resolve_clusters(obj: Partnership) -> list[str]:
        return _slugs(obj.clusters)


# What the API accepts -----------------------------------------------------------------------


class InputSchema(Schema):
    """Base of request bodies: text without NUL characters, which no database stores."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise PydanticCustomError("nul_character", "Text may not contain NUL characters.")
        return value


class PatchSchema(InputSchema):
    """A partial update: only the fields sent change; null only where a field may be empty."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_allowed(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise PydanticCustomError("null", "This field may not be null.")
        return value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


# One of the model's choices, or blank when unknown; the model checks it.
SIZES: dict[str, Any] = {"enum": ["", *OrganisationSize.values]}

# Stored upper-case, as the list filters look them up.
CountryCode = Annotated[str, BeforeValidator(_upper)]


class OrganisationIn(InputSchema):
    name: str
    kind: OrganisationKind
    country: CountryCode = Field(..., description="ISO 3166-1 alpha-2 code, e.g. DK.")
    city: str = ""
    description: str = ""
    website: str = ""
    nace_codes: list[str] = Field(default_factory=list, description="NACE codes, e.g. 35.11.")
    size: str = Field("", json_schema_extra=SIZES)
    visibility: Visibility = Visibility.NETWORK
    clusters: list[str] = Field(default_factory=list, description="Cluster slugs.")
    topics: list[str] = Field(default_factory=list, description="Topic slugs.")


class OrganisationPatch(PatchSchema):
    name: str | None = None
    kind: OrganisationKind | None = None
    country: CountryCode | None = None
    city: str | None = None
    description: str | None = None
    website: str | None = None
    nace_codes: list[str] | None = None
    size: str | None = Field(None, json_schema_extra=SIZES)
    visibility: Visibility | None = None
    clusters: list[str] | None = Field(None, description="Cluster slugs.")
    topics: list[str] | None = Field(None, description="Topic slugs.")


class PersonIn(InputSchema):
    name: str
    organisation: str = Field(..., description="Organisation slug.")
    email: str = ""
    job_title: str = ""
    listed: bool = Field(False, description="The person consents to be listed.")
    visibility: Visibility = Visibility.NETWORK
    topics: list[str] = Field(default_factory=list, description="Topic slugs.")
    key_contact_for: list[str] = Field(default_factory=list, description="Cluster slugs.")


class PersonPatch(PatchSchema):
    name: str | None = None
    organisation: str | None = Field(None, description="Organisation slug.")
    email: str | None = None
    job_title: str | None = None
    listed: bool | None = None
    visibility: Visibility | None = None
    topics: list[str] | None = Field(None, description="Topic slugs.")
    key_contact_for: list[str] | None = Field(None, description="Cluster slugs.")


class ClusterPatch(PatchSchema):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"latitude", "longitude", "joined_on"})

    name: str | None = None
    short_name: str | None = None
    country: CountryCode | None = None
    city: str | None = None
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    website: str | None = None
    description: str | None = None
    status: ClusterStatus | None = Field(None, description="Changed by the secretariat only.")
    joined_on: date | None = None
    focus_topics: list[str] | None = Field(None, description="Topic slugs.")


class PartnershipIn(InputSchema):
    title: str
    scope: str
    partner: str = Field(..., description="Slug of a partner organisation.")
    starts_on: date
    ends_on: date | None = None
    visibility: Visibility = Visibility.NETWORK
    clusters: list[str] = Field(default_factory=list, description="Cluster slugs.")


class PartnershipPatch(PatchSchema):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"ends_on"})

    title: str | None = None
    scope: str | None = None
    partner: str | None = Field(None, description="Slug of a partner organisation.")
    starts_on: date | None = None
    ends_on: date | None = None
    visibility: Visibility | None = None
    clusters: list[str] | None = Field(None, description="Cluster slugs.")


class TopicIn(InputSchema):
    name: str
    slug: str = Field("", description="Made from the name when left out.")
    kind: TopicKind = TopicKind.AREA
    code: str = Field("", description="For SDGs: SDG7, SDG13, …")
    parent: str | None = Field(None, description="Slug of the parent topic.")
    description: str = ""
    position: int = Field(0, ge=0, le=32767)
