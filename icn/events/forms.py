"""Forms of the event pages: the same fields the API takes, in plain inputs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from icn.core.countries import country_choices
from icn.core.forms import StyledFormMixin
from icn.core.visibility import get_scope
from icn.directory.models import Cluster, ClusterStatus, Organisation
from icn.events.filters import EventFilter
from icn.events.models import (
    Event,
    EventKind,
    FollowUpOutcome,
    MeetingRating,
    Priority,
    RatingMoment,
    Registration,
    Slot,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def questions_from_text(text: str) -> list[dict[str, Any]]:
    """One question a line: "Label", "Label *" when required, "Label | choice | choice"."""
    questions = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        label, *choices = (part.strip() for part in line.split("|"))
        required = label.endswith("*")
        label = label.rstrip("*").strip()
        question: dict[str, Any] = {"label": label, "required": required}
        if [c for c in choices if c]:
            question["choices"] = [c for c in choices if c]
        questions.append(question)
    return questions


def questions_to_text(questions: list[dict[str, Any]]) -> str:
    lines = []
    for question in questions or []:
        label = question["label"] + (" *" if question.get("required") else "")
        lines.append(" | ".join([label, *(question.get("choices") or [])]))
    return "\n".join(lines)


class EventFilterForm(StyledFormMixin, forms.Form):
    """The event list's filter bar; its values are parsed by `EventFilter`."""

    q = forms.CharField(required=False, label="Search")
    kind = forms.ChoiceField(required=False, choices=[("", "Every kind"), *EventKind.choices])
    when = forms.ChoiceField(
        required=False, choices=[("upcoming", "Upcoming"), ("past", "Past"), ("all", "All")]
    )

    def to_filter(self) -> EventFilter:
        raw = {name: self.data.get(name) for name in self.fields} if self.is_bound else {}
        try:
            return EventFilter.model_validate(raw)
        except ValueError:
            self.is_valid()
            return EventFilter.model_validate({k: v for k, v in self.cleaned_data.items() if v})


