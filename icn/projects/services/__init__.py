"""Writes of project applications: the lifecycle, the consortium and its budget, the shared
workspace (sections, tasks, documents), invitations and reminders. Every function takes
keyword arguments, the actor first, and runs in a transaction."""

from __future__ import annotations

from icn.projects.services.applications import (
    application_create,
    application_transition,
    application_update,
    submission_problems,
)
from icn.projects.services.consortium import (
    budget_set,
    invitation_accept,
    invitation_decline,
    invitation_link,
    invitation_send,
    member_add,
    member_remove,
    member_respond,
    member_update,
)
from icn.projects.services.reminders import reminders_send
from icn.projects.services.seeding import SeedResult, sections_seed
from icn.projects.services.workspace import (
    SectionConflict,
    document_delete,
    document_upload,
    section_save,
    section_update,
    task_complete,
    task_create,
)

__all__ = [
    "SectionConflict",
    "SeedResult",
    "application_create",
    "application_transition",
    "application_update",
    "budget_set",
    "document_delete",
    "document_upload",
    "invitation_accept",
    "invitation_decline",
    "invitation_link",
    "invitation_send",
    "member_add",
    "member_remove",
    "member_respond",
    "member_update",
    "reminders_send",
    "section_save",
    "section_update",
    "sections_seed",
    "submission_problems",
    "task_complete",
    "task_create",
]
