"""The consortium: partners of the network and from outside it, their answers, budgets
against the call's rules, and invitations by e-mail."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from icn.core.visibility import can_view, get_scope
from icn.directory.models import Organisation, OrganisationKind
from icn.projects import selectors
from icn.projects.models import (
    ConsortiumMember,
    MemberStatus,
    PartnerInvitation,
    ProjectApplication,
)
from icn.projects.services.access import (
    locked,
    require_manage,
    require_preparing,
    require_user,
    touch,
)


@transaction.atomic
def member_add(
    *,
    actor: Any,
    application: ProjectApplication,
    organisation: Organisation | None = None,
    name: str = "",
    kind: str = "",
    country: str = "",
    email: str = "",
    role: str = "",
    invite: bool = False,
) -> ConsortiumMember:
    """Ask an organisation of the network, or a partner from outside it, into the consortium;
    with `invite`, the partner's contact gets the e-mail at once."""
    require_manage(actor, application)
    application = locked(application)
    require_preparing(application, "the consortium")
    if organisation is not None:
        if not can_view(actor, organisation):
            raise ValidationError({"organisation": "Unknown organisation."})
        if application.members.filter(organisation=organisation).exists():
            raise ValidationError({"organisation": f"{organisation} is in the consortium already."})
    if kind and kind not in OrganisationKind.values:
        raise ValidationError({"kind": f"Unknown kind of organisation: {kind}."})
    member = ConsortiumMember(
        application=application,
        organisation=organisation,
        external_name="" if organisation else (name or "").strip(),
        external_kind="" if organisation else kind,
        external_country="" if organisation else (country or "").strip().upper(),
        contact_email=(email or "").strip().lower(),
        role=(role or "").strip(),
        status=MemberStatus.INVITED,
    )
    try:
        member.full_clean(exclude=["application"])
    except ValidationError as exc:
        # The form and the API call the external fields name, kind and country.
        names = {"external_name": "name", "external_kind": "kind", "external_country": "country"}
        raise ValidationError(
            {names.get(field, field): errors for field, errors in exc.message_dict.items()}
        ) from None
    member.save()
    touch(application)
    if invite:
        if not member.contact_email:
            raise ValidationError({"email": "Give the e-mail address to send the invitation to."})
        invitation_send(actor=actor, member=member, email=member.contact_email)
    return member


@transaction.atomic
def member_update(
    *,
    actor: Any,
    member: ConsortiumMember,
    role: str | None = None,
    status: str | None = None,
    email: str | None = None,
) -> ConsortiumMember:
    """Change a partner's role or contact, or record its answer on its behalf."""
    require_manage(actor, member.application)
    locked(member.application)
    member = ConsortiumMember.objects.select_related("application__call", "organisation").get(
        pk=member.pk
    )
    if role is not None:
        member.role = role.strip()
    if email is not None:
        member.contact_email = email.strip().lower()
    if status is not None and status != member.status:
        require_preparing(member.application, "the consortium")
        if status not in MemberStatus.values:
            raise ValidationError({"status": f"Unknown status: {status}."})
        if member.is_coordinator and status != MemberStatus.CONFIRMED:
            raise ValidationError({"status": "The coordinator is always in the consortium."})
        member.status = status
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def member_remove(*, actor: Any, member: ConsortiumMember) -> None:
    """Take a partner out of the consortium (its documents stay, without the link)."""
    require_manage(actor, member.application)
    application = locked(member.application)
    require_preparing(application, "the consortium")
    if member.is_coordinator:
        raise ValidationError("The coordinator cannot leave its own application.")
    member.delete()


