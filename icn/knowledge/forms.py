"""Forms of the library's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from icn.core.forms import StyledFormMixin
from icn.core.visibility import Visibility, get_scope
from icn.directory.models import Cluster, Organisation
from icn.knowledge.filters import DocumentFilter
from icn.knowledge.models import Collection, KnowledgeDocument

DOCUMENT_FIELDS = [
    "title",
    "summary",
    "authors",
    "kind",
    "organisation",
    "cluster",
    "topics",
    "sdgs",
    "language",
    "licence",
    "published_on",
    "visibility",
]


class DocumentForm(StyledFormMixin, forms.ModelForm):
    """A document's description; on creation also its file or link."""

    file = forms.FileField(required=False, help_text="PDF, DOCX, XLSX, PPTX, Markdown or text.")
    url = forms.URLField(required=False, label="Or a link", max_length=500)

    class Meta:
        model = KnowledgeDocument
        fields = DOCUMENT_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "published_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, user: Any = None, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        if not scope.is_secretariat:
            # The document's own organisation and cluster stay choosable for everyone who may
            # edit it (a cluster manager editing a member's document).
            organisation: Any = self.fields["organisation"]
            organisation.queryset = Organisation.objects.filter(
                Q(pk__in=scope.organisation_ids) | Q(pk=self.instance.organisation_id)
            )
            cluster: Any = self.fields["cluster"]
            cluster.queryset = Cluster.objects.filter(
                Q(pk__in=scope.cluster_ids) | Q(pk=self.instance.cluster_id)
            )
            if creating and not self.is_bound:
                # The owner most people mean: their one organisation, or their one cluster.
                if len(scope.organisation_ids) == 1:
                    self.initial.setdefault("organisation", next(iter(scope.organisation_ids)))
                elif len(scope.managed_cluster_ids) == 1:
                    self.initial.setdefault("cluster", next(iter(scope.managed_cluster_ids)))
        if not creating:
            del self.fields["file"], self.fields["url"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "file" in self.fields and bool(data.get("file")) == bool(data.get("url")):
            self.add_error("file", "Upload a file or give a link (one of the two).")
        return data


class VersionForm(StyledFormMixin, forms.Form):
    file = forms.FileField(required=False)
    url = forms.URLField(required=False, label="Or a link", max_length=500)


class CollectionForm(StyledFormMixin, forms.ModelForm):
    """A collection's description; cluster managers curate for the clusters they manage."""

    class Meta:
        model = Collection
        fields = ["title", "description", "cluster", "visibility"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        visibility: Any = self.fields["visibility"]
        visibility.choices = [
            (value, label) for value, label in Visibility.choices if value != Visibility.PRIVATE
        ]
        cluster: Any = self.fields["cluster"]
        if scope.is_secretariat:
            cluster.empty_label = "The whole network (the secretariat)"
        else:
            cluster.queryset = Cluster.objects.filter(pk__in=scope.managed_cluster_ids)
            cluster.required = True
            if len(scope.managed_cluster_ids) == 1 and not self.is_bound:
                self.initial.setdefault("cluster", next(iter(scope.managed_cluster_ids)))


class CollectionItemForm(StyledFormMixin, forms.Form):
    """Add, remove or move one document of a collection."""

    ACTIONS = {"add": 0, "remove": 0, "up": -1, "down": 1}

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    document = forms.SlugField()


class SearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(required=False, label="Search")
    kind = forms.CharField(required=False, widget=forms.HiddenInput)
    topic = forms.CharField(required=False, widget=forms.HiddenInput)
    cluster = forms.CharField(required=False, widget=forms.HiddenInput)
    year = forms.CharField(required=False, widget=forms.HiddenInput)
    language = forms.CharField(required=False, widget=forms.HiddenInput)

    def to_filter(self) -> DocumentFilter:
        data = self.data if self.is_bound else {}
        values = {name: data.get(name) or None for name in self.fields}
        try:
            return DocumentFilter.model_validate(values)
        except ValueError:
            return DocumentFilter(q=values["q"])
