"""Label suggestions (SDGs, topics) for a text vector, for a person to confirm.

Each label starts from its description embedded with the same embedder as the texts. Once
people have confirmed or rejected labels on some texts, those decisions refine it:

- the label's prototype moves towards the texts confirmed for it: the normalised mix
  ``(1 - example_weight) * description + example_weight * mean(confirmed)``;
- a text's score is its cosine to the prototype minus ``contrast`` times its cosine to
  the mean of the texts rejected for the label. Texts offered for a label tend to be on
  its subject even when they are rejected, so this removes what confirmed and rejected
  texts share. A label without rejections is contrasted with the mean of all example
  texts instead, so that labels with and without rejections score on the same scale.

A suggestion is a label whose score reaches the threshold. Without a threshold given, a
suggester with no examples yet uses the one chosen for plain cosines to the descriptions,
and a fitted one the one chosen for prototypes with contrast. The defaults were chosen on the
dev split of the SDG classification benchmark (``benchmarks/sdg_tagging.py``, see
docs/benchmarks.md); the threshold only means something for the embedder and the
settings it was chosen with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from .embedders import Embedder

# Chosen on the benchmark's dev split (out-of-fold AUC, then accuracy for the threshold).
DEFAULT_EXAMPLE_WEIGHT = 0.8
DEFAULT_CONTRAST = 0.5
DEFAULT_THRESHOLD = 0.2644
ZERO_SHOT_THRESHOLD = 0.3111  # descriptions only, before any example is fitted

Example = tuple[str, np.ndarray, bool]  # (label, text vector, confirmed?)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


class LabelSuggester:
    """Scores how well a text vector fits each label and suggests the best few."""

    def __init__(
        self,
        descriptions: Mapping[str, np.ndarray],
        *,
        example_weight: float = DEFAULT_EXAMPLE_WEIGHT,
        contrast: float = DEFAULT_CONTRAST,
        threshold: float | None = None,
    ) -> None:
        if not descriptions:
            raise ValueError("a suggester needs at least one label")
        if not 0.0 <= example_weight <= 1.0:
            raise ValueError("example_weight must be between 0 and 1")
        self.labels: list[str] = list(descriptions)
        self.example_weight = example_weight
        self.contrast = contrast
        self._given_threshold = threshold
        self._fitted = False
        self._descriptions = np.stack(
            [_unit(np.asarray(descriptions[label], dtype=np.float32)) for label in self.labels]
        )
        self._positive = self._descriptions.copy()
        self._negative = np.zeros_like(self._descriptions)

    @classmethod
    def from_texts(
        cls,
        embedder: Embedder,
        descriptions: Mapping[str, str],
        *,
        example_weight: float = DEFAULT_EXAMPLE_WEIGHT,
        contrast: float = DEFAULT_CONTRAST,
        threshold: float | None = None,
    ) -> LabelSuggester:
        """A suggester whose labels are described in words, embedded by ``embedder``."""
        labels = list(descriptions)
        matrix = embedder.encode([descriptions[label] for label in labels])
        return cls(
            dict(zip(labels, matrix, strict=True)),
            example_weight=example_weight,
            contrast=contrast,
            threshold=threshold,
        )

    def fit(self, examples: Iterable[Example]) -> LabelSuggester:
        """Rebuild the prototypes from people's decisions; replaces any earlier fit.

        Examples for labels the suggester does not know are ignored.
        """
        index = {label: i for i, label in enumerate(self.labels)}
        confirmed: list[list[np.ndarray]] = [[] for _ in self.labels]
        rejected: list[list[np.ndarray]] = [[] for _ in self.labels]
        seen: list[np.ndarray] = []
        for label, vector, accepted in examples:
            if label not in index:
                continue
            vector = np.asarray(vector, dtype=np.float32)
            (confirmed if accepted else rejected)[index[label]].append(vector)
            seen.append(vector)
        self._fitted = bool(seen)
        background = _unit(np.mean(seen, axis=0)) if seen else None
        for i in range(len(self.labels)):
            description = self._descriptions[i]
            if confirmed[i]:
                mean = np.mean(confirmed[i], axis=0)
                mixed = (1 - self.example_weight) * description + self.example_weight * mean
                self._positive[i] = _unit(mixed)
            else:
                self._positive[i] = description
            if rejected[i]:
                self._negative[i] = _unit(np.mean(rejected[i], axis=0))
            elif background is not None:
                self._negative[i] = background
            else:
                self._negative[i] = 0.0
        return self

    @property
    def threshold(self) -> float:
        """The score a label needs to be suggested."""
        if self._given_threshold is not None:
            return self._given_threshold
        return DEFAULT_THRESHOLD if self._fitted else ZERO_SHOT_THRESHOLD

    def prototype(self, label: str) -> np.ndarray:
        """The unit vector a text is compared with for ``label``."""
        return self._positive[self.labels.index(label)].copy()

    def score_matrix(self, vectors: np.ndarray) -> np.ndarray:
        """Scores of many texts at once: one row per text, one column per label."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        return vectors @ self._positive.T - self.contrast * (vectors @ self._negative.T)

    def scores(self, vector: np.ndarray) -> dict[str, float]:
        """Every label's score for one text vector; higher fits better."""
        row = self.score_matrix(vector)[0]
        return {label: float(score) for label, score in zip(self.labels, row, strict=True)}

    def suggest(self, vector: np.ndarray, k: int = 3) -> list[tuple[str, float]]:
        """At most ``k`` labels at or above the threshold, best first."""
        ranked = sorted(self.scores(vector).items(), key=lambda item: (-item[1], item[0]))
        return [(label, score) for label, score in ranked[:k] if score >= self.threshold]


def roc_auc(scores: Sequence[float] | np.ndarray, truth: Sequence[bool] | np.ndarray) -> float:
    """Area under the ROC curve: the chance a true item outscores a false one (ties: half).

    Computed from ranks (Mann-Whitney U), with tied scores given their average rank.
    """
    values = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(truth, dtype=bool)
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs both true and false items")
    order = np.argsort(values, kind="mergesort")
    _, first, counts = np.unique(values[order], return_index=True, return_counts=True)
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(first + (counts + 1) / 2, counts)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def choose_threshold(
    scores: Sequence[float] | np.ndarray, truth: Sequence[bool] | np.ndarray
) -> float:
    """The cut (midway between two observed scores) that classifies most items right."""
    values = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(truth, dtype=bool)
    distinct = np.unique(values)
    cuts = np.concatenate(
        [[distinct[0] - 1e-6], (distinct[:-1] + distinct[1:]) / 2, [distinct[-1] + 1e-6]]
    )
    accuracy = [float(((values >= cut) == positive).mean()) for cut in cuts]
    return float(cuts[int(np.argmax(accuracy))])
