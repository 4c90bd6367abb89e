"""Member import: read a CSV or XLSX file, check every row, plan what it would write, write it.

Nothing is written while a file is read and checked: `read_plan` only reads the database (to
spot duplicates), and `import_members` re-reads the file and writes every new row in one
transaction, through `services.organisation_create`, or nothing at all.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from icn.core.countries import normalise_country
from icn.core.visibility import Visibility, get_scope
from icn.directory import services
from icn.directory.models import (
    Cluster,
    Organisation,
    OrganisationKind,
    OrganisationSize,
    Topic,
    website_domain,
)
from icn.directory.sectors import validate_nace_codes
from icn.directory.services import PRIVATE_ON_CREATE

COLUMNS = (
    "name",
    "kind",
    "country",
    "city",
    "website",
    "description",
    "topics",
    "nace_codes",
    "size",
    "visibility",
)
REQUIRED_COLUMNS = ("name", "kind", "country")
# Written by the export, so that an exported file can be imported again; their values are not
# used (the organisations join the cluster chosen for the import).
IGNORED_COLUMNS = ("id", "clusters")
ALIASES = {
    "organisation": "name",
    "organization": "name",
    "organisation_name": "name",
    "organization_name": "name",
    "type": "kind",
    "organisation_type": "kind",
    "organization_type": "kind",
    "country_code": "country",
    "town": "city",
    "url": "website",
    "web": "website",
    "web_site": "website",
    "homepage": "website",
    "website_url": "website",
    "about": "description",
    "topic": "topics",
    "nace": "nace_codes",
    "nace_code": "nace_codes",
    "nacecodes": "nace_codes",
    "sector": "nace_codes",
    "sectors": "nace_codes",
    "company_size": "size",
    "size_class": "size",
    "employees": "size",
    "cluster": "clusters",
}
EXAMPLE_ROW = {
    "name": "Hydrogen Valley ApS",
    "kind": "SME",
    "country": "DK",
    "city": "Aarhus",
    "website": "https://hydrogenvalley.example",
    "description": "Electrolysers for green hydrogen.",
    "topics": "Hydrogen; Green hydrogen production",
    "nace_codes": "35.11; 71.12",
    "size": "small",
    "visibility": "network",
}
MAX_COLUMNS = 64  # a real member list has a dozen; the rest of a huge sheet is not read
XLSX_MAX_UNPACK_FACTOR = 20  # an XLSX unpacks to this many times the largest accepted file
UPLOAD_MAX_AGE_SECONDS = 24 * 3600
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
BINARY_MAGICS = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")

NOT_UTF8 = (
    "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (comma delimited)”, "
    "or upload the .xlsx workbook itself."
)
NOT_A_TABLE = (
    "The file is neither a CSV text file nor an XLSX workbook. "
    "Upload a .csv file (UTF-8) or an .xlsx file."
)
BROKEN_XLSX = (
    "The file looks like an XLSX workbook but cannot be opened: it is damaged or not a "
    "workbook. Save it again from your spreadsheet program as .xlsx or as CSV UTF-8."
)
OLD_XLS = "Old Excel .xls files are not read. Save the sheet as .xlsx or as CSV UTF-8."
EMPTY_FILE = "The file is empty. Upload a file with a header row and one row per organisation."
NO_ROWS = "The file has a header row but no organisations below it."
FORMULA = "contains a formula; type the value itself (a leading = + - or @ starts a formula)"

_PLAIN_NUMBER = re.compile(r"[+-]?[\d\s.,]*\d[\d\s.,]*(?:[eE][+-]?\d+)?%?")


class ImportFileError(Exception):
    """A problem with the file as a whole: nothing in it can be imported."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ImportRefused(Exception):
    """The confirmed file no longer imports as previewed; nothing was written."""

    def __init__(self, message: str, plan: ImportPlan) -> None:
        super().__init__(message)
        self.message = message
        self.plan = plan


