"""The rows of the demo plan: plain values, the same on every run."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from icn.core.visibility import Visibility
from icn.directory.models import (
    Cluster,
    OrganisationKind,
)

Kind = OrganisationKind
V = Visibility

# The plan: plain rows, the same on every run ------------------------------------------------


@dataclass(frozen=True)
class ClusterRow:
    slug: str
    name: str
    short_name: str
    country: str
    city: str
    latitude: float
    longitude: float
    joined_on: date | None
    description: str
    focus_topics: tuple[str, ...]


@dataclass(frozen=True)
class OrganisationRow:
    slug: str
    name: str
    kind: str
    country: str
    city: str
    clusters: tuple[str, ...]
    visibility: str
    description: str
    topics: tuple[str, ...]
    nace_codes: tuple[str, ...]
    website: str
    size: str


@dataclass(frozen=True)
class PersonRow:
    email: str
    name: str
    organisation: str
    job_title: str
    listed: bool
    visibility: str
    topics: tuple[str, ...]
    key_contact_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoLogin:
    """A demo user: always the same e-mail, the demo password, one role."""

    email: str
    full_name: str
    role: str
    is_secretariat: bool = False
    manages: str = ""
    admin_of: str = ""


@dataclass(frozen=True)
class PartnershipRow:
    partner: str
    title: str
    scope: str
    starts_on: date
    ends_on: date | None
    contact_email: str
    clusters: tuple[str, ...]
    visibility: str


@dataclass(frozen=True)
class ApplicationRow:
    name: str
    short_name: str
    country: str
    city: str
    description: str
    contact_name: str
    contact_email: str
    member_count: int
    criteria: tuple[tuple[str, str], ...]

    @property
    def slug(self) -> str:
        return Cluster.slug_for(self.short_name)


@dataclass(frozen=True)
class DemoPlan:
    clusters: list[ClusterRow]
    organisations: list[OrganisationRow]
    people: list[PersonRow]
    logins: list[DemoLogin]
    partnerships: list[PartnershipRow]
    applications: list[ApplicationRow]


@dataclass
class DemoSummary:
    """What one run created; all zero when the demo network was already there."""

    clusters: int = 0
    organisations: int = 0
    people: int = 0
    users: int = 0
    partnerships: int = 0
    applications: int = 0
    logins: list[DemoLogin] = dataclasses.field(default_factory=list)

    @property
    def created_anything(self) -> bool:
        counts = (self.clusters, self.organisations, self.people, self.users)
        return any(counts) or bool(self.partnerships or self.applications)
