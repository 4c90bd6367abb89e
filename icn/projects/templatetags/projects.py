"""Template helpers of the application pages: status badges, amounts, countdowns."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.template import Library
from django.utils.html import format_html

from icn.projects.models import ApplicationStatus, MemberStatus, SectionStatus

register = Library()

_STATUS = {
    ApplicationStatus.IDEA: "text-bg-light border",
    ApplicationStatus.CONSORTIUM: "text-bg-info",
    ApplicationStatus.DRAFTING: "text-bg-primary",
    ApplicationStatus.SUBMITTED: "text-bg-warning",
    ApplicationStatus.GRANTED: "text-bg-success",
    ApplicationStatus.RESERVE: "text-bg-secondary",
    ApplicationStatus.REJECTED: "text-bg-danger",
    ApplicationStatus.WITHDRAWN: "text-bg-dark",
    ApplicationStatus.SIGNED: "text-bg-success",
    ApplicationStatus.RUNNING: "text-bg-success",
}
_MEMBER = {
    MemberStatus.INVITED: "text-bg-warning",
    MemberStatus.CONFIRMED: "text-bg-success",
    MemberStatus.DECLINED: "text-bg-secondary",
}
_SECTION = {
    SectionStatus.TODO: "text-bg-light border",
    SectionStatus.DRAFTING: "text-bg-primary",
    SectionStatus.REVIEW: "text-bg-warning",
    SectionStatus.DONE: "text-bg-success",
}


def _badge(css: str, label: str, kind: str, value: str) -> str:
    return format_html('<span class="badge {} {}-{}">{}</span>', css, kind, value, label)


@register.simple_tag
def status_badge(status: str) -> str:
    """An application's stage as a coloured badge."""
    try:
        label = ApplicationStatus(status).label
    except ValueError:
        return ""
    return _badge(_STATUS[ApplicationStatus(status)], str(label), "application-status", status)


@register.simple_tag
def member_badge(status: str) -> str:
    try:
        label = MemberStatus(status).label
    except ValueError:
        return ""
    return _badge(_MEMBER[MemberStatus(status)], str(label), "member-status", status)


@register.simple_tag
def section_badge(status: str) -> str:
    try:
        label = SectionStatus(status).label
    except ValueError:
        return ""
    return _badge(_SECTION[SectionStatus(status)], str(label), "section-status", status)


@register.filter
def money(value: Any) -> str:
    """450000 as 450,000 (cents only when there are any)."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    return f"{amount:,.2f}" if amount != amount.to_integral_value() else f"{amount:,.0f}"


@register.filter
def countdown(days: int | None) -> str:
    """Days until the call closes, in words."""
    if days is None:
        return "No deadline"
    if days < 0:
        return "Closed"
    if days == 0:
        return "Closes today"
    if days == 1:
        return "Closes tomorrow"
    return f"{days} days left"
