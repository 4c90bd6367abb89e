from __future__ import annotations

from django.contrib import admin

from icn.directory.models import (
    Cluster,
    ClusterApplication,
    Organisation,
    Partnership,
    Person,
    Topic,
)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "country", "city", "status", "joined_on"]
    list_filter = ["status", "country"]
    search_fields = ["name", "short_name", "city"]
    filter_horizontal = ["focus_topics", "managers"]


@admin.register(ClusterApplication)
class ClusterApplicationAdmin(admin.ModelAdmin):
    list_display = ["cluster", "contact_name", "status", "created_at", "board_decision_on"]
    list_filter = ["status"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "visibility", "created_at"]
    list_filter = ["kind", "visibility", "clusters"]
    search_fields = ["name", "website", "city"]
    filter_horizontal = ["clusters", "topics"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "job_title", "listed", "visibility"]
    list_filter = ["listed", "visibility"]
    search_fields = ["name", "email", "organisation__name"]
    autocomplete_fields = ["organisation", "user"]
    filter_horizontal = ["key_contact_for", "topics"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["title", "partner", "starts_on", "ends_on", "visibility"]
    autocomplete_fields = ["partner", "contact"]
