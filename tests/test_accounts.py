"""Logging in by e-mail, throttling, password reset, invitations and API tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import Client
from django.utils import timezone

from icn.accounts import services
from icn.accounts.models import ApiToken, Invitation, User
from icn.core.visibility import get_scope
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def argon2(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]


def test_passwords_are_hashed_with_argon2(db, argon2):
    user = User.objects.create_user("ida@example.com", "a-long-test-password")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_user_logs_in_with_email_and_password(network, member):
    response = Client().post(
        "/accounts/login/",
        {"username": "MEMBER.clean@icn.example", "password": "a-long-test-password"},
    )
    assert response.status_code == 302


def test_repeated_failed_logins_lock_the_account_even_from_another_address(network, member):
    for n in range(5):
        Client(REMOTE_ADDR=f"10.0.0.{n}").post(
            "/accounts/login/", {"username": "member.clean@icn.example", "password": "wrong"}
        )
    response = Client(REMOTE_ADDR="10.0.1.1").post(
        "/accounts/login/",
        {"username": "member.clean@icn.example", "password": "a-long-test-password"},
    )
    assert response.status_code == 429
    assert "Too many failed" in response.content.decode()


def test_repeated_failed_logins_from_one_address_lock_that_address(network, member, partner):
    client = Client(REMOTE_ADDR="10.9.9.9")
    for n in range(5):
        client.post("/accounts/login/", {"username": f"nobody{n}@example.com", "password": "x"})
    response = client.post(
        "/accounts/login/", {"username": "partner@icn.example", "password": "a-long-test-password"}
    )
    assert response.status_code == 429


def test_password_reset_mails_a_link_that_sets_a_new_password(network, member):
    Client().post("/accounts/password/reset/", {"email": "member.clean@icn.example"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/\S+/", mail.outbox[0].body).group(0)
    client = Client()
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "brand-new-secret-42", "new_password2": "brand-new-secret-42"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("brand-new-secret-42")


def test_invitation_by_email_creates_an_account_acting_for_the_organisation(
    network, member, django_capture_on_commit_callbacks
):
    organisation = network.org("clean", "private")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(
            "/accounts/invite/",
            {"email": "new@example.com", "organisation": organisation.pk, "role": "member"},
        )
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/invitations/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[-1] if "8000" in link else link
    response = Client().post(
        path,
        {
            "full_name": "New Person",
            "new_password1": "brand-new-secret-42",
            "new_password2": "brand-new-secret-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert get_scope(user).organisation_ids == {organisation.pk}
    # The link works once.
    assert Client().get(path).status_code == 410


def test_expired_invitation_is_refused(network, secretariat):
    invitation, raw = services.invitation_create(
        actor=secretariat, email="late@example.com", cluster=network.clean
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    assert Client().get(f"/accounts/invitations/{raw}/").status_code == 410


def test_member_cannot_invite_people_to_an_organisation_it_does_not_administer(
    network, cluster_peer
):
    organisation = network.org("clean", "network")
    response = client_for(cluster_peer).post(
        "/accounts/invite/",
        {"email": "x@example.com", "organisation": organisation.pk, "role": "admin"},
    )
    assert response.status_code == 200  # the organisation is not among its choices
    assert not Invitation.objects.exists()


def test_cluster_manager_invites_a_co_manager(network, cluster_manager):
    _invitation, raw = services.invitation_create(
        actor=cluster_manager, email="co@example.com", cluster=network.clean
    )
    user = services.invitation_accept(
        raw_token=raw, full_name="Co Manager", password="brand-new-secret-42"
    )
    assert get_scope(user).managed_cluster_ids == {network.clean.pk}


def test_token_created_on_the_profile_page_is_shown_once_and_can_be_revoked(network, member):
    client = client_for(member)
    client.post("/accounts/me/tokens/", {"name": "CRM sync"})
    body = client.get("/accounts/me/").content.decode()
    raw = re.search(r'id="new-token">([^<]+)<', body).group(1)
    assert ApiToken.authenticate(raw) == member
    assert raw not in client.get("/accounts/me/").content.decode()
    token = ApiToken.objects.get(user=member)
    client.post(f"/accounts/me/tokens/{token.pk}/revoke/")
    assert ApiToken.authenticate(raw) is None


def test_tokens_are_stored_only_as_hashes(network, member):
    token, raw = services.token_create(actor=member, name="x")
    assert raw not in (token.token_hash, token.hint)
    assert not ApiToken.objects.filter(token_hash=raw).exists()


def test_organisation_admin_promotes_and_removes_members_but_keeps_an_admin(
    network, member, cluster_peer
):
    from icn.accounts.models import Membership

    organisation = network.org("clean", "private")
    colleague = Membership.objects.create(
        user=cluster_peer, organisation=organisation, role="member"
    )
    own = Membership.objects.get(user=member, organisation=organisation)
    client = client_for(member)
    client.post(f"/accounts/memberships/{own.pk}/", {"action": "remove"})
    assert Membership.objects.filter(pk=own.pk).exists()  # the last admin stays
    client.post(f"/accounts/memberships/{colleague.pk}/", {"role": "admin"})
    colleague.refresh_from_db()
    assert colleague.role == "admin"
    client.post(f"/accounts/memberships/{own.pk}/", {"action": "remove"})
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_a_member_cannot_manage_the_accounts_of_another_organisation(network, member, cluster_peer):
    from icn.accounts.models import Membership

    membership = Membership.objects.get(user=cluster_peer)
    client_for(member).post(f"/accounts/memberships/{membership.pk}/", {"action": "remove"})
    assert Membership.objects.filter(pk=membership.pk).exists()
