"""The e-mails of passports: each tells the next people in line what just happened."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction

from icn.directory.models import Cluster
from icn.passports.models import (
    DeskBooking,
    Passport,
    PassportEvent,
    PassportIntroduction,
    PassportStatus,
)
from icn.passports.services.access import day

S = PassportStatus


# Messages -----------------------------------------------------------------------------------


def _emails(users: Iterable[Any]) -> list[str]:
    return [str(user.email) for user in users if user is not None and user.email]


def manager_emails(cluster: Cluster | None) -> list[str]:
    """The cluster's managers; the secretariat when it has none (it stands in for them)."""
    users = get_user_model().objects.filter(is_active=True)
    if cluster is not None:
        managers = _emails(users.filter(managed_clusters=cluster).order_by("email"))
        if managers:
            return managers
    return _emails(users.filter(is_secretariat=True).order_by("email"))


def applicant_emails(passport: Passport) -> list[str]:
    if passport.organisation_id is None:
        return [passport.contact_email, *manager_emails(passport.home_cluster)]
    return [passport.contact_email, *_emails([passport.created_by])]


def host_emails(passport: Passport) -> list[str]:
    if passport.host_contact is not None and passport.host_contact.email:
        return [passport.host_contact.email]
    return manager_emails(passport.host_cluster)


def _message(
    passport: Passport, *, subject: str, lines: list[str], to: Iterable[str], actor: Any = None
) -> EmailMessage:
    own = str(getattr(actor, "email", "") or "").lower()
    recipients = list(dict.fromkeys(e for e in to if e and e.lower() != own))
    link = settings.SITE_URL + passport.get_absolute_url()
    body = "\n".join([*lines, "", f"The passport: {link}"])
    return EmailMessage(
        subject=subject,
        body=body,
        to=recipients,
        reply_to=[own] if own else None,
    )


def announce(message: EmailMessage | None) -> None:
    if message is not None and message.to:
        transaction.on_commit(lambda: message.send(fail_silently=False))


def status_message(passport: Passport, event: PassportEvent) -> EmailMessage | None:
    """The e-mail that tells the next people in line (and those waiting) what just happened."""
    to, actor, note = event.to_status, event.actor, event.note
    who = f"{actor}" if actor is not None else "The platform"
    visit = f"{passport.applicant_name}'s visit to {passport.destination}"
    dates = f"{day(passport.starts_on)} – {day(passport.ends_on)}"
    home, applicant, host = (
        manager_emails(passport.home_cluster),
        applicant_emails(passport),
        host_emails(passport),
    )
    said = ["", note] if note else []
    if to == S.SUBMITTED:
        subject = f"To endorse: {visit}"
        lines = [
            f"{who} submitted {visit} ({dates}): {passport.title}.",
            *said,
            "",
            f"As managers of {passport.home_cluster}, endorse it or return it with comments.",
        ]
        recipients = home
    elif to == S.RETURNED:
        subject = f"Returned for changes: {passport.title}"
        lines = [f"{who} of {passport.home_cluster} returned the application.", *said]
        lines += ["", "Change it and submit it again."]
        recipients = applicant
    elif to == S.ENDORSED:
        subject = f"Endorsed: {visit}"
        lines = [f"{who} endorsed {visit} ({dates}) for {passport.home_cluster}.", *said, ""]
        if passport.host_cluster is None:
            lines.append("The secretariat now chooses the host cluster.")
            recipients = [*manager_emails(None), *applicant]
        else:
            lines.append(
                f"{passport.host_cluster} now accepts it, proposes other dates or declines it."
            )
            recipients = [*manager_emails(passport.host_cluster), *applicant]
    elif to == S.ACCEPTED:
        subject = f"Accepted: {visit}"
        contact = passport.host_contact
        lines = [f"{who} accepted {visit}, {dates}.", *said]
        if contact is not None:
            lines += ["", f"Host contact: {contact} <{contact.email}>."]
        recipients = [*applicant, *home, *host]
    elif to == S.DATES_PROPOSED:
        subject = f"Other dates proposed: {visit}"
        lines = [f"{who} of {passport.host_cluster} proposes other dates.", *said, ""]
        lines.append("Accept the new dates, or withdraw the application.")
        recipients = [*applicant, *home]
    elif to == S.DECLINED:
        subject = f"Declined: {visit}"
        lines = [f"{who} of {passport.host_cluster} declined {visit}.", "", f"Reason: {note}"]
        recipients = [*applicant, *home]
    elif to == S.VISITED:
        subject = f"Visit made: {visit}"
        lines = [
            f"{who} marked {visit} as made.",
            "",
            "Tell the network how it went: the closing report asks for the meetings held, "
            "the leads and the next steps.",
        ]
        recipients = [*applicant, *host]
    elif to == S.REPORTED:
        subject = f"Closing report: {visit}"
        lines = [f"{who} sent the closing report of {visit}.", *said]
        recipients = [*home, *host]
    elif to == S.WITHDRAWN:
        subject = f"Withdrawn: {visit}"
        lines = [f"{who} withdrew {visit}.", *said]
        recipients = []
        if passport.submitted_at is not None:
            recipients += home
        if event.from_status in (S.ENDORSED, S.DATES_PROPOSED, S.ACCEPTED):
            recipients += host
    else:
        return None
    return _message(passport, subject=subject, lines=lines, to=recipients, actor=actor)