@transaction.atomic
def member_respond(*, actor: Any, member: ConsortiumMember, accept: bool) -> ConsortiumMember:
    """A partner's own people confirm that it takes part, or decline."""
    require_user(actor)
    if not selectors.speaks_for(actor, member):
        raise PermissionDenied("Only the partner's own people answer for it.")
    application = locked(member.application)
    require_preparing(application, "the consortium")
    if member.is_coordinator:
        raise ValidationError("The coordinator is always in the consortium.")
    member.status = MemberStatus.CONFIRMED if accept else MemberStatus.DECLINED
    member.save(update_fields=["status", "updated_at"])
    return member


def _budget_failures(
    application: ProjectApplication, members: list[ConsortiumMember]
) -> dict[str, str]:
    """The call's rules that the budget breaks: those failing with the partners' money but
    not without it. Whatever budget rules the check knows (ceiling, co-funding) count."""
    with_money = selectors.application_check(application, members)
    without = selectors.application_check(application, members, with_budget=False)
    failing_anyway = {r.rule for r in without.failures}
    return {r.rule: r.reason for r in with_money.failures if r.rule not in failing_anyway}


def _share(costs: Decimal | None, requested: Decimal | None) -> Decimal:
    """The share of its costs a partner asks for (any request without costs counts as all)."""
    if not requested:
        return Decimal(0)
    if not costs:
        return Decimal("Infinity")
    return requested / costs


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "Give a number."}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({field: "Give an amount of 0 or more."})
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def budget_set(
    *, actor: Any, member: ConsortiumMember, costs: Any, requested: Any
) -> ConsortiumMember:
    """Set a partner's costs and the funding it asks for. A change that breaks one of the
    call's budget rules (co-funding rate, ceiling) is refused with the rule's reason; one that
    mends or eases a broken rule is let through."""
    require_user(actor)
    if not selectors.can_edit_budget(actor, member):
        raise PermissionDenied("A partner sets its own budget; the lead's side sets every one.")
    application = locked(member.application)
    require_preparing(application, "the budget")
    members = list(application.members.select_related("organisation").order_by("pk"))
    target = next((m for m in members if m.pk == member.pk), None)
    if target is None:
        raise ValidationError("The partner is no longer in the consortium.")
    old_costs, old_requested = target.costs, target.requested
    before = _budget_failures(application, members)
    target.costs = _decimal(costs, "costs")
    target.requested = _decimal(requested, "requested")
    target.full_clean()
    after = _budget_failures(application, members)
    worse = [reason for rule, reason in after.items() if rule not in before]
    asks_more = (target.requested or 0) > (old_requested or 0) or _share(
        target.costs, target.requested
    ) > _share(old_costs, old_requested)
    if not worse and after and asks_more:
        worse = list(after.values())
    if worse:
        raise ValidationError({"requested": [f"{reason}." for reason in worse]})
    target.save(update_fields=["costs", "requested", "updated_at"])
    touch(application)
    return target


# Invitations --------------------------------------------------------------------------------


def invitation_link(raw_token: str) -> str:
    return settings.SITE_URL + reverse("projects:invitation_accept", args=[raw_token])


@transaction.atomic
def invitation_send(
    *, actor: Any, member: ConsortiumMember, email: str, message: str = ""
) -> tuple[PartnerInvitation, str]:
    """E-mail a partner a link to join the consortium; returns the invitation and its secret
    (only the secret's hash is kept)."""
    require_manage(actor, member.application)
    application = locked(member.application)
    require_preparing(application, "the consortium")
    if member.is_coordinator:
        raise ValidationError("The coordinator leads the application; it needs no invitation.")
    invitation = PartnerInvitation(
        member=member,
        email=(email or "").strip().lower(),
        invited_by=actor,
        message=(message or "").strip(),
    )
    raw = invitation.issue_token()
    invitation.full_clean()
    invitation.save()
    if not member.contact_email:
        member.contact_email = invitation.email
        member.save(update_fields=["contact_email", "updated_at"])
    if member.status == MemberStatus.DECLINED:
        member.status = MemberStatus.INVITED
        member.save(update_fields=["status", "updated_at"])
    body = render_to_string(
        "projects/email/invitation.txt",
        {
            "invitation": invitation,
            "application": application,
            "member": member,
            "link": invitation_link(raw),
            "site_name": settings.SITE_NAME,
            "inviter": actor,
        },
    )
    mail = EmailMessage(
        subject=f"Join the consortium of {application.name} ({application.call.title})"[:200],
        body=body,
        to=[invitation.email],
        reply_to=[str(actor.email)] if getattr(actor, "email", "") else None,
    )
    transaction.on_commit(lambda: mail.send(fail_silently=False))
    return invitation, raw


