"""Second stage: text hits re-ranked by structured fit, each with the reasons a person reads."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .hybrid import DEFAULT_WEIGHTS, Hit, Weights

# Readiness levels below the wanted minimum lose a third of the fit per level: one short
# is a near miss worth showing, three short is no fit.
READINESS_SHORTFALL_PER_LEVEL = 1 / 3
# Past outcomes worth naming as a reason.
GOOD_OUTCOMES = 0.5
# Text ranks that count as "among the closest" in a reason.
CLOSE_TEXT_RANK = 10


@dataclass(frozen=True)
class Profile:
    """What a side of a match is about, besides its text."""

    topics: frozenset[str] = frozenset()
    readiness: int | None = None  # TRL 1–9 (solution) or wanted minimum (challenge)
    countries: frozenset[str] = frozenset()
    markets: frozenset[str] = frozenset()
    kind: str | None = None  # organisation kind
    outcomes: float = 0.0  # past outcomes of this candidate, 0..1


@dataclass
class Ranked:
    """A candidate in its final place, with the parts of its score and why."""

    doc_id: str
    score: float
    text_score: float
    fit: dict[str, float]
    reasons: list[str] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)


def _names(codes: Collection[str], names: Mapping[str, str] | None) -> list[str]:
    names = names or {}
    return sorted((names.get(code, code) for code in codes), key=str.casefold)


def topic_fit(query: Profile, candidate: Profile) -> tuple[float, frozenset[str]]:
    """Share of the query's topics the candidate covers."""
    if not query.topics:
        return 0.0, frozenset()
    shared = query.topics & candidate.topics
    return len(shared) / len(query.topics), shared


def readiness_fit(wanted: int | None, offered: int | None) -> float:
    """1 when the offered readiness meets the wanted minimum, less per level short."""
    if wanted is None or offered is None:
        return 0.0
    if offered >= wanted:
        return 1.0
    return max(0.0, 1.0 - (wanted - offered) * READINESS_SHORTFALL_PER_LEVEL)


def geography_fit(query: Profile, candidate: Profile) -> tuple[float, list[str], list[str]]:
    """1 for a shared country, 0.5 for a country that is the other side's market."""
    here = query.countries & candidate.countries
    if here:
        return 1.0, sorted(here), []
    markets = (query.countries | query.markets) & (candidate.countries | candidate.markets)
    if markets:
        return 0.5, [], sorted(markets)
    return 0.0, [], []


def rerank(
    hits: Sequence[Hit],
    query: Profile,
    candidates: Mapping[str, Profile],
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    topic_names: Mapping[str, str] | None = None,
    want_kinds: Collection[str] | None = None,
    place_names: Mapping[str, str] | None = None,
    solution_side: Literal["candidate", "query"] = "candidate",
) -> list[Ranked]:
    """Order ``hits`` by text score plus weighted structured fit, best first.

    ``solution_side`` says whose readiness is the offered TRL: the candidates' when a
    challenge looks for solutions (the default), the query's when a solution looks for
    challenges (then a candidate's readiness is its wanted minimum).
    """
    ranked = []
    for hit in hits:
        candidate = candidates.get(hit.doc_id, Profile())
        text_score = min(1.0, max(0.0, hit.score))
        fit, reasons = _fit(
            hit, query, candidate, topic_names, want_kinds, place_names, solution_side
        )
        score = weights.text * text_score + sum(
            getattr(weights, component) * value for component, value in fit.items()
        )
        ranked.append(
            Ranked(
                doc_id=hit.doc_id,
                score=score,
                text_score=text_score,
                fit=fit,
                reasons=reasons,
                passages=list(hit.passages),
            )
        )
    ranked.sort(key=lambda r: (-r.score, -r.text_score, r.doc_id))
    return ranked


def _fit(
    hit: Hit,
    query: Profile,
    candidate: Profile,
    topic_names: Mapping[str, str] | None,
    want_kinds: Collection[str] | None,
    place_names: Mapping[str, str] | None,
    solution_side: str,
) -> tuple[dict[str, float], list[str]]:
    reasons = []
    close_words = hit.bm25_rank is not None and hit.bm25_rank <= CLOSE_TEXT_RANK
    close_meaning = hit.dense_rank is not None and hit.dense_rank <= CLOSE_TEXT_RANK
    if close_words and close_meaning:
        reasons.append("Description close in words and in meaning")
    elif close_meaning:
        reasons.append("Description close in meaning")
    elif close_words:
        reasons.append("Description shares key words")

    topics, shared = topic_fit(query, candidate)
    if shared:
        reasons.append("Matches topics: " + ", ".join(_names(shared, topic_names)))

    if solution_side == "candidate":
        wanted, offered = query.readiness, candidate.readiness
    else:
        wanted, offered = candidate.readiness, query.readiness
    readiness = readiness_fit(wanted, offered)
    if readiness == 1.0:
        reasons.append(f"Readiness TRL {offered} meets the wanted {wanted}")
    elif readiness > 0.0:
        reasons.append(f"Readiness TRL {offered}, close to the wanted {wanted}")

    geography, countries, markets = geography_fit(query, candidate)
    if countries:
        reasons.append("Deployed in " + ", ".join(_names(countries, place_names)))
    elif markets:
        reasons.append("Active in markets: " + ", ".join(_names(markets, place_names)))

    kind = 1.0 if want_kinds and candidate.kind in want_kinds else 0.0
    if kind:
        reasons.append(f"Organisation kind: {candidate.kind}, as wanted")

    outcomes = min(1.0, max(0.0, candidate.outcomes))
    if outcomes >= GOOD_OUTCOMES:
        reasons.append("Good outcomes in past matches")

    fit = {
        "topics": topics,
        "readiness": readiness,
        "geography": geography,
        "kind": kind,
        "outcomes": outcomes,
    }
    return fit, reasons
