"""The manifest of a backup archive: what it holds and how to check that nothing was lost."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from icn.core.backup.checksums import FileSummary, TableSummary

FORMAT = "icn-backup"
VERSION = 1
NAME = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    """An archive's contents: the database dump, its tables' checksums, the uploaded files."""

    created_at: str
    engine: str
    engine_version: str
    django: str
    migrations: dict[str, list[str]]
    database: str
    database_file: FileSummary
    tables: dict[str, TableSummary]
    files: dict[str, FileSummary] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables.values())

    @property
    def file_bytes(self) -> int:
        return sum(summary.size for summary in self.files.values())

    def to_json(self) -> bytes:
        data = {"format": FORMAT, "version": VERSION, **asdict(self)}
        return json.dumps(data, indent=1, sort_keys=True).encode() + b"\n"

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BackupError(f"its manifest is not readable JSON ({error}).") from error
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError("its manifest is not the manifest of a platform backup.")
        if data.get("version") != VERSION:
            raise BackupError(
                f"its manifest has format version {data.get('version')!r}; this version of the "
                f"platform reads version {VERSION}."
            )
        try:
            return cls(
                created_at=str(data["created_at"]),
                engine=str(data["engine"]),
                engine_version=str(data["engine_version"]),
                django=str(data["django"]),
                migrations={
                    str(app): [str(name) for name in names]
                    for app, names in data["migrations"].items()
                },
                database=str(data["database"]),
                database_file=FileSummary(**data["database_file"]),
                tables={str(name): TableSummary(**table) for name, table in data["tables"].items()},
                files={
                    str(name): FileSummary(**summary) for name, summary in data["files"].items()
                },
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"its manifest is incomplete ({error!r}).") from error


def migration_state(using: str) -> dict[str, list[str]]:
    """The migrations applied to the database, by app."""
    state: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        state.setdefault(app, []).append(name)
    return state


def migration_problem(state: dict[str, list[str]]) -> str:
    """Why this version of the platform cannot restore a database in this migration state
    (empty when it can): the tables must be those that its models describe."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    archived = {(app, name) for app, names in state.items() for name in names}
    unknown = sorted(archived - set(loader.disk_migrations))
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        return (
            f"it was made by a newer version of the platform: migrations {names} are unknown "
            "here. Restore it with the version that made it."
        )
    missing = sorted(set(loader.graph.leaf_nodes()) - archived)
    if missing:
        names = ", ".join(f"{app}.{name}" for app, name in missing[:5])
        return (
            f"it was made by an older version of the platform: its database lacks migrations "
            f"{names}. Restore it with the version that made it, then upgrade with "
            "`icn migrate`."
        )
    return ""
