"""An Atom feed of the library's public documents (feedgen), as the opportunities' feed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone
from feedgen.feed import FeedGenerator

from icn.knowledge.models import KnowledgeDocument

FEED_SIZE = 50


def feed_documents() -> QuerySet[KnowledgeDocument]:
    """What a visitor who is not logged in sees, newest first."""
    return (
        KnowledgeDocument.objects.visible_to(AnonymousUser())
        .select_related("organisation")
        .prefetch_related("topics")
        .order_by("-created_at")[:FEED_SIZE]
    )


def _entry_id(document: KnowledgeDocument) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},{document.created_at:%Y-%m-%d}:library-document:{document.pk}"


def atom_feed(
    documents: Iterable[KnowledgeDocument], *, self_url: str, alternate_url: str
) -> bytes:
    generator = FeedGenerator()
    generator.id(self_url)
    generator.title("Knowledge library")
    generator.subtitle("Public documents shared in the International Cleantech Network.")
    generator.author({"name": settings.SITE_NAME, "uri": settings.SITE_URL})
    generator.link(href=self_url, rel="self", type="application/atom+xml")
    generator.link(href=alternate_url, rel="alternate", type="text/html")
    generator.language("en")
    latest: datetime | None = None
    for document in documents:
        entry = generator.add_entry(order="append")
        entry.id(_entry_id(document))
        entry.title(document.title)
        entry.link(
            href=settings.SITE_URL + document.get_absolute_url(), rel="alternate", type="text/html"
        )
        entry.published(document.created_at)
        entry.updated(document.updated_at)
        latest = document.updated_at if latest is None else max(latest, document.updated_at)
        entry.summary(document.summary or document.get_kind_display())
        entry.category(term=document.kind, label=document.get_kind_display())
        for topic in document.topics.all():
            entry.category(term=topic.slug, label=topic.name)
        if document.organisation:
            entry.author({"name": document.organisation.name})
    generator.updated(latest or timezone.now())
    return bytes(generator.atom_str(pretty=True))
