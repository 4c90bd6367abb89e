"""Forms of the audit pages."""

from __future__ import annotations

from typing import Any

from django import forms

from icn.audit.selectors import AuditFilter, record_types
from icn.core.forms import StyledFormMixin

ACTIONS = [("", "Any write"), ("0", "Created"), ("1", "Changed"), ("2", "Deleted")]


class AuditSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(required=False, label="Words", help_text="In the record or its values.")
    actor = forms.CharField(required=False, label="Who (e-mail)")
    record = forms.ChoiceField(required=False, label="Record")
    action = forms.ChoiceField(required=False, choices=ACTIONS, label="Write")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        record: Any = self.fields["record"]
        record.choices = [("", "Any record"), *record_types()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end comes before the start.")
        return data

    def to_filter(self) -> AuditFilter:
        if not self.is_bound or not self.is_valid():
            return AuditFilter()
        data = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        return AuditFilter.model_validate(data)


class PersonLookupForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail address of the person")


class ErasureForm(StyledFormMixin, forms.Form):
    """Erasing is final: the address is typed again to confirm."""

    email = forms.EmailField(widget=forms.HiddenInput)
    confirm = forms.EmailField(label="Type the address again to erase")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("email", "").lower() != data.get("confirm", "").lower():
            self.add_error("confirm", "The address does not match.")
        return data
