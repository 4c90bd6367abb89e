"""Nearest neighbours by inner product of unit vectors: exact for small sets, HNSW above.

Exact search is one matrix product, has perfect recall and no index to build, so it is
used as long as it answers within the latency budget; the switch point comes from
benchmarks/matching.py (see docs/benchmarks.md). Above it an HNSW graph (Spotify's voyager)
is built on first use and kept up to date by every upsert and removal.

Why voyager and not usearch: usearch 2.26's wheel links libstdc++ statically, and importing
onnxruntime after it crashes the process (a segmentation fault in std::locale set-up), so
the web process could die depending on import order. hnswlib ships no wheel.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Set
from typing import Any

import numpy as np

# Measured by benchmarks/matching.py on the project machine (2 cores), 2026-11-22: exact
# search of 384-dim float32 vectors stays under a 20 ms p95 budget up to about this many
# vectors. See docs/benchmarks.md, "Vector search: exact or HNSW".
EXACT_UP_TO = 100_000

# HNSW parameters: M=16 links per node, efConstruction 128, efSearch 256 (at least k).
# benchmarks/matching.py sweeps efSearch and reports recall@10 against exact search.
HNSW_CONNECTIVITY = 16
HNSW_EXPANSION_ADD = 128
HNSW_EXPANSION_SEARCH = 256


class VectorIndex:
    """Unit vectors by document id in one growing matrix, plus an HNSW graph when large."""

    def __init__(
        self,
        dim: int,
        *,
        exact_up_to: int = EXACT_UP_TO,
        ef_search: int = HNSW_EXPANSION_SEARCH,
    ) -> None:
        self.dim = dim
        self.exact_up_to = exact_up_to
        self.ef_search = ef_search
        self._matrix = np.zeros((0, dim), dtype=np.float32)
        self._count = 0
        self._row_of: dict[str, int] = {}
        self._doc_of: list[str] = []
        # HNSW keys are never reused, so a replaced vector can't be found under its old key.
        self._key_of: dict[str, int] = {}
        self._doc_of_key: dict[int, str] = {}
        self._next_key = 0
        self._hnsw: Any = None

    def __len__(self) -> int:
        return self._count

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row_of

    @property
    def approximate(self) -> bool:
        """Whether searches of the whole set go through HNSW."""
        return self._count > self.exact_up_to

    def vector(self, doc_id: str) -> np.ndarray | None:
        row = self._row_of.get(doc_id)
        return None if row is None else self._matrix[row].copy()

    def upsert(self, doc_id: str, vector: np.ndarray) -> None:
        self.upsert_many([doc_id], vector[None, :])

    def upsert_many(self, doc_ids: list[str], vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(doc_ids), self.dim):
            raise ValueError(f"expected vectors of shape ({len(doc_ids)}, {self.dim})")
        last: dict[str, int] = {doc_id: i for i, doc_id in enumerate(doc_ids)}  # last wins
        new = [d for d in last if d not in self._row_of]
        self._reserve(self._count + len(new))
        for doc_id in new:
            self._row_of[doc_id] = self._count
            self._doc_of.append(doc_id)
            self._count += 1
        rows = np.fromiter((self._row_of[d] for d in last), dtype=np.int64, count=len(last))
        if len(last) < len(doc_ids):
            vectors = vectors[list(last.values())]
        span = _as_slice(rows)
        self._matrix[span if span is not None else rows] = vectors
        if self._hnsw is not None:
            self._hnsw_drop(list(last))
            self._hnsw_add(list(last), rows)

    def remove(self, doc_id: str) -> None:
        row = self._row_of.pop(doc_id, None)
        if row is None:
            return
        last = self._count - 1
        if row != last:  # move the last vector into the hole: rows stay dense
            moved = self._doc_of[last]
            self._matrix[row] = self._matrix[last]
            self._doc_of[row] = moved
            self._row_of[moved] = row
        self._doc_of.pop()
        self._count -= 1
        if self._hnsw is not None:
            self._hnsw_drop([doc_id])

    def _reserve(self, rows: int) -> None:
        if rows <= len(self._matrix):
            return
        grown = np.zeros((max(rows, 2 * len(self._matrix), 64), self.dim), dtype=np.float32)
        grown[: self._count] = self._matrix[: self._count]
        self._matrix = grown

    def rows(self, doc_ids: Iterable[str]) -> np.ndarray:
        found = [self._row_of[d] for d in doc_ids if d in self._row_of]
        return np.asarray(found, dtype=np.int64)

    # -- search -----------------------------------------------------------------------

    def search(
        self, query: np.ndarray, k: int, allowed: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest documents (among ``allowed``), best first, with similarities."""
        query = np.asarray(query, dtype=np.float32).reshape(self.dim)
        if k <= 0 or self._count == 0:
            return []
        if allowed is None:
            if self.approximate:
                return self.search_hnsw(query, k)
            return self.search_exact(query, k)
        if not isinstance(allowed, set | frozenset):
            allowed = frozenset(allowed)
        # A small allowed set is cheaper to scan than to filter out of the graph's answers.
        if not self.approximate or len(allowed) <= self.exact_up_to:
            return self._exact_rows(query, k, self.rows(allowed))
        return self._filtered_hnsw(query, k, allowed)

    def search_exact(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        scores = self._matrix[: self._count] @ query
        return self._top(scores, np.arange(self._count), k)

    def _exact_rows(self, query: np.ndarray, k: int, rows: np.ndarray) -> list[tuple[str, float]]:
        if len(rows) == 0:
            return []
        if 4 * len(rows) > self._count:  # gathering many rows costs more than scoring all
            scores = (self._matrix[: self._count] @ query)[rows]
        else:
            scores = self._matrix[rows] @ query
        return self._top(scores, rows, k)

    def _top(self, scores: np.ndarray, rows: np.ndarray, k: int) -> list[tuple[str, float]]:
        best = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
        best = best[np.lexsort((rows[best], -scores[best]))]
        return [(self._doc_of[rows[i]], float(scores[i])) for i in best]

    def search_hnsw(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        from voyager import RecallError

        index = self._graph()
        k = min(k, self._count)
        try:
            keys, distances = index.query(query, k=k, query_ef=max(self.ef_search, k))
        except RecallError:  # the graph could not reach k live nodes: scan instead
            return self.search_exact(query, k)
        # Inner-product space: distance = 1 - similarity.
        return [
            (self._doc_of_key[int(key)], 1.0 - float(distance))
            for key, distance in zip(keys, distances, strict=True)
        ]

    def _filtered_hnsw(
        self, query: np.ndarray, k: int, allowed: Set[str]
    ) -> list[tuple[str, float]]:
        # Ask the graph for more than k, in proportion to how much the filter removes, and
        # widen until k allowed documents are found; fall back to an exact scan of them.
        ask = min(self._count, max(2 * k, 2 * k * self._count // len(allowed)))
        while True:
            found = [hit for hit in self.search_hnsw(query, ask) if hit[0] in allowed]
            if len(found) >= k:
                return found[:k]
            if ask >= self._count // 4:
                return self._exact_rows(query, k, self.rows(allowed))
            ask = min(self._count, ask * 4)

    # -- the graph ------------------------------------------------------------------------

    def _graph(self) -> Any:
        if self._hnsw is None:
            from voyager import Index, Space

            self._hnsw = Index(
                Space.InnerProduct,
                num_dimensions=self.dim,
                M=HNSW_CONNECTIVITY,
                ef_construction=HNSW_EXPANSION_ADD,
                max_elements=max(self._count, 1),
            )
            self._key_of.clear()
            self._doc_of_key.clear()
            self._hnsw_add(self._doc_of[: self._count], np.arange(self._count))
        return self._hnsw

    def build_graph(self) -> None:
        """Build the HNSW graph now rather than at the first approximate search."""
        self._graph()

    def graph_bytes(self) -> int | None:
        """The size of the HNSW graph with its copy of the vectors, if it was built."""
        return None if self._hnsw is None else len(self._hnsw.as_bytes())

    def _hnsw_add(self, doc_ids: list[str], rows: np.ndarray) -> None:
        keys = list(range(self._next_key, self._next_key + len(doc_ids)))
        self._next_key += len(doc_ids)
        for doc_id, key in zip(doc_ids, keys, strict=True):
            self._key_of[doc_id] = key
            self._doc_of_key[key] = doc_id
        if doc_ids:
            span = _as_slice(rows)  # a view, not a copy, for the usual bulk load
            self._hnsw.add_items(self._matrix[span if span is not None else rows], ids=keys)

    def _hnsw_drop(self, doc_ids: list[str]) -> None:
        for doc_id in doc_ids:
            key = self._key_of.pop(doc_id, None)
            if key is not None:
                del self._doc_of_key[key]
                self._hnsw.mark_deleted(key)


def _as_slice(rows: np.ndarray) -> slice | None:
    """The slice equal to ``rows`` if they are consecutive: indexing by it copies nothing."""
    if len(rows) and rows[-1] - rows[0] == len(rows) - 1 and np.all(np.diff(rows) == 1):
        return slice(int(rows[0]), int(rows[-1]) + 1)
    return None
