"""What a backup promises to bring back: rows and a checksum per table, a hash per file.

The checksum of a table is the SHA-256 of its column names and then of every row, one
canonical JSON line each, in primary-key order. Values are read through the models, so a
date, an amount or a JSON document is written the same way whichever engine stored it: the
numbers of a SQLite database and of the same data in PostgreSQL are equal.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.apps import apps
from django.db import connections, models

# Tables that the migrations fill by themselves: a database holding rows only in these holds
# no data of its own yet (content types, permissions, the seeded topics and SDGs).
FILLED_BY_MIGRATIONS = frozenset({"contenttypes.contenttype", "auth.permission", "directory.topic"})
CHUNK_ROWS = 2000
READ_BYTES = 1024 * 1024


@dataclass(frozen=True)
class TableSummary:
    """The rows of one table and the checksum of their values."""

    model: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class FileSummary:
    """The size and hash of one file."""

    size: int
    sha256: str


def backed_up_models(using: str) -> list[type[models.Model]]:
    """Every model with a table of its own in the database, many-to-many tables included."""
    existing = set(connections[using].introspection.table_names())
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in existing
    ]
    return sorted(found, key=lambda model: model._meta.db_table)


def canonical(value: Any) -> Any:
    """A value as JSON can hold it, the same for every engine."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value // dt.timedelta(microseconds=1)
    if isinstance(value, decimal.Decimal):
        # SQLite and PostgreSQL may differ in trailing zeros, never in the amount.
        return format(value.normalize(), "f")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(key): canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return str(value)


def _line(values: Iterable[Any]) -> bytes:
    text = json.dumps(
        [canonical(value) for value in values],
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    return text.encode() + b"\n"


def _has_integer_key(model: type[models.Model]) -> bool:
    key: Any = model._meta.pk
    target = key.target_field if key.is_relation else key
    return isinstance(target, models.IntegerField)


def _rows(model: type[models.Model], using: str, attnames: list[str]) -> Iterator[tuple[Any, ...]]:
    """The rows in primary-key order; text keys are sorted here, not by the database's
    collation, which differs between engines and locales."""
    rows = model._base_manager.using(using).values_list(*attnames)
    if _has_integer_key(model):
        yield from rows.order_by("pk").iterator(chunk_size=CHUNK_ROWS)
        return
    position = attnames.index(model._meta.pk.attname)
    yield from sorted(rows, key=lambda row: str(canonical(row[position])))


def table_summary(model: type[models.Model], using: str) -> TableSummary:
    """The row count and checksum of one model's table."""
    fields = model._meta.local_concrete_fields
    digest = hashlib.sha256(_line(field.column for field in fields))
    count = 0
    for row in _rows(model, using, [field.attname for field in fields]):
        digest.update(_line(row))
        count += 1
    return TableSummary(model=model._meta.label_lower, rows=count, sha256=digest.hexdigest())


def table_summaries(using: str) -> dict[str, TableSummary]:
    """Every table's summary, by table name."""
    return {model._meta.db_table: table_summary(model, using) for model in backed_up_models(using)}


def tables_holding_data(using: str) -> list[str]:
    """The tables that hold rows the migrations did not create."""
    return [
        model._meta.db_table
        for model in backed_up_models(using)
        if model._meta.label_lower not in FILLED_BY_MIGRATIONS
        and model._base_manager.using(using).exists()
    ]


def hash_stream(stream: BinaryIO) -> FileSummary:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(READ_BYTES):
        digest.update(chunk)
        size += len(chunk)
    return FileSummary(size=size, sha256=digest.hexdigest())


def hash_file(path: Path) -> FileSummary:
    with path.open("rb") as stream:
        return hash_stream(stream)


def media_files(root: Path) -> list[str]:
    """The regular files under root, as sorted relative POSIX paths (links are not followed)."""
    if not root.is_dir():
        return []
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def file_summaries(root: Path) -> dict[str, FileSummary]:
    """Every file under root with its size and hash, by relative path."""
    return {name: hash_file(root / name) for name in media_files(root)}
