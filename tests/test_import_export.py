"""Member import (upload, preview, confirm) and export of what the viewer may see."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from icn.core.visibility import Visibility
from icn.directory import exports, imports, services
from icn.directory.import_views import SESSION_KEY
from icn.directory.models import Organisation, OrganisationKind
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HEADER = "name,kind,country,city,website,topics,nace_codes,size,visibility"
XLSX_TYPE = exports.FORMATS["xlsx"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def import_url() -> str:
    return reverse("directory:organisation_import")


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client: Client, cluster: Any, data: bytes, name: str = "members.csv") -> Any:
    return client.post(
        import_url(),
        {"action": "upload", "cluster": cluster.pk, "file": SimpleUploadedFile(name, data)},
    )


def preview_token(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return parse_qs(urlsplit(response["Location"]).query)["preview"][0]


def preview(client: Client, token: str) -> Any:
    return client.get(import_url(), {"preview": token})


def confirm(client: Client, token: str, expected: int) -> Any:
    return client.post(import_url(), {"action": "confirm", "import": token, "expected": expected})


def stored_files(settings: Any) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def flash(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def pending_import(client: Client) -> Any:
    return client.session.get(SESSION_KEY)


def refused_upload(client: Client, cluster: Any, data: bytes, name: str = "members.csv") -> str:
    """Upload a file that must be refused as a whole; returns the page's text."""
    response = upload(client, cluster, data, name)
    assert response.status_code in (200, 413)
    assert "is-invalid" in response.content.decode() or "invalid-feedback" in (
        response.content.decode()
    )
    return response.content.decode()


# The happy paths ------------------------------------------------------------------------


def test_cluster_manager_imports_a_csv_after_checking_the_preview(
    network, cluster_manager, settings
):
    client = client_for(cluster_manager)
    before = Organisation.objects.count()
    data = csv_bytes(
        "Fjord Hydrogen,SME,Denmark,Esbjerg,fjordh2.example,Hydrogen; Green hydrogen production,"
        "35.11,small,public",
        'Aarhus Kommune,Public authority or city,dk,Aarhus,,"smart-cities",,,',
        "Blue Lab,research,DK,,https://bluelab.example/about,,72.10,Large (250 and more),cluster",
    )

    token = preview_token(upload(client, network.clean, data))
    assert Organisation.objects.count() == before  # nothing written on upload
    assert [path.name for path in stored_files(settings)] == [f"{token}.csv"]

    page = preview(client, token)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("Fjord Hydrogen", "Aarhus Kommune", "Blue Lab"):
        assert name in html
    assert html.count('badge text-bg-success">new<') == 3
    assert "Import 3 organisations into CLEAN" in html
    assert Organisation.objects.count() == before  # nor on preview

    response = confirm(client, token, 3)
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:cluster_detail", args=["clean"])
    assert flash(response) == ["3 organisations imported, 0 duplicates skipped."]
    assert Organisation.objects.count() == before + 3
    fjord = Organisation.objects.get(name="Fjord Hydrogen")
    assert list(fjord.clusters.all()) == [network.clean]
    assert {t.slug for t in fjord.topics.all()} == {"hydrogen", "green-hydrogen-production"}
    assert (fjord.kind, fjord.country, fjord.size, fjord.visibility) == (
        "sme",
        "DK",
        "small",
        "public",
    )
    assert fjord.website == "https://fjordh2.example"
    assert fjord.website_domain == "fjordh2.example"
    assert fjord.nace_codes == ["35.11"]
    city = Organisation.objects.get(name="Aarhus Kommune")
    assert (city.kind, city.visibility) == (OrganisationKind.PUBLIC_AUTHORITY, Visibility.NETWORK)
    lab = Organisation.objects.get(name="Blue Lab")
    assert (lab.kind, lab.size, lab.visibility) == ("research", "large", "cluster")
    assert stored_files(settings) == []
    assert pending_import(client) is None


