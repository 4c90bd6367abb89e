"""One search index per kind of document, kept in step with the database.

The engine's `HybridIndex` lives in memory, one per process and kind. It is filled at first
use from stored vectors (the `Embedding` table), so a restart does not encode everything
again; a record whose text changed since its vector was stored is encoded anew (its text hash
differs). Before every query the index compares a cheap signature of the table (how many rows,
the latest change) with the one it was built from and refreshes only the rows that changed:
it stays right even when nobody told it about a change.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from icn.directory.models import Organisation, OrganisationKind
from icn.knowledge.models import KnowledgeDocument
from icn.matching.engine import DEFAULT_WEIGHTS, HybridIndex, Profile, load_embedder
from icn.matching.models import DocumentKind, Embedding
from icn.opportunities.models import Opportunity, OpportunityKind, Solution

logger = logging.getLogger(__name__)

KINDS = [kind.value for kind in DocumentKind]
BATCH = 64


def _names(topics: Iterable[Any]) -> str:
    return ", ".join(topic.name for topic in topics)


def _slugs(topics: Iterable[Any]) -> frozenset[str]:
    return frozenset(topic.slug for topic in topics)


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


# What each kind of document says, and its profile for the re-ranker --------------------------


def solution_text(solution: Solution) -> str:
    topics = _names(solution.topics.all())
    return _paragraphs(
        solution.title,
        solution.description,
        solution.references,
        topics,
    )


def solution_profile(solution: Solution) -> Profile:
    return Profile(
        topics=_slugs(solution.topics.all()),
        readiness=solution.readiness_level,
        countries=frozenset({solution.organisation.country}),
        markets=frozenset(solution.markets or []),
        kind=solution.organisation.kind,
        outcomes=0.0,
    )


def organisation_text(organisation: Organisation) -> str:
    topics = _names(organisation.topics.all())
    return _paragraphs(
        organisation.name,
        organisation.description,
        topics,
    )


def organisation_markets(organisation: Organisation) -> frozenset[str]:
    """Where an organisation is present: its own country and where its solutions sell."""
    markets = {organisation.country}
    for solution in organisation.solutions.all():
        markets.update(solution.markets or [])
    return frozenset(markets)


def organisation_profile(organisation: Organisation) -> Profile:
    return Profile(
        topics=_slugs(organisation.topics.all()),
        readiness=None,
        countries=frozenset({organisation.country}),
        markets=organisation_markets(organisation),
        kind=organisation.kind,
        outcomes=0.0,
    )


def opportunity_text(opportunity: Opportunity) -> str:
    topics = _names(opportunity.topics.all())
    return _paragraphs(
        opportunity.title,
        opportunity.summary,
        opportunity.body,
        " · ".join(part for part in (opportunity.funder, opportunity.programme) if part),
        topics,
    )


def opportunity_profile(opportunity: Opportunity) -> Profile:
    rules = opportunity.eligibility or {}
    countries = set(rules.get("eligible_countries") or [])
    if opportunity.country:
        countries.add(opportunity.country)
    return Profile(
        topics=_slugs(opportunity.topics.all()),
        readiness=opportunity.trl_min,
        countries=frozenset(countries),
        markets=frozenset({opportunity.country}) if opportunity.country else frozenset(),
        kind=None,
        outcomes=0.0,
    )


def document_text(document: KnowledgeDocument) -> str:
    version = document.current_version
    return _paragraphs(
        document.title,
        document.summary,
        _names(document.topics.all()),
        version.text if version is not None else "",
    )


def document_profile(document: KnowledgeDocument) -> Profile:
    return Profile(
        topics=_slugs(document.topics.all()),
        readiness=None,
        countries=frozenset(),
        markets=frozenset(),
        kind=None,
        outcomes=0.0,
    )


@dataclass(frozen=True)
class Source:
    """Where the documents of one kind come from and how each reads."""

    kind: str
    rows: Callable[[], QuerySet[Any]]
    detailed: Callable[[QuerySet[Any]], QuerySet[Any]]
    text: Callable[[Any], str]
    profile: Callable[[Any], Profile]


SOURCES: dict[str, Source] = {
    DocumentKind.SOLUTIONS: Source(
        DocumentKind.SOLUTIONS,
        rows=lambda: Solution.objects.all(),
        detailed=lambda qs: qs.select_related("organisation").prefetch_related("topics"),
        text=solution_text,
        profile=solution_profile,
    ),
    DocumentKind.ORGANISATIONS: Source(
        DocumentKind.ORGANISATIONS,
        rows=lambda: Organisation.objects.exclude(kind=OrganisationKind.PARTNER),
        detailed=lambda qs: qs.prefetch_related("topics", "solutions"),
        text=organisation_text,
        profile=organisation_profile,
    ),
    DocumentKind.OPPORTUNITIES: Source(
        DocumentKind.OPPORTUNITIES,
        # What matching starts from or leads to: challenges and funding calls.
        rows=lambda: Opportunity.objects.filter(
            kind__in=[OpportunityKind.CHALLENGE, OpportunityKind.FUNDING_CALL]
        ),
        detailed=lambda qs: qs.prefetch_related("topics"),
        text=opportunity_text,
        profile=opportunity_profile,
    ),
    DocumentKind.DOCUMENTS: Source(
        DocumentKind.DOCUMENTS,
        rows=lambda: KnowledgeDocument.objects.all(),
        detailed=lambda qs: qs.prefetch_related("topics", "versions"),
        text=document_text,
        profile=document_profile,
    ),
}


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_bytes(vector: Any) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | memoryview) -> Any:
    return np.frombuffer(bytes(data), dtype="<f4")


_embedder_lock = threading.Lock()


@lru_cache(maxsize=4)
def _load_embedder(name: str) -> Any:
    return load_embedder(name)


def embedder_named(name: str) -> Any:
    """Loading a model takes a while: once per process and name, even from two threads."""
    with _embedder_lock:
        return _load_embedder(name)


def current_embedder() -> Any:
    return embedder_named(settings.ICN_MATCHING_EMBEDDER)


Signature = tuple[int, datetime | None]


@dataclass
class KindIndex:
    """The engine's index of one kind, with what it knows about each row it holds."""

    source: Source
    embedder: Any
    engine: Any = None
    texts: dict[int, str] = field(default_factory=dict)
    profiles: dict[int, Profile] = field(default_factory=dict)
    stamps: dict[int, datetime] = field(default_factory=dict)
    signature: Signature | None = None
    encoded: int = 0  # vectors made by this index (not read from storage)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        if self.engine is None:
            self.engine = HybridIndex(self.embedder, DEFAULT_WEIGHTS)

    @property
    def kind(self) -> str:
        return self.source.kind

    def __len__(self) -> int:
        return len(self.engine)

    def current_signature(self) -> Signature:
        row = self.source.rows().aggregate(n=Count("pk"), latest=Max("updated_at"))
        return int(row["n"]), row["latest"]

    def refresh(self) -> int:
        """Bring the index in step with the table; returns how many rows were (re)loaded."""
        signature = self.current_signature()
        if signature == self.signature:
            return 0
        with self.lock:
            if signature == self.signature:
                return 0
            stamps: dict[int, datetime] = dict(
                self.source.rows().values_list("pk", "updated_at").iterator()
            )
            for pk in set(self.stamps) - set(stamps):
                self._drop(pk)
            changed = [pk for pk, stamp in stamps.items() if self.stamps.get(pk) != stamp]
            loaded = self._load(changed)
            self.signature = signature
            return loaded

    def refresh_one(self, pk: int) -> bool:
        """Reload one row now (a task after a change); returns whether it still exists."""
        with self.lock:
            if not self.source.rows().filter(pk=pk).exists():
                self._drop(pk)
                Embedding.objects.filter(kind=self.kind, object_id=pk).delete()
                return False
            self._load([pk])
            return True

    def _drop(self, pk: int) -> None:
        if pk in self.texts:
            self.engine.remove(str(pk))
        self.texts.pop(pk, None)
        self.profiles.pop(pk, None)
        self.stamps.pop(pk, None)

    def _load(self, pks: Sequence[int]) -> int:
        loaded = 0
        for chunk in _chunks(list(pks), 500):
            rows = list(self.source.detailed(self.source.rows().filter(pk__in=chunk)))
            texts = {row.pk: self.source.text(row) for row in rows}
            vectors = self.vectors_for(texts)
            self.engine.upsert_many([(str(pk), texts[pk], vectors[pk]) for pk in texts])
            for row in rows:
                self.texts[row.pk] = texts[row.pk]
                self.profiles[row.pk] = self.source.profile(row)
                self.stamps[row.pk] = row.updated_at
            loaded += len(rows)
        return loaded

    def vectors_for(self, texts: dict[int, str], *, reuse: bool = True) -> dict[int, Any]:
        """Stored vectors where the text is unchanged; the others encoded and stored."""
        model = self.embedder.name
        hashes = {pk: text_hash(text) for pk, text in texts.items()}
        vectors: dict[int, Any] = {}
        if reuse:
            stored = Embedding.objects.filter(
                kind=self.kind, model=model, object_id__in=list(texts)
            ).values_list("object_id", "text_hash", "vector", "dim")
            for pk, digest, data, dim in stored:
                if hashes.get(pk) == digest and dim == self.embedder.dim:
                    vectors[pk] = from_bytes(data)
        missing = [pk for pk in texts if pk not in vectors]
        for chunk in _chunks(missing, BATCH):
            encoded = self.embedder.encode([texts[pk] for pk in chunk])
            self.encoded += len(chunk)
            for pk, vector in zip(chunk, encoded, strict=True):
                vectors[pk] = np.asarray(vector, dtype=np.float32)
            self._store({pk: (hashes[pk], vectors[pk]) for pk in chunk})
        return vectors

    def _store(self, rows: dict[int, tuple[str, Any]]) -> None:
        now = timezone.now()
        records = [
            Embedding(
                kind=self.kind,
                object_id=pk,
                model=self.embedder.name,
                text_hash=digest,
                dim=int(np.asarray(vector).shape[-1]),
                vector=to_bytes(vector),
                updated_at=now,
            )
            for pk, (digest, vector) in rows.items()
        ]
        try:
            # A savepoint: a failed write (a read-only replica, a locked file) must not break
            # the page's transaction; the vector is still used, only not kept.
            with transaction.atomic():
                Embedding.objects.bulk_create(
                    records,
                    update_conflicts=True,
                    unique_fields=["kind", "object_id", "model"],
                    update_fields=["text_hash", "dim", "vector", "updated_at"],
                )
        except DatabaseError:
            logger.warning("Could not store %d %s vectors.", len(records), self.kind)

    def vector(self, pk: int) -> Any:
        """The stored vector of a row (fresh), or None: a query that needs no encoding."""
        self.refresh()
        return self.engine.vector(str(pk))

    def search(
        self,
        text: str,
        *,
        k: int = 50,
        allowed: Iterable[int] | None = None,
        vector: Any = None,
    ) -> list[Any]:
        """The engine's hits for `text` (ids as strings), among `allowed` ids when given."""
        self.refresh()
        allowed_ids: set[str] | None = None
        if allowed is not None:
            allowed_ids = {str(pk) for pk in allowed if int(pk) in self.texts}
            if not allowed_ids:
                return []
        if vector is None:
            return list(self.engine.search(text, k=k, allowed=allowed_ids))
        return list(self.engine.search_ranked(text, vector, k=k, allowed=allowed_ids))


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_indexes: dict[tuple[str, str], KindIndex] = {}
_registry_lock = threading.Lock()


