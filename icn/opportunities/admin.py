from __future__ import annotations

from django.contrib import admin

from icn.opportunities.models import (
    AlertSettings,
    Comment,
    Interest,
    Opportunity,
    Reshare,
    SavedSearch,
    Solution,
)


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "visibility", "author_organisation", "deadline"]
    list_filter = ["kind", "status", "visibility"]
    search_fields = ["title", "summary", "ocid", "buyer"]
    autocomplete_fields = ["author_organisation"]
    filter_horizontal = ["topics"]


@admin.register(Solution)
class SolutionAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "readiness_level", "visibility"]
    search_fields = ["title", "organisation__name"]
    autocomplete_fields = ["organisation"]


admin.site.register([Comment, Interest, Reshare, AlertSettings, SavedSearch])
