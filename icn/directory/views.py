"""Directory pages: thin adapters over selectors (reads) and services (writes)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from icn.core.forms import apply_errors
from icn.core.htmx import is_htmx
from icn.core.pages import form_page
from icn.core.pagination import paginate
from icn.core.visibility import can_change, get_scope
from icn.directory import selectors, services
from icn.directory.filters import PersonFilter
from icn.directory.forms import (
    ApplicationDecisionForm,
    ClusterApplicationForm,
    ClusterForm,
    OrganisationFilterForm,
    OrganisationForm,
    PartnershipForm,
    PersonForm,
)
from icn.directory.models import Cluster, Organisation, Partnership, Person
from icn.directory.sectors import nace_description

# Clusters -------------------------------------------------------------------------------


def cluster_list(request: HttpRequest) -> HttpResponse:
    clusters = list(selectors.clusters_with_member_counts(viewer=request.user))
    return render(
        request,
        "directory/cluster_list.html",
        {"clusters": clusters, "map": selectors.cluster_map(clusters=clusters)},
    )


def _visible_cluster(request: HttpRequest, slug: str) -> Cluster:
    return get_object_or_404(selectors.cluster_list(viewer=request.user), slug=slug)


def cluster_detail(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = _visible_cluster(request, slug)
    context = selectors.cluster_profile(viewer=request.user, cluster=cluster)
    scope = get_scope(request.user)
    context["can_manage"] = scope.is_secretariat or cluster.pk in scope.managed_cluster_ids
    return render(request, "directory/cluster_detail.html", context)


@login_required
def cluster_edit(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = _visible_cluster(request, slug)
    scope = get_scope(request.user)
    if not (scope.is_secretariat or cluster.pk in scope.managed_cluster_ids):
        raise PermissionDenied

    def save(data: dict[str, Any]) -> Cluster:
        return services.cluster_update(
            actor=request.user,
            cluster=Cluster.objects.get(pk=cluster.pk),
            focus_topics=data.pop("focus_topics"),
            **data,
        )

    return form_page(
        request,
        ClusterForm(request.POST or None, instance=cluster),
        save=save,
        success="Cluster saved.",
        title=f"Edit {cluster}",
        back=cluster.get_absolute_url(),
    )


def cluster_apply(request: HttpRequest) -> HttpResponse:
    form = ClusterApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cluster_application_submit(submitted_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(request, "directory/cluster_apply_done.html")
    return render(request, "directory/cluster_apply.html", {"form": form})


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    if not get_scope(request.user).is_secretariat:
        raise PermissionDenied
    page = paginate(request, selectors.application_list(viewer=request.user))
    return render(request, "directory/application_list.html", {"page": page})


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(selectors.application_list(viewer=request.user), pk=pk)
    form = ApplicationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cluster_application_decide(
                actor=request.user,
                application=application,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                board_decision_on=form.cleaned_data["board_decision_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("directory:application_detail", pk=pk)
    return render(
        request, "directory/application_detail.html", {"application": application, "form": form}
    )


# Organisations --------------------------------------------------------------------------


def organisation_list(request: HttpRequest) -> HttpResponse:
    filter_form = OrganisationFilterForm(request.GET or None)
    organisations = selectors.organisation_list(
        viewer=request.user, filters=filter_form.to_filter()
    )
    page = paginate(request, organisations)
    context = {
        "page": page,
        "filter_form": filter_form,
        "hx_target": "#results",
        "can_import": bool(get_scope(request.user).managed_cluster_ids)
        or get_scope(request.user).is_secretariat,
    }
    template = (
        "directory/partials/organisation_results.html"
        if is_htmx(request)
        else "directory/organisation_list.html"
    )
    return render(request, template, context)


def _visible_organisation(request: HttpRequest, slug: str) -> Organisation:
    return get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _visible_organisation(request, slug)
    people = selectors.organisation_detail_people(viewer=request.user, organisation=organisation)
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "organisation": organisation,
            "people": people,
            "sectors": [(code, nace_description(code)) for code in organisation.nace_codes],
            "can_change": can_change(request.user, organisation),
            "memberships": organisation.memberships.select_related("user").order_by("user__email"),
        },
    )


def _cluster_choices(request: HttpRequest) -> Any:
    scope = get_scope(request.user)
    if scope.is_secretariat:
        return Cluster.objects.all()
    return Cluster.objects.filter(pk__in=scope.managed_cluster_ids)


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    clusters = _cluster_choices(request)
    if not clusters.exists():
        raise PermissionDenied("Organisations are added by cluster managers and the secretariat.")
    return form_page(
        request,
        OrganisationForm(request.POST or None, clusters=clusters),
        save=lambda data: services.organisation_create(actor=request.user, **data),
        success="Organisation added.",
        title="New organisation",
        back=reverse("directory:organisation_list"),
    )


@login_required
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _visible_organisation(request, slug)
    if not can_change(request.user, organisation):
        raise PermissionDenied
    # Clusters already listed stay choosable; new ones only among those the user manages.
    clusters = (_cluster_choices(request) | organisation.clusters.all()).distinct()
    return form_page(
        request,
        OrganisationForm(request.POST or None, instance=organisation, clusters=clusters),
        save=lambda data: services.organisation_update(
            actor=request.user, organisation=Organisation.objects.get(pk=organisation.pk), **data
        ),
        success="Organisation saved.",
        title=f"Edit {organisation}",
        back=organisation.get_absolute_url(),
    )


@login_required
@require_POST
def organisation_delete(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _visible_organisation(request, slug)
    try:
        services.organisation_delete(actor=request.user, organisation=organisation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(organisation)
    messages.success(request, f"{organisation} deleted.")
    return redirect("directory:organisation_list")


# People ---------------------------------------------------------------------------------


def person_list(request: HttpRequest) -> HttpResponse:
    try:
        filters = PersonFilter.model_validate(request.GET.dict())
    except Exception:  # a malformed query string shows everything rather than an error page
        filters = PersonFilter()
    page = paginate(request, selectors.person_list(viewer=request.user, filters=filters))
    context = {"page": page, "filters": filters, "hx_target": "#results"}
    template = (
        "directory/partials/person_results.html"
        if is_htmx(request)
        else "directory/person_list.html"
    )
    return render(request, template, context)


def _visible_person(request: HttpRequest, pk: int) -> Person:
    person = get_object_or_404(
        selectors.person_list(viewer=request.user).select_related("organisation"), pk=pk
    )
    return person


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _visible_person(request, pk)
    return render(
        request,
        "directory/person_detail.html",
        {
            "person": person,
            "can_change": can_change(request.user, person) or person.user_id == request.user.pk,
        },
    )


def _key_contact_clusters(request: HttpRequest, organisation: Organisation) -> Any:
    scope = get_scope(request.user)
    if scope.is_secretariat:
        return organisation.clusters.all()
    managed = organisation.clusters.filter(pk__in=scope.managed_cluster_ids)
    return managed if managed.exists() else None


@login_required
def person_create(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _visible_organisation(request, slug)
    if not can_change(request.user, organisation):
        raise PermissionDenied
    return form_page(
        request,
        PersonForm(
            request.POST or None,
            key_contact_clusters=_key_contact_clusters(request, organisation),
        ),
        save=lambda data: services.person_create(
            actor=request.user, organisation=organisation, **data
        ),
        success="Person added.",
        title=f"New person at {organisation}",
        back=organisation.get_absolute_url(),
        next_url=lambda person: organisation.get_absolute_url(),
    )


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _visible_person(request, pk)
    if not (can_change(request.user, person) or person.user_id == request.user.pk):
        raise PermissionDenied
    return form_page(
        request,
        PersonForm(
            request.POST or None,
            instance=person,
            key_contact_clusters=_key_contact_clusters(request, person.organisation),
        ),
        save=lambda data: services.person_update(
            actor=request.user, person=Person.objects.get(pk=person.pk), **data
        ),
        success="Saved.",
        title=f"Edit {person}",
        back=person.get_absolute_url(),
    )


@login_required
@require_POST
def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = _visible_person(request, pk)
    organisation = person.organisation
    services.person_delete(actor=request.user, person=person)
    messages.success(request, f"{person} removed.")
    return redirect(organisation)


# Partnerships and topics ----------------------------------------------------------------


def partnership_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.partnership_list(viewer=request.user))
    editable = set(Partnership.objects.editable_by(request.user).values_list("pk", flat=True))
    return render(
        request,
        "directory/partnership_list.html",
        {
            "page": page,
            "editable": editable,
            "can_create": get_scope(request.user).is_secretariat,
        },
    )


@login_required
def partnership_create(request: HttpRequest) -> HttpResponse:
    if not get_scope(request.user).is_secretariat:
        raise PermissionDenied
    return form_page(
        request,
        PartnershipForm(request.POST or None),
        save=lambda data: services.partnership_create(actor=request.user, **data),
        success="Partnership added.",
        title="New partnership",
        back=reverse("directory:partnership_list"),
        next_url=lambda partnership: reverse("directory:partnership_list"),
    )


@login_required
def partnership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = get_object_or_404(selectors.partnership_list(viewer=request.user), pk=pk)
    if not can_change(request.user, partnership):
        raise PermissionDenied
    return form_page(
        request,
        PartnershipForm(request.POST or None, instance=partnership),
        save=lambda data: services.partnership_update(
            actor=request.user, partnership=Partnership.objects.get(pk=pk), **data
        ),
        success="Partnership saved.",
        title=f"Edit {partnership}",
        back=reverse("directory:partnership_list"),
        next_url=lambda partnership: reverse("directory:partnership_list"),
    )


def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/topic_list.html", {"tree": selectors.topic_tree()})
