"""Full-text search of opportunities behind one interface: FTS5 on SQLite, PostgreSQL's own.

Both engines stem English words (FTS5's porter tokenizer, PostgreSQL's english configuration)
and rank title matches above body matches. `search(queryset, text)` filters any queryset of
opportunities, visibility already applied, and annotates `search_rank` (higher is better).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import FloatField, QuerySet, Value
from django.db.models.expressions import RawSQL

FTS_TABLE = "opportunities_fts"
SOURCE_TABLE = "opportunities_opportunity"
# Columns of the index, with their bm25 weights.
FTS_COLUMNS = {
    "title": 10.0,
    "summary": 5.0,
    "body": 1.0,
    "buyer": 2.0,
    "funder": 2.0,
    "programme": 2.0,
}
_WORD = re.compile(r"\w+", re.UNICODE)


def fts5_query(text: str) -> str:
    """User text as a safe FTS5 query: every word must match, the last one as a prefix."""
    words = _WORD.findall(text or "")[:12]
    if not words:
        return ""
    terms = [f'"{word}"' for word in words]
    terms[-1] += "*"
    return " ".join(terms)


def _nothing(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """No match, still with a rank, so that ordering by relevance works on it."""
    return queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))


def _search_sqlite(queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
    query = fts5_query(text)
    if not query:
        return _nothing(queryset)
    weights = ", ".join(str(w) for w in FTS_COLUMNS.values())
    matches = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [query])
    rank = RawSQL(
        f"SELECT -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} "
        f'WHERE {FTS_TABLE} MATCH %s AND rowid = "{SOURCE_TABLE}"."id"',
        [query],
        output_field=FloatField(),
    )
    return queryset.filter(pk__in=matches).annotate(search_rank=rank)


def _search_postgresql(queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
    if not _WORD.search(text or ""):
        return _nothing(queryset)
    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", "buyer", "funder", "programme", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )
    query = SearchQuery(text, search_type="websearch", config="english")
    return (
        queryset.annotate(search_document=vector)
        .filter(search_document=query)
        .annotate(search_rank=SearchRank(vector, query))
    )


def search(queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
    """Opportunities of the queryset that match the text, annotated with `search_rank`."""
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, text)
    return _search_sqlite(queryset, text)


def sqlite_index_sql() -> list[str]:
    """The FTS5 index over the opportunity table, kept in step by triggers on every write."""
    columns = ", ".join(FTS_COLUMNS)
    new_values = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old_values = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    delete = (
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old_values});"
    )
    insert = f"INSERT INTO {FTS_TABLE}(rowid, {columns}) VALUES (new.id, {new_values});"
    return [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({columns}, content='{SOURCE_TABLE}', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON {SOURCE_TABLE} BEGIN {insert} END",
        f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON {SOURCE_TABLE} BEGIN {delete} END",
        f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE ON {SOURCE_TABLE} BEGIN {delete} {insert} END",
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
    ]


def sqlite_drop_sql() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}" for suffix in ("ai", "ad", "au")] + [
        f"DROP TABLE IF EXISTS {FTS_TABLE}"
    ]
