"""`icn reindex [--kind solutions|organisations|opportunities]`: encode and store anew.

Every record of the kind (by default all kinds) is encoded by the configured embedder and
its vector stored; vectors of records that no longer exist are deleted. The in-memory index
of this process is dropped and rebuilt from storage at its next use.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from icn.matching import index


class Command(BaseCommand):
    help = "Encode every solution, organisation and opportunity anew and store the vectors."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kind", choices=index.KINDS, help="Only this kind of record (default: all)."
        )
        parser.add_argument(
            "--changed",
            action="store_true",
            help="Encode only records whose text changed since their vector was stored.",
        )

    def handle(self, *args: Any, kind: str | None, changed: bool, **options: Any) -> None:
        embedder = settings.ICN_MATCHING_EMBEDDER
        for each in [kind] if kind else index.KINDS:
            started = time.perf_counter()

            def progress(done: int, total: int, each: str = each) -> None:
                self.stdout.write(f"\r{each}: {done}/{total}", ending="")
                self.stdout.flush()

            total = index.rebuild(each, progress=progress, changed_only=changed)
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"\r{each}: {total} record{'s' if total != 1 else ''} "
                f"{'up to date' if changed else 'encoded'} with {embedder} in {seconds:.1f} s."
            )
