"""Text that comes in from users."""

from __future__ import annotations

from typing import Any


def clean_filter_value(value: Any) -> Any:
    """A filter value: blank means no filter; NUL characters (PostgreSQL refuses them) go."""
    if isinstance(value, str):
        value = value.replace("\x00", "").strip()
    return None if value in ("", None) else value
