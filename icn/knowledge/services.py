"""Writes of the library: documents, their versions and text, collections."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from icn.core.files import CheckedFile, check_upload
from icn.core.models import assign, delete_or_explain
from icn.core.visibility import Visibility, can_change, get_scope
from icn.directory.models import Cluster, Organisation, Topic, TopicKind
from icn.directory.services import unique_slug
from icn.knowledge import extract
from icn.knowledge.models import (
    Collection,
    CollectionItem,
    DocumentDownload,
    DocumentVersion,
    ExtractionStatus,
    KnowledgeDocument,
)
from icn.matching.engine.text import sentences

logger = logging.getLogger(__name__)

SUMMARY_SENTENCES = 3
SUMMARY_MAX_CHARS = 600


def _reindex(document_pk: int) -> None:
    from icn.matching.services import record_changed

    record_changed("documents", document_pk)


def may_add_for(actor: Any, organisation: Organisation | None, cluster: Cluster | None) -> bool:
    """Members add for their organisations, managers for their clusters, the secretariat all."""
    scope = get_scope(actor)
    if scope.is_secretariat:
        return True
    if organisation is not None:
        return organisation.pk in scope.organisation_ids
    return cluster is not None and cluster.pk in scope.managed_cluster_ids


def _check_owner(
    actor: Any,
    organisation: Organisation | None,
    cluster: Cluster | None,
    visibility: str,
    *,
    moved: bool = True,
) -> None:
    """`moved`: the document gets a new owner, which the actor must be allowed to add for."""
    if organisation is None and cluster is None and not get_scope(actor).is_secretariat:
        raise ValidationError(
            {"cluster": "Choose the organisation you act for or the cluster you manage."}
        )
    if moved and not may_add_for(actor, organisation, cluster):
        raise PermissionDenied(
            "Add documents for an organisation you act for, or a cluster you manage."
        )
    if visibility == Visibility.CLUSTER and cluster is None:
        raise ValidationError({"cluster": "A cluster-only document needs its cluster."})
    if visibility == Visibility.PRIVATE and organisation is None:
        raise ValidationError({"visibility": "A private document belongs to an organisation."})


def _check_topics(topics: Iterable[Topic], sdgs: Iterable[Topic]) -> None:
    if any(topic.kind != TopicKind.AREA for topic in topics):
        raise ValidationError({"topics": "Topics are cleantech areas; SDGs go under SDGs."})
    if any(topic.kind != TopicKind.SDG for topic in sdgs):
        raise ValidationError({"sdgs": "Only Sustainable Development Goals can be chosen here."})


# Files --------------------------------------------------------------------------------------


def check_document_file(upload: Any) -> CheckedFile:
    """Refuse a file the library cannot keep: unknown type, too large, content not its type."""
    checked = check_upload(upload, default_name="document")
    if checked.content_type not in extract.SUPPORTED:
        raise ValidationError(
            {
                "file": "Upload PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), "
                "Markdown (.md) or text (.txt) files."
            }
        )
    data = upload.read()
    upload.seek(0)
    problem = extract.content_problem(data, checked.content_type)
    if problem:
        raise ValidationError({"file": problem})
    return checked


def _new_version(
    *, actor: Any, document: KnowledgeDocument, upload: Any = None, url: str = ""
) -> DocumentVersion:
    if (upload is None) == (not url):
        raise ValidationError({"file": "Upload a file or give a link (one of the two)."})
    number = (
        document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if upload is not None:
        checked = check_document_file(upload)
        version.name = checked.name
        version.content_type = checked.content_type
        version.size = checked.size
        version.extraction_status = ExtractionStatus.PENDING
        version.file.save(checked.name, upload, save=False)
    else:
        version.url = url
        version.name = url[:200]
        version.extraction_status = ExtractionStatus.LINK
    version.full_clean()
    version.save()
    if upload is not None:
        from icn.knowledge.tasks import extract_text

        transaction.on_commit(partial(extract_text.enqueue, version.pk))
    return version


# Documents ----------------------------------------------------------------------------------


@transaction.atomic
def document_create(
    *,
    actor: Any,
    title: str,
    kind: str,
    organisation: Organisation | None = None,
    cluster: Cluster | None = None,
    topics: Iterable[Topic] = (),
    sdgs: Iterable[Topic] = (),
    upload: Any = None,
    url: str = "",
    **fields: Any,
) -> KnowledgeDocument:
    """A new document with its first version (a file, read in the background, or a link)."""
    topics, sdgs = list(topics), list(sdgs)
    if cluster is None and organisation is not None:
        cluster = organisation.clusters.order_by("name").first()
    visibility = fields.get("visibility", Visibility.NETWORK)
    _check_owner(actor, organisation, cluster, visibility)
    _check_topics(topics, sdgs)
    document = KnowledgeDocument(
        title=title,
        kind=kind,
        organisation=organisation,
        cluster=cluster,
        added_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    document.slug = unique_slug(KnowledgeDocument, title, max_length=300)
    document.full_clean()
    document.save()
    document.topics.set(topics)
    document.sdgs.set(sdgs)
    _new_version(actor=actor, document=document, upload=upload, url=url)
    _reindex(document.pk)
    return document


def _require_change(actor: Any, document: KnowledgeDocument) -> None:
    if not can_change(actor, document):
        raise PermissionDenied("You may not change this document.")


@transaction.atomic
def document_update(
    *,
    actor: Any,
    document: KnowledgeDocument,
    topics: Iterable[Topic] | None = None,
    sdgs: Iterable[Topic] | None = None,
    **fields: Any,
) -> KnowledgeDocument:
    """Change a document's description; topics and SDGs, when given, replace the old ones."""
    _require_change(actor, document)
    topics = list(topics) if topics is not None else None
    sdgs = list(sdgs) if sdgs is not None else None
    _check_topics(topics or [], sdgs or [])
    owner = (document.organisation_id, document.cluster_id)
    assign(document, fields)
    if {"cluster", "visibility", "organisation"} & fields.keys():
        # Whoever may change the document keeps its owner (a manager editing a member's
        # document); giving it to another one needs the right to add for that one.
        _check_owner(
            actor,
            document.organisation,
            document.cluster,
            document.visibility,
            moved=(document.organisation_id, document.cluster_id) != owner,
        )
    document.full_clean()
    document.save()
    if topics is not None:
        document.topics.set(topics)
    if sdgs is not None:
        document.sdgs.set(sdgs)
    _reindex(document.pk)
    return document


