"""Stored embeddings of what the engines search, and match records with their lifecycle."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from icn.core.models import RATING_CHOICES, TimeStampedModel
from icn.core.visibility import get_scope
from icn.directory.models import Organisation


class DocumentKind(models.TextChoices):
    SOLUTIONS = "solutions", "Solutions"
    ORGANISATIONS = "organisations", "Organisations"
    OPPORTUNITIES = "opportunities", "Opportunities"
    DOCUMENTS = "documents", "Library documents"


class Embedding(models.Model):
    """A record's text as a vector, kept so a restart does not encode everything again."""

    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    object_id = models.PositiveBigIntegerField()
    model = models.CharField(max_length=100, help_text="The embedder that made the vector.")
    text_hash = models.CharField(max_length=64, help_text="SHA-256 of the text encoded.")
    dim = models.PositiveIntegerField()
    vector = models.BinaryField(help_text="float32 values, little-endian.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "model"], name="unique_embedding_per_model"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id} ({self.model})"


class MatchStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    INTRODUCED = "introduced", "Introduced"
    MEETING_HELD = "meeting_held", "Meeting held"
    IN_DISCUSSION = "in_discussion", "In discussion"
    PROJECT_STARTED = "project_started", "Project started"
    AGREEMENT = "agreement", "Agreement reached"
    CLOSED = "closed", "Closed"


# The road a match travels, one step at a time; it may be closed from any open stage.
STAGES: list[str] = [
    MatchStatus.SUGGESTED,
    MatchStatus.INTRODUCED,
    MatchStatus.MEETING_HELD,
    MatchStatus.IN_DISCUSSION,
    MatchStatus.PROJECT_STARTED,
    MatchStatus.AGREEMENT,
]
FINAL_STATES = {MatchStatus.AGREEMENT, MatchStatus.CLOSED}


def allowed_transitions(status: str) -> list[str]:
    """Where a match may go from `status`: the next stage, or closed; nothing once final."""
    if status in FINAL_STATES or status not in STAGES:
        return []
    following = STAGES[STAGES.index(status) + 1]
    return [following, MatchStatus.CLOSED]


class MatchQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """Matches the user may see: its parties, their cluster managers, the secretariat."""
        scope = get_scope(user)
        if scope.is_secretariat:
            return self.all()
        if not scope.is_authenticated:
            return self.none()
        seen = Q(organisation__in=scope.organisation_ids) | Q(
            target_organisation__in=scope.organisation_ids
        )
        if scope.managed_cluster_ids:
            # Subqueries, not joins: a match in two managed clusters is listed once.
            in_managed = Organisation.objects.filter(clusters__in=scope.managed_cluster_ids).values(
                "pk"
            )
            seen |= Q(organisation__in=in_managed) | Q(target_organisation__in=in_managed)
        return self.filter(seen)

    def open(self) -> Self:
        return self.exclude(status__in=FINAL_STATES)


class MatchRecord(TimeStampedModel):
    """A suggested introduction between two organisations, and how far it got."""

    source_opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matches",
        help_text="The challenge or funding call the match started from, if any.",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="matches_started",
        help_text="The side the match started from: the challenge's city, the searching member.",
    )
    target_organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="matches_received"
    )
    solution = models.ForeignKey(
        "opportunities.Solution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matches",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=MatchStatus.choices, default=MatchStatus.SUGGESTED, db_index=True
    )
    score = models.FloatField(default=0.0)
    reasons = models.JSONField(default=list, blank=True)
    source_contact = models.EmailField(blank=True, help_text="Who speaks for the first side.")
    target_contact = models.EmailField(blank=True, help_text="Who speaks for the other side.")
    closed_reason = models.TextField(blank=True)
    introduced_at = models.DateTimeField(null=True, blank=True)
    follow_up_due_on = models.DateField(null=True, blank=True, db_index=True)
    follow_up_reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When both sides were asked for the follow-up."
    )

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(organisation=models.F("target_organisation")),
                name="match_between_two_organisations",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ↔ {self.target_organisation}"

    def get_absolute_url(self) -> str:
        return reverse("matching:match_detail", args=[self.pk])

    @property
    def source_label(self) -> str:
        if self.source_opportunity_id is not None and self.source_opportunity is not None:
            return f"{self.source_opportunity.get_kind_display()}: {self.source_opportunity}"
        return f"Partner search of {self.organisation}"

    def next_steps(self) -> list[str]:
        return allowed_transitions(self.status)

    def is_final(self) -> bool:
        return self.status in FINAL_STATES

    def clean(self) -> None:
        if self.organisation_id is not None and self.organisation_id == self.target_organisation_id:
            raise ValidationError("A match introduces two different organisations.")
        sides = (self.organisation_id, self.target_organisation_id)
        if self.solution is not None and self.solution.organisation_id not in sides:
            raise ValidationError({"solution": "The solution belongs to neither side."})


class MatchEvent(models.Model):
    """One step of a match: who moved it, when, from where to where, and why."""

    match = models.ForeignKey(MatchRecord, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    from_status = models.CharField(max_length=16, choices=MatchStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=MatchStatus.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.match}: {self.from_status or 'new'} → {self.to_status}"


class FeedbackMoment(models.TextChoices):
    INTRODUCTION = "introduction", "Right after the introduction"
    FOLLOW_UP = "follow_up", "Follow-up, months later"


class MatchFeedback(models.Model):
    """How one side rated a match, right after the introduction or months later."""

    RATINGS: ClassVar[list[tuple[int, str]]] = RATING_CHOICES

    match = models.ForeignKey(MatchRecord, on_delete=models.CASCADE, related_name="feedback")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    moment = models.CharField(max_length=16, choices=FeedbackMoment.choices)
    rating = models.PositiveSmallIntegerField(
        choices=RATINGS, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["match", "organisation", "moment"], name="one_feedback_per_side_and_moment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} on {self.match} ({self.moment}): {self.rating}"
