"""News, tenders, challenges, funding calls and event announcements; solutions; alerts."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from icn.core.countries import country_name, validate_country
from icn.core.models import TimeStampedModel
from icn.core.visibility import ShareableModel, ShareableQuerySet, get_scope
from icn.directory.models import Cluster, Organisation, OrganisationKind, Topic
from icn.matching.country_groups import GROUPS, is_country
from icn.matching.eligibility import eligible_countries, stages, to_day, whole


class OpportunityKind(models.TextChoices):
    NEWS = "news", "News"
    TENDER = "tender", "Business tender"
    CHALLENGE = "challenge", "Challenge"
    FUNDING_CALL = "funding_call", "Funding call"
    EVENT = "event", "Event announcement"


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed"
    ARCHIVED = "archived", "Archived"


TRL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(9)]

ELIGIBILITY_KEYS = {
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
}
COUNTRY_GROUPS = set(GROUPS)
STAGE_NAME_MAX = 100


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _codes(value: dict[str, Any], key: str, problems: list[tuple[str, str]]) -> set[str]:
    """The valid country codes of a list rule; a problem for each code that is not one."""
    codes = set()
    for code in value.get(key) or []:
        if isinstance(code, str) and is_country(code):
            codes.add(code.upper())
        else:
            problems.append((key, f"{key}: {code!r} is not an ISO 3166-1 alpha-2 country code."))
    return codes


def _kinds(value: dict[str, Any], key: str, problems: list[tuple[str, str]]) -> set[str]:
    kinds = set()
    for kind in value.get(key) or []:
        if kind in OrganisationKind.values:
            kinds.add(str(kind))
        else:
            problems.append(
                (
                    key,
                    f"Unknown organisation kind in {key}: {kind}. "
                    f"Use {', '.join(OrganisationKind.values)}.",
                )
            )
    return kinds


def eligibility_problems(value: Any) -> list[tuple[str, str]]:
    """Every reason a call's rules could not be read or could never be met, each with the rule
    it concerns (`__all__` when it is the whole set); empty when the rules are fine."""
    if value in (None, {}):
        return []
    if not isinstance(value, dict):
        return [("__all__", "Eligibility rules must be an object.")]
    unknown = set(value) - ELIGIBILITY_KEYS
    if unknown:
        return [("__all__", f"Unknown eligibility rule(s): {', '.join(sorted(unknown))}.")]
    problems: list[tuple[str, str]] = []
    lists = (
        "eligible_countries",
        "eligible_country_groups",
        "eligible_kinds",
        "coordinator_kinds",
        "coordinator_countries",
        "stages",
    )
    for key in lists:
        if not isinstance(value.get(key, []) or [], list):
            problems.append((key, f"{key} must be a list."))
    if problems:
        return problems
    countries = _codes(value, "eligible_countries", problems)
    groups = value.get("eligible_country_groups") or []
    for group in groups:
        if group not in COUNTRY_GROUPS:
            problems.append(
                (
                    "eligible_country_groups",
                    f"Unknown country group: {group}. Use {', '.join(sorted(COUNTRY_GROUPS))}.",
                )
            )
    kinds = _kinds(value, "eligible_kinds", problems)
    for key in ("min_partners", "max_partners", "min_countries"):
        number = value.get(key)
        if number is not None and not _is_count(number):
            problems.append((key, f"{key} must be a whole number of at least 0."))
    low, high = whole(value.get("min_partners")), whole(value.get("max_partners"))
    spread = whole(value.get("min_countries"))
    if low is not None and high is not None and low > high:
        problems.append(("min_partners", "min_partners is larger than max_partners."))
    if spread is not None and high is not None and spread > high:
        problems.append(
            ("min_countries", f"min_countries is {spread}, but at most {high} partners may apply.")
        )
    open_to = eligible_countries(
        {"eligible_countries": sorted(countries), "eligible_country_groups": groups}
        if countries or groups
        else {}
    )
    if spread is not None and open_to is not None and spread > len(open_to):
        problems.append(
            (
                "min_countries",
                f"min_countries is {spread}, but only {len(open_to)} countries are eligible.",
            )
        )
    required = value.get("required_kinds", {}) or {}
    if not isinstance(required, dict):
        problems.append(("required_kinds", "required_kinds maps an organisation kind to a count."))
        required = {}
    total = 0
    for kind, count in required.items():
        if kind not in OrganisationKind.values or not _is_count(count) or count < 1:
            problems.append(
                ("required_kinds", f"required_kinds: {kind}: {count} is not a kind and a count.")
            )
            continue
        total += count
        if kinds and kind not in kinds:
            problems.append(
                ("required_kinds", f"required_kinds: {kind} is not one of the eligible kinds.")
            )
    if high is not None and total > high:
        problems.append(
            (
                "required_kinds",
                f"required_kinds adds up to {total} partners, but at most {high} may apply.",
            )
        )
    coordinator_kinds = _kinds(value, "coordinator_kinds", problems)
    if kinds and coordinator_kinds and not coordinator_kinds & kinds:
        problems.append(
            ("coordinator_kinds", "coordinator_kinds: none of them is one of the eligible kinds.")
        )
    coordinator_countries = _codes(value, "coordinator_countries", problems)
    outside = sorted(coordinator_countries - open_to) if open_to is not None else []
    if outside and (countries or groups):
        problems.append(
            (
                "coordinator_countries",
                f"coordinator_countries: {', '.join(outside)} is not an eligible country.",
            )
        )
    problems.extend(_stage_problems(value.get("stages") or []))
    return problems


def _stage_problems(stages: list[Any]) -> list[tuple[str, str]]:
    problems = []
    names: set[str] = set()
    for number, stage in enumerate(stages, start=1):
        if not isinstance(stage, dict) or set(stage) != {"name", "deadline"}:
            problems.append(
                ("stages", f"stages: stage {number} needs exactly a name and a deadline.")
            )
            continue
        name = stage["name"]
        if not isinstance(name, str) or not name.strip() or len(name) > STAGE_NAME_MAX:
            problems.append(
                ("stages", f"stages: stage {number} needs a name of 1 to {STAGE_NAME_MAX} letters.")
            )
        elif name.strip().casefold() in names:
            problems.append(("stages", f"stages: two stages are called {name.strip()!r}."))
        else:
            names.add(name.strip().casefold())
        deadline = stage["deadline"]
        if not isinstance(deadline, str) or to_day(deadline) is None:
            problems.append(
                (
                    "stages",
                    f"stages: the deadline of stage {number} is not a date such as 2027-03-01.",
                )
            )
    return problems


def validate_eligibility(value: Any) -> None:
    """Eligibility rules kept as data; refuse what a rule checker could not read, and rules
    no consortium could ever meet."""
    problems = eligibility_problems(value)
    if problems:
        raise ValidationError([message for _, message in problems])


class OpportunityQuerySet(ShareableQuerySet):
    def visible_to(self, user: Any) -> Self:
        """As every shareable record; drafts and archived items only to those who own them."""
        queryset = super().visible_to(user)
        scope = get_scope(user)
        if scope.is_secretariat:
            return queryset
        shown = models.Q(status__in=[OpportunityStatus.PUBLISHED, OpportunityStatus.CLOSED])
        if scope.user_id is not None:
            shown |= models.Q(author_id=scope.user_id)
        if scope.organisation_ids:
            shown |= models.Q(author_organisation__in=scope.organisation_ids)
        if scope.managed_cluster_ids:
            shown |= models.Q(cluster__in=scope.managed_cluster_ids)
        return queryset.filter(shown)

    def editable_by(self, user: Any) -> Self:
        """As every shareable record, and the item's own author."""
        scope = get_scope(user)
        if scope.user_id is None:
            return self.none()
        return self.filter(
            models.Q(pk__in=super().editable_by(user).values("pk"))
            | models.Q(author_id=scope.user_id)
        )

    def published(self) -> OpportunityQuerySet:
        return self.filter(status=OpportunityStatus.PUBLISHED)

    def open(self) -> OpportunityQuerySet:
        """Published and not past the deadline (an expired item is closed even before the sweep)."""
        return self.published().filter(
            models.Q(deadline__isnull=True) | models.Q(deadline__gte=timezone.now())
        )


