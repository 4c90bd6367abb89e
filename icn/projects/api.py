"""The applications API: the same lifecycle, consortium, budget, workspace and invitations as
the pages. Thin adapters over selectors and services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile

from icn.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    RecordId,
    errors,
    get_or_404,
    paginated,
    require_user,
    viewer,
)
from icn.directory.models import Organisation
from icn.knowledge.models import KnowledgeDocument
from icn.opportunities.models import Opportunity
from icn.projects import selectors, services
from icn.projects.models import (
    ConsortiumMember,
    PartnerInvitation,
    ProjectApplication,
    Section,
    Task,
    WorkspaceDocumentKind,
)
from icn.projects.schemas import (
    AnswerIn,
    ApplicationFilter,
    ApplicationIn,
    ApplicationOut,
    ApplicationPatch,
    ApplicationSummaryOut,
    ApplicationTransitionIn,
    BudgetIn,
    ConflictOut,
    ConsortiumMemberOut,
    InvitationAcceptIn,
    InvitationIn,
    InvitationOut,
    InvitationSentOut,
    MemberIn,
    MemberPatch,
    RevisionOut,
    SectionIn,
    SectionOut,
    SectionPatch,
    SectionSummaryOut,
    SeedIn,
    SeedOut,
    TaskIn,
    TaskOut,
    TaskPatch,
    WorkspaceDocumentOut,
)

router = Router(tags=["projects"])

BASE = "/projects/applications"
ONE = BASE + "/{pk}"


def _application(request: HttpRequest, pk: int) -> ProjectApplication:
    """One application the caller may see; a hidden one is as absent as a missing one."""
    application = selectors.application_for_viewer(viewer=viewer(request), pk=pk)
    if application is None:
        raise Http404
    return application


def _member(application: ProjectApplication, member_pk: int) -> ConsortiumMember:
    return get_or_404(
        ConsortiumMember.objects.select_related("application__call", "organisation", "user"),
        pk=member_pk,
        application=application,
    )


def _section(request: HttpRequest, pk: int, key: str) -> Section:
    section = selectors.section_for_viewer(viewer=viewer(request), application_pk=pk, key=key)
    if section is None:
        raise Http404
    return section


def _person(application: ProjectApplication, email: str | None, field: str) -> Any:
    """A user of the consortium named by e-mail; None for an empty value."""
    if not email:
        return None
    user = selectors.people_of(application).filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError({field: f"Nobody of the consortium has the address {email}."})
    return user


def _organisation(user: Any, slug: str, field: str) -> Organisation:
    organisation = Organisation.objects.visible_to(user).filter(slug=slug).first()
    if organisation is None:
        raise ValidationError({field: f"Unknown organisation: {slug}."})
    return organisation


def _lead(user: Any, slug: str) -> Organisation:
    """The lead: an organisation the caller acts for or, as its cluster manager, manages."""
    lead = selectors.lead_choices(viewer=user).filter(slug=slug).first()
    if lead is not None:
        return lead
    if Organisation.objects.visible_to(user).filter(slug=slug).exists():
        raise PermissionDenied(
            "Lead an application for an organisation you act for or, as its cluster manager, "
            "manage."
        )
    raise ValidationError({"lead": f"Unknown organisation: {slug}."})


# Applications -------------------------------------------------------------------------------


@router.get(BASE, response=list[ApplicationSummaryOut])
@paginated
def application_list(request: HttpRequest, filters: Query[ApplicationFilter]) -> Any:
    """The applications the caller works on, or sees as a cluster manager or the secretariat;
    nobody else sees any."""
    return selectors.application_list(
        viewer=viewer(request),
        status=filters.status or "",
        call=filters.call or "",
        q=filters.q or "",
    )


@router.post(BASE, response={201: ApplicationOut, **WRITE_ERRORS})
def application_create(request: HttpRequest, payload: ApplicationIn) -> Any:
    """Start an application to an open call for a lead you act for (or, as its cluster
    manager, manage); the partners are asked in and the programme's sections laid out."""
    user = require_user(request)
    call = selectors.open_calls(viewer=user).filter(slug=payload.call).first()
    if call is None:
        known = Opportunity.objects.visible_to(user).filter(slug=payload.call).exists()
        raise ValidationError(
            {"call": "The call is closed." if known else f"Unknown open call: {payload.call}."}
        )
    application = services.application_create(
        actor=user,
        call=call,
        lead=_lead(user, payload.lead),
        partners=[_organisation(user, slug, "partners") for slug in payload.partners],
        title=payload.title,
        acronym=payload.acronym,
        summary=payload.summary,
    )
    return Status(201, _application(request, application.pk))