def test_cluster_manager_imports_an_xlsx_workbook(network, cluster_manager, settings):
    client = client_for(cluster_manager)
    data = xlsx_bytes(
        [
            ["Name", "Kind", "Country", "NACE codes", "Size", "Topics", "Web site"],
            ["Wind Works", "Large company", "Norway", 35.11, 42, "wind-power", "www.wind.example"],
            ["Sea Grid", "sme", "NO", None, None, None, None],
            [None, None, None, None, None, None, None],
        ]
    )
    token = preview_token(upload(client, network.clean, data, name="members.xlsx"))
    assert stored_files(settings)[0].suffix == ".xlsx"
    html = preview(client, token).content.decode()
    assert "Wind Works" in html and "Sea Grid" in html

    response = confirm(client, token, 2)
    assert response.status_code == 302
    wind = Organisation.objects.get(name="Wind Works")
    assert (wind.kind, wind.country, wind.size) == ("large_company", "NO", "small")
    assert wind.nace_codes == ["35.11"]
    assert wind.website_domain == "wind.example"
    assert [t.slug for t in wind.topics.all()] == ["wind-power"]
    assert network.clean.organisations.filter(name="Sea Grid").exists()


def test_secretariat_imports_into_any_cluster(network, secretariat):
    client = client_for(secretariat)
    token = preview_token(upload(client, network.nordic_edge, csv_bytes("Oslo Heat,sme,NO,,,,,,")))
    assert confirm(client, token, 1).status_code == 302
    assert list(Organisation.objects.get(name="Oslo Heat").clusters.all()) == [network.nordic_edge]


def test_import_reads_a_csv_with_a_byte_order_mark_semicolons_and_loose_headings(
    network, cluster_manager
):
    client = client_for(cluster_manager)
    data = "\ufeffOrganisation Name;TYPE;country_code;NACE-Codes\nNordlys;SME;SE;35.11, 35.12\n"
    token = preview_token(upload(client, network.clean, data.encode()))
    assert confirm(client, token, 1).status_code == 302
    assert Organisation.objects.get(name="Nordlys").nace_codes == ["35.11", "35.12"]


