"""Background work of the library: reading a version's text. Tasks take keys."""

from __future__ import annotations

from icn.core.tasks import retried_task
from icn.knowledge import services


@retried_task()
def extract_text(version_id: int) -> str:
    """Read one version's text; returns the extraction status (a bad file is marked, not raised)."""
    version = services.version_extract(version_id)
    return version.extraction_status if version is not None else "missing"