class Opportunity(ShareableModel, TimeStampedModel):
    """Something shared with the network: news, a tender, a challenge, a funding call, an event."""

    VISIBILITY_ORGANISATION_PATH = "author_organisation"
    VISIBILITY_CLUSTER_PATH = "cluster"

    kind = models.CharField(max_length=16, choices=OpportunityKind.choices, db_index=True)
    status = models.CharField(
        max_length=16,
        choices=OpportunityStatus.choices,
        default=OpportunityStatus.DRAFT,
        db_index=True,
    )
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=320, unique=True)
    summary = models.CharField(max_length=500, blank=True, help_text="One or two sentences.")
    body = models.TextField(blank=True)
    author_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
        help_text="Empty for items imported from outside the network.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cluster = models.ForeignKey(
        Cluster,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
        help_text="The owning cluster: cluster-only items are shown to its members.",
    )
    contact_email = models.EmailField(blank=True, help_text="Who receives expressions of interest.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="opportunities")
    country = models.CharField(max_length=2, blank=True, validators=[validate_country])
    region = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=200, blank=True)
    deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    source_url = models.URLField(max_length=500, blank=True)
    # Challenge: the problem's budget and the technology readiness wanted.
    budget_min = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="EUR")
    trl_min = models.PositiveSmallIntegerField(null=True, blank=True, validators=TRL_VALIDATORS)
    trl_max = models.PositiveSmallIntegerField(null=True, blank=True, validators=TRL_VALIDATORS)
    # Funding call.
    funder = models.CharField(max_length=200, blank=True)
    programme = models.CharField(max_length=200, blank=True)
    co_funding_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Share of costs the funder pays, in per cent.",
    )
    eligibility = models.JSONField(default=dict, blank=True, validators=[validate_eligibility])
    # Tender (from OCDS or posted by a buyer).
    buyer = models.CharField(max_length=300, blank=True)
    ocid = models.CharField(max_length=200, blank=True, db_index=True)
    procurement_method = models.CharField(max_length=100, blank=True)
    ocds_release = models.JSONField(null=True, blank=True, editable=False)
    # Event announcement.
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.UniqueConstraint(
                fields=["ocid"], condition=~models.Q(ocid=""), name="unique_opportunity_ocid"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("opportunities:detail", args=[self.slug])

    @property
    def country_name(self) -> str:
        return country_name(self.country) if self.country else ""

    def is_open(self) -> bool:
        if self.status != OpportunityStatus.PUBLISHED:
            return False
        return self.deadline is None or self.deadline >= timezone.now()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        low, high = self.budget_min, self.budget_max
        if low is not None and high is not None and low > high:
            errors["budget_min"] = "The lower budget is above the upper one."
        if self.trl_min is not None and self.trl_max is not None and self.trl_min > self.trl_max:
            errors["trl_min"] = "The lowest readiness level is above the highest."
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = "The event ends before it starts."
        if self.kind == OpportunityKind.FUNDING_CALL and not self.funder:
            errors["funder"] = "A funding call names its funder."
        late = [
            stage.name
            for stage in stages(self.eligibility if isinstance(self.eligibility, dict) else {})
            if self.deadline is not None
            and stage.deadline > timezone.localtime(self.deadline).date()
        ]
        if late:
            errors["eligibility"] = (
                f"Stage {', '.join(late)} ends after the call's deadline: the last stage "
                "ends by the deadline at the latest."
            )
        if errors:
            raise ValidationError(errors)


class Attachment(TimeStampedModel):
    """A file attached to an opportunity; seen by whoever sees the opportunity."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="attachments/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class SolutionLabel(models.TextChoices):
    EFFICIENT_SOLUTION = "efficient_solution", "Efficient Solution"
    PILOT_READY = "pilot_ready", "Ready for a pilot"
    AWARD = "award", "Award winner"


class Solution(ShareableModel, TimeStampedModel):
    """What a member organisation offers: the other side of a challenge."""

    VISIBILITY_ORGANISATION_PATH = "organisation"
    VISIBILITY_CLUSTER_PATH = "organisation__clusters"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="solutions"
    )
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=320, unique=True)
    description = models.TextField()
    topics = models.ManyToManyField(Topic, blank=True, related_name="solutions")
    readiness_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=TRL_VALIDATORS, help_text="Technology readiness, 1–9."
    )
    markets = models.JSONField(default=list, blank=True, help_text="Countries served (ISO codes).")
    references = models.TextField(blank=True, help_text="Where it is deployed.")
    labels = models.JSONField(default=list, blank=True)

    objects = ShareableQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("opportunities:solution_detail", args=[self.slug])

    def clean(self) -> None:
        markets = []
        for code in self.markets or []:
            validate_country(str(code).upper())
            markets.append(str(code).upper())
        self.markets = list(dict.fromkeys(markets))
        unknown = [label for label in self.labels or [] if label not in SolutionLabel.values]
        if unknown:
            raise ValidationError({"labels": f"Unknown label(s): {', '.join(unknown)}."})

    def label_names(self) -> list[str]:
        return [SolutionLabel(label).label for label in self.labels or []]


class Follow(models.Model):
    """A user following an opportunity (its comments and changes)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "opportunity"], name="unique_follow")
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.opportunity}"


