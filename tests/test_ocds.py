"""OCDS tenders: real publications in (checked, compiled, mapped, idempotent), open data out."""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import json
import urllib.error
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from icn.core.visibility import Visibility
from icn.opportunities import ocds
from icn.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus
from icn.opportunities.ocds import compile_releases, import_source, release_errors, release_for
from tests.conftest import Network, client_for

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "ocds"
MEXICO_CITY_063 = "OCDS-87SD3T-AD-SF-DRM-063-2015"
MEXICO_CITY_065 = "OCDS-87SD3T-AD-SF-DRM-065-2015"
PARAGUAY = "ocds-03ad3f-193399"
BARNET = "ocds-213czf-000-00001"
MEXICO_FEDERAL = ("ocds-07smqs-993235", "ocds-07smqs-1542970")
FIELDS = (
    "ocid",
    "kind",
    "title",
    "slug",
    "summary",
    "body",
    "buyer",
    "budget_max",
    "currency",
    "deadline",
    "procurement_method",
    "country",
    "source_url",
    "status",
    "visibility",
    "published_at",
    "updated_at",
    "ocds_release",
)


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def write_json(path: Path, value: Any) -> str:
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


def checksum() -> tuple[int, str]:
    """How many tenders there are and a digest of every imported field of every one."""
    rows = Opportunity.objects.order_by("ocid").values_list(*FIELDS)
    text = json.dumps([list(row) for row in rows], default=str, sort_keys=True)
    return len(rows), hashlib.sha256(text.encode()).hexdigest()


def tender(ocid: str) -> Opportunity:
    return Opportunity.objects.get(ocid=ocid)


# Real publications --------------------------------------------------------------------------


def test_mexico_citys_compiled_release_becomes_a_public_closed_tender() -> None:
    report = import_source(fixture("compiled-release-1.json"))

    assert report.created == [MEXICO_CITY_063]
    item = tender(MEXICO_CITY_063)
    assert item.kind == OpportunityKind.TENDER
    assert item.title == "ARRENDAMIENTO DE BIENES INFORMÁTICOS"
    assert item.summary == item.body == "471 COMPUTADORA PORTÁTIL"
    assert item.buyer == "SECRETARÍA DE FINANZAS"
    assert item.budget_max == Decimal("1311264.00")
    assert item.currency == "MXN"
    assert item.deadline == datetime(2015, 12, 22, 6, 0, tzinfo=UTC)
    assert item.published_at == datetime(2017, 6, 5, 6, 0, tzinfo=UTC)
    assert item.procurement_method == "selective"
    assert item.country == "MX"
    assert item.status == OpportunityStatus.CLOSED  # the deadline passed long ago
    assert item.visibility == Visibility.PUBLIC
    assert item.author_organisation is None and item.cluster is None
    assert item.ocds_release == load("compiled-release-1.json")


def test_a_release_package_of_two_processes_gives_two_compiled_tenders() -> None:
    report = import_source(fixture("release-package-1-2.json"))

    assert sorted(report.created) == [MEXICO_CITY_063, MEXICO_CITY_065]
    item = tender(MEXICO_CITY_065)
    assert item.title == "RENOVACIÓN DEL LICENCIAMIENTO SELECT BENTLEY"
    assert item.buyer == "SECRETARÍA DE FINANZAS"
    assert item.budget_max == Decimal("1471566.72")
    assert item.deadline == datetime(2015, 12, 17, 6, 0, tzinfo=UTC)
    assert item.source_url == (
        "http://www.contratosabiertos.cdmx.gob.mx/api/contrato/OCDS-87SD3T-AD-SF-DRM-065-2015"
    )
    # Two releases of each process, compiled into one: the later one's date wins.
    compiled = item.ocds_release or {}
    assert compiled["tag"] == ["compiled"]
    assert compiled["date"] == "2017-06-05T00:00:00-06:00"
    assert release_errors(compiled) == []


