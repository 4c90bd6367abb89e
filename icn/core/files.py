"""Uploaded files: a known type, checked by content (the first bytes), under the size limit.

One check for every upload of the platform (opportunity attachments, project documents), so
a file is refused for the same reasons with the same words wherever it is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

# Suffix -> (content type, first bytes the file must start with; none for text).
FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".txt": ("text/plain", ()),
    ".md": ("text/markdown", ()),
    ".csv": ("text/csv", ()),
}


@dataclass(frozen=True)
class CheckedFile:
    """What the platform keeps of an accepted upload besides its bytes."""

    name: str
    content_type: str
    size: int


def content_type_of(name: str, head: bytes) -> str:
    """The file's type, known by its name and checked by its first bytes."""
    suffix = Path(name).suffix.lower()
    if suffix not in FILE_TYPES:
        raise ValidationError({"file": f"Upload {', '.join(sorted(FILE_TYPES))} files only."})
    content_type, magics = FILE_TYPES[suffix]
    if magics and not any(head.startswith(magic) for magic in magics):
        raise ValidationError({"file": f"The file's content is not a {suffix} file."})
    if not magics and b"\x00" in head:
        raise ValidationError({"file": "A text file cannot hold binary data."})
    return content_type


def check_upload(upload: Any, *, default_name: str = "file") -> CheckedFile:
    """Refuse a file that is too large, of an unknown type or not what its name says."""
    if upload.size > settings.ICN_ATTACHMENT_MAX_BYTES:
        limit = settings.ICN_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationError({"file": f"Files up to {limit} MB can be uploaded."})
    head = upload.read(16)
    upload.seek(0)
    name = Path(upload.name or default_name).name[:200]
    return CheckedFile(name=name, content_type=content_type_of(name, head), size=upload.size)
