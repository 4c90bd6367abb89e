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
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from icn.directory.exports import FORMATS, csv_chunks, escape_cell
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


def _text(value: Any) -> Any:
    # Escape again once control characters are gone: they may have hidden an "=".
    if isinstance(value, str):
        return escape_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


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
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def header(sheet: Any, names: list[str]) -> None:
        cells = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    values = workbook.create_sheet("Indicators")
    values.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJK", WIDTHS, strict=True):
        values.column_dimensions[letter].width = width
    header(values, HEADER)
    for row in rows:
        values.append([_text(value) for value in row.as_list()])

    definitions = workbook.create_sheet("Definitions")
    definitions.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", [24, 34, 14, 9, 18, 26, 90], strict=True):
        definitions.column_dimensions[letter].width = width
    header(definitions, DEFINITION_HEADER)
    for line in _definition_rows(indicators):
        cells = [WriteOnlyCell(definitions, value=_text(value)) for value in line]
        cells[-1].alignment = wrap
        definitions.append(cells)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
