"""The consortium builder's page: a thin adapter over `icn.projects.consortia`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from icn.core.forms import apply_errors
from icn.core.htmx import is_htmx
from icn.matching.eligibility import describe
from icn.projects import consortia
from icn.projects.consortium_forms import ConsortiumForm
from icn.projects.rules import call_rules, kind_labels


@login_required
def consortium_builder(request: HttpRequest, slug: str) -> HttpResponse:
    """Propose consortia for a funding call: a read (GET), so a proposal can be linked to."""
    call = consortia.funding_call(viewer=request.user, slug=slug)
    if call is None:
        raise Http404
    bound = "lead" in request.GET
    form = ConsortiumForm(request.GET if bound else None, viewer=request.user, call=call)
    plan = None
    if bound and form.is_valid():
        try:
            plan = consortia.propose(viewer=request.user, call=call, **form.options())
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("lead", str(exc))
    context = {
        "call": call,
        "form": form,
        "plan": plan,
        "rules": describe(call_rules(call), kind_labels()),
        "can_lead": form.fields["lead"].queryset.exists(),  # type: ignore[attr-defined]
    }
    if is_htmx(request) and bound:
        return render(request, "projects/consortium_panel.html", context)
    return render(request, "projects/consortium_builder.html", context)


urlpatterns: list[URLPattern] = [
    path(
        "projects/calls/<slug:slug>/consortium/",
        consortium_builder,
        name="consortium_builder",
    ),
]