@transaction.atomic
def version_add(
    *, actor: Any, document: KnowledgeDocument, upload: Any = None, url: str = ""
) -> DocumentVersion:
    """A new version of a document; the earlier ones stay downloadable."""
    _require_change(actor, document)
    version = _new_version(actor=actor, document=document, upload=upload, url=url)
    document.save(update_fields=["updated_at"])
    _reindex(document.pk)
    return version


def download_record(*, actor: Any, version: DocumentVersion) -> DocumentDownload:
    """Count a download of the version (the library's reach, an impact indicator)."""
    return DocumentDownload.objects.create(
        document_id=version.document_id,
        version=version.number,
        user=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def document_delete(*, actor: Any, document: KnowledgeDocument) -> None:
    _require_change(actor, document)
    files = [v.file for v in document.versions.all() if v.file]
    pk = document.pk
    delete_or_explain(document)
    for file in files:
        transaction.on_commit(partial(file.delete, save=False))
    _reindex(pk)


def version_extract(version_pk: int) -> DocumentVersion | None:
    """Read a version's text; a file that cannot be read is marked so, with the reason.

    Never raises for a bad file: the worker goes on with the next task.
    """
    version = DocumentVersion.objects.select_related("document").filter(pk=version_pk).first()
    if version is None or not version.file:
        return version
    try:
        with version.file.open("rb") as handle:
            data = handle.read()
        version.text = extract.extract_text(data, version.content_type)
        version.extraction_status = ExtractionStatus.DONE
        version.extraction_error = ""
    except extract.Unreadable as error:
        version.text, version.extraction_status = "", ExtractionStatus.FAILED
        version.extraction_error = str(error)[:500]
    except Exception as error:  # a missing file, a storage error: marked, never a crash
        logger.exception("Could not read library version %s.", version_pk)
        version.text, version.extraction_status = "", ExtractionStatus.FAILED
        version.extraction_error = f"The file could not be opened ({type(error).__name__})."[:500]
    version.extracted_at = timezone.now()
    with transaction.atomic():
        version.save(
            update_fields=[
                "text",
                "extraction_status",
                "extraction_error",
                "extracted_at",
                "updated_at",
            ]
        )
        # The index notices a document changed by its time stamp.
        version.document.save(update_fields=["updated_at"])
        _reindex(version.document_id)
    return version


def suggest_summary(text: str) -> str:
    """The first sentences of a document's text: a start the author edits."""
    chosen: list[str] = []
    for sentence in sentences(text):
        words = sentence.split()
        if len(words) < 4 or sentence.startswith(("#", "|")):
            continue  # headings, table rows and labels do not summarise
        if sum(len(s) + 1 for s in chosen) + len(sentence) > SUMMARY_MAX_CHARS:
            break
        chosen.append(" ".join(words))
        if len(chosen) == SUMMARY_SENTENCES:
            break
    return " ".join(chosen)


# Collections --------------------------------------------------------------------------------


def may_curate(actor: Any, cluster: Cluster | None) -> bool:
    """Cluster managers curate for their clusters; the secretariat for the whole network."""
    scope = get_scope(actor)
    if scope.is_secretariat:
        return True
    return cluster is not None and cluster.pk in scope.managed_cluster_ids


@transaction.atomic
def collection_create(
    *, actor: Any, title: str, cluster: Cluster | None = None, **fields: Any
) -> Collection:
    if not may_curate(actor, cluster):
        raise PermissionDenied("Cluster managers and the secretariat curate collections.")
    collection = Collection(
        title=title,
        cluster=cluster,
        curated_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    _check_collection(collection)
    collection.slug = unique_slug(Collection, title, max_length=200)
    collection.full_clean()
    collection.save()
    return collection


def _check_collection(collection: Collection) -> None:
    if collection.visibility == Visibility.PRIVATE:
        raise ValidationError({"visibility": "A collection is shared: public, network or cluster."})
    if collection.visibility == Visibility.CLUSTER and collection.cluster is None:
        raise ValidationError({"cluster": "A cluster-only collection needs its cluster."})


def _require_curate(actor: Any, collection: Collection) -> None:
    if not can_change(actor, collection):
        raise PermissionDenied("You may not change this collection.")


@transaction.atomic
def collection_update(*, actor: Any, collection: Collection, **fields: Any) -> Collection:
    _require_curate(actor, collection)
    assign(collection, fields)
    if "cluster" in fields and not may_curate(actor, collection.cluster):
        raise PermissionDenied("Curate for a cluster you manage.")
    _check_collection(collection)
    collection.full_clean()
    collection.save()
    return collection


@transaction.atomic
def collection_delete(*, actor: Any, collection: Collection) -> None:
    _require_curate(actor, collection)
    collection.delete()


@transaction.atomic
def collection_set_documents(
    *, actor: Any, collection: Collection, documents: Iterable[KnowledgeDocument]
) -> list[CollectionItem]:
    """Put the documents in the collection in this order (earlier items not named go)."""
    _require_curate(actor, collection)
    documents = list(dict.fromkeys(documents))
    if collection.visibility == Visibility.PUBLIC:
        hidden = [d.title for d in documents if d.visibility != Visibility.PUBLIC]
        if hidden:
            names = ", ".join(hidden)
            raise ValidationError(
                {"documents": f"A public collection lists public documents only: {names}."}
            )
    collection.items.all().delete()
    items = CollectionItem.objects.bulk_create(
        CollectionItem(collection=collection, document=document, position=position)
        for position, document in enumerate(documents, start=1)
    )
    collection.save(update_fields=["updated_at"])
    return items


def _in_order(collection: Collection) -> list[KnowledgeDocument]:
    return [item.document for item in collection.items.select_related("document")]


@transaction.atomic
def collection_add_document(
    *, actor: Any, collection: Collection, document: KnowledgeDocument
) -> list[CollectionItem]:
    """Put a document the curator can see at the end of the collection."""
    if not KnowledgeDocument.objects.visible_to(actor).filter(pk=document.pk).exists():
        raise PermissionDenied("You may not see this document.")
    documents = _in_order(collection)
    if document in documents:
        raise ValidationError({"document": f"“{document.title}” is in this collection already."})
    return collection_set_documents(
        actor=actor, collection=collection, documents=[*documents, document]
    )


@transaction.atomic
def collection_remove_document(
    *, actor: Any, collection: Collection, document: KnowledgeDocument
) -> list[CollectionItem]:
    """Take a document out of the collection; it stays in the library."""
    documents = [d for d in _in_order(collection) if d.pk != document.pk]
    return collection_set_documents(actor=actor, collection=collection, documents=documents)


@transaction.atomic
def collection_move_document(
    *, actor: Any, collection: Collection, document: KnowledgeDocument, offset: int
) -> list[CollectionItem]:
    """Move a document `offset` places down (negative: up), stopping at either end."""
    documents = _in_order(collection)
    if document not in documents:
        raise ValidationError({"document": f"“{document.title}” is not in this collection."})
    index = documents.index(document)
    documents.remove(document)
    documents.insert(min(max(index + offset, 0), len(documents)), document)
    return collection_set_documents(actor=actor, collection=collection, documents=documents)


@dataclass(frozen=True)
class Suggestions:
    """What the text suggests for a document's description, for its author to confirm."""

    summary: str
    topics: list[Topic]
    sdgs: list[Topic]

    def __bool__(self) -> bool:
        return bool(self.summary or self.topics or self.sdgs)


def suggestions_for(document: KnowledgeDocument) -> Suggestions:
    """A summary from the current version's text and the topics and SDGs it reads like."""
    version = document.current_version
    return Suggestions(
        summary=suggest_summary(version.text if version is not None else ""),
        topics=suggest_labels(document, kind=TopicKind.AREA),
        sdgs=suggest_labels(document, kind=TopicKind.SDG),
    )


def suggest_labels(document: KnowledgeDocument, *, kind: str, k: int = 3) -> list[Topic]:
    """Topics (`area`) or SDGs (`sdg`) whose description reads like the document, best first;
    suggestions only: the author confirms them by saving the document."""
    from icn.matching.engine.tagging import LabelSuggester
    from icn.matching.index import current_embedder, get_index

    labels = {
        topic.slug: topic
        for topic in Topic.objects.filter(kind=kind)
        if topic.name or topic.description
    }
    vector = get_index("documents").vector(document.pk)
    if not labels or vector is None:
        return []
    suggester = LabelSuggester.from_texts(
        current_embedder(),
        {slug: f"{topic.name}. {topic.description}".strip() for slug, topic in labels.items()},
    )
    return [labels[slug] for slug, _ in suggester.suggest(vector, k=k)]