@router.get(ONE, response={200: ApplicationOut, **READ_ERRORS})
def application_detail(request: HttpRequest, pk: RecordId) -> Any:
    """The application with its consortium, budget, the call's rules checked, its sections,
    tasks, documents and every step with who and when."""
    return _application(request, pk)


@router.patch(ONE, response={200: ApplicationOut, **WRITE_ERRORS})
def application_update(request: HttpRequest, pk: RecordId, payload: ApplicationPatch) -> Any:
    user = require_user(request)
    application = _application(request, pk)
    sent = payload.model_dump(exclude_unset=True)
    services.application_update(
        actor=user,
        application=application,
        title=sent.get("title", application.title),
        acronym=sent.get("acronym", application.acronym),
        summary=sent.get("summary", application.summary),
    )
    return _application(request, pk)


@router.post(ONE + "/transition", response={200: ApplicationOut, **WRITE_ERRORS})
def application_transition(
    request: HttpRequest, pk: RecordId, payload: ApplicationTransitionIn
) -> Any:
    """One allowed step: idea → consortium forming → drafting → submitted → granted (with the
    amount), reserve list (with scores) or rejected (with scores and comments); granted →
    grant agreement signed → running; withdrawn (with a reason) from any stage not final.
    Submitting needs every rule of the call met, every partner confirmed, every section
    written."""
    user = require_user(request)
    application = _application(request, pk)
    services.application_transition(
        actor=user,
        application=application,
        to=payload.to,
        note=payload.note,
        amount=payload.amount,
        scores=payload.scores,
        comments=payload.comments,
    )
    return _application(request, pk)


# The consortium -----------------------------------------------------------------------------


@router.get(ONE + "/members", response={200: list[ConsortiumMemberOut], **READ_ERRORS})
def member_list(request: HttpRequest, pk: RecordId) -> Any:
    return list(_application(request, pk).members.all())


@router.post(ONE + "/members", response={201: ConsortiumMemberOut, **WRITE_ERRORS})
def member_add(request: HttpRequest, pk: RecordId, payload: MemberIn) -> Any:
    """Add an organisation of the network (`organisation`), or a partner from outside it
    (`name`, `kind`, `country`, `email`); with `invite`, the invitation goes out at once."""
    user = require_user(request)
    application = _application(request, pk)
    member = services.member_add(
        actor=user,
        application=application,
        organisation=_organisation(user, payload.organisation, "organisation")
        if payload.organisation
        else None,
        name=payload.name,
        kind=payload.kind or "",
        country=payload.country,
        email=payload.email,
        role=payload.role,
        invite=payload.invite,
    )
    return Status(201, _member(application, member.pk))


@router.patch(ONE + "/members/{member_pk}", response={200: ConsortiumMemberOut, **WRITE_ERRORS})
def member_update(
    request: HttpRequest, pk: RecordId, member_pk: RecordId, payload: MemberPatch
) -> Any:
    """The partner's role or contact, or its answer recorded on its behalf."""
    user = require_user(request)
    application = _application(request, pk)
    member = _member(application, member_pk)
    sent = payload.model_dump(exclude_unset=True)
    services.member_update(
        actor=user,
        member=member,
        role=sent.get("role"),
        email=sent.get("email"),
        status=sent.get("status"),
    )
    return _member(application, member_pk)


@router.delete(ONE + "/members/{member_pk}", response={204: None, **WRITE_ERRORS})
def member_remove(request: HttpRequest, pk: RecordId, member_pk: RecordId) -> Any:
    user = require_user(request)
    application = _application(request, pk)
    services.member_remove(actor=user, member=_member(application, member_pk))
    return Status(204, None)


