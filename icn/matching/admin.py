from __future__ import annotations

from django.contrib import admin

from icn.matching.models import Embedding, MatchEvent, MatchFeedback, MatchRecord


class MatchEventInline(admin.TabularInline):
    model = MatchEvent
    extra = 0
    readonly_fields = ["at", "actor", "from_status", "to_status", "note"]


class MatchFeedbackInline(admin.TabularInline):
    model = MatchFeedback
    extra = 0


@admin.register(MatchRecord)
class MatchRecordAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "source_opportunity", "created_at", "follow_up_due_on"]
    list_filter = ["status"]
    search_fields = ["organisation__name", "target_organisation__name"]
    autocomplete_fields = ["organisation", "target_organisation"]
    raw_id_fields = ["source_opportunity", "solution", "created_by"]
    inlines = [MatchEventInline, MatchFeedbackInline]


@admin.register(Embedding)
class EmbeddingAdmin(admin.ModelAdmin):
    list_display = ["kind", "object_id", "model", "dim", "updated_at"]
    list_filter = ["kind", "model"]
    readonly_fields = ["kind", "object_id", "model", "text_hash", "dim", "updated_at"]
    exclude = ["vector"]
