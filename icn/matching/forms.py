"""Forms of matchmaking's pages: the same fields the API takes."""

from __future__ import annotations

from typing import Any

from django import forms

from icn.core.forms import StyledFormMixin
from icn.matching.models import MatchFeedback, MatchStatus


class SuggestForm(forms.Form):
    """What a "Suggest an introduction" button sends: records named by slug."""

    source = forms.SlugField(required=False, max_length=320)
    solution = forms.SlugField(required=False, max_length=320)
    organisation = forms.SlugField(required=False, max_length=220)
    target = forms.SlugField(required=False, max_length=220)
    next = forms.CharField(required=False, max_length=500)


class TransitionForm(StyledFormMixin, forms.Form):
    """Move a match on: the stage comes from the button pressed, the note is optional."""

    to = forms.ChoiceField(choices=MatchStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What happened; needed when closing the match.",
    )


class FeedbackForm(StyledFormMixin, forms.Form):
    """A side's rating of a match, with a comment."""

    rating = forms.TypedChoiceField(
        choices=MatchFeedback.RATINGS, coerce=int, widget=forms.RadioSelect, label="Rating"
    )
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FunnelFilterForm(StyledFormMixin, forms.Form):
    """The funnel's cluster and year."""

    cluster = forms.SlugField(required=False)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, clusters: Any = (), years: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].widget = forms.Select(
            choices=[("", "All clusters"), *((c.slug, str(c)) for c in clusters)],
            attrs={"class": "form-select"},
        )
        self.fields["year"].widget = forms.Select(
            choices=[("", "All years"), *((y, y) for y in years)],
            attrs={"class": "form-select"},
        )
