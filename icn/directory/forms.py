from __future__ import annotations

from typing import Any

from django import forms
from pydantic import ValidationError as PydanticValidationError

from icn.core.countries import country_choices
from icn.core.forms import StyledFormMixin
from icn.core.visibility import Visibility
from icn.directory.filters import OrganisationFilter
from icn.directory.models import (
    Cluster,
    ClusterApplication,
    ClusterStatus,
    Organisation,
    OrganisationKind,
    Partnership,
    Person,
    Topic,
)
from icn.directory.sectors import parse_nace_codes

COUNTRY_CHOICES = [("", "Any country"), *country_choices()]


class OrganisationFilterForm(StyledFormMixin, forms.Form):
    """The organisation list's filter bar; its values are parsed by `OrganisationFilter`."""

    q = forms.CharField(required=False, label="Search")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *OrganisationKind.choices])
    country = forms.ChoiceField(required=False, choices=COUNTRY_CHOICES)
    cluster = forms.ChoiceField(required=False)
    topic = forms.ChoiceField(required=False)
    visibility = forms.ChoiceField(
        required=False, choices=[("", "Any visibility"), *Visibility.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].choices = [  # type: ignore[attr-defined]
            ("", "Any cluster"),
            *Cluster.objects.exclude(status=ClusterStatus.APPLICANT).values_list(
                "slug", "short_name"
            ),
        ]
        self.fields["topic"].choices = [  # type: ignore[attr-defined]
            ("", "Any topic"),
            *((t.slug, str(t)) for t in Topic.objects.all()),
        ]

    def to_filter(self) -> OrganisationFilter:
        """The filter as typed; a value that is not a known choice still filters (to nothing)."""
        raw = {name: self.data.get(name) for name in self.fields} if self.is_bound else {}
        try:
            return OrganisationFilter.model_validate(raw)
        except PydanticValidationError:
            self.is_valid()
            return OrganisationFilter(**{k: v for k, v in self.cleaned_data.items() if v})


class NaceCodesField(forms.CharField):
    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return parse_nace_codes(super().to_python(value))


class OrganisationForm(StyledFormMixin, forms.ModelForm):
    country = forms.ChoiceField(choices=country_choices())
    nace_codes = NaceCodesField(
        required=False,
        label="Economic sectors (NACE codes)",
        help_text="Separated by commas, e.g. 35.12, 71.12.",
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "country",
            "city",
            "clusters",
            "description",
            "topics",
            "nace_codes",
            "website",
            "size",
            "visibility",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "clusters": forms.SelectMultiple(attrs={"size": 6}),
            "topics": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args: Any, clusters: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if clusters is not None:
            self.fields["clusters"].queryset = clusters  # type: ignore[attr-defined]


class PersonForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "email", "job_title", "topics", "key_contact_for", "listed", "visibility"]
        widgets = {"topics": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args: Any, key_contact_clusters: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if key_contact_clusters is None:
            del self.fields["key_contact_for"]
        else:
            self.fields["key_contact_for"].queryset = key_contact_clusters  # type: ignore[attr-defined]


class PartnershipForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Partnership
        fields = [
            "partner",
            "title",
            "scope",
            "starts_on",
            "ends_on",
            "contact",
            "clusters",
            "visibility",
        ]
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 3}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.PARTNER
        )
        self.fields["contact"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            organisation__kind=OrganisationKind.PARTNER
        )


class ClusterForm(StyledFormMixin, forms.ModelForm):
    country = forms.ChoiceField(choices=country_choices())

    class Meta:
        model = Cluster
        fields = ["name", "short_name", "country", "city", "website", "description", "focus_topics"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "focus_topics": forms.SelectMultiple(attrs={"size": 8}),
        }


class ClusterApplicationForm(StyledFormMixin, forms.ModelForm):
    name = forms.CharField(max_length=200, label="Cluster name")
    short_name = forms.CharField(max_length=60, help_text="Used in links, e.g. 'Nordic Edge'.")
    country = forms.ChoiceField(choices=country_choices())
    city = forms.CharField(max_length=120)
    website = forms.URLField(required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    class Meta:
        model = ClusterApplication
        fields = [
            "contact_name",
            "contact_email",
            "member_count",
            "triple_helix",
            "track_record",
            "international_stakeholders",
            "sector_breadth",
            "international_strategy",
            "resources_committed",
        ]
        labels = dict((name, label) for name, label in ClusterApplication.CRITERIA)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3}) for name, _ in ClusterApplication.CRITERIA
        }

    field_order = ["name", "short_name", "country", "city", "website", "description"]


class ApplicationDecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    board_decision_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Board decision date"
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8) or XLSX, with a header row.")
    cluster = forms.ModelChoiceField(queryset=Cluster.objects.none())

    def __init__(self, *args: Any, clusters: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters  # type: ignore[attr-defined]
