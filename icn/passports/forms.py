"""Forms of the passport pages: the same fields the API takes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Value, When

from icn.core.countries import country_choices
from icn.core.forms import StyledFormMixin
from icn.directory.models import Cluster, ClusterStatus, Organisation, OrganisationKind, Topic
from icn.matching.models import MatchRecord
from icn.passports import selectors
from icn.passports.models import (
    Assistance,
    DeskOffer,
    Passport,
    PassportFollowUp,
    PassportStatus,
)
from icn.passports.services import may_apply_for
from icn.projects.models import ProjectApplication

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PassportForm(StyledFormMixin, forms.ModelForm):
    """An application: who travels, where to, why, when, and the help wanted."""

    applicant = forms.ChoiceField(label="Who travels")
    host_cluster = forms.ModelChoiceField(
        queryset=Cluster.objects.none(),
        required=False,
        empty_label="Let the secretariat choose",
        label="Host cluster",
        help_text="Or leave it to the secretariat and name a country or region below.",
    )
    target_country = forms.ChoiceField(
        choices=[("", "—"), *country_choices()], required=False, label="Country"
    )
    partner_kinds = forms.MultipleChoiceField(
        choices=[c for c in OrganisationKind.choices if c[0] != OrganisationKind.PARTNER],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Kinds of partners sought",
    )
    assistance = forms.MultipleChoiceField(
        choices=Assistance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Help asked of the host cluster",
    )

    class Meta:
        model = Passport
        fields = [
            "title",
            "purpose",
            "topics",
            "wanted_contacts",
            "partner_kinds",
            "host_cluster",
            "target_country",
            "target_region",
            "starts_on",
            "ends_on",
            "desk_days",
            "assistance",
            "contact_email",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "wanted_contacts": forms.Textarea(attrs={"rows": 2}),
            "topics": forms.SelectMultiple(attrs={"size": 8}),
            "starts_on": DATE,
            "ends_on": DATE,
        }
        labels = {"target_region": "Region", "starts_on": "First day", "ends_on": "Last day"}

    groups = (
        ("The visit", ["applicant", "title", "purpose", "topics"]),
        ("Where", ["host_cluster", "target_country", "target_region"]),
        ("Whom to meet", ["wanted_contacts", "partner_kinds", "assistance"]),
        ("When", ["starts_on", "ends_on", "desk_days", "contact_email"]),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.order_by("kind", "name")  # type: ignore[attr-defined]
        self.fields["topics"].required = False
        clusters = Cluster.objects.filter(status=ClusterStatus.MEMBER).order_by("short_name")
        self.fields["host_cluster"].queryset = clusters  # type: ignore[attr-defined]
        self.fields["contact_email"].required = False
        self.fields["contact_email"].help_text = "By default, yours."
        if self.instance.pk:
            # Who travels does not change; the home cluster stays the same.
            del self.fields["applicant"]
            self.fields["host_cluster"].queryset = clusters.exclude(  # type: ignore[attr-defined]
                pk=self.instance.home_cluster_id
            )
            return
        organisations, managed = may_apply_for(user)
        choices: list[tuple[str, str]] = []
        for organisation in organisations:
            homes = [c for c in organisation.clusters.all() if c.status == ClusterStatus.MEMBER]
            for home in sorted(homes, key=lambda c: c.short_name):
                label = organisation.name if len(homes) == 1 else f"{organisation.name} ({home})"
                choices.append((f"o{organisation.pk}-{home.pk}", label))
        choices += [(f"c{cluster.pk}", f"{cluster} (the cluster itself)") for cluster in managed]
        self.fields["applicant"].choices = choices  # type: ignore[attr-defined]

    @property
    def grouped(self) -> list[tuple[str, list[Any]]]:
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.groups
        ]

    def applicant_parts(self) -> tuple[Organisation | None, Cluster | None]:
        value = self.cleaned_data.get("applicant", "")
        if value.startswith("o"):
            organisation_id, _, cluster_id = value[1:].partition("-")
            return (
                Organisation.objects.get(pk=int(organisation_id)),
                Cluster.objects.get(pk=int(cluster_id)),
            )
        return None, Cluster.objects.get(pk=int(value[1:]))

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("applicant", None)
        data["submit"] = bool(self.data.get("submit"))
        if "applicant" in self.fields:
            data["organisation"], data["home_cluster"] = self.applicant_parts()
        return data


class TransitionForm(StyledFormMixin, forms.Form):
    """A step: which one comes from the button pressed; what it needs comes with it."""

    to = forms.ChoiceField(choices=PassportStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    host_contact = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    starts_on = forms.DateField(required=False, widget=DATE, label="First day")
    ends_on = forms.DateField(required=False, widget=DATE, label="Last day")

    def __init__(self, *args: Any, passport: Passport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        managers = (
            passport.host_cluster.managers.filter(is_active=True)
            if passport.host_cluster is not None
            else get_user_model().objects.none()
        )
        self.fields["host_contact"].queryset = managers  # type: ignore[attr-defined]
        self.fields["host_contact"].empty_label = "Me"  # type: ignore[attr-defined]


class HostForm(StyledFormMixin, forms.Form):
    """The secretariat's choice of host cluster."""

    host_cluster = forms.ModelChoiceField(queryset=Cluster.objects.none(), label="Host cluster")
    note = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, passport: Passport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clusters = Cluster.objects.filter(status=ClusterStatus.MEMBER).exclude(
            pk=passport.home_cluster_id
        )
        # The clusters of the country the applicant named come first.
        here = Case(
            When(country=passport.target_country or "-", then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        clusters = clusters.annotate(here=here).order_by("here", "short_name")
        self.fields["host_cluster"].queryset = clusters  # type: ignore[attr-defined]


class IntroductionForm(StyledFormMixin, forms.Form):
    """An introduction booked by the host cluster."""

    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, passport: Passport, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (  # type: ignore[attr-defined]
            Organisation.objects.visible_to(user)
            .filter(clusters=passport.host_cluster_id)
            .exclude(pk=passport.organisation_id or 0)
            .order_by("name")
        )


class BookingForm(StyledFormMixin, forms.Form):
    """Desks of the host cluster's offer for the visitor."""

    offer = forms.ModelChoiceField(queryset=DeskOffer.objects.none(), label="Desk offer")
    starts_on = forms.DateField(widget=DATE, label="From")
    ends_on = forms.DateField(widget=DATE, label="To")
    desks = forms.IntegerField(min_value=1, max_value=50, initial=1)

    def __init__(self, *args: Any, passport: Passport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = DeskOffer.objects.filter(  # type: ignore[attr-defined]
            cluster=passport.host_cluster_id,
            starts_on__lte=passport.ends_on,
            ends_on__gte=passport.starts_on,
        )
        self.fields["starts_on"].initial = passport.starts_on
        self.fields["ends_on"].initial = passport.ends_on


class ReportForm(StyledFormMixin, forms.Form):
    """The visitor's closing report."""

    meetings_held = forms.IntegerField(min_value=0, max_value=500, label="Meetings held")
    leads = forms.IntegerField(
        min_value=0,
        max_value=500,
        label="Business leads",
        help_text="Possible customers or partners to follow up.",
    )
    summary = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Whom you met and what came of it",
    )
    next_steps = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    matches = forms.ModelMultipleChoiceField(
        queryset=MatchRecord.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Matches that came of the visit",
    )

    def __init__(self, *args: Any, passport: Passport, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["matches"].queryset = selectors.linkable_matches(  # type: ignore[attr-defined]
            viewer=user, passport=passport
        )


class FollowUpForm(StyledFormMixin, forms.Form):
    """What came of the visit, months later."""

    rating = forms.TypedChoiceField(
        choices=PassportFollowUp.RATINGS, coerce=int, widget=forms.RadioSelect, label="Rating"
    )
    deals = forms.IntegerField(
        min_value=0,
        max_value=500,
        initial=0,
        help_text="Contracts, sales or agreements that came of the visit.",
    )
    projects = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Projects started with organisations you met.",
    )
    matches = forms.ModelMultipleChoiceField(
        queryset=MatchRecord.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Matches that came of the visit",
    )
    applications = forms.ModelMultipleChoiceField(
        queryset=ProjectApplication.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Project applications that came of the visit",
    )
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, passport: Passport, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["matches"].queryset = selectors.linkable_matches(  # type: ignore[attr-defined]
            viewer=user, passport=passport
        )
        self.fields["applications"].queryset = (  # type: ignore[attr-defined]
            selectors.linkable_applications(viewer=user, passport=passport)
        )


class DeskOfferForm(StyledFormMixin, forms.ModelForm):
    """Desks a cluster offers visitors."""

    class Meta:
        model = DeskOffer
        fields = ["cluster", "desks", "starts_on", "ends_on", "address", "notes"]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"starts_on": "From", "ends_on": "To"}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = selectors.managed_clusters(  # type: ignore[attr-defined]
            viewer=user
        )
        if self.instance.pk:
            self.fields["cluster"].disabled = True


class StatisticsFilterForm(StyledFormMixin, forms.Form):
    """The statistics' side, cluster and year."""

    side = forms.ChoiceField(
        choices=[("host", "By host cluster"), ("home", "By home cluster")], required=False
    )
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
