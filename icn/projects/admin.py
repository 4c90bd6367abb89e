from __future__ import annotations

from django.contrib import admin

from icn.projects.models import (
    ApplicationEvent,
    ConsortiumMember,
    Document,
    PartnerInvitation,
    ProjectApplication,
    Reminder,
    Section,
    SectionRevision,
    Task,
)


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    readonly_fields = ["at", "actor", "from_status", "to_status", "note"]


class ConsortiumMemberInline(admin.TabularInline):
    model = ConsortiumMember
    extra = 0
    fields = [
        "organisation",
        "external_name",
        "external_kind",
        "external_country",
        "contact_email",
        "is_coordinator",
        "role",
        "costs",
        "requested",
        "status",
    ]
    raw_id_fields = ["organisation"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["position", "key", "title", "owner", "status", "version"]
    readonly_fields = ["version"]
    raw_id_fields = ["owner"]


@admin.register(ProjectApplication)
class ProjectApplicationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "call", "lead", "status", "amount_granted", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "acronym", "lead__name", "call__title"]
    raw_id_fields = ["call", "lead", "created_by"]
    readonly_fields = ["submission_check"]
    inlines = [ConsortiumMemberInline, SectionInline, ApplicationEventInline]


class SectionRevisionInline(admin.TabularInline):
    model = SectionRevision
    extra = 0
    readonly_fields = ["version", "author", "at", "text"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "application", "owner", "status", "version", "updated_at"]
    list_filter = ["status"]
    raw_id_fields = ["application", "owner", "updated_by"]
    inlines = [SectionRevisionInline]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "application", "assignee", "due_on", "done"]
    list_filter = ["done"]
    raw_id_fields = ["application", "assignee", "done_by", "created_by"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["name", "application", "kind", "member", "uploaded_by", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["application", "member", "uploaded_by"]


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "member", "created_at", "expires_at", "accepted_at", "declined_at"]
    raw_id_fields = ["member", "invited_by", "answered_by"]
    readonly_fields = ["token_hash"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["key", "recipient", "sent_at"]
    raw_id_fields = ["application", "task", "recipient"]
