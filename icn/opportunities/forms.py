from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from icn.core.countries import country_choices
from icn.core.forms import StyledFormMixin
from icn.core.visibility import Visibility, get_scope
from icn.directory.models import Cluster, Organisation, OrganisationKind, Topic
from icn.matching.country_groups import GROUP_CHOICES
from icn.matching.eligibility import to_day
from icn.opportunities.filters import OpportunityFilter
from icn.opportunities.models import (
    Opportunity,
    OpportunityKind,
    Solution,
    SolutionLabel,
    eligibility_problems,
)
from icn.opportunities.services import AWARDED_LABELS

COUNTRIES = [("", "—"), *country_choices()]
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OpportunityFilterForm(StyledFormMixin, forms.Form):
    """The opportunity list's filter bar; its values are parsed by `OpportunityFilter`."""

    q = forms.CharField(required=False, label="Search")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *OpportunityKind.choices])
    topic = forms.ChoiceField(required=False)
    country = forms.ChoiceField(required=False, choices=[("", "Any country"), *country_choices()])
    cluster = forms.ChoiceField(required=False)
    deadline_before = forms.DateField(
        required=False, label="Deadline before", widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[("", "Best first"), ("deadline", "Deadline"), ("newest", "Newest")],
    )
    include_closed = forms.BooleanField(required=False, label="Include closed")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [  # type: ignore[attr-defined]
            ("", "Any topic"),
            *((t.slug, str(t)) for t in Topic.objects.all()),
        ]
        self.fields["cluster"].choices = [  # type: ignore[attr-defined]
            ("", "Any cluster"),
            *Cluster.objects.exclude(status="applicant").values_list("slug", "short_name"),
        ]

    def to_filter(self) -> OpportunityFilter:
        raw = {name: self.data.get(name) for name in self.fields} if self.is_bound else {}
        try:
            return OpportunityFilter.model_validate(raw)
        except ValueError:
            self.is_valid()
            valid = {k: v for k, v in self.cleaned_data.items() if v}
            return OpportunityFilter.model_validate(valid)


def _required_kinds_text(value: dict[str, int]) -> str:
    return ", ".join(f"{kind}: {count}" for kind, count in value.items())


def _stages_text(value: list[dict[str, str]]) -> str:
    return "\n".join(f"{stage.get('name', '')}: {stage.get('deadline', '')}" for stage in value)


# The eligibility rules the form edits as fields, kept together as the call's `eligibility`.
RULE_FIELDS = (
    "eligible_countries",
    "eligible_country_groups",
    "eligible_kinds",
    "min_partners",
    "max_partners",
    "min_countries",
    "required_kinds",
    "coordinator_kinds",
    "coordinator_countries",
    "stages",
)


