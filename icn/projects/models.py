"""Project applications to funding calls: their lifecycle, consortium, budget and workspace."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from icn.core.countries import country_name, validate_country
from icn.core.models import TimeStampedModel
from icn.core.visibility import get_scope
from icn.directory.models import Organisation, OrganisationKind
from icn.projects.programmes import ProgrammeTemplate, template_for


class ApplicationStatus(models.TextChoices):
    IDEA = "idea", "Idea"
    CONSORTIUM = "consortium", "Consortium forming"
    DRAFTING = "drafting", "Drafting"
    SUBMITTED = "submitted", "Submitted"
    GRANTED = "granted", "Granted"
    RESERVE = "reserve", "Reserve list"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SIGNED = "signed", "Grant agreement signed"
    RUNNING = "running", "Running"


S = ApplicationStatus

# The road an application travels; it may be withdrawn from any stage that is not final.
# Drafting may go back to consortium forming when a partner drops out.
FORWARD: dict[str, list[str]] = {
    S.IDEA: [S.CONSORTIUM],
    S.CONSORTIUM: [S.DRAFTING],
    S.DRAFTING: [S.SUBMITTED, S.CONSORTIUM],
    S.SUBMITTED: [S.GRANTED, S.RESERVE, S.REJECTED],
    S.RESERVE: [S.GRANTED, S.REJECTED],
    S.GRANTED: [S.SIGNED],
    S.SIGNED: [S.RUNNING],
}
FINAL_STATES = frozenset({S.REJECTED, S.WITHDRAWN, S.RUNNING})
# Before the funder has it: the consortium, budget and text may still change.
PREPARING = frozenset({S.IDEA, S.CONSORTIUM, S.DRAFTING})
# The funder's answer, which comes with result data.
RESULTS = frozenset({S.GRANTED, S.RESERVE, S.REJECTED})
# Funded: granted, and on from there.
GRANTED_STATES = frozenset({S.GRANTED, S.SIGNED, S.RUNNING})
# The stages shown as the road on the detail page.
ROAD = [S.IDEA, S.CONSORTIUM, S.DRAFTING, S.SUBMITTED, S.GRANTED, S.SIGNED, S.RUNNING]


def allowed_transitions(status: str) -> list[str]:
    """Where an application may go from `status`; nothing once it is final."""
    if status in FINAL_STATES or status not in FORWARD:
        return []
    return [*FORWARD[status], S.WITHDRAWN]


def _members_in(organisations: Any) -> Any:
    """Applications with one of `organisations` in the consortium (not those who declined)."""
    return (
        ConsortiumMember.objects.filter(organisation__in=organisations)
        .exclude(status=MemberStatus.DECLINED)
        .values("application")
    )


def _linked_to(user_id: int) -> Any:
    """Applications where the user speaks for a partner outside the network."""
    return (
        ConsortiumMember.objects.filter(user_id=user_id)
        .exclude(status=MemberStatus.DECLINED)
        .values("application")
    )


class ApplicationQuerySet(models.QuerySet):
    """Who sees, works on and runs an application: the one place that decides it."""

    def visible_to(self, user: Any) -> Self:
        """The secretariat; the people of the lead and of every partner; the managers of
        any cluster the lead or a partner belongs to. Nobody else."""
        scope = get_scope(user)
        if scope.is_secretariat:
            return self.all()
        if not scope.is_authenticated or scope.user_id is None:
            return self.none()
        seen = Q(pk__in=_linked_to(scope.user_id))
        if scope.organisation_ids:
            seen |= Q(lead__in=scope.organisation_ids) | Q(
                pk__in=_members_in(scope.organisation_ids)
            )
        if scope.managed_cluster_ids:
            # Subqueries, not joins: an application in two managed clusters is listed once.
            managed = Organisation.objects.filter(clusters__in=scope.managed_cluster_ids).values(
                "pk"
            )
            seen |= Q(lead__in=managed) | Q(pk__in=_members_in(managed))
        return self.filter(seen)

    def editable_by(self, user: Any) -> Self:
        """Whose people write in the workspace (sections, tasks, documents): the secretariat,
        the lead and its cluster managers, and every partner that has not declined."""
        scope = get_scope(user)
        if scope.is_secretariat:
            return self.all()
        if not scope.is_authenticated or scope.user_id is None:
            return self.none()
        allowed = Q(pk__in=_linked_to(scope.user_id))
        if scope.organisation_ids:
            allowed |= Q(lead__in=scope.organisation_ids) | Q(
                pk__in=_members_in(scope.organisation_ids)
            )
        if scope.managed_cluster_ids:
            managed = Organisation.objects.filter(clusters__in=scope.managed_cluster_ids).values(
                "pk"
            )
            allowed |= Q(lead__in=managed)
        return self.filter(allowed)

    def manageable_by(self, user: Any) -> Self:
        """Who moves the status, records the result and shapes the consortium: the lead's
        people, the lead's cluster managers and the secretariat."""
        scope = get_scope(user)
        if scope.is_secretariat:
            return self.all()
        if not scope.is_authenticated:
            return self.none()
        allowed = Q(pk__in=[])
        if scope.organisation_ids:
            allowed |= Q(lead__in=scope.organisation_ids)
        if scope.managed_cluster_ids:
            managed = Organisation.objects.filter(clusters__in=scope.managed_cluster_ids).values(
                "pk"
            )
            allowed |= Q(lead__in=managed)
        return self.filter(allowed)

    def preparing(self) -> Self:
        return self.filter(status__in=PREPARING)


