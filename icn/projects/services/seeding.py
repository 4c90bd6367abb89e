"""Sections of an application seeded from a template in the knowledge library."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from icn.knowledge.extract import Unreadable
from icn.knowledge.models import DocumentKind, KnowledgeDocument
from icn.knowledge.outline import outline
from icn.projects.models import ProjectApplication, Section
from icn.projects.services.access import locked, require_edit, require_preparing, touch
from icn.projects.services.workspace import write_text

SEED_INTO_TEXT = "text"
SEED_INTO_GUIDANCE = "guidance"

# "1.", "2.3", "B)", "Part B -", "Section 4:" in front of a heading's words.
_NUMBERING = re.compile(r"^\s*(?:(?:part|section)\s+)?(?:[0-9]+(?:\.[0-9]+)*|[a-z])[.):\-–]?\s+")


@dataclass
class SeedResult:
    """What seeding did to each section: nothing written by a person is overwritten."""

    filled: list[str] = field(default_factory=list)  # matched, was empty, now holds the template
    added: list[str] = field(default_factory=list)  # new sections from the template
    kept: list[str] = field(default_factory=list)  # matched, already written: left as it was

    def summary(self) -> str:
        parts = []
        if self.filled:
            parts.append(f"filled {len(self.filled)} empty section(s)")
        if self.added:
            parts.append(f"added {len(self.added)} section(s)")
        if self.kept:
            parts.append(f"kept the text of {len(self.kept)} already written")
        return "Template applied: " + ", ".join(parts) + "." if parts else "Nothing to apply."


def heading_key(title: str) -> str:
    """The words of a heading without its numbering, as a slug: "2. Impact" → "impact"."""
    return slugify(_NUMBERING.sub("", title.strip().lower()))[:60]


def template_parts(document: KnowledgeDocument) -> list[Any]:
    """The outline of the document's current file; ValidationError saying why there is none."""
    if document.kind != DocumentKind.TEMPLATE:
        raise ValidationError({"document": "Choose a document of the kind “template”."})
    version = document.current_version
    if version is None or not version.file:
        raise ValidationError({"document": "The template is a link: there is no file to read."})
    with version.file.open("rb") as handle:
        data = handle.read()
    try:
        parts = outline(data, version.content_type)
    except Unreadable as error:
        raise ValidationError({"document": str(error)}) from error
    return parts


def _matching_section(sections: list[Section], title: str) -> Section | None:
    key = heading_key(title)
    for section in sections:
        if key and key in (section.key, heading_key(section.title)):
            return section
    return None


def _write(section: Section, *, actor: Any, text: str, into: str) -> None:
    if into == SEED_INTO_GUIDANCE:
        section.guidance = text
        section.save(update_fields=["guidance"])
    else:
        write_text(section, actor=actor, text=text)


@transaction.atomic
def sections_seed(
    *,
    actor: Any,
    application: ProjectApplication,
    document: KnowledgeDocument,
    into: str = SEED_INTO_TEXT,
) -> SeedResult:
    """Lay a library template over the application's sections.

    Each heading of the template fills the section of the same name when that section is
    still empty, or becomes a new section at the end; a section someone has written is kept
    as it is. `into` puts the template's text in the sections' text (a first draft, saved as
    a version) or in their guidance (what the writers are asked to cover).
    """
    require_edit(actor, application)
    application = locked(application)
    require_preparing(application, "the sections")
    if into not in (SEED_INTO_TEXT, SEED_INTO_GUIDANCE):
        raise ValidationError({"into": "Seed into the sections' text or their guidance."})
    if not KnowledgeDocument.objects.visible_to(actor).filter(pk=document.pk).exists():
        raise PermissionDenied("You may not see this document.")
    parts = template_parts(document)
    sections = list(application.sections.select_for_update(of=("self",)))
    position = (application.sections.aggregate(last=Max("position"))["last"] or 0) + 1
    taken = {section.key for section in sections}
    result = SeedResult()
    for part in parts:
        section = _matching_section(sections, part.title)
        if section is None:
            key = heading_key(part.title) or "section"
            unique, n = key, 2
            while unique in taken:
                unique, n = f"{key[:56]}-{n}", n + 1
            taken.add(unique)
            section = Section.objects.create(
                application=application, key=unique, title=part.title, position=position
            )
            position += 1
            sections.append(section)
            result.added.append(part.title)
            if part.body:
                _write(section, actor=actor, text=part.body, into=into)
            continue
        written = section.guidance if into == SEED_INTO_GUIDANCE else section.text
        if into == SEED_INTO_TEXT and written.strip():
            result.kept.append(section.title)
        elif part.body:
            _write(section, actor=actor, text=part.body, into=into)
            result.filled.append(section.title)
    touch(application)
    return result
