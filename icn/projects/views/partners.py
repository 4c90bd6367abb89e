"""The consortium on the pages: partners, their answers and budgets, invitations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from icn.core.visibility import get_scope
from icn.directory.models import Organisation
from icn.projects import selectors, services
from icn.projects.forms import (
    AcceptForOrganisationForm,
    AcceptWithAccountForm,
    BudgetForm,
    InvitationForm,
    MemberAddForm,
    MemberForm,
)
from icn.projects.models import ConsortiumMember, PartnerInvitation, ProjectApplication
from icn.projects.views.common import act, form_errors, message_of, visible_application


def _member(application: ProjectApplication, member_pk: int) -> ConsortiumMember:
    return get_object_or_404(
        ConsortiumMember.objects.select_related("application__call", "organisation"),
        pk=member_pk,
        application=application,
    )


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    form = MemberAddForm(request.POST, organisations=selectors.partner_choices(viewer=request.user))
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(application)
    data = form.cleaned_data
    # A partner of the network may be added without an address: its people answer on the page.
    invite = bool(data["invite"] and data["email"])
    done = (
        f"Invitation sent to {data['email']}."
        if invite
        else "Partner added. Invite it when you are ready."
    )
    return act(
        request,
        application,
        lambda: services.member_add(
            actor=request.user,
            application=application,
            organisation=data["organisation"],
            name=data["name"],
            kind=data["kind"],
            country=data["country"],
            email=data["email"],
            role=data["role"],
            invite=invite,
        ),
        done,
    )


@login_required
@require_POST
def member_update(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    member = _member(application, member_pk)
    if request.POST.get("action") == "remove":
        return act(
            request,
            application,
            lambda: services.member_remove(actor=request.user, member=member),
            f"{member.name} left the consortium.",
        )
    form = MemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(application)
    return act(
        request,
        application,
        lambda: services.member_update(actor=request.user, member=member, **form.cleaned_data),
        f"{member.name} updated.",
    )


@login_required
@require_POST
def member_respond(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    member = _member(application, member_pk)
    accept = request.POST.get("answer") == "accept"
    return act(
        request,
        application,
        lambda: services.member_respond(actor=request.user, member=member, accept=accept),
        f"{member.name} takes part." if accept else f"{member.name} declined.",
    )


@login_required
@require_POST
def budget_set(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    member = _member(application, member_pk)
    form = BudgetForm(request.POST, prefix=f"m{member.pk}")
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(application)
    return act(
        request,
        application,
        lambda: services.budget_set(actor=request.user, member=member, **form.cleaned_data),
        f"Budget of {member.name} saved.",
    )


@login_required
@require_POST
def invitation_send(request: HttpRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    form = InvitationForm(request.POST, members=application.members.exclude(is_coordinator=True))
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(application)
    data = form.cleaned_data
    return act(
        request,
        application,
        lambda: services.invitation_send(
            actor=request.user, member=data["member"], email=data["email"], message=data["message"]
        ),
        f"Invitation sent to {data['email']}.",
    )


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation: accept (linking the partner to the user's organisation, or
    creating an account) or decline."""
    invitation = PartnerInvitation.find(token)
    if invitation is None or not invitation.is_usable():
        return render(request, "projects/invitation_invalid.html", status=410)
    member = invitation.member
    application = member.application
    user = request.user
    scope = get_scope(user)
    own = Organisation.objects.filter(pk__in=scope.organisation_ids).order_by("name")
    choose = (
        AcceptForOrganisationForm(request.POST or None, organisations=own)
        if user.is_authenticated and member.organisation_id is None and own.count() > 1
        else None
    )
    account = None if user.is_authenticated else AcceptWithAccountForm(None, request.POST or None)
    if request.method == "POST":
        if request.POST.get("answer") == "decline":
            try:
                services.invitation_decline(raw_token=token, actor=user)
            except ValidationError as exc:
                messages.error(request, message_of(exc))
                return redirect(request.path)
            messages.info(request, f"You declined to join {application.name}. Thank you.")
            return redirect("core:home")
        forms_valid = (choose is None or choose.is_valid()) and (
            account is None or account.is_valid()
        )
        if forms_valid:
            try:
                accepted = services.invitation_accept(
                    actor=user,
                    raw_token=token,
                    organisation=choose.cleaned_data["organisation"] if choose else None,
                    full_name=account.cleaned_data["full_name"] if account else "",
                    password=account.cleaned_data["new_password1"] if account else "",
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, message_of(exc))
            else:
                if not user.is_authenticated and accepted.user is not None:
                    login(
                        request, accepted.user, backend="django.contrib.auth.backends.ModelBackend"
                    )
                messages.success(request, f"Welcome to the consortium of {application.name}.")
                return redirect(application)
    return render(
        request,
        "projects/invitation_accept.html",
        {
            "invitation": invitation,
            "member": member,
            "application": application,
            "choose_form": choose,
            "account_form": account,
            "own": own,
            "login_url": reverse("accounts:login") + f"?next={request.path}",
        },
    )
