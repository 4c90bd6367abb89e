"""The knowledge library: documents shared in the network, their versions and collections."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

from icn.core.models import TimeStampedModel
from icn.core.visibility import ShareableModel, ShareableQuerySet
from icn.directory.models import Cluster, Organisation, Topic, TopicKind


class DocumentKind(models.TextChoices):
    REPORT = "report", "Report"
    BEST_PRACTICE = "best_practice", "Best practice"
    CASE_STUDY = "case_study", "Case study"
    TEMPLATE = "template", "Template"
    PRESENTATION = "presentation", "Presentation"
    DATASET = "dataset", "Dataset"


class ExtractionStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be read"
    DONE = "done", "Text extracted"
    FAILED = "failed", "Could not be read"
    LINK = "link", "A link: nothing to read"


LANGUAGE_CODE = RegexValidator(r"^[a-z]{2}$", "Use the two-letter ISO 639-1 code, such as en.")


class KnowledgeDocumentQuerySet(ShareableQuerySet):
    pass


class KnowledgeDocument(ShareableModel, TimeStampedModel):
    """A report, best practice, case study, template, presentation or dataset shared."""

    VISIBILITY_ORGANISATION_PATH = "organisation"
    VISIBILITY_CLUSTER_PATH = "cluster"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=320, unique=True)
    summary = models.TextField(blank=True)
    authors = models.CharField(max_length=500, blank=True, help_text="As they are to be cited.")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_documents",
    )
    cluster = models.ForeignKey(
        Cluster,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_documents",
        help_text="The owning cluster: cluster-only documents are shown to its members.",
    )
    topics = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="library_documents",
        limit_choices_to={"kind": TopicKind.AREA},
    )
    sdgs = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="library_documents_for_sdg",
        limit_choices_to={"kind": TopicKind.SDG},
        verbose_name="SDGs",
    )
    language = models.CharField(max_length=2, default="en", validators=[LANGUAGE_CODE])
    kind = models.CharField(max_length=16, choices=DocumentKind.choices, db_index=True)
    licence = models.CharField(max_length=100, blank=True, help_text="Such as CC BY 4.0.")
    published_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = KnowledgeDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:detail", args=[self.slug])

    @property
    def year(self) -> int:
        return (self.published_on or self.created_at).year

    @property
    def current_version(self) -> DocumentVersion | None:
        versions: Any = self.versions.all()
        return max(versions, key=lambda v: v.number, default=None)


class DocumentVersion(TimeStampedModel):
    """One file (or link) of a document; earlier versions are kept."""

    document = models.ForeignKey(
        KnowledgeDocument, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="library/%Y/%m/", blank=True)
    url = models.URLField(max_length=500, blank=True)
    name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True, editable=False)
    extraction_status = models.CharField(
        max_length=8, choices=ExtractionStatus.choices, default=ExtractionStatus.PENDING
    )
    extraction_error = models.CharField(max_length=500, blank=True)
    extracted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="unique_document_version")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def clean(self) -> None:
        if bool(self.file) == bool(self.url):
            raise ValidationError({"file": "A version is either a file or a link."})


class Collection(ShareableModel, TimeStampedModel):
    """Documents chosen and ordered by a cluster manager or the secretariat."""

    VISIBILITY_ORGANISATION_PATH = "organisation"
    VISIBILITY_CLUSTER_PATH = "cluster"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    cluster = models.ForeignKey(
        Cluster,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="library_collections",
        help_text="The curating cluster; empty for the secretariat's collections.",
    )
    # Collections belong to a cluster or to the network, never to one organisation; the
    # field exists so the shared visibility rule applies unchanged.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    curated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    documents: models.ManyToManyField[KnowledgeDocument, CollectionItem] = models.ManyToManyField(
        KnowledgeDocument, through="CollectionItem", related_name="collections"
    )

    objects = ShareableQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:collection", args=[self.slug])


class CollectionItem(models.Model):
    """A document's place in a collection."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey(KnowledgeDocument, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "document"], name="unique_collection_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.collection}: {self.document}"


class DocumentDownload(models.Model):
    """One download (or opened link) of a document's version, counted for the library's reach."""

    document = models.ForeignKey(
        KnowledgeDocument, on_delete=models.CASCADE, related_name="downloads"
    )
    version = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.document} v{self.version} at {self.at:%Y-%m-%d %H:%M}"