def _usable_invitation(raw_token: str) -> PartnerInvitation:
    invitation = PartnerInvitation.find(raw_token)
    if invitation is None or not invitation.is_usable():
        raise ValidationError("This invitation link is invalid, used or expired.")
    invitation = PartnerInvitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    if not invitation.is_usable():
        raise ValidationError("This invitation link has already been used.")
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    actor: Any,
    raw_token: str,
    organisation: Organisation | None = None,
    full_name: str = "",
    password: str = "",
) -> ConsortiumMember:
    """Accept an invitation. Logged in, a partner from outside the network is linked to the
    organisation the user acts for (or to the user, who has none); a visitor without an
    account creates one with the invited address. Either way the partner is confirmed."""
    invitation = _usable_invitation(raw_token)
    member = ConsortiumMember.objects.select_related("application", "organisation").get(
        pk=invitation.member_id
    )
    application = locked(member.application)
    require_preparing(application, "the consortium")
    user = actor if getattr(actor, "is_authenticated", False) else None
    if user is None:
        user = _account_for(invitation.email, full_name, password)
    scope = get_scope(user)
    if organisation is not None and organisation.pk not in scope.organisation_ids:
        raise PermissionDenied("Accept for an organisation you act for.")
    if member.organisation is None:
        own = list(Organisation.objects.filter(pk__in=scope.organisation_ids).order_by("name"))
        if organisation is None and len(own) == 1:
            organisation = own[0]
        elif organisation is None and len(own) > 1:
            raise ValidationError({"organisation": "Choose the organisation you accept for."})
        if organisation is not None:
            if application.members.filter(organisation=organisation).exists():
                raise ValidationError(
                    {"organisation": f"{organisation} is in the consortium already."}
                )
            member.organisation = organisation
    if member.organisation is None or member.organisation.pk not in scope.organisation_ids:
        # Nobody acts for the partner here yet: the person who accepted speaks for it.
        member.user = user
    member.status = MemberStatus.CONFIRMED
    if not member.contact_email:
        member.contact_email = invitation.email
    member.full_clean()
    member.save()
    invitation.accepted_at = timezone.now()
    invitation.answered_by = user
    invitation.save(update_fields=["accepted_at", "answered_by"])
    return member


def _account_for(email: str, full_name: str, password: str) -> Any:
    """A new account for the invited address (an existing one logs in instead)."""
    users = get_user_model()
    if users.objects.filter(email__iexact=email).exists():
        raise PermissionDenied("An account with this address exists: log in to accept.")
    if not full_name.strip() or not password:
        raise ValidationError("Give your name and a password to create your account.")
    user = users(email=email.lower(), full_name=full_name.strip())
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def invitation_decline(*, raw_token: str, actor: Any = None) -> ConsortiumMember:
    """The invited partner says no: it leaves the consortium (the lead may ask again)."""
    invitation = _usable_invitation(raw_token)
    member = ConsortiumMember.objects.select_related("application").get(pk=invitation.member_id)
    locked(member.application)
    member.status = MemberStatus.DECLINED
    member.save(update_fields=["status", "updated_at"])
    invitation.declined_at = timezone.now()
    invitation.answered_by = actor if getattr(actor, "is_authenticated", False) else None
    invitation.save(update_fields=["declined_at", "answered_by"])
    return member
