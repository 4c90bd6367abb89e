"""The application pages: list, create (prefilled by the consortium builder), the
application's own page with its next steps, edit and the DOCX export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from icn.core.forms import apply_errors
from icn.core.htmx import is_htmx
from icn.core.pagination import paginate
from icn.knowledge.selectors import template_list
from icn.projects import selectors, services
from icn.projects.docx_export import application_docx, docx_filename
from icn.projects.forms import (
    ApplicationCreateForm,
    ApplicationEditForm,
    ApplicationFilterForm,
    BudgetForm,
    DocumentForm,
    InvitationForm,
    MemberAddForm,
    SeedForm,
    TaskForm,
    TransitionForm,
)
from icn.projects.models import (
    RESULTS,
    ROAD,
    ApplicationStatus,
    MemberStatus,
    PartnerInvitation,
    ProjectApplication,
)
from icn.projects.views.common import act, form_errors, visible_application

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    form = ApplicationFilterForm(
        request.GET or None, calls=selectors.calls_applied_to(viewer=viewer)
    )
    filters = form.values()
    page = paginate(request, selectors.application_list(viewer=viewer, **filters))
    counts = selectors.status_counts(viewer=viewer, call=filters["call"])
    context = {
        "page": page,
        "filter_form": form,
        "filters": filters,
        "counts": [
            (status, label, counts[status])
            for status, label in ApplicationStatus.choices
            if counts[status]
        ],
        "total": sum(counts.values()),
        "granted_total": selectors.granted_total(viewer=viewer, call=filters["call"]),
        "may_create": selectors.lead_choices(viewer=viewer).exists(),
        "hx_target": "#results",
    }
    template = (
        "projects/partials/application_results.html"
        if is_htmx(request)
        else "projects/application_list.html"
    )
    return render(request, template, context)


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """What the consortium builder passes: ?call=<slug>&lead=<pk>&partners=<pk>&partners=…"""
    initial: dict[str, Any] = {}
    if request.GET.get("call"):
        initial["call"] = request.GET["call"]
    if request.GET.get("lead", "").isdigit():
        initial["lead"] = int(request.GET["lead"])
    partners = [int(pk) for pk in request.GET.getlist("partners") if pk.isdigit()]
    if partners:
        initial["partners"] = partners
    for field in ("title", "acronym"):
        if request.GET.get(field):
            initial[field] = request.GET[field][:300]
    return initial


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    leads = selectors.lead_choices(viewer=viewer)
    if not leads.exists():
        raise PermissionDenied("Applications are led by organisations of the network.")
    calls = selectors.open_calls(viewer=viewer)
    organisations = selectors.partner_choices(viewer=viewer)
    initial = _prefill(request)
    form = ApplicationCreateForm(
        request.POST or None, initial=initial, calls=calls, leads=leads, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_create(
                actor=viewer,
                call=data["call"],
                lead=data["lead"],
                title=data["title"],
                partners=list(data["partners"]),
                acronym=data["acronym"],
                summary=data["summary"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                "Application started: the sections of the programme are ready to write. "
                "Invite the partners next.",
            )
            return redirect(application)
    preview = _preview(form, initial, calls, leads, organisations)
    return render(
        request,
        "projects/application_create.html",
        {"form": form, "preview": preview, "prefilled": bool(initial)},
    )


def _preview(form: Any, initial: dict[str, Any], calls: Any, leads: Any, orgs: Any) -> Any:
    """The call's rules checked for the prefilled consortium, shown before it is created."""
    source = form.data if form.is_bound else initial
    slug = source.get("call")
    call = calls.filter(slug=slug).first() if slug else None
    if call is None:
        return None
    lead_pk = source.get("lead")
    lead = leads.filter(pk=lead_pk).first() if str(lead_pk or "").isdigit() else None
    raw = source.getlist("partners") if hasattr(source, "getlist") else source.get("partners", [])
    partner_pks = [int(pk) for pk in raw if str(pk).isdigit()]
    partners = list(orgs.filter(pk__in=partner_pks)) if partner_pks else []
    return selectors.consortium_preview(call=call, lead=lead, partners=partners)


# The application's page ---------------------------------------------------------------------


