"""`icn impact_report --year 2025 [--cluster SLUG] --output FILE.docx`: the yearly activity
report for funders, the same document as the dashboards' "Yearly report" link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from icn.directory.models import Cluster
from icn.impact import report, selectors


class Command(BaseCommand):
    help = (
        "Write the yearly activity report (Word) of the whole network, or of one cluster "
        "against the network, with its charts, the numbers behind them and the definitions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="The year reported on.")
        parser.add_argument(
            "--cluster", default="", help="A cluster's slug; the network if left out."
        )
        parser.add_argument("--output", required=True, help="Where to write the .docx file.")

    def handle(self, *args: Any, year: int, cluster: str, output: str, **options: Any) -> None:
        try:
            selectors.check_periods(period="year", start=year, end=year)
        except ValidationError as exc:
            raise CommandError(" ".join(sorted(set(exc.messages)))) from exc
        found = None
        if cluster:
            found = Cluster.objects.filter(slug=cluster).first()
            if found is None:
                known = ", ".join(Cluster.objects.order_by("slug").values_list("slug", flat=True))
                raise CommandError(f"No cluster {cluster!r}. Known clusters: {known}.")
        body = report.yearly_report(viewer=selectors.OPERATOR, year=year, cluster=found)
        path = Path(output)
        path.write_bytes(body)
        subject = found.name if found else "the network"
        self.stdout.write(
            f"Wrote the {year} activity report of {subject} to {path} ({len(body):,} bytes)."
        )
