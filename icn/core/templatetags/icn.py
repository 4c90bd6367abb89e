"""Template helpers shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template import Library
from django.utils.html import format_html
from django.utils.safestring import SafeString

from icn.core.countries import country_name
from icn.core.pagination import query_without_page
from icn.core.sanitise import rich_text
from icn.core.visibility import VISIBILITY_HELP, Visibility

register = Library()

_BADGE = {
    Visibility.PUBLIC: "text-bg-success",
    Visibility.NETWORK: "text-bg-primary",
    Visibility.CLUSTER: "text-bg-warning",
    Visibility.PRIVATE: "text-bg-secondary",
}


@register.simple_tag
def visibility_badge(value: str) -> str:
    try:
        visibility = Visibility(value)
    except ValueError:
        return ""
    return format_html(
        '<span class="badge {}" title="{}">{}</span>',
        _BADGE[visibility],
        VISIBILITY_HELP[visibility],
        visibility.label,
    )


@register.filter
def rich(text: str | None) -> SafeString:
    """User text as HTML, cleaned by nh3 (see icn.core.sanitise)."""
    return rich_text(text)


@register.filter
def country(code: str) -> str:
    return country_name(code)


@register.simple_tag(takes_context=True)
def page_query(context: dict[str, Any], page_number: int) -> str:
    request: HttpRequest = context["request"]
    rest = query_without_page(request)
    return f"?{rest}&page={page_number}" if rest else f"?page={page_number}"