def get_index(kind: str) -> KindIndex:
    """The process-wide index of `kind` for the configured embedder, built at first use."""
    embedder = current_embedder()
    key = (kind, embedder.name)
    with _registry_lock:
        index = _indexes.get(key)
        if index is None:
            index = KindIndex(SOURCES[kind], embedder)
            _indexes[key] = index
    return index


def drop_indexes() -> None:
    """Forget the in-memory indexes (stored vectors stay): as after a restart."""
    with _registry_lock:
        _indexes.clear()


def rebuild(
    kind: str, *, progress: Callable[[int, int], None] | None = None, changed_only: bool = False
) -> int:
    """Encode every row of `kind` (or only those whose text changed) and store the vectors."""
    source = SOURCES[kind]
    index = KindIndex(source, current_embedder())
    pks = list(source.rows().order_by("pk").values_list("pk", flat=True))
    done = 0
    for chunk in _chunks(pks, BATCH):
        rows = list(source.detailed(source.rows().filter(pk__in=chunk)))
        index.vectors_for({row.pk: source.text(row) for row in rows}, reuse=changed_only)
        done += len(chunk)
        if progress is not None:
            progress(done, len(pks))
    Embedding.objects.filter(kind=kind, model=index.embedder.name).exclude(
        object_id__in=pks
    ).delete()
    with _registry_lock:
        _indexes.pop((kind, index.embedder.name), None)
    return len(pks)


def warm_up() -> dict[str, int]:
    """Load the model and every kind's index now; returns how many documents each holds.

    A web process calls this in the background as it starts (``start_warm_up``): the
    first matching page then finds the model loaded and the vectors in memory instead of
    paying about a second for them.
    """
    embedder = current_embedder()
    embedder.encode(["warm up"])  # the first inference sets up the runtime's buffers
    sizes = {}
    for kind in KINDS:
        index = get_index(kind)
        index.refresh()
        index.engine.build_graph()
        sizes[kind] = len(index)
    return sizes


def start_warm_up() -> threading.Thread | None:
    """Run ``warm_up`` in a daemon thread, if ``ICN_MATCHING_WARM_UP`` is on."""
    if not settings.ICN_MATCHING_WARM_UP:
        return None

    def run() -> None:
        from django.db import connections

        try:
            sizes = warm_up()
            logger.info("Matching indexes ready: %s", sizes)
        except Exception:  # a cold start is slower, never broken
            logger.exception("Could not warm up the matching indexes.")
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="icn-matching-warm-up", daemon=True)
    thread.start()
    return thread


def reindex_record(kind: str, pk: int) -> bool:
    """Store a fresh vector for one changed record and update this process's index."""
    return get_index(kind).refresh_one(pk)
