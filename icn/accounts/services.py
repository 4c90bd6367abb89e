"""Writes about users: invitations, memberships and API tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from icn.accounts.models import ApiToken, Invitation, Membership, OrganisationRole, User
from icn.core.visibility import can_change, forget_scope, get_scope
from icn.directory.models import Cluster, Organisation


def membership_set(
    *, user: User, organisation: Organisation, role: str = OrganisationRole.MEMBER
) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    forget_scope(user)
    return membership


@transaction.atomic
def membership_update(
    *, actor: Any, membership: Membership, role: str | None = None, remove: bool = False
) -> Membership | None:
    """Change a member's role in an organisation, or remove it; an organisation keeps an admin."""
    if not can_change(actor, membership.organisation):
        raise PermissionDenied("You may not manage the members of this organisation.")
    if role is not None and role not in OrganisationRole.values:
        raise ValidationError({"role": f"Unknown role: {role}."})
    losing_admin = membership.role == OrganisationRole.ADMIN and (
        remove or role == OrganisationRole.MEMBER
    )
    if losing_admin:
        admins = Membership.objects.select_for_update().filter(
            organisation=membership.organisation, role=OrganisationRole.ADMIN
        )
        if admins.count() <= 1:
            raise ValidationError(
                "An organisation keeps at least one admin: appoint another first."
            )
    forget_scope(membership.user)
    if remove:
        membership.delete()
        return None
    if role is not None:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def _may_invite(actor: Any, organisation: Organisation | None, cluster: Cluster | None) -> bool:
    scope = get_scope(actor)
    if scope.is_secretariat:
        return True
    if cluster is not None:
        return cluster.pk in scope.managed_cluster_ids
    return organisation is not None and can_change(actor, organisation)


@transaction.atomic
def invitation_create(
    *,
    actor: Any,
    email: str,
    organisation: Organisation | None = None,
    role: str = OrganisationRole.MEMBER,
    cluster: Cluster | None = None,
) -> tuple[Invitation, str]:
    """Invite a person by e-mail; returns the invitation and the link's secret."""
    if not _may_invite(actor, organisation, cluster):
        raise PermissionDenied("You may not invite people to this organisation or cluster.")
    invitation = Invitation(
        email=email.lower(), organisation=organisation, role=role, cluster=cluster, invited_by=actor
    )
    raw = invitation.issue_token()
    invitation.full_clean()
    invitation.save()
    link = settings.SITE_URL + reverse("accounts:invitation_accept", args=[raw])
    target = cluster.name if cluster else organisation.name if organisation else ""
    body = render_to_string(
        "accounts/email/invitation.txt",
        {"invitation": invitation, "link": link, "target": target, "site_name": settings.SITE_NAME},
    )
    transaction.on_commit(
        lambda: send_mail(
            f"Invitation to {target} on {settings.SITE_NAME}",
            body,
            None,
            [invitation.email],
        )
    )
    return invitation, raw


@transaction.atomic
def invitation_accept(*, raw_token: str, full_name: str, password: str) -> User:
    """Create or complete the invited account and grant what the invitation offered."""
    invitation = Invitation.find(raw_token)
    if invitation is None or not invitation.is_usable():
        raise ValidationError("This invitation link is invalid or has expired.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable():
        raise ValidationError("This invitation link has already been used.")
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User(email=invitation.email)
    user.full_name = full_name.strip() or user.full_name
    user.set_password(password)
    user.save()
    if invitation.organisation is not None:
        membership_set(user=user, organisation=invitation.organisation, role=invitation.role)
    if invitation.cluster is not None:
        invitation.cluster.managers.add(user)
        forget_scope(user)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


@transaction.atomic
def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new personal API token; the secret is returned once and never stored."""
    token = ApiToken(user=actor, name=name.strip() or "API token")
    raw = token.issue_token()
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not get_scope(actor).is_secretariat:
        raise PermissionDenied("You may revoke only your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