@dataclass
class PlannedRow:
    """One data row of the file: what it would become, or why it cannot."""

    number: int
    values: dict[str, str]
    fields: dict[str, Any] = field(default_factory=dict)
    topics: list[Topic] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    duplicate_of: str = ""

    @property
    def status(self) -> str:
        # A duplicate is skipped, so what else is wrong with it does not block the import.
        if self.duplicate_of:
            return "duplicate"
        return "error" if self.errors else "new"

    @property
    def row_errors(self) -> list[str]:
        """Messages about the row as a whole rather than one of its cells."""
        return [message for column, message in self.errors if not column]

    def cells(self, columns: Iterable[str]) -> list[dict[str, Any]]:
        """The row's values in the file's column order, each with its messages."""
        return [
            {
                "column": column,
                "value": self.values.get(column, ""),
                "errors": [message for name, message in self.errors if name == column],
            }
            for column in columns
        ]


@dataclass
class ImportPlan:
    """What an import file would write: each row as new, duplicate or error."""

    format: str
    columns: list[str]
    rows: list[PlannedRow]

    @property
    def new_rows(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.status == "new"]

    @property
    def duplicate_rows(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.status == "duplicate"]

    @property
    def error_rows(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.status == "error"]

    @property
    def can_commit(self) -> bool:
        return bool(self.new_rows) and not self.error_rows

    def row_table(self) -> list[dict[str, Any]]:
        """Rows for the preview table: status, cells and messages."""
        return [
            {"row": row, "status": row.status, "cells": row.cells(self.columns)}
            for row in self.rows
        ]


@dataclass(frozen=True)
class ImportResult:
    """What a confirmed import wrote."""

    created: list[Organisation]
    duplicates: int

    def summary(self) -> str:
        created, skipped = len(self.created), self.duplicates
        return (
            f"{created} organisation{'s' if created != 1 else ''} imported, "
            f"{skipped} duplicate{'s' if skipped != 1 else ''} skipped."
        )


# Who may import --------------------------------------------------------------------------


def importable_clusters(actor: Any) -> QuerySet[Cluster]:
    """The clusters the actor may import members into: its own, or all for the secretariat."""
    scope = get_scope(actor)
    if scope.is_secretariat:
        return Cluster.objects.order_by("name")
    return Cluster.objects.filter(pk__in=scope.managed_cluster_ids).order_by("name")


# Size, type and the stored upload --------------------------------------------------------


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def check_size(size: int) -> None:
    limit = settings.ICN_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            f"The file is too large ({megabytes(size)}); the largest accepted is "
            f"{megabytes(limit)}. Split it into smaller files."
        )


def too_large_message() -> str:
    """For an upload refused before its size is known exactly."""
    return (
        f"The file is too large; the largest accepted is "
        f"{megabytes(settings.ICN_IMPORT_MAX_BYTES)}. Split it into smaller files."
    )


def read_upload(uploaded: Any) -> bytes:
    """The bytes of an uploaded file, refusing it by its size before reading it."""
    check_size(uploaded.size or 0)
    uploaded.seek(0)
    data: bytes = uploaded.read(settings.ICN_IMPORT_MAX_BYTES + 1)
    check_size(len(data))
    return data


def detect_format(data: bytes) -> str:
    """'xlsx' or 'csv', by the content rather than the file name."""
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportFileError(EMPTY_FILE)
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        raise ImportFileError(OLD_XLS)
    if data.startswith(UTF16_BOMS):
        raise ImportFileError(NOT_UTF8)
    if data.startswith(BINARY_MAGICS) or b"\x00" in data[:8192]:
        raise ImportFileError(NOT_A_TABLE)
    return "csv"


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _upload_path(token: str, fmt: str) -> Path:
    if fmt not in ("csv", "xlsx"):
        raise ImportFileError("This import is no longer available; upload the file again.")
    try:
        name = str(uuid.UUID(token))
    except (ValueError, TypeError, AttributeError):
        raise ImportFileError(
            "This import is no longer available; upload the file again."
        ) from None
    return _upload_dir() / f"{name}.{fmt}"