class ProjectApplication(TimeStampedModel):
    """An application to a funding call, from the idea to the funder's answer and beyond."""

    call = models.ForeignKey(
        "opportunities.Opportunity",
        on_delete=models.PROTECT,
        related_name="applications",
        limit_choices_to={"kind": "funding_call"},
    )
    title = models.CharField(max_length=300)
    acronym = models.CharField(max_length=30, blank=True)
    summary = models.TextField(blank=True, max_length=4000)
    lead = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="led_applications",
        help_text="The coordinating organisation.",
    )
    status = models.CharField(
        max_length=16, choices=ApplicationStatus.choices, default=S.IDEA, db_index=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    result_at = models.DateTimeField(null=True, blank=True)
    amount_granted = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="In the call's currency.",
    )
    evaluation_scores = models.JSONField(
        default=dict, blank=True, help_text="The evaluators' score per criterion."
    )
    evaluation_comments = models.TextField(blank=True, max_length=10000)
    submission_check = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The call's rules as checked when the application was submitted.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.acronym} – {self.title}" if self.acronym else self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:application_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return self.acronym or self.title

    @property
    def currency(self) -> str:
        return self.call.currency or "EUR"

    @property
    def template(self) -> ProgrammeTemplate:
        return template_for(self.call.programme)

    @property
    def score_total(self) -> float | None:
        scores = [v for v in (self.evaluation_scores or {}).values() if isinstance(v, int | float)]
        return float(sum(scores)) if scores else None

    def next_steps(self) -> list[str]:
        return allowed_transitions(self.status)

    def is_final(self) -> bool:
        return self.status in FINAL_STATES

    def is_preparing(self) -> bool:
        return self.status in PREPARING

    def clean(self) -> None:
        if self.call_id is not None and self.call.kind != "funding_call":
            raise ValidationError({"call": "Applications are made to funding calls."})


class ApplicationEvent(models.Model):
    """One step of an application: who moved it, when, from where to where, and why."""

    application = models.ForeignKey(
        ProjectApplication, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    from_status = models.CharField(max_length=16, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ApplicationStatus.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application}: {self.from_status or 'new'} → {self.to_status}"


class MemberStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"


class ConsortiumMember(TimeStampedModel):
    """A partner of an application: an organisation of the network, or one from outside."""

    application = models.ForeignKey(
        ProjectApplication, on_delete=models.CASCADE, related_name="members"
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consortium_memberships",
    )
    # A partner from outside the network, until it joins (then `organisation` is set).
    external_name = models.CharField(max_length=200, blank=True)
    external_kind = models.CharField(max_length=20, choices=OrganisationKind.choices, blank=True)
    external_country = models.CharField(max_length=2, blank=True, validators=[validate_country])
    contact_email = models.EmailField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consortium_memberships",
        help_text="Who accepted the invitation for a partner that has no organisation here.",
    )
    is_coordinator = models.BooleanField(default=False)
    role = models.CharField(max_length=300, blank=True, help_text="What the partner does.")
    costs = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="The partner's eligible costs.",
    )
    requested = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="The funding the partner asks for.",
    )
    status = models.CharField(
        max_length=16, choices=MemberStatus.choices, default=MemberStatus.INVITED
    )

    class Meta:
        ordering = ["-is_coordinator", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "organisation"],
                condition=Q(organisation__isnull=False),
                name="one_membership_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(is_coordinator=True),
                name="one_coordinator_per_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} in {self.application}"

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation is not None else self.external_name

    @property
    def kind(self) -> str:
        return self.organisation.kind if self.organisation is not None else self.external_kind

    @property
    def kind_label(self) -> str:
        return OrganisationKind(self.kind).label if self.kind in OrganisationKind.values else ""

    @property
    def country(self) -> str:
        return self.organisation.country if self.organisation is not None else self.external_country

    @property
    def country_label(self) -> str:
        return country_name(self.country) if self.country else ""

    @property
    def is_external(self) -> bool:
        return self.organisation_id is None

    @property
    def funding_rate(self) -> Decimal | None:
        """The share of its costs the partner asks for, in per cent."""
        if not self.costs or self.requested is None:
            return None
        return (100 * self.requested / self.costs).quantize(Decimal("0.1"))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.organisation_id is None:
            if not self.external_name.strip():
                errors["external_name"] = "Name the partner, or choose an organisation."
            if not self.external_kind:
                errors["external_kind"] = "Say what kind of organisation the partner is."
            if not self.external_country:
                errors["external_country"] = "Say where the partner is."
        if self.costs is not None and self.requested is not None and self.requested > self.costs:
            errors["requested"] = "A partner cannot ask for more than its costs."
        if errors:
            raise ValidationError(errors)


