"""What the applications API reads and writes: records refer to each other by slug or id."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from icn.api import StepOut
from icn.directory.models import OrganisationKind
from icn.directory.schemas import InputSchema
from icn.projects import selectors
from icn.projects.models import (
    ApplicationStatus,
    ConsortiumMember,
    MemberStatus,
    PartnerInvitation,
    ProjectApplication,
    Section,
    SectionRevision,
    SectionStatus,
    Task,
    WorkspaceDocumentKind,
)

Amount = Annotated[Decimal, Field(max_digits=14, decimal_places=2, ge=0)]


def _person(user: Any) -> str | None:
    return str(user.email) if user is not None else None


# What the API returns -----------------------------------------------------------------------


class CallRuleOut(Schema):
    """One rule of the call, checked against the consortium."""

    rule: str
    passed: bool
    reason: str
    suggestion: str = ""
    informational: bool = False


class ConsortiumMemberOut(Schema):
    """A partner of the consortium, with its role and budget."""

    id: int
    organisation: str | None = Field(..., description="Slug, for an organisation of the network.")
    name: str
    kind: str
    country: str
    external: bool
    is_coordinator: bool
    role: str
    contact_email: str
    status: MemberStatus
    costs: Decimal | None
    requested: Decimal | None

    @staticmethod
    def resolve_organisation(obj: ConsortiumMember) -> str | None:
        return obj.organisation.slug if obj.organisation is not None else None

    @staticmethod
    def resolve_external(obj: ConsortiumMember) -> bool:
        return obj.is_external


class BudgetOut(Schema):
    """The consortium's costs and requested funding, against the call's limits."""

    currency: str
    costs: Decimal
    requested: Decimal
    ceiling: Decimal | None
    co_funding_rate: Decimal | None


class ApplicationStepOut(StepOut):
    """One step of the application; its actor by e-mail, as everywhere in this API."""

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return _person(obj.actor)


class SectionSummaryOut(Schema):
    """A section without its text."""

    key: str
    title: str
    owner: str | None
    status: SectionStatus
    version: int
    updated_at: datetime
    updated_by: str | None

    @staticmethod
    def resolve_owner(obj: Section) -> str | None:
        return _person(obj.owner)

    @staticmethod
    def resolve_updated_by(obj: Section) -> str | None:
        return _person(obj.updated_by)


class SectionOut(SectionSummaryOut):
    """A section with its text and guidance; send `version` back as `base_version`."""

    guidance: str
    text: str


class RevisionOut(Schema):
    version: int
    text: str
    author: str | None
    at: datetime

    @staticmethod
    def resolve_author(obj: SectionRevision) -> str | None:
        return _person(obj.author)


class ConflictOut(Schema):
    """Someone saved a newer version: nothing was overwritten. Merge and send again with
    `current_version` as `base_version`."""

    message: str
    current_version: int
    current_text: str
    updated_by: str | None
    updated_at: datetime
    your_text: str
    base_version: int


class TaskOut(Schema):
    id: int
    title: str
    due_on: date | None
    assignee: str | None
    done: bool
    done_at: datetime | None

    @staticmethod
    def resolve_assignee(obj: Task) -> str | None:
        return _person(obj.assignee)


class WorkspaceDocumentOut(Schema):
    id: int
    name: str
    kind: WorkspaceDocumentKind
    member: int | None = Field(..., description="The partner's id, if any.")
    size: int
    content_type: str
    uploaded_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_member(obj: Any) -> int | None:
        return obj.member_id

    @staticmethod
    def resolve_uploaded_by(obj: Any) -> str | None:
        return _person(obj.uploaded_by)


class InvitationOut(Schema):
    id: int
    member: int
    email: str
    state: str
    created_at: datetime
    expires_at: datetime

    @staticmethod
    def resolve_member(obj: PartnerInvitation) -> int:
        return obj.member_id


class InvitationSentOut(InvitationOut):
    """The invitation and its link, returned once (only a hash of the secret is kept)."""

    link: str


class ApplicationSummaryOut(Schema):
    """An application as the list shows it."""

    id: int
    title: str
    acronym: str
    call: str
    lead: str
    status: ApplicationStatus
    currency: str
    amount_granted: Decimal | None
    submitted_at: datetime | None
    result_at: datetime | None
    deadline: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_call(obj: ProjectApplication) -> str:
        return obj.call.slug

    @staticmethod
    def resolve_lead(obj: ProjectApplication) -> str:
        return obj.lead.slug

    @staticmethod
    def resolve_deadline(obj: ProjectApplication) -> datetime | None:
        return obj.call.deadline


class ApplicationOut(ApplicationSummaryOut):
    """An application with its consortium, budget, rule check, workspace and timeline."""

    summary: str
    programme_template: str
    evaluation_scores: dict[str, float]
    evaluation_comments: str
    next_steps: list[str]
    members: list[ConsortiumMemberOut]
    budget: BudgetOut
    rules: list[CallRuleOut]
    eligible: bool
    sections: list[SectionSummaryOut]
    tasks: list[TaskOut]
    documents: list[WorkspaceDocumentOut]
    events: list[ApplicationStepOut]

    @staticmethod
    def resolve_programme_template(obj: ProjectApplication) -> str:
        return obj.template.name

    @staticmethod
    def resolve_next_steps(obj: ProjectApplication) -> list[str]:
        return obj.next_steps()

    @staticmethod
    def resolve_members(obj: ProjectApplication) -> list[ConsortiumMember]:
        return list(obj.members.all())

    @staticmethod
    def resolve_budget(obj: ProjectApplication) -> dict[str, Any]:
        budget = selectors.budget(obj)
        return {
            "currency": budget.currency,
            "costs": budget.costs,
            "requested": budget.requested,
            "ceiling": budget.ceiling,
            "co_funding_rate": budget.co_funding_rate,
        }

    @staticmethod
    def resolve_rules(obj: ProjectApplication) -> list[dict[str, Any]]:
        """Checked now while the application is prepared; as checked at submission after."""
        cached: list[dict[str, Any]] | None = getattr(obj, "_checked_rules", None)
        if cached is None:
            if obj.is_preparing():
                cached = selectors.check_as_data(selectors.application_check(obj))
            else:
                cached = list(obj.submission_check or [])
            obj._checked_rules = cached  # type: ignore[attr-defined]
        return cached

    @staticmethod
    def resolve_eligible(obj: ProjectApplication) -> bool:
        return all(r["passed"] for r in ApplicationOut.resolve_rules(obj))

    @staticmethod
    def resolve_sections(obj: ProjectApplication) -> list[Section]:
        return list(obj.sections.all())

    @staticmethod
    def resolve_tasks(obj: ProjectApplication) -> list[Task]:
        return list(obj.tasks.all())

    @staticmethod
    def resolve_documents(obj: ProjectApplication) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_events(obj: ProjectApplication) -> list[Any]:
        return list(obj.events.all())


# What the API takes -------------------------------------------------------------------------


class ApplicationFilter(Schema):
    """The list's filters, as on the page."""

    status: ApplicationStatus | None = None
    call: str | None = Field(None, max_length=320, description="The call's slug.")
    q: str | None = Field(None, max_length=200, description="Words of the title or acronym.")