@router.post(
    ONE + "/members/{member_pk}/answer", response={200: ConsortiumMemberOut, **WRITE_ERRORS}
)
def member_respond(
    request: HttpRequest, pk: RecordId, member_pk: RecordId, payload: AnswerIn
) -> Any:
    """The partner's own people confirm that it takes part, or decline."""
    user = require_user(request)
    application = _application(request, pk)
    services.member_respond(
        actor=user, member=_member(application, member_pk), accept=payload.accept
    )
    return _member(application, member_pk)


@router.put(
    ONE + "/members/{member_pk}/budget", response={200: ConsortiumMemberOut, **WRITE_ERRORS}
)
def budget_set(request: HttpRequest, pk: RecordId, member_pk: RecordId, payload: BudgetIn) -> Any:
    """A partner's costs and requested funding. Refused (422, with the rule's reason) when it
    breaks the call's co-funding rate or budget ceiling."""
    user = require_user(request)
    application = _application(request, pk)
    member = _member(application, member_pk)
    services.budget_set(actor=user, member=member, costs=payload.costs, requested=payload.requested)
    return _member(application, member_pk)


# Sections -----------------------------------------------------------------------------------


@router.get(ONE + "/sections", response={200: list[SectionSummaryOut], **READ_ERRORS})
def section_list(request: HttpRequest, pk: RecordId) -> Any:
    return list(_application(request, pk).sections.all())


@router.post(ONE + "/sections/seed", response={200: SeedOut, **WRITE_ERRORS})
def sections_seed(request: HttpRequest, pk: RecordId, payload: SeedIn) -> Any:
    """Lay a library template over the sections: each heading fills the section of the same
    name while it is empty, or becomes a new section; written text is never replaced."""
    user = require_user(request)
    application = _application(request, pk)
    document = get_or_404(KnowledgeDocument.objects.visible_to(user), slug=payload.document)
    result = services.sections_seed(
        actor=user, application=application, document=document, into=payload.into
    )
    return {
        "filled": result.filled,
        "added": result.added,
        "kept": result.kept,
        "sections": list(Section.objects.filter(application=application)),
    }


@router.get(ONE + "/sections/{key}", response={200: SectionOut, **READ_ERRORS})
def section_detail(request: HttpRequest, pk: RecordId, key: str) -> Any:
    """The section's text and `version`: send the version back as `base_version` when saving."""
    return _section(request, pk, key)


@router.put(
    ONE + "/sections/{key}",
    response={200: SectionOut, 409: ConflictOut, **WRITE_ERRORS},
)
def section_save(request: HttpRequest, pk: RecordId, key: str, payload: SectionIn) -> Any:
    """Save the text written on top of `base_version`. When someone saved a newer version
    meanwhile, nothing is overwritten: the answer is 409 with the current text and version to
    merge with, and to send as the next `base_version`."""
    user = require_user(request)
    section = _section(request, pk, key)
    try:
        saved = services.section_save(
            actor=user, section=section, text=payload.text, base_version=payload.base_version
        )
    except services.SectionConflict as conflict:
        current = conflict.section
        return Status(
            409,
            {
                "message": " ".join(conflict.messages),
                "current_version": current.version,
                "current_text": current.text,
                "updated_by": current.updated_by.email if current.updated_by else None,
                "updated_at": current.updated_at,
                "your_text": conflict.text,
                "base_version": conflict.base_version,
            },
        )
    return _section(request, pk, saved.key)


@router.patch(ONE + "/sections/{key}", response={200: SectionOut, **WRITE_ERRORS})
def section_update(request: HttpRequest, pk: RecordId, key: str, payload: SectionPatch) -> Any:
    """The section's owner (by e-mail) or status."""
    user = require_user(request)
    section = _section(request, pk, key)
    sent = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "owner" in sent:
        changes["owner"] = _person(section.application, sent["owner"], "owner")
    if sent.get("status"):
        changes["status"] = sent["status"]
    services.section_update(actor=user, section=section, **changes)
    return _section(request, pk, key)


