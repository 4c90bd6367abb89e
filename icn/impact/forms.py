"""The dashboards' period form and the yearly report's form: the same checks as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from icn.core.forms import StyledFormMixin
from icn.impact.selectors import PERIODS, PeriodChoice, check_periods, default_periods, this_year


class PeriodForm(StyledFormMixin, forms.Form):
    """Years or quarters, from one year to another (by default the last five years)."""

    period = forms.ChoiceField(choices=PERIODS, label="By")
    start = forms.IntegerField(label="From", widget=forms.NumberInput(attrs={"step": 1}))
    end = forms.IntegerField(label="To", widget=forms.NumberInput(attrs={"step": 1}))

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        default = default_periods()
        if data is not None and not any(data.get(name) for name in ("period", "start", "end")):
            data = None  # no parameters: the default, not three "required" errors
        if data is not None:
            # A partial query fills in the rest from the default.
            data = {
                "period": data.get("period") or default.period,
                "start": data.get("start") or default.start,
                "end": data.get("end") or default.end,
            }
        super().__init__(data, **kwargs)
        self.initial = {"period": default.period, "start": default.start, "end": default.end}
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update({"min": 2000, "max": this_year()})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                cleaned["choice"] = check_periods(
                    period=cleaned["period"], start=cleaned["start"], end=cleaned["end"]
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned

    def choice(self) -> PeriodChoice:
        """The periods asked for, or the default when the form is empty or not valid."""
        if self.is_bound and self.is_valid():
            chosen: PeriodChoice = self.cleaned_data["choice"]
            return chosen
        return default_periods()


class ReportForm(StyledFormMixin, forms.Form):
    """The year of a yearly activity report, and optionally one cluster."""

    year = forms.IntegerField()
    cluster = forms.SlugField(required=False)

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        try:
            check_periods(period="year", start=year, end=year)
        except ValidationError as exc:
            raise ValidationError(sorted(set(exc.messages))) from exc
        return year