def test_template_csv_can_be_downloaded_and_names_every_column(network, cluster_manager):
    response = client_for(cluster_manager).get(import_url(), {"template": "csv"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    header = response.content.decode("utf-8-sig").strip().split(",")
    assert header == list(imports.COLUMNS)


def test_cancelling_a_previewed_import_forgets_the_file(network, cluster_manager, settings):
    client = client_for(cluster_manager)
    token = preview_token(upload(client, network.clean, csv_bytes("Gone,sme,DK,,,,,,")))
    response = client.post(import_url(), {"action": "cancel", "import": token})
    assert response.status_code == 302
    assert stored_files(settings) == []
    assert confirm(client, token, 1).status_code == 302
    assert not Organisation.objects.filter(name="Gone").exists()


# Hostile and broken files: a clear message and nothing written ---------------------------


def test_import_of_a_file_with_wrong_columns_writes_nothing_and_names_the_expected_columns(
    network, cluster_manager, settings
):
    before = Organisation.objects.count()
    html = refused_upload(
        client_for(cluster_manager),
        network.clean,
        csv_bytes("Acme,sme,red", header="name,kind,colour"),
    )
    assert "Wrong columns" in html
    assert "missing country" in html
    assert "unknown &#x27;colour&#x27;" in html
    assert "name (required), kind (required), country (required), city" in html
    assert Organisation.objects.count() == before
    assert stored_files(settings) == []


def test_import_of_a_latin1_csv_is_refused_as_not_utf8(network, cluster_manager, settings):
    before = Organisation.objects.count()
    data = "name,kind,country\nCafé Énergie,sme,FR\n".encode("latin-1")
    html = refused_upload(client_for(cluster_manager), network.clean, data)
    assert "not UTF-8" in html and "CSV UTF-8" in html
    assert Organisation.objects.count() == before
    assert stored_files(settings) == []


def test_a_50_mb_upload_is_refused_before_it_is_read(network, cluster_manager, tmp_path, settings):
    """The body is streamed from a sparse file on disk and the view never reads it."""
    before = Organisation.objects.count()
    boundary = "icn-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="action"\r\n\r\nupload\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="cluster"\r\n\r\n'
        f"{network.clean.pk}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.csv"\r\n'
        "Content-Type: text/csv\r\n\r\nname,kind,country\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body_path = tmp_path / "upload-body"
    with body_path.open("wb") as body:
        body.write(head)
        body.seek(50 * 1024 * 1024)  # a hole: 50 MB on paper, nothing written to disk
        body.write(tail)
    size = body_path.stat().st_size
    client = client_for(cluster_manager)
    with body_path.open("rb") as body:
        response = client.generic(
            "POST",
            import_url(),
            CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
            CONTENT_LENGTH=str(size),
            **{"wsgi.input": body},
        )
        assert body.tell() < 1024 * 1024
    assert response.status_code == 413
    html = response.content.decode()
    assert "too large" in html and "5 MB" in html
    assert Organisation.objects.count() == before
    assert stored_files(settings) == []


def test_an_upload_over_the_limit_is_cut_off_while_it_streams(network, cluster_manager, settings):
    settings.ICN_IMPORT_MAX_BYTES = 100 * 1024
    before = Organisation.objects.count()
    rows = [f"Company {n},sme,DK,,,,,," for n in range(10_000)]
    data = csv_bytes(*rows)
    assert len(data) > 2 * settings.ICN_IMPORT_MAX_BYTES
    response = upload(client_for(cluster_manager), network.clean, data)
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert Organisation.objects.count() == before
    assert stored_files(settings) == []


def test_a_file_with_too_many_rows_is_refused(network, cluster_manager, settings):
    settings.ICN_IMPORT_MAX_ROWS = 3
    before = Organisation.objects.count()
    data = csv_bytes(*(f"Company {n},sme,DK,,,,,," for n in range(4)))
    html = refused_upload(client_for(cluster_manager), network.clean, data)
    assert "more than 3 rows" in html
    assert Organisation.objects.count() == before


def test_a_workbook_that_goes_on_far_below_its_rows_is_refused_quickly(
    network, cluster_manager, settings
):
    settings.ICN_IMPORT_MAX_ROWS = 10
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["name", "kind", "country"])
    sheet.append(["Near Co", "sme", "DK"])
    sheet.cell(row=500_000, column=1, value="Far Co")
    buffer = io.BytesIO()
    workbook.save(buffer)
    html = refused_upload(client_for(cluster_manager), network.clean, buffer.getvalue(), "a.xlsx")
    assert "goes on below row 10,000" in html


def test_cluster_manager_import_of_a_csv_with_formulas_writes_nothing(
    network, cluster_manager, settings
):
    client = client_for(cluster_manager)
    before = Organisation.objects.count()
    data = csv_bytes(
        '"=HYPERLINK(""http://evil.example"",""Click"")",sme,DK,,,,,,',
        "Plus Co,+cmd|' /C calc'!A0,DK,,,,,,",
        "At Co,sme,DK,@SUM(1+1),,,,,",
        "Minus Co,sme,DK,-2+3,,,,,",
        "Fine Co,sme,DK,-5,,,,,",
    )
    token = preview_token(upload(client, network.clean, data))
    html = preview(client, token).content.decode()
    assert html.count("contains a formula") == 4
    assert html.count('badge text-bg-danger">error<') == 4
    assert 'value="confirm"' not in html
    response = confirm(client, token, 1)
    assert "4 rows have errors" in response.content.decode()
    assert Organisation.objects.count() == before


def test_cluster_manager_import_of_an_xlsx_with_formula_cells_writes_nothing(
    network, cluster_manager
):
    client = client_for(cluster_manager)
    before = Organisation.objects.count()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["name", "kind", "country", "city"])
    sheet.append(["Formula Co", "sme", "DK", "=A2&B2"])
    sheet.append(["Sum Co", "sme", "DK", None])
    sheet["D3"] = "=SUM(1,2)"
    sheet.append(["Plain Co", "sme", "DK", "Odense"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    token = preview_token(upload(client, network.clean, buffer.getvalue(), "members.xlsx"))
    html = preview(client, token).content.decode()
    assert html.count("contains a formula") == 2
    assert 'value="confirm"' not in html
    assert "4 organisation" not in html
    confirm(client, token, 1)
    assert Organisation.objects.count() == before


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "members.csv", "neither a CSV"),
        (b"\x00\x01\x02binary\x00junk" * 50, "members.xlsx", "neither a CSV"),
        (b"PK\x03\x04" + b"this is not really a zip archive" * 20, "members.xlsx", "damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "members.xls", ".xls"),
        (b"", "members.csv", "empty"),
        (b"\xef\xbb\xbf\r\n\r\n", "members.csv", "empty"),
        (b"name,kind,country\n", "members.csv", "no organisations"),
    ],
    ids=["renamed-png", "binary-as-xlsx", "broken-zip", "old-xls", "empty", "blank", "header"],
)
def test_a_file_that_is_not_a_member_list_is_refused_with_a_clear_message(
    network, cluster_manager, settings, data, name, message
):
    before = Organisation.objects.count()
    html = refused_upload(client_for(cluster_manager), network.clean, data, name)
    assert message in html
    assert Organisation.objects.count() == before
    assert stored_files(settings) == []


