"""`icn personal_data export|erase EMAIL`: a person's data on request, from the command line."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from icn.accounts.models import User
from icn.audit import privacy


class Command(BaseCommand):
    help = (
        "Export everything held about a person (JSON), or erase them: logins, memberships and "
        "directory entries deleted; contributions and the audit trail kept without their name."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")
        parser.add_argument("--output", help="Write the export to this file (default: stdout).")
        parser.add_argument(
            "--by", help="The secretariat member's e-mail who carries the erasure out."
        )
        parser.add_argument("--yes", action="store_true", help="Erase without asking.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError(f"No account has the address {options['email']}.")
        if options["action"] == "export":
            text = json.dumps(privacy.personal_data(user), indent=2, ensure_ascii=False)
            if options["output"]:
                with open(options["output"], "w", encoding="utf-8") as handle:
                    handle.write(text)
                self.stdout.write(f"Wrote {options['output']}.")
            else:
                self.stdout.write(text)
            return
        actor = User.objects.filter(email__iexact=options["by"] or "", is_secretariat=True).first()
        if actor is None:
            raise CommandError("Name the secretariat member who erases with --by EMAIL.")
        if not options["yes"]:
            raise CommandError(f"Erasing {user.email} cannot be undone: add --yes to go on.")
        report = privacy.person_erase(actor=actor, user=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased {report.email}. Deleted: {report.deleted or 'nothing'}; "
                f"anonymised: {report.anonymised}."
            )
        )
