"""The shared workspace: sections that several partners write without overwriting each
other, tasks and documents."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from icn.core.files import check_upload
from icn.projects import selectors
from icn.projects.models import (
    ConsortiumMember,
    Document,
    ProjectApplication,
    Section,
    SectionRevision,
    SectionStatus,
    Task,
    WorkspaceDocumentKind,
)
from icn.projects.services.access import locked, require_edit, require_preparing, touch


class SectionConflict(ValidationError):
    """Someone saved the section since the writer opened it: nothing was overwritten.

    Carries the section as it is now, so the writer can compare both texts and merge.
    """

    def __init__(self, section: Section, text: str, base_version: int) -> None:
        who = section.updated_by.get_full_name() if section.updated_by else "Someone"
        super().__init__(
            f"{who} saved version {section.version} of “{section.title}” while you were "
            f"editing version {base_version}. Nothing was overwritten: compare both texts, "
            "merge them and save again.",
            code="conflict",
        )
        self.section = section
        self.text = text
        self.base_version = base_version


def _normalise_text(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


@transaction.atomic
def section_save(*, actor: Any, section: Section, text: str, base_version: int) -> Section:
    """Save a section's text written on top of `base_version`. When someone saved a newer
    version meanwhile, nothing is overwritten: `SectionConflict` carries the current text and
    version for the writer to merge. Every saved version is kept."""
    require_edit(actor, section.application)
    application = locked(section.application)
    require_preparing(application, "the text")
    current = (
        Section.objects.select_for_update(of=("self",))
        .select_related("updated_by", "application")
        .get(pk=section.pk)
    )
    text = _normalise_text(text)
    if text == current.text:
        return current  # the same words: nothing to save, nothing to conflict with
    if base_version != current.version:
        raise SectionConflict(current, text, base_version)
    write_text(current, actor=actor, text=text)
    touch(application)
    return current


def write_text(section: Section, *, actor: Any, text: str) -> None:
    """Store a new version of the section's text (the caller holds its row) and keep it as a
    revision; a section still to do is now being drafted."""
    now = timezone.now()
    section.text = text
    section.version += 1
    section.updated_at = now
    section.updated_by = actor
    if section.status == SectionStatus.TODO:
        section.status = SectionStatus.DRAFTING
    section.full_clean()
    section.save()
    SectionRevision.objects.create(
        section=section, version=section.version, text=text, author=actor, at=now
    )


_UNSET: Any = object()


@transaction.atomic
def section_update(
    *, actor: Any, section: Section, owner: Any = _UNSET, status: str | None = None
) -> Section:
    """Hand a section to someone, or move its status (to do, drafting, in review, done)."""
    require_edit(actor, section.application)
    current = Section.objects.select_for_update(of=("self",)).get(pk=section.pk)
    if owner is not _UNSET:
        if (
            owner is not None
            and not selectors.people_of(section.application).filter(pk=owner.pk).exists()
        ):
            raise ValidationError({"owner": "The owner works for a partner of the consortium."})
        current.owner = owner
    if status is not None:
        if status not in SectionStatus.values:
            raise ValidationError({"status": f"Unknown status: {status}."})
        current.status = status
    current.full_clean()
    current.save(update_fields=["owner", "status"])
    return current


@transaction.atomic
def task_create(
    *,
    actor: Any,
    application: ProjectApplication,
    title: str,
    due_on: date | None = None,
    assignee: Any = None,
) -> Task:
    """Something to do, by someone of the consortium, by a date."""
    require_edit(actor, application)
    if (
        assignee is not None
        and not selectors.people_of(application).filter(pk=assignee.pk).exists()
    ):
        raise ValidationError({"assignee": "Tasks go to people of the consortium."})
    task = Task(
        application=application,
        title=(title or "").strip(),
        due_on=due_on,
        assignee=assignee,
        created_by=actor,
    )
    task.full_clean()
    task.save()
    touch(application)
    return task


@transaction.atomic
def task_complete(*, actor: Any, task: Task, done: bool = True) -> Task:
    """Tick a task off, or open it again."""
    require_edit(actor, task.application)
    task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
    task.done = done
    task.done_at = timezone.now() if done else None
    task.done_by = actor if done else None
    task.save(update_fields=["done", "done_at", "done_by"])
    return task


@transaction.atomic
def document_upload(
    *,
    actor: Any,
    application: ProjectApplication,
    upload: Any,
    kind: str = WorkspaceDocumentKind.OTHER,
    member: ConsortiumMember | None = None,
) -> Document:
    """Keep a letter of support, a partner declaration or another file with the application."""
    require_edit(actor, application)
    if kind not in WorkspaceDocumentKind.values:
        raise ValidationError({"kind": f"Unknown kind of document: {kind}."})
    if member is not None and member.application_id != application.pk:
        raise ValidationError({"member": "The partner is not in this consortium."})
    checked = check_upload(upload, default_name="document")
    document = Document(
        application=application,
        kind=kind,
        member=member,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
    )
    document.file.save(checked.name, upload, save=False)
    document.full_clean()
    document.save()
    touch(application)
    return document


@transaction.atomic
def document_delete(*, actor: Any, document: Document) -> None:
    require_edit(actor, document.application)
    if document.uploaded_by_id != actor.pk and not selectors.can_manage(
        actor, document.application
    ):
        raise PermissionDenied("Files are removed by who uploaded them or by the lead's side.")
    document.file.delete(save=False)
    document.delete()
