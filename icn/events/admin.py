from __future__ import annotations

from django.contrib import admin

from icn.events.models import (
    Event,
    Meeting,
    MeetingRating,
    MeetingRequest,
    Registration,
    ScheduleRun,
    Session,
    Slot,
)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "host_cluster", "starts_at", "visibility"]
    list_filter = ["kind", "status", "visibility"]
    search_fields = ["title", "slug", "city"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["host_cluster", "organisation", "created_by"]
    filter_horizontal = ["organisers"]
    inlines = [SessionInline]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["__str__", "session"]
    list_filter = ["session__event"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "event", "status", "registered_at"]
    list_filter = ["status", "event"]
    search_fields = ["name", "email", "organisation__name"]
    raw_id_fields = ["event", "user", "organisation"]
    filter_horizontal = ["busy_slots"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "event", "status", "priority", "expires_at"]
    list_filter = ["status", "event"]
    raw_id_fields = ["event", "sender", "receiver", "created_by"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "table", "locked"]
    list_filter = ["locked", "request__event"]
    raw_id_fields = ["request", "slot", "run"]


@admin.register(ScheduleRun)
class ScheduleRunAdmin(admin.ModelAdmin):
    list_display = ["event", "status", "placed", "requests", "weight", "bound", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["progress", "unplaced"]


@admin.register(MeetingRating)
class MeetingRatingAdmin(admin.ModelAdmin):
    list_display = ["meeting", "registration", "moment", "rating", "held"]
    list_filter = ["moment"]
    raw_id_fields = ["meeting", "registration", "author", "match"]
