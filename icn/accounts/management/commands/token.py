"""`icn token EMAIL [--name NAME]`: a personal API token for a user, printed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from icn.accounts.models import User
from icn.accounts.services import token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user; the token is the last line of the output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="E-mail address of the user the token acts for.")
        parser.add_argument("--name", default="API token", help="What the token is for.")

    def handle(self, *args: Any, email: str, name: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the e-mail address {email!r}.")
        if not user.is_active:
            raise CommandError(f"The user {user.email} is not active; its token would not work.")
        token, raw = token_create(actor=user, name=name)
        self.stderr.write(
            f"Token {token.name!r} for {user.email}. It is shown once: keep it secret."
        )
        # Last line, alone, so scripts can read it with `tail -n 1`.
        self.stdout.write(raw)
