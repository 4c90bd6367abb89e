"""Clusters, their member organisations (the triple helix), people, partnerships and topics."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify

from icn.core.countries import country_name, validate_country
from icn.core.models import TimeStampedModel
from icn.core.visibility import ShareableModel, ShareableQuerySet


class TopicKind(models.TextChoices):
    AREA = "area", "Cleantech area"
    SDG = "sdg", "Sustainable Development Goal"


class Topic(models.Model):
    """A cleantech area or a Sustainable Development Goal, in a tree."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=8, choices=TopicKind.choices, default=TopicKind.AREA)
    code = models.CharField(max_length=16, blank=True, help_text="For SDGs: SDG7, SDG13, …")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position", "name"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": "A topic cannot be its own ancestor."})
            ancestor = ancestor.parent


class ClusterStatus(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    MEMBER = "member", "Member"
    FORMER = "former", "Former member"


class Cluster(TimeStampedModel):
    """A regional cleantech cluster: companies, public authorities and research together."""

    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60, unique=True)
    country = models.CharField(max_length=2, validators=[validate_country])
    city = models.CharField(max_length=120)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    focus_topics = models.ManyToManyField(Topic, blank=True, related_name="focus_of_clusters")
    status = models.CharField(
        max_length=16, choices=ClusterStatus.choices, default=ClusterStatus.MEMBER, db_index=True
    )
    joined_on = models.DateField(null=True, blank=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_clusters"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:cluster_detail", args=[self.slug])

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @staticmethod
    def slug_for(short_name: str) -> str:
        return slugify(short_name)


class ClusterApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ClusterApplication(TimeStampedModel):
    """A candidate cluster's application to join the network, against its criteria."""

    CRITERIA: ClassVar[list[tuple[str, str]]] = [
        ("triple_helix", "Triple-helix membership: companies, public authorities, research"),
        ("track_record", "Track record of the cluster organisation"),
        ("international_stakeholders", "Internationally focused stakeholders"),
        ("sector_breadth", "Breadth of cleantech sectors covered"),
        ("international_strategy", "International strategy"),
        ("resources_committed", "Resources committed to the network"),
    ]

    cluster = models.OneToOneField(Cluster, on_delete=models.CASCADE, related_name="application")
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member_count = models.PositiveIntegerField(help_text="Number of member organisations.")
    triple_helix = models.TextField()
    track_record = models.TextField()
    international_stakeholders = models.TextField()
    sector_breadth = models.TextField()
    international_strategy = models.TextField()
    resources_committed = models.TextField()
    status = models.CharField(
        max_length=16,
        choices=ClusterApplicationStatus.choices,
        default=ClusterApplicationStatus.SUBMITTED,
        db_index=True,
    )
    board_decision_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Application of {self.cluster}"

    def criteria(self) -> list[tuple[str, str]]:
        return [(label, getattr(self, name)) for name, label in self.CRITERIA]


class OrganisationKind(models.TextChoices):
    SME = "sme", "SME"
    LARGE_COMPANY = "large_company", "Large company"
    PUBLIC_AUTHORITY = "public_authority", "Public authority or city"
    RESEARCH = "research", "Research or higher education"
    FUNDER = "funder", "Funder"
    NGO = "ngo", "NGO or other"
    PARTNER = "partner", "Partner organisation"


HELIX = {
    OrganisationKind.SME: "industry",
    OrganisationKind.LARGE_COMPANY: "industry",
    OrganisationKind.PUBLIC_AUTHORITY: "government",
    OrganisationKind.RESEARCH: "research",
    OrganisationKind.FUNDER: "other",
    OrganisationKind.NGO: "other",
    OrganisationKind.PARTNER: "other",
}
HELIX_LABELS = {
    "industry": "Companies",
    "government": "Public authorities",
    "research": "Research",
    "other": "Other",
}


class OrganisationSize(models.TextChoices):
    MICRO = "micro", "Micro (under 10)"
    SMALL = "small", "Small (10–49)"
    MEDIUM = "medium", "Medium (50–249)"
    LARGE = "large", "Large (250 and more)"


def website_domain(url: str) -> str:
    """The host of a website without scheme and www, to spot the same organisation twice."""
    text = (url or "").strip().lower()
    if not text:
        return ""
    if "://" not in text:
        text = "http://" + text
    host = urlsplit(text).hostname or ""
    return host.removeprefix("www.")


class OrganisationQuerySet(ShareableQuerySet):
    pass


class Organisation(ShareableModel, TimeStampedModel):
    """A member organisation of one or more clusters, or a partner of the network."""

    VISIBILITY_ORGANISATION_PATH = "pk"
    VISIBILITY_CLUSTER_PATH = "clusters"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices, db_index=True)
    country = models.CharField(max_length=2, validators=[validate_country], db_index=True)
    city = models.CharField(max_length=120, blank=True)
    clusters = models.ManyToManyField(Cluster, blank=True, related_name="organisations")
    description = models.TextField(blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="organisations")
    nace_codes = models.JSONField(
        default=list, blank=True, help_text="Economic sectors as NACE codes, e.g. 35.12."
    )
    website = models.URLField(blank=True)
    website_domain = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    size = models.CharField(max_length=8, choices=OrganisationSize.choices, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:organisation_detail", args=[self.slug])

    @property
    def helix(self) -> str:
        return HELIX[OrganisationKind(self.kind)]

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    def clean(self) -> None:
        from icn.directory.sectors import validate_nace_codes

        self.website_domain = website_domain(self.website)
        self.nace_codes = validate_nace_codes(self.nace_codes)


class Partnership(ShareableModel, TimeStampedModel):
    """An agreement between the network and a partner organisation such as C40 Cities."""

    VISIBILITY_ORGANISATION_PATH = "partner"
    VISIBILITY_CLUSTER_PATH = "clusters"

    partner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="partnerships")
    title = models.CharField(max_length=200)
    scope = models.TextField(help_text="What the partnership covers.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    contact = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clusters = models.ManyToManyField(
        Cluster, blank=True, related_name="partnerships", help_text="Clusters taking part."
    )

    objects = ShareableQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end date is before the start date."})
        if self.partner_id and self.partner.kind != OrganisationKind.PARTNER:
            raise ValidationError({"partner": "Choose a partner organisation."})


class PersonQuerySet(ShareableQuerySet):
    pass


class Person(ShareableModel, TimeStampedModel):
    """A person at an organisation, listed in the directory only with consent."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    job_title = models.CharField(max_length=200, blank=True)
    listed = models.BooleanField(
        default=False,
        verbose_name="Consents to be listed",
        help_text="Without consent only the person's own organisation sees the entry.",
    )
    key_contact_for = models.ManyToManyField(
        Cluster, blank=True, related_name="key_contacts", help_text="Key contact of these clusters."
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="experts", verbose_name="Topics of expertise"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:person_detail", args=[self.pk])

    @classmethod
    def visibility_restricted_q(cls) -> Q | None:
        return Q(listed=False)