class EventForm(StyledFormMixin, forms.ModelForm):
    """Create or edit an event; questions, table names and co-organisers as plain text."""

    country = forms.ChoiceField(choices=[("", "—"), *country_choices()], required=False)
    questions = forms.CharField(
        required=False,
        label="Registration questions",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line. End with * when an answer is required; list choices after "
        "bars: <code>Which day do you come? * | Monday | Tuesday</code>.",
    )
    table_names_text = forms.CharField(
        required=False,
        label="Table or room names",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line, in order; the others are numbered.",
    )
    organiser_emails = forms.CharField(
        required=False,
        label="Co-organisers",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="E-mail addresses of users who organise with you, one a line.",
    )
    publish = forms.BooleanField(required=False, label="Publish now (registration opens)")

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "summary",
            "description",
            "host_cluster",
            "organisation",
            "visibility",
            "starts_at",
            "ends_at",
            "venue",
            "city",
            "country",
            "online_url",
            "capacity",
            "registration_closes_at",
            "meetings_enabled",
            "auto_accept",
            "request_expiry_days",
            "max_meetings",
            "tables",
            "schedule_seconds",
        ]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "registration_closes_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        offered = Q(status=ClusterStatus.MEMBER)
        if not scope.is_secretariat:
            offered &= Q(pk__in=scope.managed_cluster_ids)
        # The event's own host and organisation stay choosable for everyone who may edit it
        # (the host organisation's admins manage no cluster): otherwise saving would move it.
        clusters = Cluster.objects.filter(offered | Q(pk=self.instance.host_cluster_id))
        host: Any = self.fields["host_cluster"]
        host.queryset = clusters.order_by("short_name")
        host.required = not scope.is_secretariat
        host.empty_label = "The whole network" if scope.is_secretariat else None
        organisation: Any = self.fields["organisation"]
        organisation.queryset = Organisation.objects.filter(
            Q(clusters__in=clusters) | Q(pk=self.instance.organisation_id)
        ).distinct()
        organisation.required = False
        for name in ("starts_at", "ends_at", "registration_closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M"]  # type: ignore[attr-defined]
        if self.instance.pk:
            del self.fields["publish"]
            self.initial["questions"] = questions_to_text(self.instance.registration_questions)
            self.initial["table_names_text"] = "\n".join(self.instance.table_names or [])
            self.initial["organiser_emails"] = "\n".join(
                str(u.email) for u in self.instance.organisers.exclude(pk=getattr(user, "pk", None))
            )

    def clean_questions(self) -> list[dict[str, Any]]:
        from icn.events.models import validate_questions

        questions = questions_from_text(self.cleaned_data.get("questions", ""))
        validate_questions(questions)
        return questions

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it."""
        data = dict(self.cleaned_data)
        data["registration_questions"] = data.pop("questions")
        data["table_names"] = [
            line.strip() for line in data.pop("table_names_text", "").splitlines() if line.strip()
        ]
        data["organiser_emails"] = [
            line.strip() for line in data.pop("organiser_emails", "").split() if line.strip()
        ]
        data["country"] = data.get("country") or ""
        return data


class SessionForm(StyledFormMixin, forms.Form):
    """A part of the programme; a meeting session is cut into slots."""

    title = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    for_meetings = forms.BooleanField(
        required=False, initial=True, label="One-to-one meetings in time slots"
    )
    slot_minutes = forms.IntegerField(initial=20, min_value=5, max_value=240, required=False)
    break_minutes = forms.IntegerField(initial=5, min_value=0, max_value=120, required=False)
    location = forms.CharField(max_length=200, required=False)


class RegistrationForm(StyledFormMixin, forms.Form):
    """Register for an event: the organisation, the event's questions, the profile."""

    organisation = forms.ChoiceField(required=False, label="I come for")
    offer = forms.CharField(
        required=False,
        max_length=3000,
        label="What I offer",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Drawn from your organisation's directory entry; others see it.",
    )
    seek = forms.CharField(
        required=False,
        max_length=3000,
        label="What I seek",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The meetings suggested to you start from this.",
    )

    def __init__(self, *args: Any, event: Event, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        ids = get_scope(user).organisation_ids
        organisations = list(Organisation.objects.filter(pk__in=ids).order_by("name"))
        field: Any = self.fields["organisation"]
        field.choices = [(o.slug, o.name) for o in organisations]
        if not organisations:
            del self.fields["organisation"]
        if not event.meetings_enabled:
            del self.fields["offer"]
            del self.fields["seek"]
        self.question_fields: list[tuple[str, str]] = []
        for n, question in enumerate(event.registration_questions or []):
            name = f"question_{n}"
            choices = question.get("choices") or []
            if choices:
                self.fields[name] = forms.ChoiceField(
                    label=question["label"],
                    required=bool(question.get("required")),
                    choices=[("", "—"), *((c, c) for c in choices)],
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question["label"],
                    required=bool(question.get("required")),
                    max_length=1000,
                )
            self.question_fields.append((name, question["label"]))
        # The styling ran before the questions were added.
        for name, _label in self.question_fields:
            widget = self.fields[name].widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = css

    def answers(self) -> dict[str, str]:
        return {label: self.cleaned_data.get(name) or "" for name, label in self.question_fields}

    def chosen_organisation(self) -> Organisation | None:
        slug = self.cleaned_data.get("organisation")
        return Organisation.objects.filter(slug=slug).first() if slug else None


class ProfileForm(StyledFormMixin, forms.Form):
    """A participant's profile and availability at an event."""

    offer = forms.CharField(
        required=False,
        max_length=3000,
        label="What I offer",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    seek = forms.CharField(
        required=False,
        max_length=3000,
        label="What I seek",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    max_meetings = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        label="Most meetings I want",
        help_text="Leave empty for as many as the event allows.",
    )
    available = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="I can meet in these slots",
        help_text="Untick the slots you are busy in.",
    )

    def __init__(
        self, *args: Any, registration: Registration, slots: list[Slot], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.slots = slots
        field: Any = self.fields["available"]
        field.choices = [(str(slot.pk), str(slot)) for slot in slots]
        if not slots:
            del self.fields["available"]
        if not self.is_bound:
            busy = set(registration.busy_slots.values_list("pk", flat=True))
            self.initial.update(
                offer=registration.offer,
                seek=registration.seek,
                max_meetings=registration.max_meetings,
                available=[str(slot.pk) for slot in slots if slot.pk not in busy],
            )

    def busy_slots(self) -> list[Slot]:
        chosen = set(self.cleaned_data.get("available") or [])
        return [slot for slot in self.slots if str(slot.pk) not in chosen]


class MeetingRequestForm(StyledFormMixin, forms.Form):
    """Ask a participant for a meeting."""

    receiver = forms.IntegerField(widget=forms.HiddenInput)
    message = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why you want to meet.",
    )
    priority = forms.TypedChoiceField(
        choices=Priority.choices, coerce=int, initial=Priority.NICE, required=False
    )

    def clean_priority(self) -> int:
        return int(self.cleaned_data.get("priority") or Priority.NICE)


class RatingForm(StyledFormMixin, forms.Form):
    """A participant's rating of a meeting."""

    held = forms.TypedChoiceField(
        choices=[("1", "Yes, we met"), ("0", "No, it did not take place")],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
        label="Did the meeting take place?",
    )
    rating = forms.TypedChoiceField(
        choices=MeetingRating.RATINGS, coerce=int, widget=forms.RadioSelect, label="How useful"
    )
    outcome = forms.ChoiceField(
        choices=FollowUpOutcome.choices, required=False, label="What came of it"
    )
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, moment: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if moment != RatingMoment.FOLLOW_UP:
            del self.fields["outcome"]


class ScheduleForm(StyledFormMixin, forms.Form):
    """How long the scheduler may improve its first result."""

    time_limit = forms.IntegerField(
        min_value=1, max_value=600, label="Seconds to improve", required=False
    )


class PlaceForm(StyledFormMixin, forms.Form):
    """Put an accepted request at a table in a slot by hand."""

    request = forms.IntegerField(widget=forms.HiddenInput)
    slot = forms.IntegerField()
    table = forms.IntegerField(min_value=1)


def validation_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)
