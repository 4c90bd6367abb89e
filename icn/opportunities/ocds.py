"""Tenders in and out as Open Contracting Data Standard (OCDS) releases.

In: `import_source` reads a file, a directory or a URL holding release packages, record
packages, records or releases (JSON, JSON Lines, either gzip-compressed), checks every release
against the OCDS 1.1.5 release schema, compiles the releases of one contracting process (ocid)
into one, and writes one tender per ocid, all of a file in one transaction. Invalid releases are
reported and skipped; a file that is not JSON or not OCDS changes nothing.

Out: `release_for` describes a public tender as an OCDS release, `release_package` wraps many.
"""

from __future__ import annotations

import copy
import gzip
import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from jsonschema import Draft4Validator
from referencing import Registry

from icn.core.countries import country_name, normalise_country
from icn.core.visibility import Visibility
from icn.directory.services import unique_slug
from icn.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus

SCHEMA_PATH = Path(__file__).parent / "data" / "release-schema-1.1.5.json"
# Platform tenders have no ocid of their own: one is minted from this prefix and the row's id.
# A publisher registers its own prefix with the Open Contracting Partnership before publishing.
OCID_PREFIX = "ocds-icn000"
OCDS_VERSION = "1.1"
FETCH_TIMEOUT_SECONDS = 30
MAX_FETCH_BYTES = 200 * 1024 * 1024
FILE_SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz")
# Tender statuses after which no bid is taken, whatever the deadline says.
FINISHED_TENDER_STATUSES = {"complete", "cancelled", "unsuccessful", "withdrawn"}
PROCUREMENT_METHODS = ("open", "selective", "limited", "direct")
# The only arrays of objects the 1.1.5 schema merges as a whole rather than by `id`.
WHOLE_LIST_FIELDS = {"additionalIdentifiers", "additionalClassifications"}
MAX_REASONS = 3
MAX_MESSAGE = 160


class OcdsInputError(Exception):
    """Input that cannot be read as OCDS at all: nothing of it is imported."""


