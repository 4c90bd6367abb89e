"""Every indicator value a viewer may see, as CSV or XLSX, each with its definition.

One row per indicator, network or cluster (or organisation), period and category. The XLSX
workbook adds a "Definitions" sheet: what each indicator counts, in the board's own words.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment

from icn.directory.exports import FORMATS, append_bold, csv_chunks, escape_cell, sheet_value
from icn.impact.selectors import ROW_COLUMNS, PeriodChoice, Row
from icn.impact.table import Indicator

__all__ = ["FORMATS", "csv_rows", "export_filename", "xlsx_bytes"]

HEADER = [
    "Indicator",
    "Name",
    "Group",
    "Unit",
    "Scope",
    "Subject",
    "Subject name",
    "Period",
    "Category",
    "Value",
    "Definition",
]
assert len(HEADER) == len(ROW_COLUMNS)

DEFINITION_HEADER = ["Indicator", "Name", "Group", "Unit", "Broken down by", "Kind", "Definition"]
# Column widths of the values sheet, in characters, so it reads without resizing.
WIDTHS = [24, 34, 14, 9, 22, 18, 28, 10, 18, 12, 80]


def export_filename(choice: PeriodChoice, subject: str, extension: str) -> str:
    return f"icn-indicators-{subject}-{choice.period}-{choice.start}-{choice.end}.{extension}"


def csv_rows(rows: Iterable[Row]) -> Iterator[str]:
    """CSV text: the header, then one line per value; an empty value has no basis (a rate
    without anything to divide by)."""

    def lines() -> Iterator[list[Any]]:
        yield list(ROW_COLUMNS)
        for row in rows:
            yield [escape_cell("" if value is None else value) for value in row.as_list()]

    return csv_chunks(lines())


def _definition_rows(indicators: Iterable[Indicator]) -> Iterator[list[Any]]:
    for indicator in indicators:
        yield [
            indicator.key,
            indicator.name,
            indicator.group,
            indicator.unit,
            indicator.dimension,
            "stock: at the end of the period" if indicator.stock else "flow: during the period",
            indicator.definition,
        ]


def xlsx_bytes(rows: Iterable[Row], indicators: Iterable[Indicator]) -> bytes:
    """A workbook with the values (numbers as numbers, a bold header row, frozen) and the
    definitions of the indicators."""
    workbook = Workbook(write_only=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    values = workbook.create_sheet("Indicators")
    values.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJK", WIDTHS, strict=True):
        values.column_dimensions[letter].width = width
    append_bold(values, HEADER)
    for row in rows:
        values.append([sheet_value(value) for value in row.as_list()])

    definitions = workbook.create_sheet("Definitions")
    definitions.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", [24, 34, 14, 9, 18, 26, 90], strict=True):
        definitions.column_dimensions[letter].width = width
    append_bold(definitions, DEFINITION_HEADER)
    for line in _definition_rows(indicators):
        cells = [WriteOnlyCell(definitions, value=sheet_value(value)) for value in line]
        cells[-1].alignment = wrap
        definitions.append(cells)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
