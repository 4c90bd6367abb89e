from __future__ import annotations

from django.contrib import admin

from icn.knowledge.models import Collection, CollectionItem, DocumentVersion, KnowledgeDocument


class DocumentVersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = ["number", "file", "url", "name", "size", "extraction_status", "extraction_error"]
    readonly_fields = ["size", "extraction_status", "extraction_error"]


@admin.register(KnowledgeDocument)
class KnowledgeDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "organisation", "cluster", "visibility", "created_at"]
    list_filter = ["kind", "visibility", "language"]
    search_fields = ["title", "summary", "authors"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics", "sdgs"]
    inlines = [DocumentVersionInline]


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    extra = 0
    autocomplete_fields = ["document"]


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["title", "cluster", "visibility"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CollectionItemInline]