@pytest.mark.parametrize("name", ["release-package-1.json", "release-package-2.json"])
def test_each_mexico_city_release_package_gives_its_tender(name: str) -> None:
    report = import_source(fixture(name))

    assert len(report.created) == 1 and not report.invalid and not report.errors
    assert tender(report.created[0]).buyer == "SECRETARÍA DE FINANZAS"


@pytest.mark.parametrize("name", ["release-package_1.0-1.json", "release-package_1.1-1.json"])
def test_paraguays_packages_in_ocds_1_0_and_1_1_give_the_same_tender(name: str) -> None:
    report = import_source(fixture(name))

    assert report.created == [PARAGUAY]
    item = tender(PARAGUAY)
    assert item.title == "Adquisición de Scanner"
    assert item.buyer == "Dirección Nacional de Contrataciones Públicas (DNCP)"
    assert item.budget_max is None  # published as null
    assert item.currency == "PYG"
    assert item.deadline is None
    assert item.status == OpportunityStatus.CLOSED  # the tender says it is complete
    assert item.source_url == "https://www.contrataciones.gov.py/datos/record-package/193399.json"


def test_the_gzip_sample_compiles_six_releases_into_the_amended_tender() -> None:
    report = import_source(fixture("ocds-sample-data.json.gz"))

    assert report.created == [BARNET]
    item = tender(BARNET)
    assert item.title == "Planned cycle lane improvements"
    assert item.buyer == "London Borough of Barnet"
    assert item.budget_max == Decimal("1100000.00")  # the tender's, not the plan's million
    assert item.currency == "GBP"
    assert item.deadline == datetime(2010, 4, 8, 18, 0, tzinfo=UTC)  # moved by the amendment
    assert item.country == "GB"  # from "United Kingdom"
    assert item.procurement_method.startswith("open — In open procedures")
    assert len(item.procurement_method) <= 100
    assert item.published_at == datetime(2011, 1, 10, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("name", ["record-package-1.json", "record-package-2.json"])
def test_mexicos_federal_records_with_a_null_submission_method_are_reported_invalid(
    name: str,
) -> None:
    report = import_source(fixture(name))

    assert report.files_read == 1 and not report.errors
    assert report.created == []
    (problem,) = report.invalid
    assert problem.ocid in MEXICO_FEDERAL
    assert "tender.submissionMethod.0" in problem.reason
    assert "None is not of type 'string'" in problem.reason
    assert not Opportunity.objects.exists()


def test_a_record_with_a_valid_compiled_release_is_imported(tmp_path: Path) -> None:
    package = load("record-package-1.json")
    record = package["records"][0]
    record["compiledRelease"]["tender"]["submissionMethod"] = ["electronicSubmission"]

    report = import_source(write_json(tmp_path / "records.json", package))

    assert report.created == ["ocds-07smqs-993235"]
    item = tender("ocds-07smqs-993235")
    assert item.buyer == "Instituto Nacional de Antropología e Historia"
    assert item.country == "MX"  # from the procuring entity's address
    assert item.source_url == "https://api.datos.gob.mx/v1/"


# Idempotence and updates --------------------------------------------------------------------


def test_importing_the_fixtures_twice_leaves_the_database_identical() -> None:
    first = import_source(str(FIXTURES))
    before = checksum()
    second = import_source(str(FIXTURES))

    assert before[0] == 4  # both Mexico City processes, Paraguay and Barnet
    assert checksum() == before
    assert second.created == [] and second.updated == []
    assert sorted(set(second.unchanged)) == sorted(set(first.created))
    assert len(second.invalid) == 2  # Mexico's federal records, as the first time


def test_importing_the_same_file_twice_does_not_touch_the_row() -> None:
    import_source(fixture("release-package-1-2.json"))
    stamps = dict(Opportunity.objects.values_list("ocid", "updated_at"))

    report = import_source(fixture("release-package-1-2.json"), refresh=True)

    assert report.updated == [] and sorted(report.unchanged) == sorted(stamps)
    assert dict(Opportunity.objects.values_list("ocid", "updated_at")) == stamps


def _newer_release(**tender_changes: Any) -> dict[str, Any]:
    release = copy.deepcopy(load("release-package-2.json")["releases"][-1])
    release["id"] = "03"
    release["date"] = "2018-01-10T00:00:00-06:00"
    release["tender"].update(tender_changes)
    return release


def test_a_newer_release_for_an_existing_ocid_updates_the_same_row(tmp_path: Path) -> None:
    import_source(fixture("release-package-2.json"))
    before = tender(MEXICO_CITY_065)
    package = {**load("release-package-2.json"), "releases": [_newer_release(title="Renovación")]}
    package["releases"][0]["tender"]["value"]["amount"] = 1500000

    report = import_source(write_json(tmp_path / "newer.json", package))

    assert report.updated == [MEXICO_CITY_065]
    after = tender(MEXICO_CITY_065)
    assert after.pk == before.pk and after.slug == before.slug
    assert after.title == "Renovación"
    assert after.budget_max == Decimal("1500000.00")
    assert after.published_at == datetime(2018, 1, 10, 6, 0, tzinfo=UTC)
    assert Opportunity.objects.count() == 1


def test_an_older_release_does_not_overwrite_a_newer_one(tmp_path: Path) -> None:
    package = {**load("release-package-2.json"), "releases": [_newer_release(title="Renovación")]}
    import_source(write_json(tmp_path / "newer.json", package))

    report = import_source(fixture("release-package-2.json"))

    assert report.unchanged == [MEXICO_CITY_065]
    assert tender(MEXICO_CITY_065).title == "Renovación"


def test_a_tender_archived_on_the_platform_stays_archived_after_a_newer_release(
    tmp_path: Path,
) -> None:
    import_source(fixture("release-package-2.json"))
    Opportunity.objects.filter(ocid=MEXICO_CITY_065).update(status=OpportunityStatus.ARCHIVED)
    package = {**load("release-package-2.json"), "releases": [_newer_release(title="Renovación")]}

    import_source(write_json(tmp_path / "newer.json", package))

    assert tender(MEXICO_CITY_065).status == OpportunityStatus.ARCHIVED
    assert tender(MEXICO_CITY_065).title == "Renovación"


# Invalid and broken input -------------------------------------------------------------------


def test_a_broken_json_file_is_reported_and_changes_nothing(tmp_path: Path) -> None:
    import_source(fixture("release-package-1-2.json"))
    before = checksum()
    broken = tmp_path / "broken.json"
    broken.write_text((FIXTURES / "release-package-2.json").read_text()[:-40])

    report = import_source(str(broken))

    assert report.nothing_read
    assert report.errors and report.errors[0].startswith("broken.json: not JSON")
    assert checksum() == before


@pytest.mark.parametrize(
    "content",
    [{"hello": "world"}, [1, 2], {"releases": "none"}, {"records": {"ocid": "x"}}, "text"],
)
def test_json_that_is_not_ocds_is_reported_and_changes_nothing(
    tmp_path: Path, content: Any
) -> None:
    import_source(fixture("release-package-2.json"))
    before = checksum()

    report = import_source(write_json(tmp_path / "other.json", content))

    assert report.nothing_read and len(report.errors) == 1
    assert checksum() == before


def test_a_package_with_invalid_releases_keeps_the_valid_ones_and_names_the_others(
    tmp_path: Path,
) -> None:
    package = load("release-package-1-2.json")
    for release in package["releases"]:
        if release["ocid"] == MEXICO_CITY_065:
            release["tender"]["value"]["amount"] = "abc"
    no_ocid = copy.deepcopy(package["releases"][0])
    del no_ocid["ocid"]
    no_ocid["id"] = "no-ocid"
    package["releases"].append(no_ocid)

    report = import_source(write_json(tmp_path / "mixed.json", package))

    assert report.created == [MEXICO_CITY_063]
    assert not Opportunity.objects.filter(ocid=MEXICO_CITY_065).exists()
    reasons = {(p.ocid, p.release_id): p.reason for p in report.invalid}
    assert set(reasons) == {(MEXICO_CITY_065, "01"), (MEXICO_CITY_065, "02"), ("", "no-ocid")}
    assert reasons[(MEXICO_CITY_065, "01")] == (
        "tender.value.amount: 'abc' is not of type 'number', 'null'"
    )
    assert "'ocid' is a required property" in reasons[("", "no-ocid")]
    assert "mixed.json: OCDS-87SD3T-AD-SF-DRM-065-2015 (release 01): tender.value.amount" in (
        "\n".join(report.lines())
    )


def test_a_value_the_schema_accepts_but_the_tender_cannot_hold_is_reported(
    tmp_path: Path,
) -> None:
    package = load("release-package-2.json")
    for release in package["releases"]:
        release["tender"]["value"]["amount"] = 10**15  # more digits than a budget holds

    report = import_source(write_json(tmp_path / "huge.json", package))

    assert report.created == [] and not Opportunity.objects.exists()
    (problem,) = report.invalid
    assert problem.reason.startswith("budget_max:")


def test_a_release_without_a_tender_is_skipped_with_a_reason(tmp_path: Path) -> None:
    planning_only = copy.deepcopy(load("release-package-2.json"))
    for release in planning_only["releases"]:
        del release["tender"]

    report = import_source(write_json(tmp_path / "planning.json", planning_only))

    assert report.created == [] and not Opportunity.objects.exists()
    (problem,) = report.skipped
    assert "no tender" in problem.reason


def test_a_database_failure_halfway_through_a_file_writes_nothing_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save = Opportunity.save
    calls: list[int] = []

    def failing_save(self: Opportunity, *args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise IntegrityError("disk full")
        save(self, *args, **kwargs)

    monkeypatch.setattr(Opportunity, "save", failing_save)
    report = import_source(fixture("release-package-1-2.json"))

    assert len(calls) == 2
    assert report.created == [] and "nothing written: disk full" in report.errors[0]
    assert not Opportunity.objects.exists()


# Formats and sources ------------------------------------------------------------------------


def test_json_lines_with_one_package_or_release_a_line_are_imported(tmp_path: Path) -> None:
    lines = [
        json.dumps(load("release-package-1.json")),
        "",
        json.dumps(load("release-package_1.1-1.json")["releases"][0]),
        json.dumps(load("release-package-2.json")),
    ]
    path = tmp_path / "tenders.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = import_source(str(path))

    assert sorted(report.created) == sorted([MEXICO_CITY_063, MEXICO_CITY_065, PARAGUAY])


def test_gzip_compressed_json_lines_are_imported(tmp_path: Path) -> None:
    path = tmp_path / "tenders.jsonl.gz"
    path.write_bytes(gzip.compress(json.dumps(load("release-package-2.json")).encode() + b"\n"))

    assert import_source(str(path)).created == [MEXICO_CITY_065]


def test_json_lines_with_a_broken_line_change_nothing(tmp_path: Path) -> None:
    path = tmp_path / "tenders.jsonl"
    path.write_text(json.dumps(load("release-package-2.json")) + "\n{not json\n")

    report = import_source(str(path))

    assert report.nothing_read and "line 2 is not JSON" in report.errors[0]
    assert not Opportunity.objects.exists()


def test_a_directory_imports_each_json_file_in_it(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", load("release-package-1.json"))
    (tmp_path / "b.json.gz").write_bytes(
        gzip.compress(json.dumps(load("release-package-2.json")).encode())
    )
    (tmp_path / "notes.txt").write_text("not read")
    (tmp_path / "c.json").write_text("{broken")

    report = import_source(str(tmp_path))

    assert sorted(report.created) == [MEXICO_CITY_063, MEXICO_CITY_065]
    assert report.files_read == 2 and len(report.errors) == 1
    assert report.errors[0].startswith("c.json:")


def test_a_url_is_fetched_and_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    body = (FIXTURES / "ocds-sample-data.json.gz").read_bytes()
    requested: list[Any] = []

    def urlopen(request: Any, timeout: float) -> Any:
        requested.append((request.full_url, timeout))
        return io.BytesIO(body)

    monkeypatch.setattr(ocds.urllib.request, "urlopen", urlopen)
    report = import_source("https://data.example/ocds-sample-data.json.gz")

    assert report.created == [BARNET]
    assert requested == [("https://data.example/ocds-sample-data.json.gz", 30)]


def test_a_url_that_cannot_be_fetched_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def urlopen(request: Any, timeout: float) -> Any:
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(ocds.urllib.request, "urlopen", urlopen)

    with pytest.raises(CommandError, match=r"could not fetch: .*Name or service not known"):
        call_command("import-ocds", "https://data.example/tenders.json", stdout=StringIO())


# The command --------------------------------------------------------------------------------


def test_the_import_command_prints_its_report() -> None:
    out = StringIO()

    call_command("import-ocds", str(FIXTURES), stdout=out)

    text = out.getvalue()
    assert "9 file(s) read: 4 created, 0 updated, 4 unchanged, 0 skipped, 2 invalid" in text
    assert "Invalid: record-package-1.json: ocds-07smqs-993235 (release 993235): " in text

    again = StringIO()
    call_command("import-ocds", str(FIXTURES), stdout=again, verbosity=2)
    assert "0 created, 0 updated, 8 unchanged" in again.getvalue()
    assert f"Unchanged: {BARNET}" in again.getvalue()


def test_the_import_command_fails_when_nothing_can_be_read(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Nothing could be read"):
        call_command("import-ocds", str(tmp_path / "missing.json"), stdout=StringIO())


# Publishing ---------------------------------------------------------------------------------


@pytest.fixture
def platform_tender(network: Network, member: Any) -> Opportunity:
    """A public tender posted on the platform by CLEAN's private organisation."""
    from icn.opportunities.services import opportunity_create

    return opportunity_create(
        actor=member,
        author_organisation=network.org("clean", "private"),
        kind=OpportunityKind.TENDER,
        title="Heat pumps for the harbour offices",
        summary="Forty heat pumps, installed and maintained.",
        buyer="CLEAN private org",
        budget_max=Decimal("250000"),
        currency="DKK",
        country="DK",
        procurement_method="Open",
        deadline=timezone.now() + timedelta(days=30),
        visibility=Visibility.PUBLIC,
        publish=True,
    )


def test_a_platform_tender_is_published_as_a_valid_release_with_a_minted_ocid(
    platform_tender: Opportunity,
) -> None:
    release = release_for(platform_tender)

    assert release_errors(release) == []
    assert release["ocid"] == f"ocds-icn000-{platform_tender.pk}"
    assert release["tag"] == ["tender"] and release["initiationType"] == "tender"
    assert release["buyer"]["name"] == "CLEAN private org"
    assert release["parties"][0]["roles"] == ["buyer"]
    assert release["parties"][0]["address"] == {"countryName": "Denmark"}
    assert release["tender"]["status"] == "active"
    assert release["tender"]["value"] == {"amount": 250000.0, "currency": "DKK"}
    assert release["tender"]["procurementMethod"] == "open"
    assert release["tender"]["tenderPeriod"]["endDate"].endswith("Z")


def test_an_imported_tender_is_published_under_its_own_ocid_and_validates() -> None:
    import_source(fixture("ocds-sample-data.json.gz"))

    release = release_for(tender(BARNET))

    assert release_errors(release) == []
    assert release["ocid"] == BARNET
    assert release["buyer"] == {"id": "GB-LAC-E09000003", "name": "London Borough of Barnet"}
    assert release["tender"]["status"] == "complete"
    assert release["tender"]["procurementMethod"] == "open"
    assert release["tender"]["value"] == {"amount": 1100000.0, "currency": "GBP"}
    assert release["tender"]["tenderPeriod"] == {"endDate": "2010-04-08T18:00:00Z"}


def test_the_api_returns_the_release_of_a_public_tender(
    anonymous: Any, platform_tender: Opportunity
) -> None:
    response = client_for(anonymous).get(f"/api/v1/opportunities/{platform_tender.slug}/ocds")

    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(release_for(platform_tender)))


def test_the_api_does_not_publish_a_network_only_tender_even_to_the_network(
    member: Any, platform_tender: Opportunity
) -> None:
    Opportunity.objects.filter(pk=platform_tender.pk).update(visibility=Visibility.NETWORK)

    response = client_for(member).get(f"/api/v1/opportunities/{platform_tender.slug}/ocds")

    assert response.status_code == 404
    assert response.json() == {"message": "Not found."}


@pytest.mark.parametrize("visibility", [Visibility.NETWORK, Visibility.CLUSTER])
def test_the_api_hides_a_tender_that_is_not_public_from_anonymous_visitors(
    anonymous: Any, platform_tender: Opportunity, visibility: str
) -> None:
    Opportunity.objects.filter(pk=platform_tender.pk).update(visibility=visibility)

    response = client_for(anonymous).get(f"/api/v1/opportunities/{platform_tender.slug}/ocds")

    assert response.status_code == 404


def test_the_api_does_not_publish_a_draft_or_an_item_that_is_not_a_tender(
    secretariat: Any, platform_tender: Opportunity
) -> None:
    client = client_for(secretariat)
    Opportunity.objects.filter(pk=platform_tender.pk).update(status=OpportunityStatus.DRAFT)
    assert client.get(f"/api/v1/opportunities/{platform_tender.slug}/ocds").status_code == 404
    Opportunity.objects.filter(pk=platform_tender.pk).update(
        status=OpportunityStatus.PUBLISHED, kind=OpportunityKind.CHALLENGE
    )
    assert client.get(f"/api/v1/opportunities/{platform_tender.slug}/ocds").status_code == 404


def test_the_release_package_lists_public_tenders_page_by_page(
    anonymous: Any, platform_tender: Opportunity
) -> None:
    import_source(fixture("release-package-1-2.json"))
    client = client_for(anonymous)

    first = client.get("/api/v1/opportunities/ocds/release-package?limit=2").json()
    assert first["version"] == "1.1" and first["publisher"]["name"]
    assert first["releases"][0]["ocid"] == f"ocds-icn000-{platform_tender.pk}"
    assert all(release_errors(r) == [] for r in first["releases"])
    assert first["links"]["next"].endswith("?limit=2&offset=2")

    last = client.get("/api/v1/opportunities/ocds/release-package?limit=2&offset=2").json()
    assert len(last["releases"]) == 1 and "links" not in last
    assert client.get("/api/v1/opportunities/ocds/release-package?limit=0").status_code == 422


def test_the_openapi_schema_still_builds_with_the_ocds_endpoints(anonymous: Any) -> None:
    response = client_for(anonymous).get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/opportunities/{slug}/ocds" in paths
    assert "/api/v1/opportunities/ocds/release-package" in paths


# Compiling ----------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(6)))
def test_compiling_releases_does_not_depend_on_their_order(order: list[int]) -> None:
    with gzip.open(FIXTURES / "ocds-sample-data.json.gz") as handle:
        releases = json.load(handle)["releases"]

    assert compile_releases([releases[i] for i in order]) == compile_releases(releases)


def test_a_null_in_a_later_release_removes_the_field() -> None:
    first = {"ocid": "x", "id": "1", "date": "2020-01-01T00:00:00Z", "tender": {"title": "A"}}
    later = {"ocid": "x", "id": "2", "date": "2020-02-01T00:00:00Z", "tender": {"title": None}}

    compiled = compile_releases([later, first])

    assert compiled["tender"] == {}
    assert compiled["id"] == "x-2020-02-01T00:00:00Z" and compiled["tag"] == ["compiled"]