class SectionStatus(models.TextChoices):
    TODO = "todo", "To do"
    DRAFTING = "drafting", "Drafting"
    REVIEW = "review", "In review"
    DONE = "done", "Done"


class Section(models.Model):
    """A part of the application text, written by several partners one version at a time."""

    application = models.ForeignKey(
        ProjectApplication, on_delete=models.CASCADE, related_name="sections"
    )
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who is responsible for the section.",
    )
    status = models.CharField(
        max_length=16, choices=SectionStatus.choices, default=SectionStatus.TODO
    )
    text = models.TextField(blank=True, max_length=100_000)
    version = models.PositiveIntegerField(
        default=0, help_text="Goes up by one with every saved text."
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "key"], name="unique_section_key")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.application})"

    def get_absolute_url(self) -> str:
        return reverse("projects:section_edit", args=[self.application_id, self.key])

    @property
    def words(self) -> int:
        return len(self.text.split())


class SectionRevision(models.Model):
    """A saved text of a section: every version is kept."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["section", "version"], name="unique_section_version")
        ]

    def __str__(self) -> str:
        return f"{self.section.title} v{self.version}"


class Task(models.Model):
    """Something to do for the application, by someone, by a date."""

    application = models.ForeignKey(
        ProjectApplication, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(max_length=300)
    due_on = models.DateField(null=True, blank=True, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done", models.F("due_on").asc(nulls_last=True), "pk"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self) -> bool:
        return not self.done and self.due_on is not None and self.due_on < timezone.localdate()


class WorkspaceDocumentKind(models.TextChoices):
    LETTER_OF_SUPPORT = "letter_of_support", "Letter of support"
    PARTNER_DECLARATION = "partner_declaration", "Partner declaration"
    OTHER = "other", "Other"


class Document(models.Model):
    """A file of the application: letters of support, partner declarations and the like."""

    application = models.ForeignKey(
        ProjectApplication, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(
        max_length=24, choices=WorkspaceDocumentKind.choices, default=WorkspaceDocumentKind.OTHER
    )
    member = models.ForeignKey(
        ConsortiumMember,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
        help_text="The partner the document is from or about.",
    )
    file = models.FileField(upload_to="projects/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _default_invitation_expiry() -> Any:
    return timezone.now() + timedelta(days=settings.ICN_INVITATION_DAYS)


class PartnerInvitation(models.Model):
    """An e-mailed link asking a partner to join an application's consortium."""

    member = models.ForeignKey(
        ConsortiumMember, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_default_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.member.application}"

    def issue_token(self) -> str:
        """Set a new secret and return it; only its hash is kept."""
        raw = secrets.token_urlsafe(32)
        self.token_hash = _hash_token(raw)
        return raw

    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.declined_at is None
            and self.expires_at > timezone.now()
        )

    @property
    def state(self) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.declined_at is not None:
            return "declined"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @classmethod
    def find(cls, raw: str) -> PartnerInvitation | None:
        return (
            cls.objects.select_related("member__application__call", "member__organisation")
            .filter(token_hash=_hash_token(raw))
            .first()
        )


class Reminder(models.Model):
    """A reminder that went out, so that each goes once."""

    key = models.CharField(max_length=200, unique=True)
    application = models.ForeignKey(
        ProjectApplication, on_delete=models.CASCADE, related_name="reminders"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key
