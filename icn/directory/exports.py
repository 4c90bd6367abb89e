"""Export of the organisations a viewer may see, as CSV or XLSX, in the import's columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from icn.directory.imports import COLUMNS
from icn.directory.models import Organisation

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The import's columns, so an export can be imported again, with the record's id and clusters.
EXPORT_COLUMNS = ("id", *COLUMNS, "clusters")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

BOLD = Font(bold=True)


def escape_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, made plain text with a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def organisation_row(organisation: Organisation) -> list[Any]:
    values: dict[str, Any] = {
        "id": organisation.pk,
        "name": organisation.name,
        "kind": organisation.kind,
        "country": organisation.country,
        "city": organisation.city,
        "website": organisation.website,
        "description": organisation.description,
        "topics": "; ".join(topic.slug for topic in organisation.topics.all()),
        "nace_codes": "; ".join(organisation.nace_codes or []),
        "size": organisation.size,
        "visibility": organisation.visibility,
        # The selector prefetches only the clusters the viewer may see.
        "clusters": "; ".join(cluster.slug for cluster in organisation.clusters.all()),
    }
    return [escape_cell(values[column]) for column in EXPORT_COLUMNS]


def export_rows(organisations: QuerySet[Organisation]) -> Iterator[list[Any]]:
    """The header, then one row per organisation, read from the database in chunks."""
    yield list(EXPORT_COLUMNS)
    for organisation in organisations.iterator(chunk_size=500):
        yield organisation_row(organisation)


class _Echo:
    """A file that hands back what is written to it, for streaming the csv module's output."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text, one row at a time; the byte-order mark makes Excel read it as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def sheet_value(value: Any) -> Any:
    """A value a worksheet can hold and will not run: control characters out, then escaped
    (they may have hidden an "=")."""
    if isinstance(value, str):
        return escape_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def append_bold(sheet: Any, values: Iterable[Any]) -> None:
    """A header row in bold, on a write-only worksheet."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)


def xlsx_bytes(rows: Iterable[list[Any]]) -> bytes:
    """An XLSX workbook with one sheet of the rows, the first in bold."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Organisations")
    for position, row in enumerate(rows):
        values = [sheet_value(value) for value in row]
        if position == 0:
            append_bold(sheet, values)
        else:
            sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
