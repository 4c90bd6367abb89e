"""`icn import-ocds FILE_OR_URL_OR_DIR`: tenders from OCDS release or record packages."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from icn.opportunities.ocds import import_source


class Command(BaseCommand):
    help = (
        "Import tenders from OCDS release packages, record packages or releases: a JSON, JSON "
        "Lines or .gz file, every such file of a directory, or an http(s) URL. Each release is "
        "checked against the OCDS 1.1.5 release schema; invalid ones are reported and skipped. "
        "Importing the same data again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="A file, a directory or an http(s) URL.")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Rewrite stored tenders from releases that are not newer too.",
        )

    def handle(self, *args: Any, source: str, refresh: bool, **options: Any) -> None:
        report = import_source(source, refresh=refresh)
        if report.nothing_read:
            raise CommandError("\n".join(["Nothing could be read.", *report.errors]))
        for line in report.lines(verbose=options.get("verbosity", 1) >= 2):
            self.stdout.write(line)
