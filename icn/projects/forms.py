"""Forms of the application pages: the same fields the API takes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify

from icn.accounts.forms import InvitationAcceptForm
from icn.accounts.models import User
from icn.core.countries import country_choices
from icn.core.forms import StyledFormMixin
from icn.directory.models import Organisation, OrganisationKind
from icn.knowledge.models import KnowledgeDocument
from icn.opportunities.models import Opportunity
from icn.projects.models import (
    ApplicationStatus,
    ConsortiumMember,
    MemberStatus,
    SectionStatus,
    WorkspaceDocumentKind,
)
from icn.projects.programmes import ProgrammeTemplate
from icn.projects.services.seeding import SEED_INTO_GUIDANCE, SEED_INTO_TEXT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "min_value": 0, "required": False}


class ApplicationFilterForm(StyledFormMixin, forms.Form):
    """The application list's filters."""

    q = forms.CharField(required=False, label="Search", max_length=200)
    status = forms.ChoiceField(required=False)
    call = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, calls: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", "Every stage"),
            ("active", "Not final"),
            *ApplicationStatus.choices,
        ]
        self.fields["call"].choices = [  # type: ignore[attr-defined]
            ("", "Every call"),
            *((c.slug, str(c)) for c in calls),
        ]

    def values(self) -> dict[str, str]:
        """The filters that are valid; an unknown value is ignored, not an error page."""
        if not self.is_bound:
            return {"q": "", "status": "", "call": ""}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: str(data.get(name) or "") for name in ("q", "status", "call")}


class ApplicationCreateForm(StyledFormMixin, forms.Form):
    """A new application: the call, the lead, the partners (all may come prefilled from the
    consortium builder) and the project's name."""

    call = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(),
        to_field_name="slug",
        empty_label="Choose an open funding call",
        help_text="Open funding calls you can see.",
    )
    lead = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        empty_label="Choose the coordinating organisation",
        label="Lead organisation",
        help_text="The coordinator: an organisation you act for or, as a cluster manager, manage.",
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Organisations of the network to ask into the consortium. Partners from "
        "outside the network are invited from the application's page.",
    )
    title = forms.CharField(max_length=300)
    acronym = forms.CharField(max_length=30, required=False)
    summary = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self, *args: Any, calls: Any = None, leads: Any = None, organisations: Any = None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["call"].queryset = calls  # type: ignore[attr-defined]
        self.fields["lead"].queryset = leads  # type: ignore[attr-defined]
        self.fields["partners"].queryset = organisations  # type: ignore[attr-defined]


class ApplicationEditForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=300)
    acronym = forms.CharField(max_length=30, required=False)
    summary = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class TransitionForm(StyledFormMixin, forms.Form):
    """A step on: the stage comes from the button; a result brings its amount or scores."""

    to = forms.ChoiceField(choices=ApplicationStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    amount = forms.DecimalField(label="Amount granted", **MONEY)
    comments = forms.CharField(
        required=False,
        max_length=10000,
        label="Evaluators' comments",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, template: ProgrammeTemplate | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.criteria: list[tuple[str, str]] = []
        if template is not None:
            for criterion in template.criteria:
                name = f"score_{slugify(criterion).replace('-', '_')}"
                self.fields[name] = forms.DecimalField(
                    label=criterion,
                    required=False,
                    min_value=0,
                    max_value=template.max_score,
                    decimal_places=2,
                    widget=forms.NumberInput(attrs={"step": "0.5", "class": "form-control"}),
                )
                self.criteria.append((name, criterion))

    def score_fields(self) -> list[Any]:
        return [self[name] for name, _ in self.criteria]

    def scores(self) -> dict[str, float]:
        data = self.cleaned_data
        return {
            criterion: float(data[name])
            for name, criterion in self.criteria
            if data.get(name) is not None
        }


class MemberAddForm(StyledFormMixin, forms.Form):
    """A partner: an organisation of the network, or one from outside it."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="An organisation of the network…",
    )
    name = forms.CharField(required=False, max_length=200, label="Or a partner from outside")
    kind = forms.ChoiceField(
        required=False, choices=[("", "Kind of organisation"), *OrganisationKind.choices]
    )
    country = forms.ChoiceField(required=False, choices=[("", "Country"), *country_choices()])
    email = forms.EmailField(required=False, label="Contact e-mail")
    role = forms.CharField(required=False, max_length=300, help_text="What the partner does.")
    invite = forms.BooleanField(required=False, initial=True, label="E-mail an invitation now")

    def __init__(self, *args: Any, organisations: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("organisation") and not data.get("name"):
            raise forms.ValidationError("Choose an organisation or name a partner from outside.")
        if data.get("invite") and not data.get("email") and not data.get("organisation"):
            self.add_error("email", "Give the address to send the invitation to.")
        return data


class MemberForm(StyledFormMixin, forms.Form):
    role = forms.CharField(required=False, max_length=300)
    email = forms.EmailField(required=False, label="Contact e-mail")
    status = forms.ChoiceField(choices=MemberStatus.choices)


class BudgetForm(StyledFormMixin, forms.Form):
    costs = forms.DecimalField(**MONEY)
    requested = forms.DecimalField(label="Funding requested", **MONEY)


class SectionForm(StyledFormMixin, forms.Form):
    """A section's text and the version it was written on."""

    text = forms.CharField(
        required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 18})
    )
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class SectionSettingsForm(StyledFormMixin, forms.Form):
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody yet"
    )
    status = forms.ChoiceField(choices=SectionStatus.choices)

    def __init__(self, *args: Any, people: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]


class SeedForm(StyledFormMixin, forms.Form):
    """Seed the sections from a template of the knowledge library."""

    document = forms.ModelChoiceField(
        queryset=KnowledgeDocument.objects.none(), label="Library template", empty_label=None
    )
    into = forms.ChoiceField(
        choices=[
            (SEED_INTO_TEXT, "as a first draft of each section"),
            (SEED_INTO_GUIDANCE, "as guidance beside each section"),
        ],
        initial=SEED_INTO_TEXT,
        label="Use the template's text",
    )

    def __init__(self, *args: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        document: Any = self.fields["document"]
        document.queryset = templates


class TaskForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=300, label="Task")
    due_on = forms.DateField(required=False, label="Due on", widget=DATE)
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody yet"
    )

    def __init__(self, *args: Any, people: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["assignee"].queryset = people  # type: ignore[attr-defined]


class DocumentForm(StyledFormMixin, forms.Form):
    file = forms.FileField()
    kind = forms.ChoiceField(
        choices=WorkspaceDocumentKind.choices, initial=WorkspaceDocumentKind.LETTER_OF_SUPPORT
    )
    member = forms.ModelChoiceField(
        queryset=ConsortiumMember.objects.none(),
        required=False,
        label="From or about",
        empty_label="The whole consortium",
    )

    def __init__(self, *args: Any, members: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["member"].label_from_instance = lambda m: m.name  # type: ignore[attr-defined]


class InvitationForm(StyledFormMixin, forms.Form):
    member = forms.ModelChoiceField(queryset=ConsortiumMember.objects.none(), label="Partner")
    email = forms.EmailField(label="Send to")
    message = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, members: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["member"].label_from_instance = _member_label  # type: ignore[attr-defined]


def _member_label(member: ConsortiumMember) -> str:
    return f"{member.name} ({member.get_status_display().lower()})"


class AcceptForOrganisationForm(StyledFormMixin, forms.Form):
    """Which of the user's organisations takes part."""

    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), empty_label=None)

    def __init__(self, *args: Any, organisations: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class AcceptWithAccountForm(InvitationAcceptForm):
    """A visitor accepts by creating an account with the invited address."""
