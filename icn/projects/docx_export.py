"""The application's draft as a Word document (python-docx): title, call, consortium table,
budget table with totals, and the text of every section."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from django.utils.text import slugify
from docx import Document
from docx.shared import Pt

from icn.core.docx import add_table
from icn.projects import selectors
from icn.projects.models import ProjectApplication


def money(value: Decimal | None) -> str:
    """An amount as the budget table shows it: 450,000.00; empty when not given."""
    return f"{value:,.2f}" if value is not None else ""


def docx_filename(application: ProjectApplication) -> str:
    name = slugify(application.acronym or application.title)[:60] or "application"
    return f"{name}-draft.docx"


def application_docx(application: ProjectApplication) -> bytes:
    """The draft as it stands, for reading, commenting and pasting into the funder's form."""
    document = Document()
    document.styles["Normal"].font.size = Pt(11)
    call = application.call
    document.add_heading(application.title, level=0)
    facts = [
        ("Acronym", application.acronym),
        ("Call", call.title),
        ("Programme", call.programme),
        ("Funder", call.funder),
        (
            "Deadline",
            timezone.localtime(call.deadline).strftime("%d %B %Y, %H:%M") if call.deadline else "",
        ),
        ("Lead organisation", application.lead.name),
        ("Status", application.get_status_display()),
        ("Exported", timezone.localtime().strftime("%d %B %Y, %H:%M")),
    ]
    for label, value in facts:
        if value:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(str(value))
    if application.summary:
        document.add_heading("Summary", level=1)
        document.add_paragraph(application.summary)

    members = selectors.active_members(application)
    document.add_heading("Consortium", level=1)
    add_table(
        document,
        ["#", "Partner", "Role", "Kind", "Country", "Status"],
        [
            [
                str(n),
                f"{m.name} (coordinator)" if m.is_coordinator else m.name,
                m.role,
                m.kind_label,
                m.country_label,
                m.get_status_display(),
            ]
            for n, m in enumerate(members, start=1)
        ],
        numeric={0},
    )

    budget = selectors.budget(application)
    currency = budget.currency
    document.add_heading("Budget", level=1)
    rows = [
        [
            m.name,
            money(m.costs),
            money(m.requested),
            f"{m.funding_rate} %" if m.funding_rate is not None else "",
        ]
        for m in members
    ]
    rows.append(
        [
            "Total",
            money(budget.costs),
            money(budget.requested),
            f"{budget.rate} %" if budget.rate is not None else "",
        ]
    )
    table = add_table(
        document,
        ["Partner", f"Costs ({currency})", f"Requested ({currency})", "Funding rate"],
        rows,
        numeric={1, 2, 3},
    )
    for cell in table.rows[-1].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    limits = []
    if budget.ceiling is not None:
        limits.append(f"the call funds at most {money(budget.ceiling)} {currency} per project")
    if budget.co_funding_rate is not None:
        limits.append(f"at most {budget.co_funding_rate:.0f} % of each partner's costs")
    if limits:
        document.add_paragraph(f"Limits: {'; '.join(limits)}.")

    for section in application.sections.all():
        document.add_heading(section.title, level=1)
        if not section.text.strip():
            document.add_paragraph().add_run("(Not written yet.)").italic = True
            continue
        for block in section.text.split("\n\n"):
            if block.strip():
                document.add_paragraph(block.strip())

    output = BytesIO()
    document.save(output)
    return output.getvalue()
