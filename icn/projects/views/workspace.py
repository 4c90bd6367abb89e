"""The shared workspace on the pages: sections (with conflicts and history), tasks, documents."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from icn.core.htmx import is_htmx
from icn.knowledge.selectors import template_list
from icn.projects import selectors, services
from icn.projects.forms import (
    DocumentForm,
    SectionForm,
    SectionSettingsForm,
    SeedForm,
    TaskForm,
)
from icn.projects.models import Document, Section, Task
from icn.projects.views.common import act, form_errors, message_of, visible_application


def _section(request: HttpRequest, pk: int, key: str) -> Section:
    section = selectors.section_for_viewer(viewer=request.user, application_pk=pk, key=key)
    if section is None:
        raise Http404
    return section


def _diff(theirs: str, mine: str) -> list[tuple[str, str]]:
    """The two texts line by line: kept, only in the saved version, only in yours."""
    rows = []
    for line in difflib.ndiff(theirs.splitlines(), mine.splitlines()):
        mark, text = line[:2], line[2:]
        if mark == "? ":
            continue
        rows.append(({"- ": "theirs", "+ ": "mine"}.get(mark, "same"), text))
    return rows


@login_required
def section_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """Write a section on top of the version shown; a newer save by someone else is shown
    next to the writer's text instead of being overwritten."""
    section = _section(request, pk, key)
    application = section.application
    can_edit = selectors.can_edit(request.user, application) and application.is_preparing()
    conflict: services.SectionConflict | None = None
    revisions = list(section.revisions.select_related("author")[:50])
    shown = None
    if request.GET.get("version", "").isdigit():
        shown = next((r for r in revisions if r.version == int(request.GET["version"])), None)
    initial = {"text": section.text, "base_version": section.version}
    if shown is not None and request.GET.get("restore"):
        initial["text"] = shown.text
    form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.section_save(
                    actor=request.user,
                    section=section,
                    text=form.cleaned_data["text"],
                    base_version=form.cleaned_data["base_version"],
                )
            except services.SectionConflict as exc:
                conflict = exc
                # The merge is written on top of the version now saved.
                form = SectionForm(initial={"text": exc.text, "base_version": exc.section.version})
                section = exc.section
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, message_of(exc))
            else:
                messages.success(request, f"“{section.title}” saved.")
                if request.POST.get("then") == "stay":
                    return redirect(section.get_absolute_url())
                return redirect(reverse("projects:application_detail", args=[pk]) + "#sections")
    return render(
        request,
        "projects/section_edit.html",
        {
            "section": section,
            "application": application,
            "form": form,
            "can_edit": can_edit,
            "conflict": conflict,
            "diff": _diff(conflict.section.text, conflict.text) if conflict else [],
            "revisions": revisions,
            "shown": shown,
            "settings_form": SectionSettingsForm(
                initial={"owner": section.owner_id, "status": section.status},
                people=selectors.people_of(application),
                prefix=f"s{section.pk}",
            )
            if can_edit
            else None,
        },
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def section_settings(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    section = _section(request, pk, key)
    application = section.application
    form = SectionSettingsForm(
        request.POST, people=selectors.people_of(application), prefix=f"s{section.pk}"
    )
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(application)
    return act(
        request,
        application,
        lambda: services.section_update(
            actor=request.user,
            section=section,
            owner=form.cleaned_data["owner"],
            status=form.cleaned_data["status"],
        ),
        f"“{section.title}” updated.",
    )


@login_required
@require_POST
def sections_seed(request: HttpRequest, pk: int) -> HttpResponse:
    """Lay a library template over the sections; the result says what was filled and kept."""
    application = visible_application(request, pk)
    form = SeedForm(request.POST, templates=template_list(viewer=request.user))
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(reverse("projects:application_detail", args=[pk]) + "#sections")
    try:
        result = services.sections_seed(
            actor=request.user, application=application, **form.cleaned_data
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, result.summary())
    return redirect(reverse("projects:application_detail", args=[pk]) + "#sections")


@login_required
@require_POST
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    form = TaskForm(request.POST, people=selectors.people_of(application))
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(application)
    return act(
        request,
        application,
        lambda: services.task_create(
            actor=request.user, application=application, **form.cleaned_data
        ),
        "Task added.",
    )


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    task = get_object_or_404(Task, pk=task_pk, application=application)
    done = request.POST.get("done", "1") == "1"
    try:
        services.task_complete(actor=request.user, task=task, done=done)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, message_of(exc))
    if is_htmx(request):
        application = visible_application(request, pk)
        return render(
            request,
            "projects/partials/tasks.html",
            {"application": application, "can_edit": selectors.can_edit(request.user, application)},
        )
    return redirect(reverse("projects:application_detail", args=[pk]) + "#tasks")


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    form = DocumentForm(request.POST, request.FILES, members=application.members.all())
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(application)
    data = form.cleaned_data
    return act(
        request,
        application,
        lambda: services.document_upload(
            actor=request.user,
            application=application,
            upload=data["file"],
            kind=data["kind"],
            member=data["member"],
        ),
        f"{data['file'].name} uploaded.",
    )


@login_required
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """Files are served only to those who see the application, and always as downloads."""
    application = visible_application(request, pk)
    document = get_object_or_404(Document, pk=document_pk, application=application)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type or "application/octet-stream",
    )


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    document = get_object_or_404(Document, pk=document_pk, application=application)
    return act(
        request,
        application,
        lambda: services.document_delete(actor=request.user, document=document),
        f"{document.name} removed.",
    )
