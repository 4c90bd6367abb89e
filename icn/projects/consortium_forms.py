"""The consortium builder's form: who leads, who must and must not be in, how long to search."""

from __future__ import annotations

from typing import Any

from django import forms

from icn.core.forms import StyledFormMixin
from icn.directory.models import Organisation
from icn.opportunities.models import Opportunity
from icn.projects import consortia
from icn.projects.rules import call_rules


class ConsortiumForm(StyledFormMixin, forms.Form):
    """What the builder needs besides the call."""

    lead = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Lead and coordinator",
        help_text="An organisation you act for or, as a cluster manager, one of your members.",
    )
    must = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Partners who must be in",
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    must_not = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Partners who must not be in",
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    size = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=consortia.MAX_SIZE,
        label="At most this many partners",
    )
    alternatives = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=consortia.MAX_ALTERNATIVES,
        initial=3,
        label="Alternatives",
    )
    time_limit = forms.FloatField(
        required=False,
        min_value=consortia.MIN_TIME_LIMIT,
        max_value=consortia.MAX_TIME_LIMIT,
        initial=consortia.DEFAULT_TIME_LIMIT,
        label="Time limit (seconds)",
        help_text="The search stops here and says whether its best answer is proven optimal.",
    )

    def __init__(self, *args: Any, viewer: Any, call: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leads = consortia.lead_choices(viewer=viewer)
        partners = consortia.partner_choices(viewer=viewer)
        self.fields["lead"].queryset = leads  # type: ignore[attr-defined]
        self.fields["must"].queryset = partners  # type: ignore[attr-defined]
        self.fields["must_not"].queryset = partners  # type: ignore[attr-defined]
        self.fields[
            "size"
        ].help_text = f"Empty: {consortia.default_size(call_rules(call))}, from the call's rules."

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        wanted = set(data.get("must") or [])
        if data.get("lead") is not None:
            wanted.add(data["lead"])
        both = wanted & set(data.get("must_not") or [])
        if both:
            names = ", ".join(sorted(o.name for o in both))
            self.add_error("must_not", f"Both wanted and excluded: {names}.")
        return data

    def options(self) -> dict[str, Any]:
        """The builder's arguments, with defaults for what was left empty."""
        data = self.cleaned_data
        return {
            "lead": data["lead"],
            "must": list(data.get("must") or []),
            "must_not": list(data.get("must_not") or []),
            "size": data.get("size"),
            "alternatives": data.get("alternatives") or 3,
            "time_limit": data.get("time_limit") or consortia.DEFAULT_TIME_LIMIT,
        }
