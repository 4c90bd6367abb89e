"""User text shown as HTML: paragraphs and links from plain text, or the safe part of the HTML
that imported records (tenders, calls) bring, always cleaned by nh3 last."""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape, linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "blockquote", "code",
    "pre", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": {"colspan"}}
URL_SCHEMES = {"http", "https", "mailto"}

_LOOKS_LIKE_HTML = re.compile(r"<(p|br|ul|ol|li|strong|em|b|i|a|h[1-6]|table|div|span)\b", re.I)


def clean_html(html: str) -> str:
    """Only formatting survives: no script, style, event handler, frame or javascript: link;
    every link opens without handing over the page (rel noopener noreferrer nofollow)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def rich_text(text: str | None) -> SafeString:
    """Plain text becomes paragraphs with its addresses linked; HTML keeps its formatting."""
    text = text or ""
    if _LOOKS_LIKE_HTML.search(text):
        html = text
    else:
        html = linebreaks(urlize(escape(text), nofollow=True, autoescape=False))
    return mark_safe(clean_html(html))
