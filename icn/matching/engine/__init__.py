"""The matching engine: hybrid text retrieval and structured re-ranking, without Django.

The Django app (icn/matching) stores documents and their vectors and decides who may see
what; this package only finds and orders. See docs/benchmarks.md for the measurements
behind the defaults.
"""

from __future__ import annotations

from .bm25 import BM25Index
from .embedders import (
    EMBEDDERS,
    ChecksumError,
    Embedder,
    EmbedderError,
    HashingEmbedder,
    MiniLMEmbedder,
    load_embedder,
)
from .hybrid import (
    DEFAULT_WEIGHTS,
    FUSION_DEPTH,
    Hit,
    HybridIndex,
    Weights,
    feedback_query,
    fuse,
    min_max,
)
from .rerank import Profile, Ranked, rerank
from .vectors import EXACT_UP_TO, VectorIndex

__all__ = [
    "DEFAULT_WEIGHTS",
    "EMBEDDERS",
    "EXACT_UP_TO",
    "FUSION_DEPTH",
    "BM25Index",
    "ChecksumError",
    "Embedder",
    "EmbedderError",
    "HashingEmbedder",
    "Hit",
    "HybridIndex",
    "MiniLMEmbedder",
    "Profile",
    "Ranked",
    "VectorIndex",
    "Weights",
    "feedback_query",
    "fuse",
    "load_embedder",
    "min_max",
    "rerank",
]