def host_chosen_message(passport: Passport, event: PassportEvent) -> EmailMessage:
    visit = f"{passport.applicant_name}'s visit to {passport.destination}"
    lines = [f"The secretariat chose {passport.host_cluster} to host {passport.applicant_name}."]
    if event.note:
        lines += ["", event.note]
    recipients = list(applicant_emails(passport))
    if passport.status == S.ENDORSED:
        lines += [
            "",
            f"{passport.host_cluster} now accepts it, proposes other dates or declines it.",
        ]
        recipients += manager_emails(passport.host_cluster)
    return _message(
        passport, subject=f"Host chosen: {visit}", lines=lines, to=recipients, actor=event.actor
    )


def booking_message(booking: DeskBooking, *, actor: Any) -> EmailMessage:
    passport, offer = booking.passport, booking.offer
    lines = [
        f"A desk waits for {passport.applicant_name} at {offer.cluster}:",
        f"{offer.address}, {day(booking.starts_on)} – {day(booking.ends_on)}"
        + (f", {booking.desks} desks." if booking.desks > 1 else "."),
    ]
    if offer.notes:
        lines += ["", offer.notes]
    return _message(
        passport,
        subject=f"Desk booked at {offer.cluster}: {passport.title}",
        lines=lines,
        to=[*applicant_emails(passport), *host_emails(passport)],
        actor=actor,
    )


def introduction_message(introduction: PassportIntroduction, *, actor: Any) -> EmailMessage:
    """One e-mail to the visitor, the organisation introduced (its person) and the host."""
    from icn.matching.services import contact_for

    passport, organisation = introduction.passport, introduction.organisation
    person = introduction.person
    theirs = person.email if person is not None and person.email else contact_for(organisation)
    lines = [
        f"{actor} of {passport.host_cluster} introduces {passport.applicant_name} to "
        f"{organisation}"
        + (f" ({person})" if person is not None else "")
        + f", for a visit on {day(passport.starts_on)} – {day(passport.ends_on)}.",
        "",
        f"The visit: {passport.title}.",
        passport.purpose,
    ]
    if introduction.note:
        lines += ["", introduction.note]
    lines += [
        "",
        "Contacts:",
        f"- {passport.applicant_name}: {passport.contact_email}",
        f"- {organisation}: {theirs or 'no contact on file'}",
    ]
    return _message(
        passport,
        subject=f"Introduction: {passport.applicant_name} and {organisation}",
        lines=lines,
        to=[passport.contact_email, theirs, *host_emails(passport)],
        actor=actor,
    )


def follow_up_message(passport: Passport) -> EmailMessage:
    lines = [
        f"{passport.applicant_name} visited {passport.destination} "
        f"({day(passport.starts_on)} – {day(passport.ends_on)}).",
        "",
        "What came of it? A rating, the deals and the projects that followed help the network "
        "see what the passport brings.",
    ]
    return _message(
        passport,
        subject=f"What came of your visit to {passport.destination}?",
        lines=lines,
        to=applicant_emails(passport),
    )
