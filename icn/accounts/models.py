"""Users, the organisations they act for, invitations and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_secretariat", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in, by e-mail address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the admin site.")
    is_secretariat = models.BooleanField(
        default=False,
        help_text="Works for the network secretariat: sees and runs the whole network.",
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]


class OrganisationRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class Membership(models.Model):
    """A user acting for an organisation, with a role in it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        max_length=16, choices=OrganisationRole.choices, default=OrganisationRole.MEMBER
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.role})"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _default_invitation_expiry() -> Any:
    return timezone.now() + timedelta(days=settings.ICN_INVITATION_DAYS)


class Invitation(models.Model):
    """An e-mailed link that lets a person join an organisation or manage a cluster."""

    email = models.EmailField()
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.CASCADE
    )
    role = models.CharField(
        max_length=16, choices=OrganisationRole.choices, default=OrganisationRole.MEMBER
    )
    cluster = models.ForeignKey(
        "directory.Cluster",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Invite the person as a manager of this cluster.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_default_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    def issue_token(self) -> str:
        """Set a new secret and return it; only its hash is kept."""
        raw = secrets.token_urlsafe(32)
        self.token_hash = _hash_token(raw)
        return raw

    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()

    @classmethod
    def find(cls, raw: str) -> Invitation | None:
        return cls.objects.filter(token_hash=_hash_token(raw)).first()


class ApiToken(models.Model):
    """A personal API token; only its hash is stored, the secret is shown once."""

    PREFIX = "icn_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False, help_text="Start of the token.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    def issue_token(self) -> str:
        raw = self.PREFIX + secrets.token_urlsafe(32)
        self.token_hash = _hash_token(raw)
        self.hint = raw[:10]
        return raw

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        """The active user owning an unrevoked token, or None."""
        token = (
            cls.objects.select_related("user")
            .filter(token_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        # Writing on every request would serialise readers on SQLite; once a minute is enough.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user
