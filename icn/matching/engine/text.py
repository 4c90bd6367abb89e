"""Words and sentences: the tokenisation BM25, the hashing embedder and passages share."""

from __future__ import annotations

import re

# A short, ordinary English stop list: function words that say nothing about what a
# challenge or solution is about. Domain words ("energy", "solution") stay: BM25's IDF
# already discounts whatever is common in our own corpus.
_STOP_LIST = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either etc few for from further had has have having he her here hers herself him
    himself his how however i if in into is it its itself just may me might more most
    must my myself no nor not now of off on once only or other our ours ourselves out
    over own per same shall she should so some such than that the their theirs them
    themselves then there these they this those through thus to too under until up upon
    us very via was we were what when where which while who whom why will with within
    without would yet you your yours yourself yourselves
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_LIST.split())

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n|\n(?=\s*[-*•])")


def words(text: str) -> list[str]:
    """Lower-case words in order, possessive 's dropped, stop words kept."""
    out = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0)
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        out.append(word)
    return out


def tokens(text: str) -> list[str]:
    """The words BM25 indexes: lower-case, without stop words."""
    return [w for w in words(text) if w not in STOP_WORDS]


def sentences(text: str) -> list[str]:
    """Split a description into sentences (and paragraphs or bullet lines), stripped."""
    parts = (part.strip() for part in _SENTENCE_END.split(text))
    return [part for part in parts if part]
