"""The matching engine on its own: embedders, BM25, vectors, hybrid search, re-ranking.

No database: the engine is plain Python (icn/matching/engine).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icn.matching.engine import (
    DEFAULT_WEIGHTS,
    ChecksumError,
    HashingEmbedder,
    Hit,
    HybridIndex,
    MiniLMEmbedder,
    Profile,
    VectorIndex,
    Weights,
    feedback_query,
    fuse,
    load_embedder,
    min_max,
    rerank,
)
from icn.matching.engine.embedders import minilm_tokenizer_path

DOCUMENTS = {
    "electrolyser": "Green hydrogen electrolysers for steel plants. Tested at pilot scale.",
    "heat-pump": "Large heat pumps recover waste heat from data centres for district heating.",
    "biochar": "Biochar from forestry residues stores carbon in farm soils for centuries.",
    "battery": "Second-life batteries from electric buses stabilise the grid at night.",
    "water": "Membranes that purify wastewater in breweries and return it to the process.",
}


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    embedder = load_embedder("minilm-int8")
    assert isinstance(embedder, MiniLMEmbedder)
    return embedder


def _index(embedder=None, **kwargs) -> HybridIndex:
    index = HybridIndex(embedder or HashingEmbedder(), **kwargs)
    index.upsert_many([(doc_id, text, None) for doc_id, text in DOCUMENTS.items()])
    return index


def test_minilm_loads_offline_and_a_paraphrase_is_closer_than_an_unrelated_sentence(minilm):
    vectors = minilm.encode(
        [
            "Producing steel with hydrogen made by electrolysis",
            "Electrolysers make green hydrogen for steelworks",
            "The choir sings old songs on Sunday mornings",
        ]
    )
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_minilm_vector_of_a_text_does_not_depend_on_the_rest_of_its_batch(minilm):
    alone = minilm.encode(["Wind turbines"])[0]
    padded = minilm.encode(["Wind turbines", "A much longer sentence " * 20])[0]
    np.testing.assert_allclose(alone, padded, atol=1e-5)


def test_the_embedder_is_loaded_once_per_process(minilm):
    assert load_embedder("minilm-int8") is minilm


def test_a_model_file_with_the_wrong_checksum_is_refused(tmp_path: Path):
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model we pinned")
    with pytest.raises(ChecksumError, match="SHA-256"):
        MiniLMEmbedder(model_path=fake, tokenizer_path=minilm_tokenizer_path())


def test_the_real_model_with_a_different_pinned_digest_is_refused():
    with pytest.raises(ChecksumError):
        MiniLMEmbedder(model_sha256="0" * 64)


def test_an_unknown_embedder_name_is_an_error():
    with pytest.raises(KeyError, match="hashing"):
        load_embedder("no-such-model")


def test_bm25_finds_the_document_with_the_exact_word():
    index = _index()
    hits = index.search("biochar", k=3)
    assert hits[0].doc_id == "biochar"
    assert hits[0].bm25_rank == 1
    assert hits[0].passages == [DOCUMENTS["biochar"]]


def test_passages_are_the_sentences_that_share_the_query_words():
    index = _index()
    hits = index.search("pilot electrolysers", k=1)
    assert hits[0].passages == [
        "Green hydrogen electrolysers for steel plants.",
        "Tested at pilot scale.",
    ]


def test_hybrid_search_returns_only_allowed_ids_and_still_k_of_them():
    index = _index()
    allowed = {"battery", "water", "heat-pump"}
    hits = index.search("hydrogen for steel", k=3, allowed=allowed)
    assert {h.doc_id for h in hits} == allowed  # none shares a word: dense fills in


def test_upsert_replaces_a_document_and_remove_forgets_it():
    index = _index()
    index.upsert("biochar", "Floating offshore wind farms in the North Sea.")
    assert len(index) == len(DOCUMENTS)
    assert index.search("biochar", k=5)[0].bm25_rank is None  # the old words are gone
    assert index.search("offshore wind", k=1)[0].doc_id == "biochar"
    index.remove("biochar")
    assert len(index) == len(DOCUMENTS) - 1
    assert index.vector("biochar") is None
    assert "biochar" not in {h.doc_id for h in index.search("offshore wind biochar", k=10)}


def test_precomputed_vectors_are_stored_as_given(minilm):
    index = HybridIndex(minilm)
    vector = minilm.encode(["Solar roofs for schools"])[0]
    returned = index.upsert("solar", "Solar roofs for schools", vector)
    np.testing.assert_array_equal(returned, vector)
    np.testing.assert_array_equal(index.vector("solar"), vector)
    with pytest.raises(ValueError, match="dimension"):
        index.upsert("short", "A vector of the wrong size", np.ones(3, dtype=np.float32))


def test_exact_and_hnsw_search_agree_on_the_top_hit():
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((300, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"d{i}" for i in range(300)]
    exact = VectorIndex(32, exact_up_to=10_000)
    approximate = VectorIndex(32, exact_up_to=10)
    exact.upsert_many(ids, vectors)
    approximate.upsert_many(ids, vectors)
    assert approximate.approximate and not exact.approximate
    for query in vectors[:20] + 0.05 * rng.standard_normal((20, 32)).astype(np.float32):
        assert exact.search(query, 1)[0][0] == approximate.search(query, 1)[0][0]


def test_hnsw_follows_upserts_and_removals_and_filters_allowed_ids():
    rng = np.random.default_rng(4)
    vectors = rng.standard_normal((200, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex(16, exact_up_to=50)
    index.upsert_many([f"d{i}" for i in range(200)], vectors)
    index.build_graph()
    index.remove("d7")
    assert "d7" not in [d for d, _ in index.search(vectors[7], 5)]
    index.upsert("d8", vectors[9])  # d8 now sits where d9 is
    assert {d for d, _ in index.search(vectors[9], 2)} == {"d8", "d9"}
    allowed = [f"d{i}" for i in range(100, 200)]
    found = index.search(vectors[3], 10, allowed=allowed)
    assert len(found) == 10 and {d for d, _ in found} <= set(allowed)


def test_rerank_puts_the_candidate_with_matching_topics_and_enough_readiness_first():
    fused = dict(
        fuse(
            [("text-only", 9.0), ("a", 5.0), ("good-fit", 4.0)],
            [("text-only", 0.8), ("b", 0.7), ("c", 0.6), ("good-fit", 0.5)],
            DEFAULT_WEIGHTS.bm25,
            5,
        )
    )
    hits = [
        Hit("text-only", score=fused["text-only"], bm25_rank=1, dense_rank=1, passages=["p"]),
        Hit("good-fit", score=fused["good-fit"], bm25_rank=3, dense_rank=4, passages=[]),
    ]
    challenge = Profile(topics=frozenset({"h2"}), readiness=6, countries=frozenset({"DK"}))
    candidates = {
        "text-only": Profile(readiness=3),
        "good-fit": Profile(
            topics=frozenset({"h2", "solar"}),
            readiness=7,
            countries=frozenset({"DK"}),
            kind="company",
        ),
    }
    ranked = rerank(
        hits,
        challenge,
        candidates,
        topic_names={"h2": "Hydrogen"},
        want_kinds={"company"},
        place_names={"DK": "Denmark"},
    )
    assert [r.doc_id for r in ranked] == ["good-fit", "text-only"]
    assert ranked[0].reasons == [
        "Description close in words and in meaning",
        "Matches topics: Hydrogen",
        "Readiness TRL 7 meets the wanted 6",
        "Deployed in Denmark",
        "Organisation kind: company, as wanted",
    ]
    assert ranked[0].fit["topics"] == 1.0 and ranked[1].fit["readiness"] == 0.0
    assert ranked[1].text_score == pytest.approx(1.0)


def test_rerank_reads_readiness_the_other_way_when_a_solution_looks_for_challenges():
    hit = Hit("challenge", score=0.01, bm25_rank=None, dense_rank=20, passages=[])
    ranked = rerank(
        [hit], Profile(readiness=8), {"challenge": Profile(readiness=6)}, solution_side="query"
    )
    assert ranked[0].reasons == ["Readiness TRL 8 meets the wanted 6"]


# -- properties ------------------------------------------------------------------------

scored_lists = st.lists(
    st.tuples(st.sampled_from([f"d{i}" for i in range(12)]), st.floats(-5, 50)),
    max_size=12,
    unique_by=lambda item: item[0],
)


@given(scored_lists, scored_lists, st.floats(0, 1))
def test_fused_score_is_monotone_in_each_lists_score(lexical, dense, share):
    """A document scaled no lower than another in both lists, and higher in one, fuses higher
    (strictly when both lists carry weight)."""
    fused = dict(fuse(lexical, dense, share, 100))
    lexical_scaled, dense_scaled = min_max(lexical), min_max(dense)
    assert all(0.0 <= score <= 1.0 + 1e-9 for score in fused.values())
    for a in fused:
        for b in fused:
            la, lb = lexical_scaled.get(a, 0.0), lexical_scaled.get(b, 0.0)
            da, db = dense_scaled.get(a, 0.0), dense_scaled.get(b, 0.0)
            if la >= lb and da >= db:
                assert fused[a] >= fused[b]
                if 0.01 <= share <= 0.99 and (la - lb > 1e-6 or da - db > 1e-6):
                    assert fused[a] > fused[b]


@given(scored_lists, scored_lists, st.floats(0, 1))
def test_a_document_best_in_both_lists_is_first_with_score_one(lexical, dense, share):
    top = ("top", 100.0)
    fused = fuse([top, *lexical], [top, *dense], share, 100)
    assert fused[0] == ("top", pytest.approx(1.0))


def test_min_max_scales_a_list_to_zero_and_one():
    assert min_max([("a", 4.0), ("b", 3.0), ("c", 2.0)]) == {"a": 1.0, "b": 0.5, "c": 0.0}
    assert min_max([("only", 0.3)]) == {"only": 1.0}
    assert min_max([]) == {}


def test_fusion_weighs_the_lexical_list_by_its_share():
    lexical = [("words", 3.0), ("meaning", 1.0)]
    dense = [("meaning", 0.9), ("words", 0.1)]
    assert fuse(lexical, dense, 0.2, 2)[0][0] == "meaning"
    assert fuse(lexical, dense, 0.8, 2)[0][0] == "words"


def test_feedback_moves_the_query_toward_the_first_hits():
    query = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    hits = [np.array([0.0, 1.0, 0.0], dtype=np.float32)]
    moved = feedback_query(query, hits, 2.0)
    assert np.linalg.norm(moved) == pytest.approx(1.0)
    assert moved @ hits[0] > query @ hits[0]
    assert feedback_query(query, hits, 0.0) is query and feedback_query(query, [], 2.0) is query
    # Hits that scored nothing pull nothing.
    assert feedback_query(query, hits, 2.0, [0.0]) is query
    other = np.array([0.0, 0.0, 1.0], dtype=np.float32)
    weighted = feedback_query(query, [hits[0], other], 2.0, [1.0, 0.0])
    assert weighted @ other == pytest.approx(0.0) and weighted @ hits[0] > 0


def test_feedback_brings_in_a_document_near_the_first_hits_but_not_the_query():
    """A document that shares no word and sits beside the first hits, not the query, enters
    the results only with feedback: the subject it shares with them, in other words."""
    embedder = HashingEmbedder(dim=3)
    index = HybridIndex(embedder)
    vectors = {
        "first": [0.9, 0.44, 0.0],
        "second": [0.85, 0.53, 0.0],
        "related": [0.35, 0.937, 0.0],  # close to the hits' centroid, far from the query
        "distractor": [0.6, 0.0, 0.8],  # closer to the query than "related" is
    }
    for doc_id, vector in vectors.items():
        index.upsert(doc_id, f"{doc_id} text", np.array(vector, dtype=np.float32))
    query = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    without = Weights(feedback_docs=0)
    with_feedback = Weights(feedback_docs=2, feedback_weight=2.0)
    first_three = [h.doc_id for h in index.search_ranked("query", query, k=3, weights=without)]
    assert first_three == ["first", "second", "distractor"]
    moved = [h.doc_id for h in index.search_ranked("query", query, k=3, weights=with_feedback)]
    assert moved == ["first", "second", "related"]


def test_weights_refuse_a_share_outside_zero_and_one():
    with pytest.raises(ValueError):
        Weights(bm25=1.5)
    with pytest.raises(ValueError):
        Weights(feedback_docs=-1)


@given(st.lists(st.text(max_size=200), min_size=1, max_size=5))
@settings(max_examples=200)
def test_hashing_embedder_gives_unit_vectors(texts):
    vectors = HashingEmbedder().encode(texts)
    assert vectors.shape == (len(texts), 256)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@given(st.text(max_size=100))
def test_hashing_embedder_is_deterministic(text):
    assert np.array_equal(HashingEmbedder().encode([text]), HashingEmbedder().encode([text]))