def test_a_zip_that_is_not_a_workbook_is_refused(network, cluster_manager):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    html = refused_upload(client_for(cluster_manager), network.clean, buffer.getvalue(), "a.xlsx")
    assert "damaged" in html


def test_row_errors_are_shown_next_to_each_cell_and_block_the_import(network, cluster_manager):
    client = client_for(cluster_manager)
    before = Organisation.objects.count()
    data = csv_bytes(
        "Good Co,sme,DK,,,,,,",
        "Bad Kind,spaceship,DK,,,,,,",
        "Bad Country,sme,Atlantis,,,,,,",
        "Bad Topic,sme,DK,,,unobtainium,,,",
        "Bad Nace,sme,DK,,,,99.99,,",
        "Bad Web,sme,DK,,not a site,,,,",
        ",sme,DK,,,,,,",
        "Bad Visibility,sme,DK,,,,,,everyone",
        "Starts Private,sme,DK,,,,,,private",
    )
    token = preview_token(upload(client, network.clean, data))
    html = preview(client, token).content.decode()
    assert "cannot start private" in html
    assert "Unknown kind &#x27;spaceship&#x27;" in html
    assert "Unknown country" in html
    assert "Unknown topic: unobtainium" in html
    assert "Unknown NACE code(s): 99.99" in html
    assert "Enter a valid URL" in html
    assert "This field cannot be blank" in html
    assert "Unknown visibility" in html
    assert html.count('badge text-bg-danger">error<') == 8
    assert html.count('badge text-bg-success">new<') == 1
    assert 'value="confirm"' not in html
    confirm(client, token, 1)
    assert Organisation.objects.count() == before


# Duplicates -----------------------------------------------------------------------------


def test_duplicates_within_the_file_and_against_the_directory_are_skipped(network, cluster_manager):
    hidden = network.org("nordic-edge", "private")  # the importer may not see it
    services.organisation_create(
        actor=cluster_manager,
        clusters=[network.clean],
        name="Existing Web",
        kind="sme",
        country="DK",
        website="https://www.existing.example",
    )
    client = client_for(cluster_manager)
    before = Organisation.objects.count()
    data = csv_bytes(
        f"{hidden.name.upper()},sme,NO,,,,,,",
        "Renamed Existing,sme,SE,,existing.example/contact,,,,",
        "Brand New,sme,DK,,brandnew.example,,,,",
        "brand new,sme,dk,,,,,,",
        "Brand New Again,sme,FI,,http://www.BRANDNEW.example,,,,",
    )
    token = preview_token(upload(client, network.clean, data))
    html = preview(client, token).content.decode()
    assert html.count("duplicate — skipped") == 4
    assert html.count("Already in the directory.") == 2
    assert html.count("Same organisation as row 4 of the file.") == 2
    assert hidden.slug not in html and hidden.name not in html

    response = confirm(client, token, 1)
    assert flash(response) == ["1 organisation imported, 4 duplicates skipped."]
    assert Organisation.objects.count() == before + 1
    assert Organisation.objects.filter(name="Brand New").exists()


