"""An incremental Okapi BM25 index.

Hand-written rather than bm25s: bm25s (0.3) bakes IDF and length normalisation into a
sparse score matrix when it indexes and has no way to add or remove one document, so
every edit of an organisation or a challenge would re-index the whole corpus. Here the
postings are kept per term and IDF and the average length are read at query time, so
upsert and remove cost the length of one document.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import numpy as np

from .text import tokens


class BM25Index:
    """Postings per term; scores computed at query time with the current statistics."""

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._slot_of: dict[str, int] = {}
        self._doc_of: list[str | None] = []
        self._free: list[int] = []
        self._lengths = np.zeros(0, dtype=np.float32)
        self._terms_of: dict[int, Counter[str]] = {}
        self._postings: dict[str, dict[int, int]] = {}
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # postings as arrays
        self._total_length = 0

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slot_of

    def upsert(self, doc_id: str, text: str) -> None:
        self.remove(doc_id)
        slot = self._free.pop() if self._free else self._new_slot()
        counts = Counter(tokens(text))
        length = sum(counts.values())
        self._slot_of[doc_id] = slot
        self._doc_of[slot] = doc_id
        self._lengths[slot] = length
        self._terms_of[slot] = counts
        self._total_length += length
        for term, tf in counts.items():
            self._postings.setdefault(term, {})[slot] = tf
            self._arrays.pop(term, None)

    def remove(self, doc_id: str) -> None:
        slot = self._slot_of.pop(doc_id, None)
        if slot is None:
            return
        counts = self._terms_of.pop(slot)
        for term in counts:
            posting = self._postings[term]
            del posting[slot]
            if not posting:
                del self._postings[term]
            self._arrays.pop(term, None)
        self._total_length -= int(self._lengths[slot])
        self._lengths[slot] = 0
        self._doc_of[slot] = None
        self._free.append(slot)

    def _new_slot(self) -> int:
        slot = len(self._doc_of)
        self._doc_of.append(None)
        if slot >= len(self._lengths):
            grown = np.zeros(max(16, 2 * len(self._lengths)), dtype=np.float32)
            grown[: len(self._lengths)] = self._lengths
            self._lengths = grown
        return slot

    def idf(self, term: str) -> float:
        # The Lucene form: never negative, so a word in most documents still counts a little.
        df = len(self._postings.get(term, ()))
        n = len(self._slot_of)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _posting_arrays(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        cached = self._arrays.get(term)
        if cached is None:
            posting = self._postings[term]
            slots = np.fromiter(posting.keys(), dtype=np.int64, count=len(posting))
            tfs = np.fromiter(posting.values(), dtype=np.float32, count=len(posting))
            cached = self._arrays[term] = (slots, tfs)
        return cached

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every slot (0 for empty slots and documents without a query word)."""
        out = np.zeros(len(self._doc_of), dtype=np.float32)
        if not self._slot_of:
            return out
        average = self._total_length / len(self._slot_of) or 1.0
        norm = self.k1 * (1.0 - self.b + self.b * self._lengths[: len(out)] / average)
        for term, qtf in Counter(tokens(query)).items():
            if term not in self._postings:
                continue
            slots, tfs = self._posting_arrays(term)
            weight = self.idf(term) * qtf
            out[slots] += weight * tfs * (self.k1 + 1.0) / (tfs + norm[slots])
        return out

    def search(
        self, query: str, k: int, allowed_slots: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` best documents with a positive score, best first."""
        scores = self.scores(query)
        if allowed_slots is not None:
            masked = np.zeros_like(scores)
            masked[allowed_slots] = scores[allowed_slots]
            scores = masked
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        ordered = sorted(candidates.tolist(), key=lambda s: (-scores[s], self._doc_of[s]))
        return [(self._doc_of[s], float(scores[s])) for s in ordered]  # type: ignore[misc]

    def slots(self, doc_ids: Iterable[str]) -> np.ndarray:
        found = [self._slot_of[d] for d in doc_ids if d in self._slot_of]
        return np.asarray(found, dtype=np.int64)