class ApplicationIn(InputSchema):
    """A new application: the call and the lead by slug, the partners by slug."""

    call: str = Field(..., max_length=320)
    lead: str = Field(..., max_length=220)
    partners: list[str] = Field(default_factory=list, max_length=50)
    title: str = Field(..., min_length=1, max_length=300)
    acronym: str = Field("", max_length=30)
    summary: str = Field("", max_length=4000)


class ApplicationPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=300)
    acronym: str | None = Field(None, max_length=30)
    summary: str | None = Field(None, max_length=4000)


class ApplicationTransitionIn(InputSchema):
    """The next stage; a grant brings its amount, the reserve list its scores, a rejection
    its scores and comments, a withdrawal its reason (the note)."""

    to: ApplicationStatus
    note: str = Field("", max_length=2000)
    amount: Amount | None = None
    scores: dict[str, float] | None = Field(None, description="Criterion → score.")
    comments: str = Field("", max_length=10000)


class MemberIn(InputSchema):
    """An organisation of the network (by slug), or a partner from outside it."""

    organisation: str | None = Field(None, max_length=220)
    name: str = Field("", max_length=200)
    kind: OrganisationKind | None = None
    country: str = Field("", max_length=2)
    email: str = Field("", max_length=254)
    role: str = Field("", max_length=300)
    invite: bool = Field(False, description="E-mail an invitation to `email` at once.")


class MemberPatch(InputSchema):
    role: str | None = Field(None, max_length=300)
    email: str | None = Field(None, max_length=254)
    status: MemberStatus | None = None


class AnswerIn(InputSchema):
    """The partner's own answer: it takes part, or not."""

    accept: bool


class BudgetIn(InputSchema):
    costs: Amount | None = None
    requested: Amount | None = None


class SectionIn(InputSchema):
    """The section's new text, written on top of `base_version`."""

    text: str = Field(..., max_length=100_000)
    base_version: int = Field(..., ge=0)


class SeedIn(InputSchema):
    """A library template (by slug) laid over the sections."""

    document: str = Field(..., description="The slug of a library document of kind template.")
    into: Literal["text", "guidance"] = Field(
        "text", description="The template's text as a first draft, or as guidance."
    )


class SeedOut(Schema):
    """Which sections were filled, added, or kept because someone had written them."""

    filled: list[str]
    added: list[str]
    kept: list[str]
    sections: list[SectionSummaryOut]


class SectionPatch(InputSchema):
    owner: str | None = Field(None, description="The owner's e-mail; empty for nobody.")
    status: SectionStatus | None = None


class TaskIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=300)
    due_on: date | None = None
    assignee: str | None = Field(None, description="The assignee's e-mail.")


class TaskPatch(InputSchema):
    done: bool


class InvitationIn(InputSchema):
    member: int = Field(..., ge=1, le=2**63 - 1, description="The partner's id.")
    email: str = Field(..., max_length=254)
    message: str = Field("", max_length=2000)


class InvitationAcceptIn(InputSchema):
    token: str = Field(..., max_length=200)
    organisation: str | None = Field(None, description="Slug of the organisation you accept for.")