def store_upload(data: bytes, fmt: str) -> str:
    """Keep the file until the import is confirmed; returns its token (a uuid4)."""
    purge_stale_uploads()
    token = str(uuid.uuid4())
    path = _upload_path(token, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return token


def load_upload(token: str, fmt: str) -> bytes:
    try:
        return _upload_path(token, fmt).read_bytes()
    except FileNotFoundError:
        raise ImportFileError(
            "This import is no longer available; upload the file again."
        ) from None


def discard_upload(token: str, fmt: str) -> None:
    with contextlib.suppress(ImportFileError):
        _upload_path(token, fmt).unlink(missing_ok=True)


def purge_stale_uploads(max_age: int = UPLOAD_MAX_AGE_SECONDS) -> None:
    """Forget files of imports that were previewed but never confirmed nor cancelled."""
    folder = _upload_dir()
    if not folder.is_dir():
        return
    cutoff = time.time() - max_age
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue


# Reading the table -----------------------------------------------------------------------


Table = tuple[list[str], list[tuple[int, list[str]]]]


def _too_many_rows() -> ImportFileError:
    limit = settings.ICN_IMPORT_MAX_ROWS
    return ImportFileError(
        f"The file has more than {limit:,} rows; at most {limit:,} organisations are imported "
        "at once. Split it into smaller files."
    )


def _collect(numbered_rows: Iterable[tuple[int, list[str]]]) -> Table:
    """The first non-blank row as the header, then the non-blank rows, within the row limit."""
    limit = settings.ICN_IMPORT_MAX_ROWS
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, values in numbered_rows:
        if not any(value.strip() for value in values):
            continue
        if header is None:
            header = values
            continue
        if len(rows) >= limit:
            raise _too_many_rows()
        rows.append((number, values))
    if header is None:
        raise ImportFileError(EMPTY_FILE)
    return header, rows


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(NOT_UTF8) from None
    if "\x00" in text:
        raise ImportFileError(NOT_A_TABLE)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # Excel in much of Europe saves CSV with semicolons; the header line tells which.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _collect((number, row) for number, row in enumerate(reader, start=1))
    except csv.Error as exc:
        raise ImportFileError(
            f"The file is not valid CSV (near line {reader.line_num}: {exc})."
        ) from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date | clock):
        return value.isoformat()
    # Array and data-table formulas come as objects; they are formulas all the same.
    text = getattr(value, "text", None)
    return text if isinstance(text, str) and text.startswith("=") else "="


def _xlsx_rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
    # Rows far below the data (a stray cell at row 1,000,000) would mean scanning up to a
    # million empty rows; a member list never needs more than ten times its row limit.
    last_row = max(settings.ICN_IMPORT_MAX_ROWS * 10, 10_000)
    rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    for number, values in enumerate(rows, start=1):
        if number > last_row:
            raise ImportFileError(
                f"The sheet goes on below row {last_row:,}. Delete the rows below the "
                "organisations, or save the sheet as CSV UTF-8."
            )
        if all(value is None for value in values):
            continue
        yield number, [_cell_text(value) for value in values]


