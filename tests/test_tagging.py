"""Label suggestions (SDGs, topics) from the matching engine, without a database."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from icn.matching.engine import HashingEmbedder
from icn.matching.engine.tagging import (
    DEFAULT_THRESHOLD,
    ZERO_SHOT_THRESHOLD,
    LabelSuggester,
    choose_threshold,
    roc_auc,
)

TOPICS = {
    "water": "clean water sanitation wastewater treatment drinking water",
    "energy": "renewable energy solar panels wind turbines electricity grid",
    "food": "farming agriculture crops food security harvest",
}


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_the_label_whose_description_is_closest_is_suggested_first() -> None:
    embedder = HashingEmbedder()
    suggester = LabelSuggester.from_texts(embedder, TOPICS, threshold=-1.0)
    text = embedder.encode(["a plant for wastewater treatment gives clean drinking water"])[0]

    suggestions = suggester.suggest(text, k=3)

    assert suggestions[0][0] == "water"
    assert [score for _, score in suggestions] == sorted(
        (score for _, score in suggestions), reverse=True
    )
    assert suggester.scores(text).keys() == TOPICS.keys()


def test_the_threshold_drops_labels_that_fit_weakly() -> None:
    suggester = LabelSuggester(
        {"near": unit(1, 0, 0), "half": unit(1, 1, 0), "far": unit(0, 0, 1)},
        contrast=0.0,
        threshold=0.5,
    )

    suggestions = suggester.suggest(unit(1, 0, 0), k=3)

    assert [label for label, _ in suggestions] == ["near", "half"]
    assert suggestions[0][1] == pytest.approx(1.0)


def test_no_more_than_k_labels_are_suggested() -> None:
    suggester = LabelSuggester(
        {"a": unit(1, 0), "b": unit(1, 0.1), "c": unit(1, 0.2)}, contrast=0.0, threshold=0.0
    )

    assert len(suggester.suggest(unit(1, 0), k=2)) == 2


def test_confirmed_examples_move_a_label_towards_them() -> None:
    suggester = LabelSuggester(
        {"energy": unit(1, 0, 0), "water": unit(0, 1, 0)}, example_weight=0.5
    )
    confirmed = unit(0, 0, 1)

    suggester.fit([("energy", confirmed, True)])

    assert suggester.prototype("energy") @ confirmed == pytest.approx(np.sqrt(0.5), abs=1e-5)
    assert suggester.prototype("water") @ unit(0, 1, 0) == pytest.approx(1.0)


def test_a_text_like_confirmed_examples_outranks_the_descriptions_choice() -> None:
    # The descriptions alone prefer "energy"; people confirmed "water" on texts like it.
    suggester = LabelSuggester(
        {"energy": unit(1, 0.2, 0), "water": unit(0, 1, 0)}, example_weight=0.8, contrast=0.0
    )
    text = unit(1, 0.1, 0.5)
    assert suggester.suggest(text, k=1)[0][0] == "energy"

    suggester.fit([("water", unit(1, 0, 1), True), ("water", unit(1, 0.2, 0.8), True)])

    assert suggester.suggest(text, k=1)[0][0] == "water"


def test_rejected_examples_lower_the_score_of_texts_like_them() -> None:
    suggester = LabelSuggester({"food": unit(1, 0, 0)}, contrast=0.5)
    like_rejected = unit(1, 1, 0)
    before = suggester.scores(like_rejected)["food"]

    suggester.fit([("food", unit(0, 1, 0), False)])

    assert suggester.scores(like_rejected)["food"] < before


def test_refitting_replaces_earlier_examples_and_unknown_labels_are_ignored() -> None:
    suggester = LabelSuggester({"food": unit(1, 0)}, example_weight=1.0)
    suggester.fit([("food", unit(0, 1), True)])

    suggester.fit([("unknown", unit(0, 1), True)])

    assert suggester.prototype("food") @ unit(1, 0) == pytest.approx(1.0)


def test_the_default_threshold_follows_whether_examples_were_fitted() -> None:
    suggester = LabelSuggester({"food": unit(1, 0)})
    assert suggester.threshold == ZERO_SHOT_THRESHOLD

    suggester.fit([("food", unit(1, 1), True)])
    assert suggester.threshold == DEFAULT_THRESHOLD

    assert LabelSuggester({"food": unit(1, 0)}, threshold=0.9).threshold == 0.9


def test_a_suggester_needs_labels() -> None:
    with pytest.raises(ValueError):
        LabelSuggester({})


def test_auc_on_known_inputs() -> None:
    assert roc_auc([0.9, 0.8, 0.2, 0.1], [True, True, False, False]) == 1.0
    assert roc_auc([0.1, 0.2, 0.8, 0.9], [True, True, False, False]) == 0.0
    # One true item among three false: outscores two of them, ties the third (half).
    assert roc_auc([0.5, 0.5, 0.3, 0.1], [True, False, False, False]) == pytest.approx(5 / 6)
    assert roc_auc([0.7, 0.7, 0.7, 0.7], [True, False, True, False]) == 0.5


def test_auc_needs_both_kinds_of_item() -> None:
    with pytest.raises(ValueError):
        roc_auc([0.1, 0.2], [True, True])


@given(
    st.lists(
        st.tuples(st.floats(-1, 1, allow_nan=False), st.booleans()), min_size=2, max_size=40
    ).filter(lambda items: 0 < sum(t for _, t in items) < len(items))
)
def test_auc_equals_the_share_of_true_false_pairs_ordered_right(
    items: list[tuple[float, bool]],
) -> None:
    scores = [s for s, _ in items]
    truth = [t for _, t in items]
    pairs = [(p, n) for p, tp in items if tp for n, tn in items if not tn]
    expected = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in pairs) / len(pairs)

    assert roc_auc(scores, truth) == pytest.approx(expected)


def test_the_chosen_threshold_separates_separable_scores() -> None:
    threshold = choose_threshold([0.1, 0.2, 0.6, 0.7], [False, False, True, True])

    assert 0.2 < threshold < 0.6