class OpportunityForm(StyledFormMixin, forms.ModelForm):
    """Create or edit an item; the eligibility rules of a call are plain fields here."""

    country = forms.ChoiceField(choices=COUNTRIES, required=False)
    eligible_countries = forms.MultipleChoiceField(
        choices=country_choices(),
        required=False,
        help_text="Leave empty when every country is eligible.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    eligible_country_groups = forms.MultipleChoiceField(
        choices=GROUP_CHOICES,
        required=False,
        label="Eligible groups of countries",
        help_text="Together with the countries above: a country in either is eligible.",
        widget=forms.CheckboxSelectMultiple,
    )
    eligible_kinds = forms.MultipleChoiceField(
        choices=OrganisationKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    min_partners = forms.IntegerField(required=False, min_value=0)
    max_partners = forms.IntegerField(required=False, min_value=0)
    min_countries = forms.IntegerField(required=False, min_value=0, label="Minimum countries")
    required_kinds = forms.CharField(
        required=False,
        help_text="Kinds a consortium must include, with counts, e.g. “research: 1, sme: 2”.",
    )
    coordinator_kinds = forms.MultipleChoiceField(
        choices=OrganisationKind.choices,
        required=False,
        label="The coordinator is",
        help_text="Leave empty when any partner may coordinate.",
        widget=forms.CheckboxSelectMultiple,
    )
    coordinator_countries = forms.MultipleChoiceField(
        choices=country_choices(),
        required=False,
        label="The coordinator is from",
        help_text="Leave empty when the coordinator may be from any eligible country.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    stages = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Stages before the deadline, one a line, e.g. “Outline: 2027-02-01”.",
    )
    publish = forms.BooleanField(required=False, label="Publish now")

    class Meta:
        model = Opportunity
        fields = [
            "kind",
            "title",
            "summary",
            "body",
            "author_organisation",
            "cluster",
            "visibility",
            "contact_email",
            "topics",
            "country",
            "region",
            "location",
            "deadline",
            "source_url",
            "budget_min",
            "budget_max",
            "currency",
            "trl_min",
            "trl_max",
            "funder",
            "programme",
            "co_funding_rate",
            "buyer",
            "starts_at",
            "ends_at",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 6}),
            "topics": forms.SelectMultiple(attrs={"size": 8}),
            "deadline": DATETIME,
            "starts_at": DATETIME,
            "ends_at": DATETIME,
        }
        labels = {"trl_min": "Readiness wanted, from (TRL)", "trl_max": "Readiness wanted, to"}

    GROUPS = [
        ("What", ["kind", "title", "summary", "body", "topics"]),
        ("Who and who sees it", ["author_organisation", "cluster", "visibility", "contact_email"]),
        ("Where and when", ["country", "region", "location", "deadline", "source_url"]),
        (
            "Challenges and tenders",
            ["budget_min", "budget_max", "currency", "trl_min", "trl_max", "buyer"],
        ),
        (
            "Funding calls",
            [
                "funder",
                "programme",
                "co_funding_rate",
                *RULE_FIELDS,
            ],
        ),
        ("Events", ["starts_at", "ends_at"]),
    ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        if scope.is_secretariat:
            organisations = Organisation.objects.all()
            clusters = Cluster.objects.all()
        else:
            # The item's own organisation and cluster stay choosable for everyone who may edit
            # it (a cluster manager editing a member's item): otherwise saving would drop them.
            organisations = Organisation.objects.filter(
                Q(pk__in=scope.organisation_ids) | Q(pk=self.instance.author_organisation_id)
            )
            clusters = Cluster.objects.filter(
                Q(pk__in=scope.cluster_ids) | Q(pk=self.instance.cluster_id)
            )
        self.fields["author_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["author_organisation"].required = not scope.is_cluster_manager
        self.fields["author_organisation"].help_text = (
            "The organisation the item is posted for."
            + (
                " Cluster managers may leave it empty to post for a cluster."
                if scope.is_cluster_manager
                else ""
            )
        )
        self.fields["cluster"].queryset = clusters  # type: ignore[attr-defined]
        self.fields["cluster"].help_text = "Empty: the organisation's first cluster."
        if organisations.count() == 1 and not self.instance.pk:
            self.fields["author_organisation"].initial = organisations.first()
        eligibility = self.instance.eligibility or {}
        for key in RULE_FIELDS:
            self.fields[key].initial = eligibility.get(key)
        self.fields["required_kinds"].initial = _required_kinds_text(
            eligibility.get("required_kinds", {})
        )
        self.fields["stages"].initial = _stages_text(eligibility.get("stages", []))
        if self.instance.pk:
            del self.fields["publish"]

    def groups(self) -> list[tuple[str, list[Any]]]:
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def clean_required_kinds(self) -> dict[str, int]:
        text = self.cleaned_data.get("required_kinds") or ""
        result: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            kind, _, count = part.partition(":")
            kind = kind.strip().lower().replace(" ", "_")
            if kind not in OrganisationKind.values:
                raise forms.ValidationError(
                    f"Unknown kind “{kind}”. Use: {', '.join(OrganisationKind.values)}."
                )
            try:
                result[kind] = int(count.strip() or 1)
            except ValueError:
                raise forms.ValidationError(f"“{count.strip()}” is not a count.") from None
        return result

    def clean_stages(self) -> list[dict[str, str]]:
        text = self.cleaned_data.get("stages") or ""
        result = []
        for line in filter(None, (line.strip() for line in text.splitlines())):
            name, _, day = line.rpartition(":")
            parsed = to_day(day.strip())
            if not name.strip() or parsed is None:
                raise forms.ValidationError(
                    f"“{line}” is not a stage: write its name, a colon and a date, "
                    "e.g. “Outline: 2027-02-01”."
                )
            result.append({"name": name.strip(), "deadline": parsed.isoformat()})
        return result

    def rules(self) -> dict[str, Any]:
        """The eligibility rules the fields set, as the call keeps them."""
        data = self.cleaned_data
        rules = {key: data.get(key) for key in RULE_FIELDS if key in data}
        return {k: v for k, v in rules.items() if v not in (None, "", [], {})}

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        # Rules no consortium could meet are shown next to the field they concern.
        for key, message in eligibility_problems(self.rules()):
            if key in self.fields and key not in self.errors:
                self.add_error(key, message)
            elif key not in self.fields:
                self.add_error(None, message)
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it: eligibility gathered into one rule set."""
        data = dict(self.cleaned_data)
        rules = self.rules()
        for key in RULE_FIELDS:
            data.pop(key, None)
        data["eligibility"] = rules
        data["country"] = data.get("country") or ""
        return data


class InterestForm(StyledFormMixin, forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Sent to the item's contact with your name and e-mail.",
    )


class CommentForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, label="Comment"
    )


class ReshareForm(StyledFormMixin, forms.Form):
    cluster = forms.ModelChoiceField(queryset=Cluster.objects.none())
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        self.fields["cluster"].queryset = (  # type: ignore[attr-defined]
            Cluster.objects.all()
            if scope.is_secretariat
            else Cluster.objects.filter(pk__in=scope.managed_cluster_ids)
        )


class SolutionForm(StyledFormMixin, forms.ModelForm):
    markets = forms.MultipleChoiceField(
        choices=country_choices(), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    labels = forms.MultipleChoiceField(
        choices=SolutionLabel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Solution
        fields = [
            "organisation",
            "title",
            "description",
            "topics",
            "readiness_level",
            "markets",
            "references",
            "labels",
            "visibility",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "references": forms.Textarea(attrs={"rows": 3}),
            "topics": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        # The solution's own organisation stays choosable for everyone who may edit it.
        self.fields["organisation"].queryset = (  # type: ignore[attr-defined]
            Organisation.objects.all()
            if scope.is_secretariat
            else Organisation.objects.filter(
                Q(pk__in=scope.organisation_ids) | Q(pk=self.instance.organisation_id)
            )
        )
        self.fields["visibility"].initial = Visibility.NETWORK
        if not scope.is_secretariat:
            # Awards are given by the secretariat; a member only says it is ready for a pilot.
            self.fields["labels"].choices = [  # type: ignore[attr-defined]
                (SolutionLabel.PILOT_READY.value, SolutionLabel.PILOT_READY.label)
            ]
            self.kept_awards = [
                label for label in self.instance.labels or [] if label in AWARDED_LABELS
            ]

    kept_awards: list[str] = []

    def clean_labels(self) -> list[str]:
        return [*self.kept_awards, *self.cleaned_data.get("labels", [])]
