from __future__ import annotations

from django.contrib import admin

from icn.passports.models import (
    DeskBooking,
    DeskOffer,
    Passport,
    PassportEvent,
    PassportFollowUp,
    PassportIntroduction,
    PassportReport,
)


class PassportEventInline(admin.TabularInline):
    model = PassportEvent
    extra = 0
    readonly_fields = ["at", "actor", "from_status", "to_status", "note"]


class DeskBookingInline(admin.TabularInline):
    model = DeskBooking
    extra = 0
    raw_id_fields = ["offer", "booked_by"]


class PassportIntroductionInline(admin.TabularInline):
    model = PassportIntroduction
    extra = 0
    raw_id_fields = ["organisation", "person", "match", "booked_by"]


@admin.register(Passport)
class PassportAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "home_cluster", "host_cluster", "status", "starts_on"]
    list_filter = ["status", "host_cluster", "home_cluster"]
    search_fields = ["title", "organisation__name"]
    raw_id_fields = ["organisation", "created_by", "host_contact"]
    inlines = [PassportEventInline, DeskBookingInline, PassportIntroductionInline]


@admin.register(DeskOffer)
class DeskOfferAdmin(admin.ModelAdmin):
    list_display = ["cluster", "desks", "starts_on", "ends_on", "address"]
    list_filter = ["cluster"]


@admin.register(PassportReport)
class PassportReportAdmin(admin.ModelAdmin):
    list_display = ["passport", "meetings_held", "leads", "created_at"]
    raw_id_fields = ["passport", "author", "matches"]


@admin.register(PassportFollowUp)
class PassportFollowUpAdmin(admin.ModelAdmin):
    list_display = ["passport", "rating", "deals", "created_at"]
    raw_id_fields = ["passport", "author", "matches"]