def _read_xlsx(data: bytes) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportFileError(BROKEN_XLSX) from None
    if unpacked > XLSX_MAX_UNPACK_FACTOR * settings.ICN_IMPORT_MAX_BYTES:
        raise ImportFileError(
            "The workbook is too large once unpacked. Save the members as CSV UTF-8, or split "
            "the workbook into smaller files."
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # a hostile or damaged workbook fails in many ways; all mean the same
        raise ImportFileError(BROKEN_XLSX) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(EMPTY_FILE)
        sheet = workbook.worksheets[0]
        # The declared size of a sheet can be anything; read the rows that are really there.
        sheet.reset_dimensions()
        return _collect(_xlsx_rows(sheet))
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(BROKEN_XLSX) from None
    finally:
        workbook.close()


def read_table(data: bytes) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """The file's format, header and non-blank rows (numbered as in a spreadsheet)."""
    check_size(len(data))
    fmt = detect_format(data)
    header, rows = _read_xlsx(data) if fmt == "xlsx" else _read_csv(data)
    return fmt, header, rows


# Columns ---------------------------------------------------------------------------------


def column_key(heading: str) -> str:
    """A heading as a column name: case, spaces, hyphens and underscores do not matter."""
    key = re.sub(r"[\s_\-]+", "_", heading.strip().lower()).strip("_")
    return ALIASES.get(key, key)


def expected_columns_text() -> str:
    return ", ".join(
        f"{column} (required)" if column in REQUIRED_COLUMNS else column for column in COLUMNS
    )


def _columns(header: list[str]) -> list[str]:
    """The column of each heading ('' for a blank one), or a file error naming the expected."""
    keys = [column_key(heading) for heading in header]
    known = set(COLUMNS) | set(IGNORED_COLUMNS)
    unknown = [h.strip() for h, key in zip(header, keys, strict=True) if key and key not in known]
    missing = [column for column in REQUIRED_COLUMNS if column not in keys]
    repeated = sorted({key for key in keys if key and keys.count(key) > 1})
    if unknown or missing or repeated:
        problems = []
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown {', '.join(repr(h) for h in unknown[:10])}")
        if repeated:
            problems.append(f"repeated {', '.join(repeated)}")
        raise ImportFileError(
            f"Wrong columns ({'; '.join(problems)}). The header row must name the columns "
            f"{expected_columns_text()}, in any order."
        )
    return keys


# Cells -----------------------------------------------------------------------------------


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run the text as a formula (and a plain number is not one)."""
    value = text.lstrip()
    if not value:
        return False
    if value[0] in "=@":
        return True
    if value[0] in "+-":
        rest = value[1:]
        if not rest or rest[0].isspace():
            return False
        return _PLAIN_NUMBER.fullmatch(value) is None
    return False


def _choice(text: str, choices: Any, *, what: str) -> str:
    key = " ".join(text.lower().replace("_", " ").split())
    for choice in choices:
        label = str(choice.label).lower()
        names = {
            choice.value,
            choice.value.replace("_", " "),
            label,
            label.split(" or ")[0],
            label.split(" (")[0],
        }
        if key in names:
            return str(choice.value)
    accepted = ", ".join(str(choice.label) for choice in choices)
    raise ValidationError(f"Unknown {what} {text!r}. Use one of: {accepted}.")


def parse_kind(text: str) -> str:
    if not text:
        raise ValidationError("The kind is required.")
    return _choice(text, OrganisationKind, what="kind")


def parse_size(text: str) -> str:
    if not text:
        return ""
    if text.isdigit():  # a number of employees
        employees = int(text)
        if employees < 10:
            return OrganisationSize.MICRO
        if employees < 50:
            return OrganisationSize.SMALL
        return OrganisationSize.MEDIUM if employees < 250 else OrganisationSize.LARGE
    return _choice(text, OrganisationSize, what="size")


def parse_visibility(text: str) -> str:
    if not text:
        return Visibility.NETWORK
    visibility = _choice(text, Visibility, what="visibility")
    if visibility == Visibility.PRIVATE:
        raise ValidationError(PRIVATE_ON_CREATE)
    return visibility


def parse_website(text: str) -> str:
    if text and "://" not in text:
        return f"https://{text}"
    return text


def topic_index() -> dict[str, Topic]:
    """Topics by slug, name and SDG code, folded to lower case."""
    index: dict[str, Topic] = {}
    for topic in Topic.objects.all():
        for key in (topic.slug, topic.name, topic.code, str(topic)):
            if key:
                index.setdefault(key.casefold(), topic)
    return index


def parse_topics(text: str, index: dict[str, Topic]) -> list[Topic]:
    names = [name.strip() for name in text.split(";") if name.strip()]
    unknown = [name for name in names if name.casefold() not in index]
    if unknown:
        raise ValidationError(
            f"Unknown topic{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. Use the "
            "names or slugs on the Topics page, separated by semicolons."
        )
    return list(dict.fromkeys(index[name.casefold()] for name in names))


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return list(exc.messages)


# Rows ------------------------------------------------------------------------------------


def _plan_row(
    number: int, values: dict[str, str], extra: list[str], index: dict[str, Topic]
) -> PlannedRow:
    row = PlannedRow(number=number, values=values)
    if any(value.strip() for value in extra):
        row.errors.append(("", "Has a value in a column without a heading."))
    bad: set[str] = set()
    for column, value in values.items():
        if looks_like_formula(value):
            row.errors.append((column, FORMULA))
            bad.add(column)

    def text(column: str) -> str:
        return "" if column in bad else values.get(column, "").strip()

    fields: dict[str, Any] = {
        "name": text("name"),
        "city": text("city"),
        "description": text("description"),
    }
    parsers: dict[str, Callable[[str], Any]] = {
        "kind": parse_kind,
        "country": normalise_country,
        "website": parse_website,
        "size": parse_size,
        "visibility": parse_visibility,
        "nace_codes": validate_nace_codes,
    }
    for column, parse in parsers.items():
        if column in bad:
            continue
        try:
            fields[column] = parse(text(column))
        except ValidationError as exc:
            row.errors.extend((column, message) for message in _messages(exc))
            bad.add(column)
    if "topics" not in bad:
        try:
            row.topics = parse_topics(text("topics"), index)
        except ValidationError as exc:
            row.errors.extend(("topics", message) for message in _messages(exc))

    model_fields = {key: value for key, value in fields.items() if key not in bad}
    organisation = Organisation(**model_fields)
    try:
        organisation.full_clean(exclude=["slug", *bad])
    except ValidationError as exc:
        for column, messages in exc.message_dict.items():
            name = column if column in COLUMNS else ""
            row.errors.extend((name, message) for message in messages)
    row.fields = model_fields
    return row


def _keys(row: PlannedRow) -> list[tuple[str, ...]]:
    """What makes two rows the same organisation: the website's domain, or name and country."""
    keys: list[tuple[str, ...]] = []
    domain = website_domain(row.fields.get("website", ""))
    if domain:
        keys.append(("domain", domain))
    name, country = row.fields.get("name", ""), row.fields.get("country", "")
    if name and country:
        keys.append(("name", name.casefold(), country))
    return keys


def _in_chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_keys(rows: list[PlannedRow]) -> set[tuple[str, ...]]:
    """Keys of organisations already in the directory, whoever may see them."""
    wanted = {key for row in rows for key in _keys(row)}
    domains = sorted(key[1] for key in wanted if key[0] == "domain")
    countries = sorted({key[2] for key in wanted if key[0] == "name"})
    existing: set[tuple[str, ...]] = set()
    for chunk in _in_chunks(domains):
        domains_found = Organisation.objects.filter(website_domain__in=chunk).values_list(
            "website_domain", flat=True
        )
        existing |= {("domain", domain) for domain in domains_found}
    for chunk in _in_chunks(countries):
        names_found = Organisation.objects.filter(country__in=chunk).values_list("name", "country")
        existing |= {("name", name.casefold(), country) for name, country in names_found}
    return existing & wanted


def _mark_duplicates(rows: list[PlannedRow]) -> None:
    existing = _existing_keys(rows)
    first_row: dict[tuple[str, ...], int] = {}
    for row in rows:
        keys = _keys(row)
        if any(key in existing for key in keys):
            # Never say which record: it may be one the importer is not allowed to see.
            row.duplicate_of = "Already in the directory."
        else:
            earlier = [first_row[key] for key in keys if key in first_row]
            if earlier:
                row.duplicate_of = f"Same organisation as row {min(earlier)} of the file."
        for key in keys:
            first_row.setdefault(key, row.number)


def read_plan(data: bytes) -> ImportPlan:
    """Check a file and plan the import, writing nothing; raises ImportFileError."""
    fmt, header, table_rows = read_table(data)
    keys = _columns(header)
    if not table_rows:
        raise ImportFileError(NO_ROWS)
    index = topic_index()
    rows = []
    for number, cells in table_rows:
        values: dict[str, str] = {}
        extra: list[str] = []
        for position, cell in enumerate(cells):
            key = keys[position] if position < len(keys) else ""
            if key in COLUMNS:
                values[key] = cell
            elif not key:
                extra.append(cell)
        rows.append(_plan_row(number, values, extra, index))
    _mark_duplicates(rows)
    columns = [column for column in COLUMNS if column in keys]
    return ImportPlan(format=fmt, columns=columns, rows=rows)


# Writing ---------------------------------------------------------------------------------


def _refusal(plan: ImportPlan, expected_new: int | None) -> str:
    if plan.error_rows:
        count = len(plan.error_rows)
        return (
            f"Nothing was imported: {count} row{'s have' if count != 1 else ' has'} errors. "
            "Fix the file and upload it again."
        )
    if not plan.new_rows:
        return "Nothing was imported: every row is already in the directory or repeated."
    if expected_new is not None and len(plan.new_rows) != expected_new:
        return (
            f"Nothing was imported: the directory changed since the preview, and "
            f"{len(plan.new_rows)} rows would now be imported instead of {expected_new}. "
            "Check the preview again and confirm."
        )
    return ""


def import_members(
    *, actor: Any, cluster: Cluster, data: bytes, expected_new: int | None = None
) -> ImportResult:
    """Check the file again and write all its new rows in one transaction, or nothing.

    `expected_new` is the number of new rows the importer saw in the preview; a different
    number now (a duplicate added meanwhile, say) refuses the import rather than surprise them.
    """
    if not services.can_create_organisation(actor, [cluster]):
        raise PermissionDenied("Members are imported by the cluster's managers or the secretariat.")
    with transaction.atomic():
        plan = read_plan(data)
        refusal = _refusal(plan, expected_new)
        if refusal:
            raise ImportRefused(refusal, plan)
        created = [
            services.organisation_create(
                actor=actor, clusters=[cluster], topics=row.topics, **row.fields
            )
            for row in plan.new_rows
        ]
    return ImportResult(created=created, duplicates=len(plan.duplicate_rows))


def column_guide() -> list[dict[str, Any]]:
    """What each column accepts, for the import page."""
    kinds = ", ".join(str(label) for label in OrganisationKind.labels)
    accepts = {
        "name": "The organisation's name.",
        "kind": f"One of: {kinds} (the label or its short form, e.g. research).",
        "country": "ISO code (DK) or English name (Denmark).",
        "city": "",
        "website": "Address or domain; used with name and country to spot duplicates.",
        "description": "",
        "topics": "Topic names or slugs from the Topics page, separated by semicolons.",
        "nace_codes": "NACE codes such as 35.12, separated by semicolons.",
        "size": "micro, small, medium, large, or a number of employees.",
        "visibility": "public, network (the default) or cluster.",
    }
    return [
        {"name": column, "required": column in REQUIRED_COLUMNS, "accepts": accepts[column]}
        for column in COLUMNS
    ]


def example_rows() -> list[list[str]]:
    """The header of an import file and one example row, for the import page."""
    return [list(COLUMNS), [EXAMPLE_ROW[column] for column in COLUMNS]]
