"""Retrieval quality of BM25, dense and hybrid search on the SDG classification benchmark.

The benchmark (PyPI: sdgclassification-benchmark) holds 1,251 texts, each judged by
experts as relevant (label True) or not to one Sustainable Development Goal. We use it
for retrieval two ways:

- by example: every text labelled True for a goal is a query; the other texts labelled
  True for the same goal are the relevant ones; the query itself is excluded;
- by goal: the goal's official short description is the query; the texts labelled True
  for it are the relevant ones.

Rows whose id ends in 0-7 form the dev split, 8-f the test split; each split is its own
corpus. RRF's k and the BM25 weight (the dense weight fixed at 1: only the ratio matters)
are chosen on dev, maximising the mean of by-example and by-goal nDCG@10, then reported
on both splits. Prints JSON on stdout and the tuning grid on stderr.

Run: .venv/bin/python benchmarks/match_quality.py   (needs the dev extra; about 2 minutes)
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
    fuse,
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

RRF_KS = [1, 5, 10, 20, 40, 60, 100]
BM25_WEIGHTS = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0]


@dataclass
class Query:
    """One retrieval question, with its two rankings computed once."""

    text: str
    vector: np.ndarray
    relevant: frozenset[str]
    exclude: str | None
    lexical: list[str] = dataclasses.field(default_factory=list)
    dense: list[str] = dataclasses.field(default_factory=list)


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


def hybrid(weights: Weights) -> Callable[[Query], list[str]]:
    return lambda q: [d for d, _ in fuse(q.lexical, q.dense, weights, K)]


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
    by_example = [
        Query(r["text"], vectors[r["id"]], frozenset(true_by_goal[r["sdg"]] - {r["id"]}), r["id"])
        for r in rows
        if r["label"] and len(true_by_goal[r["sdg"]]) > 1
    ]
    by_goal = [
        Query(GOALS[goal], goal_vectors[goal - 1], frozenset(ids), None)
        for goal, ids in sorted(true_by_goal.items())
    ]
    all_ids = [r["id"] for r in rows]
    for query in [*by_example, *by_goal]:
        allowed = None if query.exclude is None else [d for d in all_ids if d != query.exclude]
        query.lexical = index.lexical_ranking(query.text, FUSION_DEPTH, allowed)
        query.dense = index.dense_ranking(query.vector, FUSION_DEPTH, allowed)
    return index, {"by_example": by_example, "by_goal": by_goal}


def evaluate(
    index: HybridIndex, queries: dict[str, list[Query]], weights: Weights
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, items in queries.items():
        out[kind] = {
            "bm25": scores(items, lambda q: q.lexical),
            "dense": scores(items, lambda q: q.dense),
            # The whole search path once more, as the platform runs it.
            "hybrid": scores(
                items,
                lambda q: [
                    h.doc_id
                    for h in index.search_ranked(
                        q.text,
                        q.vector,
                        k=K,
                        allowed=None if q.exclude is None else _others(index, q.exclude),
                        weights=weights,
                    )
                ],
            ),
        }
    return out


def _others(index: HybridIndex, doc_id: str) -> list[str]:
    return [d for d in index.ids() if d != doc_id]


def tune(queries: dict[str, list[Query]]) -> tuple[Weights, list[dict[str, Any]]]:
    grid = []
    for rrf_k, bm25 in itertools.product(RRF_KS, BM25_WEIGHTS):
        weights = dataclasses.replace(DEFAULT_WEIGHTS, rrf_k=rrf_k, bm25=bm25, dense=1.0)
        example = scores(queries["by_example"], hybrid(weights))["ndcg@10"]
        goal = scores(queries["by_goal"], hybrid(weights))["ndcg@10"]
        grid.append(
            {
                "rrf_k": rrf_k,
                "bm25": bm25,
                "by_example": example,
                "by_goal": goal,
                "objective": round((example + goal) / 2, 4),
            }
        )
    best = max(grid, key=lambda g: (g["objective"], g["rrf_k"] == 60, -abs(g["bm25"] - 1)))
    chosen = dataclasses.replace(
        DEFAULT_WEIGHTS, rrf_k=int(best["rrf_k"]), bm25=float(best["bm25"]), dense=1.0
    )
    return chosen, grid


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
    chosen, grid = tune(built["dev"][1])
    print("dev tuning grid (nDCG@10):", file=sys.stderr)
    for row in sorted(grid, key=lambda g: -g["objective"]):
        print(json.dumps(row), file=sys.stderr)

    result = {name: evaluate(index, queries, chosen) for name, (index, queries) in built.items()}
    for name, (_, queries) in built.items():
        for kind, items in queries.items():
            for other, rank in (("dense", lambda q: q.dense), ("bm25", lambda q: q.lexical)):
                diff = paired_bootstrap(items, hybrid(chosen), rank)
                print(
                    f"{name} {kind}: hybrid - {other} nDCG@10 = {diff[0]:+.4f} "
                    f"(95% bootstrap interval {diff[1]:+.4f} to {diff[2]:+.4f})",
                    file=sys.stderr,
                )
    textbook = dataclasses.replace(DEFAULT_WEIGHTS, rrf_k=60, bm25=1.0, dense=1.0)
    for name, (_, queries) in built.items():
        for kind, items in queries.items():
            print(
                f"{name} {kind}: hybrid with the textbook RRF (k=60, equal weights) "
                f"{scores(items, hybrid(textbook))}",
                file=sys.stderr,
            )
    print(f"done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(
        json.dumps(
            {
                **result,
                "weights": dataclasses.asdict(chosen),
                "model": f"{embedder.name} (all-MiniLM-L6-v2, int8 ONNX) + BM25 (k1=1.2, b=0.75)",
                "date": dt.date.today().isoformat(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
