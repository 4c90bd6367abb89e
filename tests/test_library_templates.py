"""Templates from the library seed the sections of a project application: each heading fills
the section of the same name while it is empty or becomes a new one; written text is kept."""

# The application fixtures come from the applications' tests.
# ruff: noqa: F811
from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from icn.core.visibility import Visibility
from icn.knowledge import services as library
from icn.knowledge.extract import DOCX, MARKDOWN, PDF, Unreadable
from icn.knowledge.models import KnowledgeDocument
from icn.knowledge.outline import OutlinePart, outline
from icn.projects import services
from icn.projects.models import ProjectApplication, SectionStatus
from icn.projects.services.seeding import heading_key
from tests.conftest import Network, client_for
from tests.test_api import assert_error, call
from tests.test_applications import (  # noqa: F401  (the fixtures are shared)
    application,
    funding_call,
    lead,
    partner_org,
)

pytestmark = pytest.mark.django_db

HORIZON_TEMPLATE = """# Part B template for cluster-led proposals

Read this first: the parts below follow the evaluation criteria.

## 1. Excellence

State the objectives: which regions, which pilots.

### Methodology

The hydrogen valley method, step by step.

## 2. Impact

Who uses the results, and how they reach the market.

## Ethics and security

No personal data beyond the partners' contacts.
"""


def docx_template() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Interreg application", level=0)
    document.add_heading("Relevance", level=1)
    document.add_paragraph("The shared challenge of the harbour cities.")
    document.add_heading("Budget justification", level=1)
    document.add_paragraph("Costs per partner.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# The outline of a template ---------------------------------------------------------------


def test_a_markdown_template_is_cut_at_its_repeated_heading_level_keeping_deeper_headings():
    parts = outline(HORIZON_TEMPLATE.encode(), MARKDOWN)
    assert [p.title for p in parts] == ["1. Excellence", "2. Impact", "Ethics and security"]
    assert parts[0].body == (
        "State the objectives: which regions, which pilots.\n\n"
        "## Methodology\n\nThe hydrogen valley method, step by step."
    )
    assert parts[2] == OutlinePart("Ethics and security", parts[2].body)


def test_a_docx_template_is_cut_at_its_heading_styles_and_its_title_is_left_out():
    parts = outline(docx_template(), DOCX)
    assert [(p.title, p.body) for p in parts] == [
        ("Relevance", "The shared challenge of the harbour cities."),
        ("Budget justification", "Costs per partner."),
    ]


def test_a_hash_inside_a_code_block_is_not_a_heading():
    text = "## Work plan\n\n```\n# not a heading\n```\n\n## Budget\n\nCosts."
    assert [p.title for p in outline(text.encode(), MARKDOWN)] == ["Work plan", "Budget"]


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (b"Just one paragraph, no headings.", MARKDOWN, "no headings"),
        (b"%PDF-1.4 whatever", PDF, "DOCX, Markdown or text"),
        (b"PK\x03\x04 not really a zip", DOCX, "not a valid Office document"),
    ],
)
def test_a_template_without_an_outline_is_refused_with_the_reason(data, content_type, reason):
    with pytest.raises(Unreadable, match=reason):
        outline(data, content_type)


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("2. Impact", "impact"),
        ("1.2 Work plan", "work-plan"),
        ("Part B - Relevance", "relevance"),
        ("B) Partnership", "partnership"),
        ("Budget justification", "budget-justification"),
    ],
)
def test_a_headings_numbering_is_ignored_when_matching_sections(title, key):
    assert heading_key(title) == key


# Seeding an application ------------------------------------------------------------------


