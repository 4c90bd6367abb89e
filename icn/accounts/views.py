from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from icn.accounts import services
from icn.accounts.forms import InvitationAcceptForm, InvitationForm, TokenForm
from icn.accounts.models import ApiToken, Invitation, Membership
from icn.core.visibility import get_scope
from icn.directory.models import Cluster, Organisation


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": user.memberships.select_related("organisation"),  # type: ignore[union-attr]
            "managed_clusters": user.managed_clusters.all(),  # type: ignore[union-attr]
            "tokens": user.api_tokens.all(),  # type: ignore[union-attr]
            "token_form": TokenForm(),
            "new_token": request.session.pop("new_token", None),
        },
    )


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        _, raw = services.token_create(actor=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        # Shown once on the next page, then gone from the session.
        request.session["new_token"] = raw
        messages.success(request, "Token created. Copy it now: it will not be shown again.")
    else:
        messages.error(request, "Give the token a name.")
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("accounts:profile")


@login_required
def invitation_create(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    organisations = (
        Organisation.objects.all()
        if scope.is_secretariat
        else Organisation.objects.editable_by(request.user)
    )
    clusters = (
        Cluster.objects.all()
        if scope.is_secretariat
        else Cluster.objects.filter(pk__in=scope.managed_cluster_ids)
    )
    form = InvitationForm(
        request.POST or None,
        organisations=organisations.order_by("name"),
        clusters=clusters,
        initial={"organisation": request.GET.get("organisation")},
    )
    if request.method == "POST" and form.is_valid():
        invitation, _ = services.invitation_create(actor=request.user, **form.cleaned_data)
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect("accounts:invitation_create")
    return render(request, "accounts/invite.html", {"form": form})


@login_required
@require_POST
def membership_update(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=pk)
    organisation = membership.organisation
    if not Organisation.objects.visible_to(request.user).filter(pk=organisation.pk).exists():
        raise Http404
    try:
        services.membership_update(
            actor=request.user,
            membership=membership,
            role=request.POST.get("role") or None,
            remove=request.POST.get("action") == "remove",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Membership of {membership.user} updated.")
    return redirect(organisation)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.find(token)
    if invitation is None or not invitation.is_usable():
        return render(request, "accounts/invitation_invalid.html", status=410)
    form = InvitationAcceptForm(None, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                raw_token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to the network.")
            return redirect("core:home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )
