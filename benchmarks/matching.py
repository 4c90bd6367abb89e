"""Speed of the matching engine's vector search: exact against HNSW, by corpus size.

For each size: build time, memory, query latency (p50, p95) and recall@10 of HNSW
against exact search; then exact search over a grid of sizes, to find where its p95
crosses the latency budget: that is the switch point for icn.matching.engine.vectors.
Also the latency of BM25 on synthetic text and of embedding one query with MiniLM, the
other two parts of a hybrid search.

Prints JSON on stdout. Run: .venv/bin/python benchmarks/matching.py [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from icn.matching.engine import BM25Index, VectorIndex, load_embedder
from icn.matching.engine.vectors import (
    HNSW_CONNECTIVITY,
    HNSW_EXPANSION_ADD,
    HNSW_EXPANSION_SEARCH,
)

DIM = 384
K = 10
EF_SWEEP = sorted({64, 128, 256, 512, HNSW_EXPANSION_SEARCH})
CENTRES = 1_000  # clusters of related documents, as in embeddings of real texts
GRID = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000]


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def clustered_vectors(n: int, rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    """Unit vectors scattered around random centres, like embeddings of related texts."""
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):  # in chunks: no float64 copy of a million rows
        stop = min(n, start + 100_000)
        which = rng.integers(0, len(centres), stop - start)
        chunk = centres[which] + rng.standard_normal((stop - start, DIM), dtype=np.float32) * 0.06
        out[start:stop] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return out


def latencies_ms(search: Callable[[np.ndarray], object], queries: np.ndarray) -> list[float]:
    search(queries[0])  # warm up caches
    out = []
    for query in queries:
        start = time.perf_counter()
        search(query)
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(float(np.percentile(values, 50)), 3),
        "p95_ms": round(float(np.percentile(values, 95)), 3),
    }


def recall_at_k(found: list[list[str]], truth: list[list[str]]) -> float:
    pairs = zip(found, truth, strict=True)
    return round(float(np.mean([len(set(f) & set(t)) / K for f, t in pairs])), 4)


def measure_size(n: int, vectors: np.ndarray, queries: np.ndarray) -> dict[str, Any]:
    ids = [str(i) for i in range(n)]
    gc.collect()
    before = rss_bytes()
    start = time.perf_counter()
    exact = VectorIndex(DIM, exact_up_to=n)
    exact.upsert_many(ids, vectors[:n])
    exact_build = time.perf_counter() - start
    exact_rss = rss_bytes() - before
    truth = [[d for d, _ in exact.search_exact(q, K)] for q in queries]
    exact_lat = latencies_ms(partial(exact.search, k=K), queries)
    del exact
    gc.collect()

    before = rss_bytes()
    start = time.perf_counter()
    hnsw = VectorIndex(DIM, exact_up_to=0)
    hnsw.upsert_many(ids, vectors[:n])
    hnsw.build_graph()
    hnsw_build = time.perf_counter() - start
    hnsw_rss = rss_bytes() - before
    graph_bytes = hnsw.graph_bytes() if n <= 200_000 else None  # serialising costs time
    by_ef = []
    for ef in EF_SWEEP:
        hnsw.ef_search = ef
        found = [[d for d, _ in hnsw.search(q, K)] for q in queries]
        timings = latencies_ms(partial(hnsw.search, k=K), queries)
        by_ef.append({"ef_search": ef, **summary(timings), "recall@10": recall_at_k(found, truth)})
    hnsw.ef_search = HNSW_EXPANSION_SEARCH
    default = next(row for row in by_ef if row["ef_search"] == HNSW_EXPANSION_SEARCH)
    # A visibility filter that keeps half the documents (a set, as the Django side passes).
    half = frozenset(ids[::2])
    filtered_lat = latencies_ms(partial(hnsw.search, k=K, allowed=half), queries[:50])
    del hnsw
    gc.collect()
    return {
        "size": n,
        "exact": {
            "build_s": round(exact_build, 3),
            "array_bytes": n * DIM * 4,
            "rss_delta_bytes": exact_rss,
            **summary(exact_lat),
            "recall@10": 1.0,
        },
        "hnsw": {
            "build_s": round(hnsw_build, 3),
            "array_bytes": n * DIM * 4,
            "serialised_graph_bytes": graph_bytes,
            "rss_delta_bytes": hnsw_rss,
            **default,
            "by_ef_search": by_ef,
            "half_filtered": summary(filtered_lat),
        },
    }


def exact_grid(
    limit: int, vectors: np.ndarray, queries: np.ndarray, budget_ms: float
) -> dict[str, Any]:
    rows = []
    for n in [g for g in GRID if g <= limit]:
        index = VectorIndex(DIM, exact_up_to=n)
        index.upsert_many([str(i) for i in range(n)], vectors[:n])
        timings = latencies_ms(partial(index.search, k=K), queries)
        rows.append({"size": n, **summary(timings)})
        del index
        gc.collect()
    within = [r["size"] for r in rows if r["p95_ms"] <= budget_ms]
    crossing: float | None = None
    for low, high in itertools.pairwise(rows):
        if low["p95_ms"] <= budget_ms < high["p95_ms"]:
            share = (budget_ms - low["p95_ms"]) / (high["p95_ms"] - low["p95_ms"])
            crossing = low["size"] + share * (high["size"] - low["size"])
    return {
        "budget_ms": budget_ms,
        "grid": rows,
        "largest_grid_size_within_budget": max(within) if within else None,
        "crossing_interpolated": None if crossing is None else int(crossing),
    }


def bm25_latency(n: int, rng: np.random.Generator, queries: int) -> dict[str, Any]:
    """BM25 over synthetic 80-word documents with a Zipf vocabulary of 30,000 words."""
    vocabulary = np.array([f"w{i}" for i in range(30_000)])
    weights = 1.0 / np.arange(1, 30_001)
    weights /= weights.sum()
    documents = rng.choice(vocabulary, (n, 80), p=weights)
    texts = [" ".join(words) for words in rng.choice(vocabulary, (queries, 12), p=weights)]
    index = BM25Index()
    start = time.perf_counter()
    for i in range(n):
        index.upsert(str(i), " ".join(documents[i]))
    build = time.perf_counter() - start
    out = []
    index.search(texts[0], 100)
    for text in texts:
        begin = time.perf_counter()
        index.search(text, 100)
        out.append((time.perf_counter() - begin) * 1000)
    return {"size": n, "build_s": round(build, 2), "query_words": 12, **summary(out)}


PARAGRAPH = (
    "Our cluster brings together companies, universities and cities that develop district "
    "heating, green hydrogen and energy storage. Members test new heat pumps, electrolysers "
    "and batteries in living labs before they are sold across Europe. "
)


def embed_latency() -> dict[str, Any]:
    """MiniLM: one short query, and corpora of long and short texts at three batch limits."""
    from icn.matching.engine import embedders

    embedder = load_embedder("minilm-int8")
    query = "Electrolysers for green hydrogen in steel plants, tested at pilot scale in Denmark"
    embedder.encode([query])
    out = []
    for _ in range(50):
        start = time.perf_counter()
        embedder.encode([query])
        out.append((time.perf_counter() - start) * 1000)
    words = PARAGRAPH.split()
    long_texts = [" ".join(words[i % 10 :] + words[: i % 10]) * 3 for i in range(64)]
    short_texts = [" ".join(words[i % 40 : i % 40 + 12]) for i in range(64)]
    corpus = []
    default = embedders.MINILM_BATCH_TOKENS
    for budget in (1, default, 32 * 256):
        embedders.MINILM_BATCH_TOKENS = budget
        for name, texts in (("long", long_texts), ("short", short_texts)):
            start = time.perf_counter()
            embedder.encode(texts)
            per_text = (time.perf_counter() - start) * 1000 / len(texts)
            corpus.append(
                {"batch_tokens": budget, "texts": name, "ms_per_text": round(per_text, 2)}
            )
    embedders.MINILM_BATCH_TOKENS = default
    return {
        "model": embedder.name,
        "query": {"text": "one query of 14 words", **summary(out)},
        "corpus": corpus,
        "texts": "64 long texts (about 130 tokens) and 64 short ones (12 words); batch_tokens 1 = "
        "one text per call, 8192 = batches of 32",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated corpus sizes (default 10000,100000; 1000000 works but takes "
        "many minutes and about 4 GB of memory)",
    )
    parser.add_argument("--queries", type=int, default=200, help="queries per size")
    parser.add_argument("--budget-ms", type=float, default=20.0, help="p95 latency budget")
    parser.add_argument(
        "--grid-max",
        type=int,
        default=1_000_000,
        help="largest size of the exact-search sweep that finds the switch point",
    )
    parser.add_argument("--bm25-max", type=int, default=100_000, help="largest BM25 corpus")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    load_start = round(os.getloadavg()[0], 2)  # other work on the machine skews latencies
    rng = np.random.default_rng(args.seed)
    largest = max(*sizes, args.grid_max)
    centres = rng.standard_normal((CENTRES, DIM), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    vectors = clustered_vectors(largest, rng, centres)
    queries = clustered_vectors(args.queries, rng, centres)

    results = [measure_size(n, vectors, queries) for n in sizes]
    grid = exact_grid(args.grid_max, vectors, queries, args.budget_ms)
    bm25 = [bm25_latency(n, rng, 100) for n in sizes if n <= args.bm25_max]
    print(
        json.dumps(
            {
                "date": dt.date.today().isoformat(),
                "machine": {
                    "cores": os.cpu_count(),
                    "python": platform.python_version(),
                    "numpy": np.__version__,
                },
                "vectors": f"synthetic: unit vectors scattered around {CENTRES} random centres "
                "(normal noise 0.06 per dimension), 384 dimensions, float32; queries "
                "drawn the same way and not in the index",
                "k": K,
                "queries": args.queries,
                "hnsw": f"voyager, inner product, float32, M={HNSW_CONNECTIVITY}, "
                f"efConstruction={HNSW_EXPANSION_ADD}, efSearch={HNSW_EXPANSION_SEARCH} "
                "(the engine's default; by_ef_search sweeps it)",
                "sizes": results,
                "exact_switch": grid,
                "bm25": bm25,
                "embedding": embed_latency(),
                "load_average_1min": {"start": load_start, "end": round(os.getloadavg()[0], 2)},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
