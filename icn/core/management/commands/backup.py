"""`icn backup [--output PATH]`: the database, the uploaded files and a manifest in one archive.

Safe while the platform runs. The default archive is var/backups/icn-<UTC time>.tar.gz.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from icn.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup or pg_dump), the uploaded files and a "
        "manifest with row counts and checksums into one .tar.gz archive."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="The archive to write (default: var/backups/icn-<UTC time>.tar.gz).",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database alias of the settings (default: default).",
        )

    def handle(self, *args: Any, output: Path | None, database: str, **options: Any) -> None:
        try:
            result = create_backup(output=output, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Wrote {result.path}")
        self.stdout.write(self.style.SUCCESS(result.summary()))
