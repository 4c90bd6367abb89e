"""The secretariat's audit pages: the log of every write, and a person's data on request."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from icn.accounts.models import User
from icn.audit import privacy
from icn.audit.forms import AuditSearchForm, ErasureForm, PersonLookupForm
from icn.audit.selectors import audit_entries, changes_of, may_read_audit
from icn.core.pagination import paginate


def _require_secretariat(request: HttpRequest) -> None:
    if not may_read_audit(request.user):
        raise PermissionDenied


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    _require_secretariat(request)
    form = AuditSearchForm(request.GET or None)
    page = paginate(request, audit_entries(viewer=request.user, filters=form.to_filter()))
    rows = [(entry, changes_of(entry)) for entry in page]
    return render(request, "audit/list.html", {"form": form, "page": page, "rows": rows})


def _json_download(data: dict[str, Any], name: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _export_name(user: User) -> str:
    return f"personal-data-{user.pk}-{timezone.localdate():%Y%m%d}.json"


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Everyone downloads what the platform holds about them."""
    user: Any = request.user
    return _json_download(privacy.personal_data(user), _export_name(user))


@login_required
def person(request: HttpRequest) -> HttpResponse:
    """Find a person by address; see what is held; download it or erase it."""
    _require_secretariat(request)
    lookup = PersonLookupForm(request.GET or None)
    found = None
    if lookup.is_bound and lookup.is_valid():
        found = User.objects.filter(email__iexact=lookup.cleaned_data["email"]).first()
        if found is None:
            lookup.add_error("email", "No account has this address.")
    if found is not None and request.GET.get("download"):
        return _json_download(privacy.personal_data(found), _export_name(found))
    summary = None
    if found is not None:
        data = privacy.personal_data(found)
        summary = {
            "records": {label: len(rows) for label, rows in data["records"].items()},
            "directory_entries": len(data["directory_entries"]),
            "audit_log": len(data["audit_log"]),
        }
    context = {
        "lookup": lookup,
        "found": found,
        "summary": summary,
        "erasure_form": ErasureForm(initial={"email": found.email}) if found else None,
    }
    return render(request, "audit/person.html", context)


@login_required
def person_erase(request: HttpRequest) -> HttpResponse:
    _require_secretariat(request)
    if request.method != "POST":
        return redirect("audit:person")
    form = ErasureForm(request.POST)
    back = reverse("audit:person") + f"?email={request.POST.get('email', '')}"
    if not form.is_valid():
        messages.error(request, "Erasure not done: the address typed again does not match.")
        return redirect(back)
    user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
    if user is None:
        messages.error(request, "No account has this address.")
        return redirect("audit:person")
    try:
        report = privacy.person_erase(actor=request.user, user=user)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(back)
    deleted = sum(report.deleted.values())
    messages.success(
        request,
        f"Erased {report.email}: {deleted} record(s) deleted, the account and "
        f"{report.anonymised.get('auditlog.LogEntry', 0)} audit entries no longer name them.",
    )
    return redirect("audit:person")