@router.get(ONE + "/sections/{key}/revisions", response={200: list[RevisionOut], **READ_ERRORS})
def section_revisions(request: HttpRequest, pk: RecordId, key: str) -> Any:
    """Every saved version of the section, newest first."""
    return list(_section(request, pk, key).revisions.select_related("author"))


# Tasks and documents ------------------------------------------------------------------------


@router.get(ONE + "/tasks", response={200: list[TaskOut], **READ_ERRORS})
def task_list(request: HttpRequest, pk: RecordId) -> Any:
    return list(_application(request, pk).tasks.all())


@router.post(ONE + "/tasks", response={201: TaskOut, **WRITE_ERRORS})
def task_create(request: HttpRequest, pk: RecordId, payload: TaskIn) -> Any:
    user = require_user(request)
    application = _application(request, pk)
    task = services.task_create(
        actor=user,
        application=application,
        title=payload.title,
        due_on=payload.due_on,
        assignee=_person(application, payload.assignee, "assignee"),
    )
    return Status(201, task)


@router.patch(ONE + "/tasks/{task_pk}", response={200: TaskOut, **WRITE_ERRORS})
def task_update(request: HttpRequest, pk: RecordId, task_pk: RecordId, payload: TaskPatch) -> Any:
    """Tick a task off (`done: true`) or open it again."""
    user = require_user(request)
    application = _application(request, pk)
    task = get_or_404(Task.objects.filter(application=application), pk=task_pk)
    return services.task_complete(actor=user, task=task, done=payload.done)


@router.get(ONE + "/documents", response={200: list[WorkspaceDocumentOut], **READ_ERRORS})
def document_list(request: HttpRequest, pk: RecordId) -> Any:
    return list(_application(request, pk).documents.all())


@router.post(ONE + "/documents", response={201: WorkspaceDocumentOut, **WRITE_ERRORS})
def document_upload(
    request: HttpRequest,
    pk: RecordId,
    file: File[UploadedFile],
    kind: Form[WorkspaceDocumentKind] = WorkspaceDocumentKind.OTHER,
    member: Form[int | None] = None,
) -> Any:
    """Upload a letter of support, a partner declaration or another file (multipart form)."""
    user = require_user(request)
    application = _application(request, pk)
    partner = _member(application, member) if member else None
    document = services.document_upload(
        actor=user, application=application, upload=file, kind=kind, member=partner
    )
    return Status(201, document)


# Invitations --------------------------------------------------------------------------------


@router.get(ONE + "/invitations", response={200: list[InvitationOut], **READ_ERRORS})
def invitation_list(request: HttpRequest, pk: RecordId) -> Any:
    """The invitations sent (the lead's side, its cluster managers and the secretariat)."""
    application = _application(request, pk)
    if not selectors.can_manage(viewer(request), application):
        return []
    return list(
        PartnerInvitation.objects.filter(member__application=application).order_by("-created_at")
    )


@router.post(ONE + "/invitations", response={201: InvitationSentOut, **WRITE_ERRORS})
def invitation_send(request: HttpRequest, pk: RecordId, payload: InvitationIn) -> Any:
    """E-mail a partner a link to join; the link is returned once."""
    user = require_user(request)
    application = _application(request, pk)
    member = _member(application, payload.member)
    invitation, raw = services.invitation_send(
        actor=user, member=member, email=payload.email, message=payload.message
    )
    invitation.link = services.invitation_link(raw)  # type: ignore[attr-defined]
    return Status(201, invitation)


@router.post(
    "/projects/invitations/accept",
    response={200: ConsortiumMemberOut, **errors(401, 403, 404, 422)},
)
def invitation_accept(request: HttpRequest, payload: InvitationAcceptIn) -> Any:
    """Accept an invitation as the logged-in caller: a partner from outside the network is
    linked to the caller's organisation (or to the caller)."""
    user = require_user(request)
    organisation = (
        Organisation.objects.filter(slug=payload.organisation).first()
        if payload.organisation
        else None
    )
    if payload.organisation and organisation is None:
        raise ValidationError({"organisation": f"Unknown organisation: {payload.organisation}."})
    member = services.invitation_accept(
        actor=user, raw_token=payload.token, organisation=organisation
    )
    return ConsortiumMember.objects.select_related("organisation").get(pk=member.pk)
