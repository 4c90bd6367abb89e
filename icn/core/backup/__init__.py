"""Backup and restore of the platform: the database, the uploaded files and a manifest in one
archive, restored only when whole and checked row by row and file by file afterwards."""

from __future__ import annotations

from icn.core.backup.archive import (
    BackupResult,
    RestoreResult,
    create_backup,
    default_output,
    restore_backup,
)
from icn.core.backup.checksums import (
    FileSummary,
    TableSummary,
    file_summaries,
    table_summaries,
    tables_holding_data,
)
from icn.core.backup.manifest import BackupError, Manifest

__all__ = [
    "BackupError",
    "BackupResult",
    "FileSummary",
    "Manifest",
    "RestoreResult",
    "TableSummary",
    "create_backup",
    "default_output",
    "file_summaries",
    "restore_backup",
    "table_summaries",
    "tables_holding_data",
]
