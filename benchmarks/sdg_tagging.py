"""How well the engine's label suggester tells whether a text is about a given SDG.

The SDG classification benchmark (PyPI: sdgclassification-benchmark) holds 1,251 texts,
each judged by experts as relevant (label True) or not to one Sustainable Development Goal.
Every row is one question: does this text fit this goal? The suggester's score for
(text, goal) is the prediction; AUC measures the ranking of the scores, accuracy the
yes/no answer at the suggester's threshold.

Rows whose id ends in 0-7 form the dev split, 8-f the test split. Everything that is
fitted comes from dev only: the prototypes (from the expert labels, as people's
confirmations and rejections would build them on the platform), the prototype weight and
contrast (grid, by out-of-fold AUC in a 4-fold split of dev by the id's last digit) and
the threshold (best accuracy on dev's out-of-fold scores). The dev numbers are
out-of-fold: a dev text's score never comes from prototypes fitted on its own label.
Test is scored with prototypes fitted on all of dev. Prints JSON on stdout; the grid,
baselines and bootstrap intervals on stderr.

Run: .venv/bin/python benchmarks/sdg_tagging.py   (needs the dev extra; about 30 s)
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.match_quality import GOALS
from icn.matching.engine import load_embedder
from icn.matching.engine.tagging import (
    LabelSuggester,
    choose_threshold,
    roc_auc,
)

FOLDS = 4
EXAMPLE_WEIGHTS = [0.0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
CONTRASTS = [0.0, 0.25, 0.4, 0.5, 0.6, 0.75, 1.0]


@dataclass
class Split:
    ids: list[str]
    goals: np.ndarray  # int, 1-17
    truth: np.ndarray  # bool
    vectors: np.ndarray

    def examples(self, mask: np.ndarray) -> list[tuple[str, np.ndarray, bool]]:
        return [
            (str(self.goals[i]), self.vectors[i], bool(self.truth[i])) for i in np.flatnonzero(mask)
        ]


def goal_scores(suggester: LabelSuggester, split: Split, mask: np.ndarray) -> np.ndarray:
    """The score of each selected row for the row's own goal."""
    matrix = suggester.score_matrix(split.vectors[mask])
    columns = [suggester.labels.index(str(g)) for g in split.goals[mask]]
    return matrix[np.arange(len(columns)), columns]


def out_of_fold(
    descriptions: dict[str, np.ndarray],
    dev: Split,
    settings: dict[str, float],
    *,
    positives_only: bool = False,
) -> np.ndarray:
    folds = np.array([int(i[-1], 16) % FOLDS for i in dev.ids])
    scores = np.zeros(len(dev.ids))
    for fold in range(FOLDS):
        held_out = folds == fold
        train = ~held_out & (dev.truth if positives_only else True)
        suggester = LabelSuggester(descriptions, **settings).fit(dev.examples(train))
        scores[held_out] = goal_scores(suggester, dev, held_out)
    return scores


def metrics(scores: np.ndarray, truth: np.ndarray, threshold: float) -> dict[str, Any]:
    predicted = scores >= threshold
    hits = int((predicted & truth).sum())
    return {
        "accuracy": round(float((predicted == truth).mean()), 4),
        "auc": round(roc_auc(scores, truth), 4),
        "precision": round(hits / max(int(predicted.sum()), 1), 4),
        "recall": round(hits / max(int(truth.sum()), 1), 4),
        "rows": len(truth),
        "true": int(truth.sum()),
    }


def bootstrap_auc_gain(
    first: np.ndarray, second: np.ndarray, truth: np.ndarray
) -> tuple[float, float, float]:
    """AUC(first) - AUC(second) on the same rows, with a 95% bootstrap interval."""
    rng = np.random.default_rng(0)
    gains = []
    for _ in range(1000):
        rows = rng.integers(0, len(truth), len(truth))
        if truth[rows].all() or not truth[rows].any():
            continue
        gains.append(roc_auc(first[rows], truth[rows]) - roc_auc(second[rows], truth[rows]))
    low, high = np.percentile(gains, [2.5, 97.5])
    point = roc_auc(first, truth) - roc_auc(second, truth)
    return round(point, 4), round(float(low), 4), round(float(high), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    from sdgclassification.benchmark import load_benchmark_df

    started = time.perf_counter()
    frame = load_benchmark_df()
    ids = [str(i) for i in frame["id"]]
    embedder = load_embedder("minilm-int8")
    vectors = embedder.encode([str(t) for t in frame["text"]])
    descriptions = dict(
        zip(
            [str(g) for g in sorted(GOALS)],
            embedder.encode([GOALS[g] for g in sorted(GOALS)]),
            strict=True,
        )
    )
    print(f"embedded {len(ids)} texts in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    goals = frame["sdg"].to_numpy(dtype=int)
    truth = frame["label"].to_numpy(dtype=bool)
    in_dev = np.array([i[-1] in "01234567" for i in ids])
    dev, test = (
        Split(
            [i for i, d in zip(ids, mask, strict=True) if d],
            goals[mask],
            truth[mask],
            vectors[mask],
        )
        for mask in (in_dev, ~in_dev)
    )
    everything = np.ones(len(dev.ids), dtype=bool)

    # The grid, by out-of-fold AUC on dev.
    grid = []
    for weight, contrast in itertools.product(EXAMPLE_WEIGHTS, CONTRASTS):
        settings = {"example_weight": weight, "contrast": contrast}
        auc = roc_auc(out_of_fold(descriptions, dev, settings), dev.truth)
        grid.append({**settings, "dev_oof_auc": round(auc, 4)})
    print("dev grid (out-of-fold AUC), best first:", file=sys.stderr)
    for row in sorted(grid, key=lambda g: -g["dev_oof_auc"])[:10]:
        print(json.dumps(row), file=sys.stderr)
    best = max(grid, key=lambda g: g["dev_oof_auc"])
    chosen = {"example_weight": best["example_weight"], "contrast": best["contrast"]}

    def evaluate(settings: dict[str, float], *, positives_only: bool = False) -> dict[str, Any]:
        """Out-of-fold dev scores, the threshold they give, and test scores."""
        dev_scores = out_of_fold(descriptions, dev, settings, positives_only=positives_only)
        threshold = choose_threshold(dev_scores, dev.truth)
        train = dev.truth if positives_only else everything
        suggester = LabelSuggester(descriptions, **settings, threshold=threshold)
        suggester.fit(dev.examples(train))
        test_scores = goal_scores(suggester, test, np.ones(len(test.ids), dtype=bool))
        return {
            "threshold": round(threshold, 4),
            "dev": metrics(dev_scores, dev.truth, threshold),
            "test": metrics(test_scores, test.truth, threshold),
            "_scores": (dev_scores, test_scores),
        }

    result = evaluate(chosen)
    baselines = {
        "descriptions only (zero-shot)": evaluate({"example_weight": 0.0, "contrast": 0.0}),
        "prototypes from confirmed texts, no contrast": evaluate(
            {
                "example_weight": max(
                    (g for g in grid if g["contrast"] == 0.0), key=lambda g: g["dev_oof_auc"]
                )["example_weight"],
                "contrast": 0.0,
            }
        ),
        "confirmed texts only, contrast with all examples": evaluate(chosen, positives_only=True),
    }
    for name, outcome in baselines.items():
        shown = {k: v for k, v in outcome.items() if k != "_scores"}
        print(f"baseline {name}: {json.dumps(shown)}", file=sys.stderr)
    zero_shot = baselines["descriptions only (zero-shot)"]["_scores"]
    for split_name, k, split in (("dev", 0, dev), ("test", 1, test)):
        gain = bootstrap_auc_gain(result["_scores"][k], zero_shot[k], split.truth)
        print(
            f"{split_name}: chosen - zero-shot AUC = {gain[0]:+.4f} "
            f"(95% bootstrap interval {gain[1]:+.4f} to {gain[2]:+.4f})",
            file=sys.stderr,
        )
    print(f"done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(
        json.dumps(
            {
                "dev": result["dev"],
                "test": result["test"],
                "settings": {**chosen, "threshold": result["threshold"]},
                "method": f"{embedder.name} (all-MiniLM-L6-v2, int8 ONNX); score = cosine to "
                "the goal's prototype (its official title mixed with the mean of texts "
                "confirmed for it) minus contrast x cosine to the mean of texts rejected for "
                "it; prototypes, weight, contrast and threshold fitted on dev (dev numbers "
                f"out-of-fold, {FOLDS} folds)",
                "date": dt.date.today().isoformat(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