def test_confirm_checks_the_file_again_and_refuses_when_a_duplicate_appeared(
    network, cluster_manager, other_manager, settings
):
    client = client_for(cluster_manager)
    data = csv_bytes("Race Co,sme,DK,,,,,,", "Calm Co,sme,DK,,,,,,")
    token = preview_token(upload(client, network.clean, data))
    assert "Import 2 organisations" in preview(client, token).content.decode()

    services.organisation_create(
        actor=other_manager,
        clusters=[network.nordic_edge],
        name="RACE CO",
        kind="sme",
        country="DK",
    )
    before = Organisation.objects.count()
    response = confirm(client, token, 2)
    assert response.status_code == 200
    html = response.content.decode()
    assert "directory changed since the preview" in html
    assert "duplicate — skipped" in html
    assert Organisation.objects.count() == before
    assert len(stored_files(settings)) == 1  # kept, to confirm the new preview

    response = confirm(client, token, 1)
    assert flash(response) == ["1 organisation imported, 1 duplicate skipped."]
    assert Organisation.objects.count() == before + 1


def test_a_failure_while_writing_leaves_nothing_written(network, cluster_manager, monkeypatch):
    client = client_for(cluster_manager)
    before = Organisation.objects.count()
    token = preview_token(
        upload(client, network.clean, csv_bytes("One,sme,DK,,,,,,", "Two,sme,DK,,,,,,"))
    )
    create = services.organisation_create
    calls: list[str] = []

    def failing_create(**kwargs: Any) -> Organisation:
        calls.append(kwargs["name"])
        if len(calls) == 2:
            raise ValidationError({"name": "The database said no."})
        return create(**kwargs)

    monkeypatch.setattr(imports.services, "organisation_create", failing_create)
    response = confirm(client, token, 2)
    assert calls == ["One", "Two"]
    assert "Nothing was imported" in response.content.decode()
    assert Organisation.objects.count() == before  # "One" was rolled back with "Two"


# Who may import -------------------------------------------------------------------------


def test_member_cannot_import(network, member, settings):
    client = client_for(member)
    before = Organisation.objects.count()
    assert client.get(import_url()).status_code == 403
    assert upload(client, network.clean, csv_bytes("Sneaky,sme,DK,,,,,,")).status_code == 403
    assert Organisation.objects.count() == before
    assert stored_files(settings) == []


