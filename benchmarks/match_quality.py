"""Retrieval quality of BM25, dense and hybrid search on the SDG classification benchmark.

The benchmark (PyPI: sdgclassification-benchmark) holds 1,251 texts, each judged by
experts as relevant (label True) or not to one Sustainable Development Goal. We use it
for retrieval two ways:

- by example: every text labelled True for a goal is a query; the other texts labelled
  True for the same goal are the relevant ones; the query itself is excluded;
- by goal: the goal's official short description is the query; the texts labelled True
  for it are the relevant ones.

Rows whose id ends in 0-7 form the dev split, 8-f the test split; each split is its own
corpus. The hybrid's knobs (the BM25 share of the fused score, and how many first hits
feed back into the dense query at what weight) are chosen on dev, maximising the mean of
by-example and by-goal nDCG@10, then reported on both splits. Prints JSON on stdout; the
tuning grid, paired bootstrap intervals and ablations on stderr.

Run: .venv/bin/python benchmarks/match_quality.py   (needs the dev extra; about 3 minutes)
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import itertools
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from icn.matching.engine import (
    DEFAULT_WEIGHTS,
    FUSION_DEPTH,
    HybridIndex,
    Weights,
    load_embedder,
)

K = 10

# The official short titles of the 17 Sustainable Development Goals (UN resolution 70/1).
GOALS = {
    1: "End poverty in all its forms everywhere",
    2: "End hunger, achieve food security and improved nutrition and promote sustainable "
    "agriculture",
    3: "Ensure healthy lives and promote well-being for all at all ages",
    4: "Ensure inclusive and equitable quality education and promote lifelong learning "
    "opportunities for all",
    5: "Achieve gender equality and empower all women and girls",
    6: "Ensure availability and sustainable management of water and sanitation for all",
    7: "Ensure access to affordable, reliable, sustainable and modern energy for all",
    8: "Promote sustained, inclusive and sustainable economic growth, full and productive "
    "employment and decent work for all",
    9: "Build resilient infrastructure, promote inclusive and sustainable industrialization "
    "and foster innovation",
    10: "Reduce inequality within and among countries",
    11: "Make cities and human settlements inclusive, safe, resilient and sustainable",
    12: "Ensure sustainable consumption and production patterns",
    13: "Take urgent action to combat climate change and its impacts",
    14: "Conserve and sustainably use the oceans, seas and marine resources for sustainable "
    "development",
    15: "Protect, restore and promote sustainable use of terrestrial ecosystems, sustainably "
    "manage forests, combat desertification, and halt and reverse land degradation and halt "
    "biodiversity loss",
    16: "Promote peaceful and inclusive societies for sustainable development, provide access "
    "to justice for all and build effective, accountable and inclusive institutions at all "
    "levels",
    17: "Strengthen the means of implementation and revitalize the Global Partnership for "
    "Sustainable Development",
}

BM25_SHARES = [0.1, 0.2, 0.3, 0.4]
FEEDBACK_DOCS = [0, 3, 5, 10]  # 0: no feedback
FEEDBACK_WEIGHTS = [0.5, 1.0, 2.0]


@dataclass
class Query:
    """One retrieval question, with its two rankings computed once."""

    text: str
    vector: np.ndarray
    relevant: frozenset[str]
    allowed: frozenset[str] | None  # all but the query itself, for by-example queries
    lexical: list[tuple[str, float]] = dataclasses.field(default_factory=list)
    dense: list[tuple[str, float]] = dataclasses.field(default_factory=list)


def ndcg_at_k(ranking: Sequence[str], relevant: frozenset[str]) -> float:
    gains = sum(1 / math.log2(i + 2) for i, d in enumerate(ranking[:K]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    return gains / ideal


def recall_at_k(ranking: Sequence[str], relevant: frozenset[str]) -> float:
    return len(set(ranking[:K]) & relevant) / len(relevant)


def scores(queries: list[Query], rank: Callable[[Query], list[str]]) -> dict[str, float]:
    rankings = [rank(q) for q in queries]
    return {
        "ndcg@10": round(
            float(
                np.mean([ndcg_at_k(r, q.relevant) for r, q in zip(rankings, queries, strict=True)])
            ),
            4,
        ),
        "recall@10": round(
            float(
                np.mean(
                    [recall_at_k(r, q.relevant) for r, q in zip(rankings, queries, strict=True)]
                )
            ),
            4,
        ),
    }


def paired_bootstrap(
    queries: list[Query], first: Callable[[Query], list[str]], second: Callable[[Query], list[str]]
) -> tuple[float, float, float]:
    """Mean nDCG@10 difference first - second and its 95% bootstrap interval."""
    diffs = np.array(
        [ndcg_at_k(first(q), q.relevant) - ndcg_at_k(second(q), q.relevant) for q in queries]
    )
    rng = np.random.default_rng(0)
    means = rng.choice(diffs, (2000, len(diffs))).mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return round(float(diffs.mean()), 4), round(float(low), 4), round(float(high), 4)


Ranker = Callable[[Query], list[str]]


def bm25(q: Query) -> list[str]:
    return [d for d, _ in q.lexical]


def dense(q: Query) -> list[str]:
    return [d for d, _ in q.dense]


def hybrid(index: HybridIndex, weights: Weights) -> Ranker:
    """The engine's fusion and feedback, reusing the query's lexical ranking."""
    return lambda q: [
        d for d, _ in index.fused_ranking(q.lexical, q.vector, K, q.allowed, weights)[0]
    ]


def build_split(
    rows: list[dict[str, Any]], vectors: dict[str, np.ndarray], goal_vectors: np.ndarray
) -> tuple[HybridIndex, dict[str, list[Query]]]:
    embedder = load_embedder("minilm-int8")
    index = HybridIndex(embedder)
    index.upsert_many([(r["id"], r["text"], vectors[r["id"]]) for r in rows])
    true_by_goal: dict[int, set[str]] = {}
    for r in rows:
        if r["label"]:
            true_by_goal.setdefault(r["sdg"], set()).add(r["id"])
    all_ids = frozenset(r["id"] for r in rows)
    by_example = [
        Query(
            r["text"],
            vectors[r["id"]],
            frozenset(true_by_goal[r["sdg"]] - {r["id"]}),
            all_ids - {r["id"]},
        )
        for r in rows
        if r["label"] and len(true_by_goal[r["sdg"]]) > 1
    ]
    by_goal = [
        Query(GOALS[goal], goal_vectors[goal - 1], frozenset(ids), None)
        for goal, ids in sorted(true_by_goal.items())
    ]
    for query in [*by_example, *by_goal]:
        query.lexical = index.lexical_ranking(query.text, FUSION_DEPTH, query.allowed)
        query.dense = index.dense_ranking(query.vector, FUSION_DEPTH, query.allowed)
    return index, {"by_example": by_example, "by_goal": by_goal}


def evaluate(
    index: HybridIndex, queries: dict[str, list[Query]], weights: Weights
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, items in queries.items():
        out[kind] = {
            "bm25": scores(items, bm25),
            "dense": scores(items, dense),
            # The whole search path once more, as the platform runs it.
            "hybrid": scores(
                items,
                lambda q: [
                    h.doc_id
                    for h in index.search_ranked(
                        q.text,
                        q.vector,
                        k=K,
                        allowed=q.allowed,
                        weights=weights,
                    )
                ],
            ),
        }
    return out


def grid_weights() -> list[Weights]:
    settings = [(share, 0, 0.0) for share in BM25_SHARES] + list(
        itertools.product(BM25_SHARES, [m for m in FEEDBACK_DOCS if m], FEEDBACK_WEIGHTS)
    )
    return [
        dataclasses.replace(DEFAULT_WEIGHTS, bm25=share, feedback_docs=m, feedback_weight=w)
        for share, m, w in settings
    ]


def tune(index: HybridIndex, queries: dict[str, list[Query]]) -> tuple[Weights, list[dict]]:
    grid = []
    for weights in grid_weights():
        example = scores(queries["by_example"], hybrid(index, weights))["ndcg@10"]
        goal = scores(queries["by_goal"], hybrid(index, weights))["ndcg@10"]
        grid.append(
            {
                "bm25": weights.bm25,
                "feedback_docs": weights.feedback_docs,
                "feedback_weight": weights.feedback_weight,
                "by_example": example,
                "by_goal": goal,
                "objective": round((example + goal) / 2, 4),
                "weights": weights,
            }
        )
    best = max(grid, key=lambda g: g["objective"])
    return best["weights"], grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    from sdgclassification.benchmark import load_benchmark_df

    started = time.perf_counter()
    frame = load_benchmark_df()
    rows: list[dict[str, Any]] = [
        {"id": str(r.id), "text": str(r.text), "sdg": int(r.sdg), "label": bool(r.label)}
        for r in frame.itertuples()
    ]
    embedder = load_embedder("minilm-int8")
    matrix = embedder.encode([r["text"] for r in rows])
    vectors = {r["id"]: matrix[i] for i, r in enumerate(rows)}
    goal_vectors = embedder.encode([GOALS[g] for g in sorted(GOALS)])
    print(f"embedded {len(rows)} texts in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    splits = {
        "dev": [r for r in rows if r["id"][-1] in "01234567"],
        "test": [r for r in rows if r["id"][-1] not in "01234567"],
    }
    built = {name: build_split(split, vectors, goal_vectors) for name, split in splits.items()}
    for name, (_, queries) in built.items():
        print(
            f"{name}: {len(splits[name])} texts, {len(queries['by_example'])} by-example "
            f"and {len(queries['by_goal'])} by-goal queries",
            file=sys.stderr,
        )
    chosen, grid = tune(*built["dev"])
    print("dev tuning grid (nDCG@10):", file=sys.stderr)
    for row in sorted(grid, key=lambda g: -g["objective"]):
        print(json.dumps({k: v for k, v in row.items() if k != "weights"}), file=sys.stderr)

    result = {name: evaluate(index, queries, chosen) for name, (index, queries) in built.items()}
    for name, (index, queries) in built.items():
        for kind, items in queries.items():
            for other, rank in (("dense", dense), ("bm25", bm25)):
                diff = paired_bootstrap(items, hybrid(index, chosen), rank)
                print(
                    f"{name} {kind}: hybrid - {other} nDCG@10 = {diff[0]:+.4f} "
                    f"(95% bootstrap interval {diff[1]:+.4f} to {diff[2]:+.4f})",
                    file=sys.stderr,
                )
    # What each part adds: the same feedback on dense retrieval alone, and fusion alone.
    ablations = {
        "dense with feedback (no BM25)": dataclasses.replace(chosen, bm25=0.0),
        "fusion without feedback": dataclasses.replace(chosen, feedback_docs=0),
    }
    for label, weights in ablations.items():
        for name, (index, queries) in built.items():
            for kind, items in queries.items():
                print(
                    f"{name} {kind}: {label} {scores(items, hybrid(index, weights))}",
                    file=sys.stderr,
                )
    print(f"done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(
        json.dumps(
            {
                **result,
                "weights": dataclasses.asdict(chosen),
                "model": f"{embedder.name} (all-MiniLM-L6-v2, int8 ONNX) + BM25 (k1=1.2, b=0.75)",
                "fusion": "min-max scaled convex combination, then dense pseudo-relevance "
                "feedback from the first fused hits",
                "date": dt.date.today().isoformat(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
