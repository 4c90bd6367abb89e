"""Hybrid retrieval: BM25 and dense vectors, fused by reciprocal rank fusion."""

from __future__ import annotations

import math
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np

from .bm25 import BM25Index
from .embedders import Embedder
from .text import sentences, tokens
from .vectors import EXACT_UP_TO, VectorIndex


@dataclass(frozen=True)
class Weights:
    """All the knobs of retrieval and ranking, in one place.

    rrf_k and the BM25 weight were chosen on the dev split of the SDG classification
    benchmark (benchmarks/match_quality.py; docs/benchmarks.md, 2026-11-22): RRF k=1 with
    BM25 at a quarter of the dense weight scored best on dev (mean nDCG@10 of by-example
    and by-goal queries 0.409, against 0.389 for the textbook k=60 with equal weights).
    On the test split the hybrid equals dense retrieval within noise and beats BM25 by
    0.10-0.13 nDCG@10: BM25 is there for exact names and terms, which that benchmark
    does not test.

    The structured weights could not be fitted on it (it has no topics, readiness or
    places). They are set against the normalised text score (1.0 = first in both
    rankings; with k=1 a dense-only first hit is 0.8, the fifth 0.27): a full topic match
    (0.5) lifts a candidate over a few text places, readiness (0.3) and geography or kind
    (0.2) less, past outcomes (0.1) break near ties.
    """

    rrf_k: int = 1
    bm25: float = 0.25
    dense: float = 1.0
    text: float = 1.0
    topics: float = 0.5
    readiness: float = 0.3
    geography: float = 0.2
    kind: float = 0.2
    outcomes: float = 0.1


DEFAULT_WEIGHTS = Weights()


@dataclass
class Hit:
    """A document found by text, with its fused score and the ranks it came from."""

    doc_id: str
    score: float
    bm25_rank: int | None
    dense_rank: int | None
    passages: list[str] = field(default_factory=list)


def rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int) -> dict[str, float]:
    """Reciprocal rank fusion: each list adds weight / (k + rank), ranks counted from 1."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, doc_id in enumerate(ranking, start=1):
            fused[doc_id] = fused.get(doc_id, 0.0) + weight / (k + rank)
    return fused


def fuse(
    lexical: Sequence[str], dense: Sequence[str], weights: Weights, k: int
) -> list[tuple[str, float]]:
    """The ``k`` best ids by weighted RRF of the two rankings, ties broken by id."""
    fused = rrf([lexical, dense], [weights.bm25, weights.dense], weights.rrf_k)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]


def rrf_ceiling(weights: Weights) -> float:
    """The fused score of a document first in every list: the top of the scale."""
    return (weights.bm25 + weights.dense) / (weights.rrf_k + 1)


# How deep each list goes before fusion: a document ranked 100th in one list and absent
# from the other is no longer a candidate for the first results.
FUSION_DEPTH = 100
PASSAGES_PER_HIT = 2


class HybridIndex:
    """Documents searchable by words (BM25) and by meaning (embeddings), updated in place."""

    def __init__(
        self,
        embedder: Embedder,
        weights: Weights = DEFAULT_WEIGHTS,
        *,
        exact_up_to: int = EXACT_UP_TO,
    ) -> None:
        self.embedder = embedder
        self.weights = weights
        self._bm25 = BM25Index()
        self._vectors = VectorIndex(embedder.dim, exact_up_to=exact_up_to)
        self._sentences: dict[str, list[str]] = {}
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._sentences)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._sentences

    def _checked(self, vector: np.ndarray) -> np.ndarray:
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        if vector.shape != (self.embedder.dim,):
            raise ValueError(
                f"vector of dimension {vector.shape[0]} for embedder {self.embedder.name} "
                f"of dimension {self.embedder.dim}"
            )
        norm = float(np.linalg.norm(vector))
        if not math.isfinite(norm) or norm == 0.0:
            raise ValueError("a stored vector must be finite and non-zero")
        return vector / norm if abs(norm - 1.0) > 1e-3 else vector

    def upsert(self, doc_id: str, text: str, vector: np.ndarray | None = None) -> np.ndarray:
        """Add or replace one document; returns its vector (computed if not given)."""
        if vector is None:
            vector = self.embedder.encode([text])[0]
        vector = self._checked(vector)
        with self._lock:
            self._bm25.upsert(doc_id, text)
            self._vectors.upsert(doc_id, vector)
            self._sentences[doc_id] = sentences(text)
        return vector

    def upsert_many(self, items: Sequence[tuple[str, str, np.ndarray | None]]) -> None:
        """Add or replace many documents, embedding those without a vector in batches."""
        missing = [i for i, (_, _, vector) in enumerate(items) if vector is None]
        encoded = self.embedder.encode([items[i][1] for i in missing]) if missing else None
        vectors = np.empty((len(items), self.embedder.dim), dtype=np.float32)
        for position, (_, _, vector) in enumerate(items):
            if vector is not None:
                vectors[position] = self._checked(vector)
        if encoded is not None:
            vectors[missing] = encoded
        with self._lock:
            for doc_id, text, _ in items:
                self._bm25.upsert(doc_id, text)
                self._sentences[doc_id] = sentences(text)
            self._vectors.upsert_many([doc_id for doc_id, _, _ in items], vectors)

    def remove(self, doc_id: str) -> None:
        with self._lock:
            self._bm25.remove(doc_id)
            self._vectors.remove(doc_id)
            self._sentences.pop(doc_id, None)

    def build_graph(self) -> None:
        """Build the HNSW graph now if the index is past the exact-search limit.

        Otherwise the first search past it pays for the build (about 50 s at 100,000
        vectors on the 2-core machine; docs/benchmarks.md): call this from a worker after
        loading stored vectors.
        """
        with self._lock:
            if self._vectors.approximate:
                self._vectors.build_graph()

    def vector(self, doc_id: str) -> np.ndarray | None:
        with self._lock:
            return self._vectors.vector(doc_id)

    def search(
        self, text: str, *, k: int = 50, allowed: Collection[str] | None = None
    ) -> list[Hit]:
        """The ``k`` best documents for ``text`` (only ids in ``allowed``, if given)."""
        query_vector = self.embedder.encode([text])[0]
        return self.search_ranked(text, query_vector, k=k, allowed=allowed)

    def search_ranked(
        self,
        text: str,
        query_vector: np.ndarray,
        *,
        k: int = 50,
        allowed: Collection[str] | None = None,
        weights: Weights | None = None,
    ) -> list[Hit]:
        """``search`` with the query's vector given (and other weights, for tuning)."""
        weights = weights or self.weights
        if k <= 0:
            return []
        depth = max(k, FUSION_DEPTH)
        if allowed is not None and not isinstance(allowed, set | frozenset):
            allowed = frozenset(allowed)  # once, for both rankings
        with self._lock:
            lexical = self.lexical_ranking(text, depth, allowed)
            dense = self.dense_ranking(query_vector, depth, allowed)
            lexical_rank = {d: r for r, d in enumerate(lexical, start=1)}
            dense_rank = {d: r for r, d in enumerate(dense, start=1)}
            return [
                Hit(
                    doc_id=d,
                    score=score,
                    bm25_rank=lexical_rank.get(d),
                    dense_rank=dense_rank.get(d),
                    passages=self._passages(d, text),
                )
                for d, score in fuse(lexical, dense, weights, k)
            ]

    def lexical_ranking(
        self, text: str, depth: int, allowed: Collection[str] | None = None
    ) -> list[str]:
        """Ids of the best ``depth`` documents by BM25 (only those sharing a word)."""
        with self._lock:
            slots = None if allowed is None else self._bm25.slots(allowed)
            return [d for d, _ in self._bm25.search(text, depth, slots)]

    def dense_ranking(
        self, query_vector: np.ndarray, depth: int, allowed: Collection[str] | None = None
    ) -> list[str]:
        """Ids of the ``depth`` documents nearest to ``query_vector``."""
        with self._lock:
            return [d for d, _ in self._vectors.search(query_vector, depth, allowed)]

    def _passages(self, doc_id: str, query: str) -> list[str]:
        # The sentences sharing the rarest query words, in document order. Lexical on
        # purpose: embedding every sentence of every hit at query time costs seconds.
        query_terms = set(tokens(query))
        scored = []
        for position, sentence in enumerate(self._sentences.get(doc_id, [])):
            shared = query_terms.intersection(tokens(sentence))
            if shared:
                scored.append((sum(self._bm25.idf(t) for t in shared), position, sentence))
        best = sorted(scored, key=lambda s: (-s[0], s[1]))[:PASSAGES_PER_HIT]
        return [sentence for _, _, sentence in sorted(best, key=lambda s: s[1])]

    def ids(self) -> list[str]:
        """The ids of the indexed documents."""
        with self._lock:
            return list(self._sentences)
