"""Text out of a document's file: one maintained library per format.

Plain Python over bytes, so it can be tested alone. Anything a file does wrong raises
`Unreadable` with a reason in words; the caller marks the version and carries on.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
TEXT = "text/plain"
MARKDOWN = "text/markdown"

# The part an Office file of each type must hold: a .docx renamed .xlsx starts with the same
# bytes, but not with the same parts.
OOXML_MAIN_PART = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml", PPTX: "ppt/presentation.xml"}
SUPPORTED = {PDF, DOCX, XLSX, PPTX, TEXT, MARKDOWN}
# Enough for any report; a larger text is cut here so one file cannot fill the index.
MAX_CHARS = 2_000_000


class Unreadable(Exception):
    """The file cannot be read as what it says it is."""


def content_problem(data: bytes, content_type: str) -> str | None:
    """Why the bytes are not a file of `content_type` (beyond their first bytes), or None."""
    if content_type in OOXML_MAIN_PART:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return "The file is not a valid Office document."
        if OOXML_MAIN_PART[content_type] not in names:
            return "The file's content does not match its type."
    elif content_type in (TEXT, MARKDOWN):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return "A text file must be in UTF-8."
    return None


def _pdf(data: bytes) -> Iterator[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise Unreadable("The PDF is encrypted.")
    for page in reader.pages:
        yield page.extract_text() or ""


def _docx(data: bytes) -> Iterator[str]:
    import docx

    document = docx.Document(io.BytesIO(data))
    for paragraph in document.paragraphs:
        yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            yield " | ".join(cell.text for cell in row.cells)


def _xlsx(data: bytes) -> Iterator[str]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                cells = [str(value) for value in row if value is not None]
                if cells:
                    yield " | ".join(cells)
    finally:
        workbook.close()


def _pptx(data: bytes) -> Iterator[str]:
    from pptx import Presentation

    presentation = Presentation(io.BytesIO(data))
    for slide in presentation.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                yield shape.text_frame.text
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            yield slide.notes_slide.notes_text_frame.text


def _text(data: bytes) -> Iterator[str]:
    try:
        yield data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable("The text is not in UTF-8.") from error


READERS: dict[str, Callable[[bytes], Iterator[str]]] = {
    PDF: _pdf,
    DOCX: _docx,
    XLSX: _xlsx,
    PPTX: _pptx,
    TEXT: _text,
    MARKDOWN: _text,
}


def extract_text(data: bytes, content_type: str) -> str:
    """The file's text, paragraphs separated by blank lines; `Unreadable` if it cannot be."""
    reader = READERS.get(content_type)
    if reader is None:
        raise Unreadable(f"Text cannot be read from {content_type or 'this kind of'} files.")
    problem = content_problem(data, content_type)
    if problem:
        raise Unreadable(problem)
    try:
        parts = [part.strip() for part in reader(data)]
    except Unreadable:
        raise
    except Exception as error:  # every library fails in its own way on a broken file
        raise Unreadable(f"The file could not be read ({type(error).__name__}: {error})") from error
    text = "\n\n".join(part for part in parts if part)
    return text[:MAX_CHARS]
