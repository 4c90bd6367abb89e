"""`icn restore PATH [--force]`: the database and the uploaded files of a backup archive.

Stop the web processes and the worker first, and start them again afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from icn.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `icn backup`: checks the archive first, replaces the "
        "database and the archived files, then compares row counts, checksums and file hashes "
        "with the manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The .tar.gz archive to restore.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite a database that holds data.",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database alias of the settings (default: default).",
        )

    def handle(self, *args: Any, archive: Path, force: bool, database: str, **options: Any) -> None:
        try:
            result = restore_backup(archive, force=force, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored {result.summary()}"))
