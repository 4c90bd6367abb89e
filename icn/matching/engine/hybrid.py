"""Hybrid retrieval: BM25 and dense vectors, fused by a convex combination of scores.

Each list's scores are scaled to 0..1 over its best ``FUSION_DEPTH`` documents (min-max)
and mixed, ``bm25`` of the lexical part and the rest dense. The best fused documents then
feed back into the dense query (pseudo-relevance feedback, Rocchio's rule): the query
vector moves toward the centroid of the first hits, weighted by their fused scores, which
pulls in documents on the same subject written in other words; the lexical and the new
dense list are then fused again.
"""

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

    The three retrieval knobs were chosen on the dev split of the SDG classification
    benchmark (benchmarks/match_quality.py; docs/benchmarks.md, 2026-11-22), maximising
    the mean of by-example and by-goal nDCG@10: BM25 at a fifth of the fused score, and
    feedback from the first five hits at twice the weight of the query itself. On the
    test split this beats dense retrieval alone and BM25 alone on both query sets.

    The structured weights could not be fitted on it (it has no topics, readiness or
    places). They are set against the fused text score (1.0 = first in both lists; a
    first hit by meaning with no shared word is 0.8): a full topic match (0.5) lifts a
    candidate over a few text places, readiness (0.3) and geography or kind (0.2) less,
    past outcomes (0.1) break near ties.
    """

    bm25: float = 0.2  # share of the lexical score in the fused score, 0..1
    feedback_docs: int = 5  # first fused hits whose centroid moves the dense query
    feedback_weight: float = 2.0  # weight of that centroid against the query (0 = off)
    text: float = 1.0
    topics: float = 0.5
    readiness: float = 0.3
    geography: float = 0.2
    kind: float = 0.2
    outcomes: float = 0.1

    def __post_init__(self) -> None:
        if not 0.0 <= self.bm25 <= 1.0:
            raise ValueError("the BM25 share must lie between 0 and 1")
        if self.feedback_docs < 0 or self.feedback_weight < 0:
            raise ValueError("feedback documents and weight cannot be negative")


DEFAULT_WEIGHTS = Weights()


@dataclass
class Hit:
    """A document found by text, with its fused score (0..1) and the ranks it came from."""

    doc_id: str
    score: float
    bm25_rank: int | None
    dense_rank: int | None
    passages: list[str] = field(default_factory=list)


Scored = Sequence[tuple[str, float]]


def min_max(scored: Scored) -> dict[str, float]:
    """Scores of one ranked list scaled to 0..1: its best 1, its worst 0 (all 1 if equal)."""
    if not scored:
        return {}
    values = [score for _, score in scored]
    low, high = min(values), max(values)
    if high <= low:
        return {doc_id: 1.0 for doc_id, _ in scored}
    return {doc_id: (score - low) / (high - low) for doc_id, score in scored}


def fuse(lexical: Scored, dense: Scored, bm25_share: float, k: int) -> list[tuple[str, float]]:
    """The ``k`` best ids by ``bm25_share`` of the lexical plus the rest of the dense score.

    Each list is min-max scaled first, and a document missing from a list scores 0 there.
    Ties are broken by id.
    """
    lexical_scores, dense_scores = min_max(lexical), min_max(dense)
    fused = {
        doc_id: bm25_share * lexical_scores.get(doc_id, 0.0)
        + (1.0 - bm25_share) * dense_scores.get(doc_id, 0.0)
        for doc_id in lexical_scores.keys() | dense_scores.keys()
    }
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]


def feedback_query(
    query_vector: np.ndarray,
    hit_vectors: Sequence[np.ndarray],
    weight: float,
    hit_scores: Sequence[float] | None = None,
) -> np.ndarray:
    """The query moved toward the centroid of the first hits (Rocchio), unit length.

    With ``hit_scores`` the centroid is weighted by them: a hit that scored 0 (last in
    both lists of a tiny corpus) pulls nothing, and when none scored, the query stays.
    """
    scores = np.ones(len(hit_vectors)) if hit_scores is None else np.asarray(hit_scores)
    if not hit_vectors or weight == 0.0 or scores.sum() <= 0.0:
        return query_vector
    centroid = (scores[:, None] * np.stack(hit_vectors)).sum(axis=0) / scores.sum()
    moved = query_vector + weight * centroid
    norm = float(np.linalg.norm(moved))
    return moved / norm if norm > 0.0 else query_vector


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
            allowed = frozenset(allowed)  # once, for every ranking
        with self._lock:
            lexical = self.lexical_ranking(text, depth, allowed)
            fused, dense = self.fused_ranking(lexical, query_vector, k, allowed, weights)
            lexical_rank = {d: r for r, (d, _) in enumerate(lexical, start=1)}
            dense_rank = {d: r for r, (d, _) in enumerate(dense, start=1)}
            return [
                Hit(
                    doc_id=d,
                    score=score,
                    bm25_rank=lexical_rank.get(d),
                    dense_rank=dense_rank.get(d),
                    passages=self._passages(d, text),
                )
                for d, score in fused
            ]

    def fused_ranking(
        self,
        lexical: Scored,
        query_vector: np.ndarray,
        k: int,
        allowed: Collection[str] | None = None,
        weights: Weights | None = None,
    ) -> tuple[list[tuple[str, float]], Scored]:
        """The ``k`` best fused documents for a lexical ranking and a query vector.

        Returns them with the dense ranking they were fused with (after feedback).
        """
        weights = weights or self.weights
        depth = max(k, FUSION_DEPTH)
        query_vector = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        with self._lock:
            dense: Scored = self.dense_ranking(query_vector, depth, allowed)
            if not (weights.feedback_docs and weights.feedback_weight):
                return fuse(lexical, dense, weights.bm25, k), dense
            first = fuse(lexical, dense, weights.bm25, weights.feedback_docs)
            stored = [(self._vectors.vector(d), score) for d, score in first]
            moved = feedback_query(
                query_vector,
                [vector for vector, _ in stored if vector is not None],
                weights.feedback_weight,
                [score for vector, score in stored if vector is not None],
            )
            dense = self.dense_ranking(moved, depth, allowed)
            return fuse(lexical, dense, weights.bm25, k), dense

    def lexical_ranking(
        self, text: str, depth: int, allowed: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        """The best ``depth`` documents by BM25 with their scores (only those sharing a word)."""
        with self._lock:
            slots = None if allowed is None else self._bm25.slots(allowed)
            return self._bm25.search(text, depth, slots)

    def dense_ranking(
        self, query_vector: np.ndarray, depth: int, allowed: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        """The ``depth`` documents nearest to ``query_vector``, with their similarities."""
        with self._lock:
            return self._vectors.search(query_vector, depth, allowed)

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