def test_anonymous_visitor_is_sent_to_log_in_before_importing(network, anonymous):
    response = client_for(anonymous).get(import_url())
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_cluster_manager_cannot_import_into_another_cluster(network, cluster_manager, settings):
    client = client_for(cluster_manager)
    before = Organisation.objects.count()
    response = upload(client, network.nordic_edge, csv_bytes("Sneaky,sme,NO,,,,,,"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert stored_files(settings) == []
    with pytest.raises(PermissionDenied):
        imports.import_members(
            actor=cluster_manager, cluster=network.nordic_edge, data=csv_bytes("Sneaky,sme,NO")
        )
    assert Organisation.objects.count() == before


def test_upload_without_a_csrf_token_is_refused(network, cluster_manager, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cluster_manager, backend="django.contrib.auth.backends.ModelBackend")
    response = upload(client, network.clean, csv_bytes("Forged,sme,DK,,,,,,"))
    assert response.status_code == 403
    assert stored_files(settings) == []


# Export ---------------------------------------------------------------------------------


def export_csv(user: Any, **params: str) -> list[dict[str, str]]:
    response = client_for(user).get(reverse("directory:organisation_export", args=["csv"]), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="icn-organisations-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def export_xlsx(user: Any) -> list[dict[str, Any]]:
    response = client_for(user).get(reverse("directory:organisation_export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_anonymous_export_contains_only_public_records(network, anonymous):
    public = {"CLEAN public org", "Nordic Edge public org", "C40 Cities"}
    assert {row["name"] for row in export_csv(anonymous)} == public
    assert {row["name"] for row in export_xlsx(anonymous)} == public


def test_cluster_manager_export_contains_its_cluster_only_records(network, cluster_manager):
    for rows in (export_csv(cluster_manager), export_xlsx(cluster_manager)):
        names = {row["name"] for row in rows}
        assert "CLEAN cluster org" in names
        assert "Nordic Edge cluster org" not in names
        assert "Nordic Edge private org" not in names


def test_export_has_the_import_columns_and_the_list_filters(network, cluster_manager):
    rows = export_csv(cluster_manager, country="NO")
    assert list(rows[0]) == ["id", *imports.COLUMNS, "clusters"]
    assert {row["country"] for row in rows} == {"NO"}
    row = next(r for r in rows if r["name"] == "Nordic Edge public org")
    assert row["clusters"] == "nordic-edge"
    assert row["topics"] == "hydrogen"
    assert row["visibility"] == "public"
    assert row["id"] == str(network.org("nordic-edge", "public").pk)


def test_export_escapes_cells_that_a_spreadsheet_would_run_as_formulas(network, anonymous):
    Organisation.objects.create(
        name='=HYPERLINK("http://evil.example")',
        slug="evil",
        kind="sme",
        country="DK",
        city="+45 Town",
        description="-1+1 @home",
        visibility="public",
    )
    row = next(r for r in export_csv(anonymous) if "evil" in r["name"])
    assert row["name"] == '\'=HYPERLINK("http://evil.example")'
    assert row["city"] == "'+45 Town"
    assert row["description"] == "'-1+1 @home"
    cell = next(r for r in export_xlsx(anonymous) if "evil" in str(r["name"]))
    assert cell["name"] == '\'=HYPERLINK("http://evil.example")'


def test_export_in_an_unknown_format_is_not_found(network, anonymous):
    response = client_for(anonymous).get(reverse("directory:organisation_export", args=["pdf"]))
    assert response.status_code == 404


def test_an_export_can_be_imported_again_and_everything_is_a_duplicate(network, secretariat):
    client = client_for(secretariat)
    response = client.get(reverse("directory:organisation_export", args=["xlsx"]))
    token = preview_token(upload(client, network.clean, response.content, "export.xlsx"))
    html = preview(client, token).content.decode()
    assert html.count("duplicate — skipped") == Organisation.objects.count()
    assert "nothing to import" in html


# Parsers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("SME", "sme"),
        ("Public authority or city", "public_authority"),
        ("public authority", "public_authority"),
        ("research", "research"),
        ("Research or higher education", "research"),
        ("large_company", "large_company"),
        ("NGO", "ngo"),
    ],
)
def test_kind_accepts_the_value_or_the_label(text, kind):
    assert imports.parse_kind(text) == kind


@pytest.mark.parametrize("text", ["-5", "+45 12 34 56 78", "- a bullet", "-", "12.5%", "plain"])
def test_numbers_and_plain_text_are_not_formulas(text):
    assert not imports.looks_like_formula(text)


@pytest.mark.parametrize("text", ["=1+1", "+A1", "-A1", "@SUM(A1)", " =cmd", "-2+3", "+1e3x"])
def test_formula_looking_text_is_a_formula(text):
    assert imports.looks_like_formula(text)


@given(st.text())
def test_an_escaped_export_cell_never_starts_a_formula(text):
    assert not str(exports.escape_cell(text)).startswith(exports.FORMULA_STARTS)


@given(st.sampled_from("=@"), st.text())
def test_text_starting_with_equals_or_at_is_always_a_formula(start, rest):
    assert imports.looks_like_formula(start + rest)


@given(st.integers() | st.floats(allow_nan=False, allow_infinity=False))
def test_a_plain_number_is_never_a_formula(number):
    assert not imports.looks_like_formula(str(number))


def test_an_export_lists_only_the_clusters_the_viewer_may_see(network, anonymous):
    from icn.directory.models import Cluster

    applicant = Cluster.objects.create(
        name="Candidate",
        short_name="Candidate",
        slug="candidate",
        country="PL",
        city="Gdansk",
        status="applicant",
    )
    network.org("clean", "public").clusters.add(applicant)
    response = client_for(anonymous).get(reverse("directory:organisation_export", args=["csv"]))
    body = b"".join(response.streaming_content).decode()
    assert "clean" in body and "candidate" not in body