@pytest.fixture(name="media")
def media_fixture(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def add_template(
    actor: Any,
    capture: Any,
    *,
    title: str = "Horizon Europe Part B template",
    name: str = "part-b.md",
    data: bytes = HORIZON_TEMPLATE.encode(),
    **fields: Any,
) -> KnowledgeDocument:
    fields.setdefault("kind", "template")
    fields.setdefault("visibility", Visibility.NETWORK)
    with capture(execute=True):
        return library.document_create(
            actor=actor, title=title, upload=SimpleUploadedFile(name, data), **fields
        )


@pytest.fixture
def template(media, secretariat, django_capture_on_commit_callbacks) -> KnowledgeDocument:
    return add_template(secretariat, django_capture_on_commit_callbacks)


def texts(application: ProjectApplication) -> dict[str, str]:
    return {s.key: s.text for s in application.sections.all()}


def test_seeding_fills_empty_sections_keeps_written_ones_and_adds_the_rest(
    application, template, member
):
    impact = application.sections.get(key="impact")
    services.section_save(actor=member, section=impact, text="Our own impact text.", base_version=0)

    result = services.sections_seed(actor=member, application=application, document=template)

    assert result.filled == ["1. Excellence"]
    assert result.kept == ["2. Impact"]
    assert result.added == ["Ethics and security"]
    sections = list(application.sections.all())
    assert [s.key for s in sections] == [
        "excellence",
        "impact",
        "implementation",
        "ethics-and-security",
    ]
    by_key = {s.key: s for s in sections}
    assert by_key["excellence"].text.startswith("State the objectives")
    assert by_key["excellence"].version == 1
    assert by_key["excellence"].status == SectionStatus.DRAFTING
    assert by_key["excellence"].revisions.get().author == member
    assert by_key["impact"].text == "Our own impact text."
    assert by_key["implementation"].text == ""
    assert by_key["ethics-and-security"].text == "No personal data beyond the partners' contacts."


def test_seeding_twice_changes_nothing_the_second_time(application, template, member):
    services.sections_seed(actor=member, application=application, document=template)
    before = texts(application)

    again = services.sections_seed(actor=member, application=application, document=template)

    assert again.filled == [] and again.added == []
    assert sorted(again.kept) == ["1. Excellence", "2. Impact", "Ethics and security"]
    assert texts(application) == before


def test_seeding_into_guidance_leaves_the_text_alone(application, template, member):
    result = services.sections_seed(
        actor=member, application=application, document=template, into="guidance"
    )
    excellence = application.sections.get(key="excellence")
    assert result.filled == ["1. Excellence", "2. Impact"]
    assert excellence.guidance.startswith("State the objectives")
    assert excellence.text == "" and excellence.version == 0
    assert set(texts(application).values()) == {""}


def test_a_docx_template_seeds_an_application_too(
    application, media, secretariat, member, django_capture_on_commit_callbacks
):
    document = add_template(
        secretariat, django_capture_on_commit_callbacks, name="interreg.docx", data=docx_template()
    )
    result = services.sections_seed(actor=member, application=application, document=document)
    assert result.added == ["Relevance", "Budget justification"]
    assert application.sections.get(key="relevance").text == (
        "The shared challenge of the harbour cities."
    )


def test_only_templates_with_a_file_seed_sections(
    application, media, secretariat, member, django_capture_on_commit_callbacks
):
    report = add_template(secretariat, django_capture_on_commit_callbacks, kind="report")
    with pytest.raises(ValidationError, match="template"):
        services.sections_seed(actor=member, application=application, document=report)
    link = library.document_create(
        actor=secretariat,
        title="Template on the funder's site",
        kind="template",
        url="https://funder.example/template",
        visibility=Visibility.NETWORK,
    )
    with pytest.raises(ValidationError, match="link"):
        services.sections_seed(actor=member, application=application, document=link)


def test_a_template_the_writer_may_not_see_cannot_seed_their_application(
    application, media, member, network: Network, other_manager, django_capture_on_commit_callbacks
):
    hidden = add_template(
        other_manager,
        django_capture_on_commit_callbacks,
        cluster=network.nordic_edge,
        visibility=Visibility.CLUSTER,
    )
    with pytest.raises(PermissionDenied):
        services.sections_seed(actor=member, application=application, document=hidden)
    assert set(texts(application).values()) == {""}


def test_someone_outside_the_consortium_cannot_seed_sections(application, template, other_member):
    with pytest.raises(PermissionDenied):
        services.sections_seed(actor=other_member, application=application, document=template)


def test_a_submitted_application_is_not_seeded(application, template, member):
    ProjectApplication.objects.filter(pk=application.pk).update(status="submitted")
    application.refresh_from_db()
    with pytest.raises(ValidationError, match="submitted"):
        services.sections_seed(actor=member, application=application, document=template)


# Pages and API ---------------------------------------------------------------------------


def test_the_application_page_offers_the_templates_and_applies_one(application, template, member):
    client = client_for(member)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Seed the sections from a library template" in page
    assert template.title in page

    response = client.post(
        reverse("projects:sections_seed", args=[application.pk]),
        {"document": template.pk, "into": "text"},
        follow=True,
    )

    body = response.content.decode()
    assert "Template applied: filled 2 empty section(s), added 1 section(s)." in body
    assert application.sections.get(key="impact").text.startswith("Who uses the results")


def test_the_api_seeds_sections_and_says_what_it_did(application, template, member, anonymous):
    url = f"/projects/applications/{application.pk}/sections/seed"
    response = call(client_for(member), "POST", url, {"document": template.slug})
    assert response.status_code == 200
    data = response.json()
    assert data["filled"] == ["1. Excellence", "2. Impact"]
    assert data["added"] == ["Ethics and security"]
    assert [s["key"] for s in data["sections"]][-1] == "ethics-and-security"

    assert_error(call(client_for(member), "POST", url, {"document": "no-such-template"}), 404)
    assert_error(call(client_for(anonymous), "POST", url, {"document": template.slug}), 401)
