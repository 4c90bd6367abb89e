"""The knowledge library: uploads in every supported format become searchable text; bad files
are refused or marked, never a crash; search shows a body's passage only to those allowed."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from icn.core.visibility import Visibility
from icn.directory.models import Topic, TopicKind
from icn.knowledge import services
from icn.knowledge.filters import DocumentFilter
from icn.knowledge.models import DocumentVersion, ExtractionStatus, KnowledgeDocument
from icn.knowledge.selectors import document_search
from icn.knowledge.tasks import extract_text
from tests.conftest import Network

PHRASE = "ammonia bunkering"
SENTENCE = "The pilot of ammonia bunkering in Aarhus harbour reached full capacity in May."


def pdf_with_text(text: str) -> bytes:
    """A one-page PDF showing `text`, written by hand (pypdf reads PDFs, it lays out none)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def docx_with_text(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Harbour pilots", level=1)
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_with_text(text: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Pilot", "Result"])
    sheet.append(["Aarhus", text])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pptx_with_text(text: str) -> bytes:
    from pptx import Presentation

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = "Harbour pilots"
    slide.placeholders[1].text = text
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


FILES = {
    "report.pdf": lambda text: pdf_with_text(text),
    "report.docx": docx_with_text,
    "report.xlsx": xlsx_with_text,
    "slides.pptx": pptx_with_text,
    "notes.md": lambda text: f"# Harbour pilots\n\n{text}\n".encode(),
    "notes.txt": lambda text: f"Harbour pilots\n\n{text}\n".encode(),
}


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture(name="media")
def media_fixture(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def add_document(
    actor: Any,
    *,
    title: str,
    name: str = "notes.txt",
    data: bytes | None = None,
    capture: Any,
    **fields: Any,
) -> KnowledgeDocument:
    with capture(execute=True):
        return services.document_create(
            actor=actor,
            title=title,
            kind=fields.pop("kind", "report"),
            upload=upload(name, data if data is not None else FILES[name](SENTENCE)),
            **fields,
        )


def search_titles(viewer: Any, q: str = PHRASE) -> dict[str, list[str]]:
    page = document_search(viewer=viewer, filters=DocumentFilter(q=q))
    return {hit.document.title: hit.passages for hit in page.hits}


# Upload and text ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_supported_format_yields_searchable_text_with_the_passage(
    name: str, network: Network, member: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = add_document(
        member,
        title=f"Pilot report {name}",
        name=name,
        organisation=network.org("clean", "private"),
        visibility=Visibility.PRIVATE,
        capture=django_capture_on_commit_callbacks,
    )
    version = DocumentVersion.objects.get(document=document)
    assert version.extraction_status == ExtractionStatus.DONE, version.extraction_error
    assert PHRASE in version.text
    assert version.extracted_at is not None
    found = search_titles(member)
    assert f"Pilot report {name}" in found
    assert any(PHRASE in passage for passage in found[f"Pilot report {name}"])


def test_a_corrupt_pdf_is_marked_unreadable_with_the_reason_and_stays_downloadable(
    network: Network, member: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = add_document(
        member,
        title="Broken scan",
        name="scan.pdf",
        data=b"%PDF-1.4\n\x00\x01 this is not really a pdf",
        organisation=network.org("clean", "private"),
        capture=django_capture_on_commit_callbacks,
    )
    version = document.versions.get()
    assert version.extraction_status == ExtractionStatus.FAILED
    assert "could not be read" in version.extraction_error
    assert version.text == ""
    with version.file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")


def test_a_version_whose_file_went_missing_is_marked_failed_and_the_task_does_not_raise(
    network: Network, member: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = add_document(
        member,
        title="Lost file",
        organisation=network.org("clean", "private"),
        capture=django_capture_on_commit_callbacks,
    )
    version = document.versions.get()
    version.file.storage.delete(version.file.name)
    result = extract_text.enqueue(version.pk)
    assert result.return_value == ExtractionStatus.FAILED
    version.refresh_from_db()
    assert "could not be opened" in version.extraction_error


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("budget.xlsx", docx_with_text("a Word file"), "does not match its type"),
        ("report.pdf", b"MZ\x90\x00 an executable", "not a .pdf file"),
        ("report.docx", b"PK\x03\x04 not a zip at all", "not a valid Office document"),
        ("notes.txt", b"caf\xe9 in latin-1", "UTF-8"),
        ("photo.png", b"\x89PNG\r\n\x1a\n rest", "Upload PDF"),
    ],
)
def test_a_file_whose_content_does_not_match_its_type_is_refused(
    name: str, data: bytes, message: str, network: Network, member: Any, media: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.document_create(
            actor=member,
            title="Mislabelled",
            kind="report",
            organisation=network.org("clean", "private"),
            upload=upload(name, data),
        )
    assert message in str(refused.value)
    assert not KnowledgeDocument.objects.exists()


def test_a_file_over_the_size_limit_is_refused(
    settings: Any, network: Network, member: Any, media: Any
) -> None:
    settings.ICN_ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="up to 1 MB"):
        services.document_create(
            actor=member,
            title="Too large",
            kind="dataset",
            organisation=network.org("clean", "private"),
            upload=upload("big.txt", b"a" * (1024 * 1024 + 1)),
        )


def test_a_link_is_a_document_without_text_to_read(
    network: Network, member: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_create(
            actor=member,
            title="Hydrogen valleys platform",
            kind="best_practice",
            organisation=network.org("clean", "private"),
            url="https://h2v.eu/",
        )
    version = document.versions.get()
    assert version.extraction_status == ExtractionStatus.LINK
    assert "Hydrogen valleys platform" in search_titles(member, "hydrogen valleys")


def test_a_new_version_keeps_the_old_one_and_the_search_reads_the_new_text(
    network: Network, member: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = add_document(
        member,
        title="Harbour study",
        organisation=network.org("clean", "private"),
        capture=django_capture_on_commit_callbacks,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.version_add(
            actor=member,
            document=document,
            upload=upload(
                "v2.md", b"# Update\n\nShore power for ferries was installed in Aalborg."
            ),
        )
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    assert "Harbour study" in search_titles(member, "shore power ferries")
    assert "Harbour study" not in search_titles(member, PHRASE)


def test_someone_outside_the_organisation_cannot_add_a_version(
    network: Network,
    member: Any,
    other_member: Any,
    media: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    document = add_document(
        member,
        title="Harbour study",
        organisation=network.org("clean", "private"),
        capture=django_capture_on_commit_callbacks,
    )
    with pytest.raises(PermissionDenied):
        services.version_add(
            actor=other_member, document=document, upload=upload("x.txt", b"Overwritten.")
        )


def test_a_summary_is_suggested_from_the_first_sentences_of_the_text() -> None:
    text = (
        "# Title\n\nShort.\n\nHydrogen buses run in Aalborg since 2021. They refuel at night. "
        "Costs fell by a third over two years. A fourth sentence is left out."
    )
    assert services.suggest_summary(text) == (
        "Hydrogen buses run in Aalborg since 2021. They refuel at night. "
        "Costs fell by a third over two years."
    )


# Search per role ----------------------------------------------------------------------------

# Who sees the CLEAN documents of each visibility.
SEES = {
    "anonymous": {"public"},
    "partner": {"public", "network"},
    "other_member": {"public", "network"},
    "other_manager": {"public", "network"},
    "cluster_peer": {"public", "network", "cluster"},
    "cluster_manager": {"public", "network", "cluster"},
    "member": {"public", "network", "cluster", "private"},
    "secretariat": {"public", "network", "cluster", "private"},
}


@pytest.fixture(name="documents_of_every_visibility")
def documents_of_every_visibility_fixture(
    network: Network, secretariat: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> dict[str, KnowledgeDocument]:
    return {
        visibility: add_document(
            secretariat,
            title=f"Bunkering pilot ({visibility})",
            name="report.docx",
            organisation=network.org("clean", visibility),
            visibility=visibility,
            capture=django_capture_on_commit_callbacks,
        )
        for visibility in Visibility.values
    }


@pytest.mark.parametrize("role", sorted(SEES))
def test_a_phrase_in_a_body_is_found_with_its_passage_only_by_those_allowed(
    role: str, request: Any, documents_of_every_visibility: dict[str, KnowledgeDocument]
) -> None:
    viewer = request.getfixturevalue(role)
    found = search_titles(viewer)
    assert set(found) == {f"Bunkering pilot ({v})" for v in SEES[role]}
    for passages in found.values():
        assert any(PHRASE in passage for passage in passages)


def test_facets_count_only_what_the_viewer_found(
    anonymous: Any, member: Any, documents_of_every_visibility: dict[str, KnowledgeDocument]
) -> None:
    kinds = {
        f.value: f.count
        for f in document_search(viewer=member, filters=DocumentFilter(q=PHRASE)).facets["kind"]
    }
    assert kinds == {"report": 4}
    page = document_search(viewer=anonymous, filters=DocumentFilter(q=PHRASE))
    assert {f.value: f.count for f in page.facets["kind"]} == {"report": 1}
    assert {f.value: f.count for f in page.facets["cluster"]} == {"clean": 1}


def test_sdgs_are_suggested_from_the_text_and_saved_only_when_confirmed(
    network: Network, member: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sdg7 = Topic.objects.get(kind=TopicKind.SDG, code="SDG7")
    document = add_document(
        member,
        title="Energy access",
        name="notes.txt",
        data=f"{sdg7.name}. {sdg7.description} {sdg7.name}.".encode(),
        organisation=network.org("clean", "private"),
        capture=django_capture_on_commit_callbacks,
    )
    suggested = services.suggest_labels(document, kind=TopicKind.SDG)
    assert sdg7 in suggested
    assert not document.sdgs.exists()
    services.document_update(actor=member, document=document, sdgs=[sdg7])
    assert list(document.sdgs.all()) == [sdg7]
