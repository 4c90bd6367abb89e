"""The outline of a template: its headings and the text under each, for seeding the sections
of a project application.

Plain Python over bytes. A DOCX template gives its headings by paragraph style (Heading 1,
Heading 2...); a Markdown or text template by `#` headings. The level chosen is the shallowest
that occurs more than once (a single `# Title` above `## Part` headings is the template's
title, not a section); deeper headings stay in the body.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from icn.knowledge.extract import DOCX, MARKDOWN, TEXT, Unreadable, content_problem

OUTLINE_TYPES = {DOCX, MARKDOWN, TEXT}
MAX_PARTS = 60
MAX_BODY_CHARS = 100_000  # a section's text is at most this long

_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_DOCX_HEADING = re.compile(r"^Heading\s+(\d)$", re.IGNORECASE)


@dataclass(frozen=True)
class OutlinePart:
    title: str
    body: str


# A line: (heading level, text), level 0 for body text.
Line = tuple[int, str]


def _markdown_lines(data: bytes) -> Iterator[Line]:
    text = data.decode("utf-8-sig")
    fenced = False
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        match = None if fenced else _MARKDOWN_HEADING.match(line)
        if match:
            yield len(match.group(1)), match.group(2).strip()
        else:
            yield 0, line.rstrip()


def _docx_lines(data: bytes) -> Iterator[Line]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # a broken package fails in python-docx's own ways
        raise Unreadable(f"The template could not be read ({type(error).__name__}).") from error
    for paragraph in document.paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        match = _DOCX_HEADING.match(style or "")
        text = paragraph.text.strip()
        if match and text:
            yield int(match.group(1)), text
        else:
            yield 0, paragraph.text.rstrip()


def _section_level(lines: list[Line]) -> int | None:
    levels = [level for level, _ in lines if level]
    if not levels:
        return None
    repeated = sorted({level for level in levels if levels.count(level) > 1})
    return repeated[0] if repeated else min(levels)


def _body(lines: list[str]) -> str:
    text = "\n".join(lines).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text[:MAX_BODY_CHARS]


def outline(data: bytes, content_type: str) -> list[OutlinePart]:
    """The template's sections in order; `Unreadable` with the reason when it has none."""
    if content_type not in OUTLINE_TYPES:
        raise Unreadable("Sections are taken from DOCX, Markdown or text templates.")
    problem = content_problem(data, content_type)
    if problem:
        raise Unreadable(problem)
    lines = list(_docx_lines(data) if content_type == DOCX else _markdown_lines(data))
    level = _section_level(lines)
    if level is None:
        raise Unreadable(
            "The template has no headings to make sections of (use Heading styles in Word, "
            "or lines starting with # in Markdown)."
        )
    parts: list[OutlinePart] = []
    title: str | None = None
    body: list[str] = []
    for line_level, text in lines:
        if line_level == level or (title is not None and 0 < line_level < level):
            if title is not None:
                parts.append(OutlinePart(title[:200], _body(body)))
            title, body = text, []
        elif title is not None:
            # Deeper headings stay in the text, as Markdown headings; a shallower heading
            # after the first section (an annex) starts a section of its own.
            body.append(f"{'#' * (line_level - level + 1)} {text}" if line_level else text)
    if title is not None:
        parts.append(OutlinePart(title[:200], _body(body)))
    return parts[:MAX_PARTS]
