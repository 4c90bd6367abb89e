"""Writes of passports: pages, the API, commands and tasks all come here.

`applications` holds an application's road (created, edited, moved one step at a time, the host
chosen, the closing report, the follow-up); `hosting` what the host cluster does for a visitor
(introductions, desks); `access` who is who on a passport; `messages` the e-mails.
"""

from __future__ import annotations

from icn.passports.services.access import may_apply_for, roles_of, today
from icn.passports.services.applications import (
    FOLLOW_UP_DAYS,
    MAX_VISIT_DAYS,
    passport_choose_host,
    passport_create,
    passport_follow_up,
    passport_follow_up_reminders,
    passport_report,
    passport_transition,
    passport_update,
    refusal,
)
from icn.passports.services.hosting import (
    DeskUnavailable,
    desk_book,
    desk_booking_cancel,
    desk_offer_create,
    desk_offer_delete,
    desk_offer_update,
    introduction_book,
)

__all__ = [
    "FOLLOW_UP_DAYS",
    "MAX_VISIT_DAYS",
    "DeskUnavailable",
    "desk_book",
    "desk_booking_cancel",
    "desk_offer_create",
    "desk_offer_delete",
    "desk_offer_update",
    "introduction_book",
    "may_apply_for",
    "passport_choose_host",
    "passport_create",
    "passport_follow_up",
    "passport_follow_up_reminders",
    "passport_report",
    "passport_transition",
    "passport_update",
    "refusal",
    "roles_of",
    "today",
]
