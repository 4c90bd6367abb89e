from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from icn.core.visibility import get_scope


def platform(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": settings.SITE_NAME,
        "scope": get_scope(getattr(request, "user", None)),
    }