def _road(application: ProjectApplication) -> list[dict[str, Any]]:
    """The stages up to running, with the ones passed, the current one and the rest."""
    reached = {event.to_status for event in application.events.all()}
    stages = []
    for stage in ROAD:
        status, label = str(stage), str(ApplicationStatus(stage).label)
        if status == ApplicationStatus.GRANTED and application.status in (
            ApplicationStatus.RESERVE,
            ApplicationStatus.REJECTED,
        ):
            status, label = application.status, str(application.get_status_display())
        stages.append(
            {
                "status": status,
                "label": label,
                "current": status == application.status,
                "passed": status in reached and status != application.status,
            }
        )
    return stages


def _detail_context(request: HttpRequest, application: ProjectApplication) -> dict[str, Any]:
    viewer = request.user
    can_manage = selectors.can_manage(viewer, application)
    can_edit = selectors.can_edit(viewer, application)
    members = list(application.members.all())
    active = [m for m in members if m.status != MemberStatus.DECLINED]
    people = selectors.people_of(application)
    if application.is_preparing():
        check_results = selectors.check_as_data(selectors.application_check(application))
        problems = services.submission_problems(application) if can_manage else []
    else:
        check_results, problems = list(application.submission_check or []), []
    rows = []
    for member in members:
        budget_form = None
        if application.is_preparing() and (can_manage or selectors.speaks_for(viewer, member)):
            budget_form = BudgetForm(
                initial={"costs": member.costs, "requested": member.requested},
                prefix=f"m{member.pk}",
            )
        rows.append(
            {
                "member": member,
                "budget_form": budget_form,
                "answers": application.is_preparing()
                and not member.is_coordinator
                and selectors.speaks_for(viewer, member),
            }
        )
    steps = [(s, ApplicationStatus(s).label) for s in application.next_steps()]
    return {
        "application": application,
        "road": _road(application),
        "steps": steps,
        "result_steps": [s for s in steps if s[0] in RESULTS],
        "plain_steps": [s for s in steps if s[0] not in RESULTS],
        "can_manage": can_manage,
        "can_edit": can_edit,
        "rows": rows,
        "budget": selectors.budget(application),
        "check_results": check_results,
        "check_passed": all(r["passed"] for r in check_results),
        "problems": problems,
        "days_left": selectors.days_left(application),
        "transition_form": TransitionForm(template=application.template),
        "member_form": MemberAddForm(
            organisations=selectors.partner_choices(viewer=viewer).exclude(
                pk__in=[m.organisation_id for m in members if m.organisation_id]
            )
        )
        if can_manage and application.is_preparing()
        else None,
        "invitation_form": InvitationForm(
            members=application.members.exclude(is_coordinator=True).select_related("organisation")
        )
        if can_manage and application.is_preparing() and len(members) > 1
        else None,
        "invitations": PartnerInvitation.objects.filter(member__application=application)
        .select_related("member__organisation", "invited_by")
        .order_by("-created_at")
        if can_manage
        else [],
        "task_form": TaskForm(people=people) if can_edit else None,
        "seed_form": SeedForm(templates=template_list(viewer=viewer))
        if can_edit and application.is_preparing()
        else None,
        "document_form": DocumentForm(members=application.members.all()) if can_edit else None,
        "active_count": len(active),
        "member_statuses": MemberStatus.choices,
    }


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    return render(
        request, "projects/application_detail.html", _detail_context(request, application)
    )


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    if not selectors.can_manage(request.user, application):
        raise PermissionDenied
    form = ApplicationEditForm(
        request.POST or None,
        initial={
            "title": application.title,
            "acronym": application.acronym,
            "summary": application.summary,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                actor=request.user, application=application, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(application)
    return render(
        request,
        "form.html",
        {"form": form, "title": f"Edit {application.name}", "back": application.get_absolute_url()},
    )


@login_required
@require_POST
def application_transition(request: HttpRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    form = TransitionForm(request.POST, template=application.template)
    if not form.is_valid():
        messages.error(request, form_errors(form) or "Choose a step.")
        return redirect(application)
    data = form.cleaned_data
    to = data["to"]
    return act(
        request,
        application,
        lambda: services.application_transition(
            actor=request.user,
            application=application,
            to=to,
            note=data["note"],
            amount=data["amount"],
            scores=form.scores(),
            comments=data["comments"],
        ),
        f"Moved to {ApplicationStatus(to).label.lower()}.",
    )


@login_required
def application_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft as a Word document: title, call, consortium, budget and every section."""
    application = visible_application(request, pk)
    response = HttpResponse(application_docx(application), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{docx_filename(application)}"'
    return response