@dataclass(frozen=True)
class Problem:
    """A release that was not imported, and why."""

    source: str
    ocid: str
    release_id: str
    reason: str

    def __str__(self) -> str:
        release = f" (release {self.release_id})" if self.release_id else ""
        return f"{self.source}: {self.ocid or '(no ocid)'}{release}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did: ocids created, updated and unchanged; releases refused; files broken."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    invalid: list[Problem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    files_read: int = 0

    @property
    def nothing_read(self) -> bool:
        return self.files_read == 0

    def add(self, other: ImportReport) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.invalid += other.invalid
        self.errors += other.errors
        self.files_read += other.files_read

    def summary(self) -> str:
        return (
            f"{self.files_read} file(s) read: {len(self.created)} created, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.skipped)} skipped, {len(self.invalid)} invalid, "
            f"{len(self.errors)} file(s) not read."
        )

    def lines(self, *, verbose: bool = False) -> list[str]:
        lines = [self.summary()]
        if verbose:
            for label, ocids in (
                ("Created", self.created),
                ("Updated", self.updated),
                ("Unchanged", self.unchanged),
            ):
                lines += [f"{label}: {ocid}" for ocid in ocids]
        lines += [f"Skipped: {problem}" for problem in self.skipped]
        lines += [f"Invalid: {problem}" for problem in self.invalid]
        lines += [f"Not read: {error}" for error in self.errors]
        return lines


@dataclass(frozen=True)
class Candidate:
    """One contracting process's (compiled) release, with what its package says of its source."""

    release: dict[str, Any]
    source_urls: tuple[str, ...]


# The schema ---------------------------------------------------------------------------------


@cache
def release_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> Draft4Validator:
    # An empty registry resolves the schema's own #/definitions and refuses anything remote.
    return Draft4Validator(release_schema(), registry=Registry())


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def release_errors(release: Any) -> list[str]:
    """What makes a release invalid against the 1.1.5 release schema, one line per error."""
    found = sorted(_validator().iter_errors(release), key=lambda e: [str(p) for p in e.path])
    return [
        f"{'.'.join(str(part) for part in error.absolute_path) or '(release)'}: "
        f"{_short(error.message)}"
        for error in found
    ]


def _reason(messages: list[str]) -> str:
    shown = "; ".join(messages[:MAX_REASONS])
    more = len(messages) - MAX_REASONS
    return f"{shown} (and {more} more)" if more > 0 else shown


# Reading ------------------------------------------------------------------------------------


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def fetch(url: str) -> bytes:
    """The body at a URL; any failure is an OcdsInputError that says what happened."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            data: bytes = response.read(MAX_FETCH_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise OcdsInputError(f"could not fetch: {exc}") from exc
    if len(data) > MAX_FETCH_BYTES:
        raise OcdsInputError(f"larger than {MAX_FETCH_BYTES // (1024 * 1024)} MB")
    return data


def _text(data: bytes) -> str:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise OcdsInputError(f"not a readable gzip file: {exc}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OcdsInputError(f"not UTF-8 text: {exc}") from exc


def parse_documents(data: bytes, name: str = "") -> list[Any]:
    """The JSON values in a file: one JSON document, or one per line (JSON Lines)."""
    text = _text(data)
    if not text.strip():
        raise OcdsInputError("the file is empty")
    lines_first = name.removesuffix(".gz").endswith(".jsonl")
    if not lines_first:
        try:
            return [json.loads(text)]
        except json.JSONDecodeError as exc:
            if not exc.msg.startswith("Extra data"):
                raise OcdsInputError(f"not JSON: {exc}") from exc
    documents = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise OcdsInputError(f"line {number} is not JSON: {exc.msg}") from exc
    return documents


def _package_urls(package: dict[str, Any]) -> tuple[str, ...]:
    publisher = package.get("publisher")
    urls = [package.get("uri"), publisher.get("uri") if isinstance(publisher, dict) else None]
    return tuple(url for url in urls if isinstance(url, str))


def _list_of(container: dict[str, Any], key: str, what: str) -> list[Any]:
    value = container.get(key)
    if not isinstance(value, list):
        raise OcdsInputError(f"{what} whose '{key}' is not a list")
    return value


@dataclass
class _Collected:
    """Releases by ocid, and records' compiled releases, gathered from a file's documents."""

    releases: dict[str, list[tuple[dict[str, Any], tuple[str, ...]]]] = field(default_factory=dict)
    records: list[tuple[dict[str, Any], tuple[str, ...]]] = field(default_factory=list)
    loose: list[Any] = field(default_factory=list)  # releases without an ocid string


def _collect_release(collected: _Collected, release: Any, urls: tuple[str, ...]) -> None:
    ocid = release.get("ocid") if isinstance(release, dict) else None
    if isinstance(ocid, str) and ocid:
        collected.releases.setdefault(ocid, []).append((release, urls))
    else:
        collected.loose.append(release)


def _collect_record(collected: _Collected, record: Any, urls: tuple[str, ...]) -> None:
    if not isinstance(record, dict):
        collected.loose.append(record)
        return
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        collected.records.append((compiled, urls))
        return
    # Without a compiled release, the record's own full releases are compiled here; linked
    # releases (a url and no content) would need fetching, which an import does not do.
    for release in record.get("releases") or []:
        if isinstance(release, dict) and "url" in release and "ocid" not in release:
            continue
        _collect_release(collected, release, urls)


def _collect(collected: _Collected, document: Any) -> None:
    if isinstance(document, list):
        for item in document:
            _collect(collected, item)
        return
    if not isinstance(document, dict):
        raise OcdsInputError("not an OCDS package, record or release")
    if "records" in document:
        urls = _package_urls(document)
        for record in _list_of(document, "records", "a record package"):
            _collect_record(collected, record, urls)
    elif "releases" in document and "ocid" in document and "date" not in document:
        _list_of(document, "releases", "a record")
        _collect_record(collected, document, ())
    elif "releases" in document:
        urls = _package_urls(document)
        for release in _list_of(document, "releases", "a release package"):
            _collect_release(collected, release, urls)
    elif {"ocid", "tag", "tender", "initiationType"} & document.keys():
        _collect_release(collected, document, ())
    else:
        raise OcdsInputError("not an OCDS package, record or release")


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


def _date_key(release: dict[str, Any]) -> tuple[float, str]:
    when = _when(release.get("date"))
    return (when.timestamp() if when else float("-inf"), str(release.get("date", "")))


# Compiling ----------------------------------------------------------------------------------


def _merge_object(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        if value is None:  # null in a later release removes the field
            target.pop(key, None)
        elif value in ({}, []):
            continue  # as the reference implementation does: an empty value says nothing
        elif isinstance(value, dict):
            current = target.get(key)
            if not isinstance(current, dict):
                current = target[key] = {}
            _merge_object(current, value)
        elif (
            isinstance(value, list)
            and key not in WHOLE_LIST_FIELDS
            and all(isinstance(item, dict) for item in value)
        ):
            _merge_by_id(target, key, value)
        else:
            target[key] = copy.deepcopy(value)


def _merge_by_id(target: dict[str, Any], key: str, items: list[dict[str, Any]]) -> None:
    """Objects with the same `id` merge; objects without one (OCDS 1.0) merge by position."""
    current = target.get(key)
    if not isinstance(current, list):
        current = target[key] = []
    for index, item in enumerate(items):
        identifier = item.get("id")
        if identifier is None:
            at_index = current[index] if index < len(current) else None
            match = at_index if isinstance(at_index, dict) and "id" not in at_index else None
        else:
            match = next(
                (c for c in current if isinstance(c, dict) and c.get("id") == identifier), None
            )
        if match is None:
            match = {}
            current.append(match)
        _merge_object(match, item)


def compile_releases(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release of one ocid's releases, by OCDS merge rules (the latest wins)."""
    ordered = sorted(releases, key=_date_key)
    merged: dict[str, Any] = {}
    for release in ordered:
        _merge_object(merged, {k: v for k, v in release.items() if k not in ("id", "date", "tag")})
    last = ordered[-1]
    return {
        "tag": ["compiled"],
        "id": f"{last['ocid']}-{last.get('date', '')}",
        "date": last.get("date"),
        **merged,
    }


def _candidates(collected: _Collected, source: str, report: ImportReport) -> list[Candidate]:
    """One valid (compiled) release per ocid; invalid releases are reported and left out."""

    def valid(release: Any) -> bool:
        messages = release_errors(release)
        if messages:
            ocid = release.get("ocid") if isinstance(release, dict) else ""
            ident = release.get("id") if isinstance(release, dict) else ""
            report.invalid.append(
                Problem(source, str(ocid or ""), str(ident or ""), _reason(messages))
            )
        return not messages

    for release in collected.loose:
        if valid(release):  # an object that the schema accepts but without an ocid to go by
            report.invalid.append(Problem(source, "", "", "not a release with an ocid"))
    compiled: list[tuple[dict[str, Any], tuple[str, ...]]] = []
    for group in collected.releases.values():
        kept = [(release, urls) for release, urls in group if valid(release)]
        if len(kept) == 1:
            compiled.append(kept[0])
        elif kept:
            merged = compile_releases([release for release, _ in kept])
            if valid(merged):
                compiled.append((merged, max(kept, key=lambda pair: _date_key(pair[0]))[1]))
    compiled += [(release, urls) for release, urls in collected.records if valid(release)]
    # The same ocid twice in one file (records of several packages): the latest one counts.
    chosen: dict[str, Candidate] = {}
    for release, urls in compiled:
        previous = chosen.get(release["ocid"])
        if previous is None or _date_key(release) >= _date_key(previous.release):
            chosen[release["ocid"]] = Candidate(release, urls)
    return list(chosen.values())


# Mapping ------------------------------------------------------------------------------------


class MappingError(Exception):
    """A valid release whose content cannot become a tender."""


def _clip(text: Any, length: int) -> str:
    value = " ".join(str(text).split()) if isinstance(text, str) else ""
    return value if len(value) <= length else value[: length - 1].rstrip() + "…"


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text_of(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _buyer(release: dict[str, Any]) -> dict[str, Any]:
    """The buyer: the party the buyer reference points to, else the party in the buyer role."""
    reference = _object(release.get("buyer"))
    parties = [p for p in release.get("parties") or [] if isinstance(p, dict)]
    party = next(
        (p for p in parties if reference.get("id") is not None and p.get("id") == reference["id"]),
        None,
    )
    for role in ("buyer", "procuringEntity"):
        party = party or next((p for p in parties if role in (p.get("roles") or [])), None)
    # OCDS 1.0 put the buyer's name and address in the reference itself.
    return {**(party or {}), **{k: v for k, v in reference.items() if v}}


def _country(release: dict[str, Any], buyer: dict[str, Any]) -> str:
    """The buyer's country; else its procuring entity's, which buys in the same country."""
    parties = [p for p in release.get("parties") or [] if isinstance(p, dict)]
    procuring = [p for p in parties if "procuringEntity" in (p.get("roles") or [])]
    for organisation in (buyer, *procuring):
        name = _object(organisation.get("address")).get("countryName")
        if isinstance(name, str) and name.strip():
            try:
                return normalise_country(name)
            except ValidationError:
                continue
    return ""


def _amount(value: dict[str, Any]) -> Decimal | None:
    amount = value.get("amount")
    if amount is None or isinstance(amount, bool):
        return None
    try:
        return Decimal(str(amount)).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise MappingError(f"tender.value.amount: {amount!r} is not an amount") from exc


def _first_url(candidates: Iterable[Any]) -> str:
    check = URLValidator(schemes=["http", "https"])
    for url in candidates:
        if isinstance(url, str) and len(url) <= 500:
            try:
                check(url)
            except ValidationError:
                continue
            return url
    return ""


def _title(tender: dict[str, Any], ocid: str) -> str:
    items = [i for i in tender.get("items") or [] if isinstance(i, dict)]
    for text in (tender.get("title"), items[0].get("description") if items else None):
        title = _clip(text, 300)
        if title:
            return title
    return ocid


def tender_fields(release: dict[str, Any], source_urls: Iterable[str] = ()) -> dict[str, Any]:
    """The tender's fields from a valid (compiled) release; MappingError when it has none."""
    tender = release.get("tender")
    if not isinstance(tender, dict) or not tender:
        raise MappingError("no tender in this release (planning, award or contract only)")
    published = _when(release.get("date"))
    if published is None:
        raise MappingError(f"date: {release.get('date')!r} is not a date and time")
    period = _object(tender.get("tenderPeriod"))
    deadline = _when(period.get("endDate"))
    if period.get("endDate") and deadline is None:
        raise MappingError(f"tender.tenderPeriod.endDate: {period['endDate']!r} is not a date")
    value = _object(tender.get("value"))
    buyer = _buyer(release)
    method = " — ".join(
        str(part).strip()
        for part in (tender.get("procurementMethod"), tender.get("procurementMethodDetails"))
        if part
    )
    documents = [d.get("url") for d in tender.get("documents") or [] if isinstance(d, dict)]
    finished = deadline is not None and deadline < timezone.now()
    finished = finished or tender.get("status") in FINISHED_TENDER_STATUSES
    return {
        "kind": OpportunityKind.TENDER,
        "ocid": release["ocid"],
        "title": _title(tender, release["ocid"]),
        "summary": _clip(tender.get("description"), 500),
        "body": _text_of(tender.get("description")),
        "buyer": _clip(buyer.get("name"), 300),
        "budget_max": _amount(value),
        "currency": _clip(value.get("currency"), 3),
        "deadline": deadline,
        "procurement_method": _clip(method, 100),
        "country": _country(release, buyer),
        "source_url": _first_url([*source_urls, *documents]),
        "published_at": published,
        "status": OpportunityStatus.CLOSED if finished else OpportunityStatus.PUBLISHED,
        "ocds_release": release,
    }


# Writing ------------------------------------------------------------------------------------


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {m}" for name, ms in exc.message_dict.items() for m in ms]
    return list(exc.messages)


def _is_newer(release: dict[str, Any], stored: Any) -> bool:
    """Releases are immutable: only a later release changes what an earlier one said."""
    if not isinstance(stored, dict):
        return True
    return _date_key(release) > _date_key(stored)


def _save(candidate: Candidate, source: str, report: ImportReport, *, refresh: bool) -> None:
    release = candidate.release
    ocid = release["ocid"]
    try:
        fields = tender_fields(release, candidate.source_urls)
    except MappingError as exc:
        report.skipped.append(Problem(source, ocid, str(release.get("id", "")), str(exc)))
        return
    existing = Opportunity.objects.filter(ocid=ocid).first()
    if existing is None:
        opportunity = Opportunity(
            **fields, visibility=Visibility.PUBLIC, author_organisation=None, cluster=None
        )
        opportunity.slug = unique_slug(Opportunity, opportunity.title, max_length=300)
        outcome = report.created
    else:
        if existing.kind != OpportunityKind.TENDER:
            reason = f"this ocid belongs to a {existing.get_kind_display().lower()} already"
            report.invalid.append(Problem(source, ocid, str(release.get("id", "")), reason))
            return
        if not refresh and not _is_newer(release, existing.ocds_release):
            report.unchanged.append(ocid)
            return
        if existing.status == OpportunityStatus.ARCHIVED:
            fields.pop("status")  # archived on the platform: a newer release does not revive it
        changed = {k: v for k, v in fields.items() if getattr(existing, k) != v}
        if not changed:
            report.unchanged.append(ocid)
            return
        opportunity = existing
        for name, value in changed.items():
            setattr(opportunity, name, value)
        outcome = report.updated
    try:
        opportunity.full_clean()
    except ValidationError as exc:
        reason = _reason(_messages(exc))
        report.invalid.append(Problem(source, ocid, str(release.get("id", "")), reason))
        return
    opportunity.save()
    outcome.append(ocid)


def import_data(data: bytes, source: str, *, refresh: bool = False) -> ImportReport:
    """Import one file's content; everything it writes is written together or not at all."""
    report = ImportReport()
    try:
        collected = _Collected()
        for document in parse_documents(data, source):
            _collect(collected, document)
    except OcdsInputError as exc:
        report.errors.append(f"{source}: {exc}")
        return report
    report.files_read = 1
    candidates = _candidates(collected, source, report)
    try:
        with transaction.atomic():
            for candidate in candidates:
                _save(candidate, source, report, refresh=refresh)
    except DatabaseError as exc:
        # Rolled back: the file's tenders are written together or not at all.
        return ImportReport(
            invalid=report.invalid, errors=[f"{source}: nothing written: {exc}"], files_read=1
        )
    return report


def import_source(source: str, *, refresh: bool = False) -> ImportReport:
    """Import a file, every .json/.jsonl/.json.gz file of a directory, or a URL.

    With `refresh`, stored tenders are rewritten from releases that are not newer too (after a
    change to the mapping); otherwise a release only replaces an older one.
    """
    if _is_url(source):
        report = ImportReport()
        try:
            data = fetch(source)
        except OcdsInputError as exc:
            report.errors.append(f"{source}: {exc}")
            return report
        return import_data(data, source.rsplit("/", 1)[-1] or source, refresh=refresh)
    path = Path(source)
    if path.is_dir():
        report = ImportReport()
        files = sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(FILE_SUFFIXES))
        if not files:
            report.errors.append(f"{source}: no .json, .jsonl or .json.gz file in this directory")
        for file in files:
            report.add(_import_path(file, refresh=refresh))
        return report
    return _import_path(path, refresh=refresh)


def _import_path(path: Path, *, refresh: bool) -> ImportReport:
    try:
        data = path.read_bytes()
    except OSError as exc:
        report = ImportReport()
        report.errors.append(f"{path.name or path}: {exc.strerror or exc}")
        return report
    return import_data(data, path.name, refresh=refresh)


# Publishing ---------------------------------------------------------------------------------


def published_tenders(viewer: Any) -> QuerySet[Opportunity]:
    """Tenders that are open data: public, published or closed, and visible to the viewer."""
    return (
        Opportunity.objects.visible_to(viewer)
        .filter(
            kind=OpportunityKind.TENDER,
            visibility=Visibility.PUBLIC,
            status__in=[OpportunityStatus.PUBLISHED, OpportunityStatus.CLOSED],
        )
        .select_related("author_organisation")
    )


def ocid_for(opportunity: Opportunity) -> str:
    """The stored ocid of an imported tender; one minted from the platform prefix otherwise."""
    return opportunity.ocid or f"{OCID_PREFIX}-{opportunity.pk}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _procurement_method(opportunity: Opportunity, stored_tender: dict[str, Any]) -> dict[str, str]:
    method = stored_tender.get("procurementMethod")
    details = stored_tender.get("procurementMethodDetails")
    if method in PROCUREMENT_METHODS:
        return {
            "procurementMethod": method,
            **({"procurementMethodDetails": details} if details else {}),
        }
    text = opportunity.procurement_method.strip()
    if text.lower() in PROCUREMENT_METHODS:
        return {"procurementMethod": text.lower()}
    return {"procurementMethodDetails": text} if text else {}


def release_for(opportunity: Opportunity) -> dict[str, Any]:
    """An OCDS 1.1 release describing a tender as the platform shows it now."""
    ocid = ocid_for(opportunity)
    stored = _object(opportunity.ocds_release)
    stored_tender = _object(stored.get("tender"))
    moment = opportunity.updated_at or timezone.now()
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        "date": _iso(moment),
        "tag": ["tender"],
        "initiationType": "tender",
    }
    organisation = opportunity.author_organisation
    buyer_name = opportunity.buyer or (organisation.name if organisation else "")
    if buyer_name:
        stored_buyer = _object(stored.get("buyer"))
        if stored_buyer.get("id") is not None:
            party_id = str(stored_buyer["id"])
        elif organisation is not None:
            party_id = f"{OCID_PREFIX}-organisation-{organisation.pk}"
        else:
            party_id = f"{ocid}-buyer"
        party: dict[str, Any] = {"id": party_id, "name": buyer_name, "roles": ["buyer"]}
        if opportunity.country:
            party["address"] = {"countryName": country_name(opportunity.country)}
        release["buyer"] = {"id": party_id, "name": buyer_name}
        release["parties"] = [party]
    tender: dict[str, Any] = {
        "id": stored_tender.get("id") or f"{ocid}-tender",
        "title": opportunity.title,
        "status": "active" if opportunity.is_open() else "complete",
    }
    description = opportunity.body or opportunity.summary
    if description:
        tender["description"] = description
    if opportunity.budget_max is not None:
        tender["value"] = {"amount": float(opportunity.budget_max)}
        if opportunity.currency:
            tender["value"]["currency"] = opportunity.currency
    if opportunity.deadline is not None:
        tender["tenderPeriod"] = {"endDate": _iso(opportunity.deadline)}
    tender.update(_procurement_method(opportunity, stored_tender))
    release["tender"] = tender
    return release


def release_package(
    releases: list[dict[str, Any]], *, uri: str, next_uri: str = ""
) -> dict[str, Any]:
    """A release package of the platform's releases; `next_uri` links the following page."""
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _iso(timezone.now()),
        "publisher": {"name": settings.SITE_NAME, "uri": settings.SITE_URL + "/"},
        "releases": releases,
    }
    if next_uri:
        package["links"] = {"next": next_uri}
    return package