class Interest(models.Model):
    """An expression of interest in an opportunity, sent to the author's contact."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="interests")
    message = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} is interested in {self.opportunity}"


class Comment(models.Model):
    """A comment on an opportunity, seen by those who see the opportunity."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Comment by {self.user} on {self.opportunity}"


class Reshare(models.Model):
    """A cluster manager passing an item from elsewhere on to its own cluster's members."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="reshares")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="reshares")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "cluster"], name="unique_reshare")
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} re-shared to {self.cluster}"


class DigestFrequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    NEVER = "never", "Never"


def _token() -> str:
    return secrets.token_urlsafe(24)


class AlertSettings(models.Model):
    """A user's alert choices: digest frequency, followed topics, and its private tokens."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_settings"
    )
    frequency = models.CharField(
        max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    last_digest_at = models.DateTimeField(null=True, blank=True)
    unsubscribe_token = models.CharField(max_length=64, unique=True, default=_token)
    feed_token = models.CharField(max_length=64, unique=True, default=_token)

    class Meta:
        verbose_name_plural = "alert settings"

    def __str__(self) -> str:
        return f"Alerts of {self.user}"


class SavedSearch(models.Model):
    """A search a user wants to hear about: the list page's filters, kept by name."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=100)
    query: Any = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    FILTER_KEYS: ClassVar[set[str]] = {"q", "kind", "topic", "country", "cluster"}

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "saved searches"

    def __str__(self) -> str:
        return self.name


class Feedback(models.Model):
    """A user's "not relevant" on an item: similar items rank lower in its digests."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "opportunity"], name="unique_feedback")
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} is not relevant to {self.user}"
