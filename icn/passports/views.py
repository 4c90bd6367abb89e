"""Passport pages: thin adapters over selectors (reads) and services (writes)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from icn.core.htmx import is_htmx
from icn.core.pages import form_page
from icn.core.pagination import paginate
from icn.core.visibility import get_scope
from icn.directory.exports import csv_chunks, escape_cell
from icn.directory.models import Person
from icn.passports import selectors, services
from icn.passports.forms import (
    BookingForm,
    DeskOfferForm,
    FollowUpForm,
    HostForm,
    IntroductionForm,
    PassportForm,
    ReportForm,
    StatisticsFilterForm,
    TransitionForm,
)
from icn.passports.models import (
    APPLICANT,
    HOME,
    HOST,
    HOSTING_STATES,
    STEPS,
    DeskBooking,
    DeskOffer,
    Passport,
    PassportStatus,
)

logger = logging.getLogger(__name__)
S = PassportStatus


def _message(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You may not do this."


def _form_errors(form: Any) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def _visible(request: HttpRequest, pk: int) -> Passport:
    passport = selectors.passport_for_viewer(viewer=request.user, pk=pk)
    if passport is None:
        raise Http404
    return passport


@login_required
def passport_list(request: HttpRequest) -> HttpResponse:
    boxes = selectors.boxes_for(request.user)
    box = request.GET.get("box", "") or selectors.default_box(request.user)
    if box not in dict(boxes):
        box = boxes[0][0] if boxes else "mine"
    status = request.GET.get("status", "")
    if status not in S.values:
        status = ""
    page = paginate(request, selectors.passport_list(viewer=request.user, box=box, status=status))
    organisations, clusters = services.may_apply_for(request.user)
    context = {
        "page": page,
        "box": box,
        "boxes": boxes,
        "status": status,
        "statuses": S.choices,
        "waiting": selectors.waiting_counts(viewer=request.user),
        "can_apply": bool(organisations or clusters),
        "hx_target": "#passports",
    }
    template = "passports/partials/table.html" if is_htmx(request) else "passports/list.html"
    return render(request, template, context)


@login_required
def passport_apply(request: HttpRequest) -> HttpResponse:
    organisations, clusters = services.may_apply_for(request.user)
    if not (organisations or clusters):
        raise PermissionDenied(
            "Passports are for the member organisations of the network's clusters."
        )
    form = PassportForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        save=lambda data: services.passport_create(actor=request.user, **data),
        success="Saved." if not request.POST.get("submit") else "Submitted to your cluster.",
        title="Apply for a passport",
        back=reverse("passports:list"),
        template="passports/form.html",
        data=PassportForm.service_fields,
    )


@login_required
def passport_edit(request: HttpRequest, pk: int) -> HttpResponse:
    passport = _visible(request, pk)
    if APPLICANT not in services.roles_of(request.user, passport):
        raise PermissionDenied("The application is edited by the applicant.")
    if not passport.is_editable():
        messages.error(request, "Only drafts and applications returned for changes are edited.")
        return redirect(passport)
    form = PassportForm(request.POST or None, instance=passport, user=request.user)
    return form_page(
        request,
        form,
        save=lambda data: services.passport_update(
            actor=request.user, passport=Passport.objects.get(pk=passport.pk), **data
        ),
        success="Saved." if not request.POST.get("submit") else "Submitted to your cluster.",
        title=f"Edit: {passport.title}",
        back=passport.get_absolute_url(),
        template="passports/form.html",
        data=PassportForm.service_fields,
    )


def _steps(viewer: Any, passport: Passport, roles: set[str]) -> list[tuple[str, str]]:
    """The steps the viewer may take now, as (state, button label)."""
    return [
        (to, STEPS[(passport.status, to)].label)
        for to in passport.next_steps()
        if to != S.REPORTED and roles & set(STEPS[(passport.status, to)].roles)
    ]


def _host_side(request: HttpRequest, passport: Passport, roles: set[str]) -> dict[str, Any]:
    """What the host cluster sees to prepare the visit: suggestions, desks, forms."""
    if HOST not in roles or passport.status not in (S.ENDORSED, *HOSTING_STATES):
        return {}
    shown: dict[str, Any] = {"offers": selectors.offers_for(passport)}
    try:
        shown["suggestions"] = selectors.local_suggestions(viewer=request.user, passport=passport)
        shown["key_contacts"] = selectors.key_contacts(viewer=request.user, passport=passport)
    except Exception:  # suggestions must never take the passport's own page down
        logger.exception("Local suggestions failed for passport %s.", passport.pk)
        shown["suggestions_failed"] = True
    if passport.status in HOSTING_STATES:
        shown["booking_form"] = BookingForm(passport=passport)
        shown["introduction_form"] = IntroductionForm(passport=passport, user=request.user)
    return shown


@login_required
def passport_detail(request: HttpRequest, pk: int) -> HttpResponse:
    passport = _visible(request, pk)
    roles = services.roles_of(request.user, passport)
    report = selectors.report_of(passport)
    follow_up = selectors.follow_up_of(passport)
    follow_up_open = (
        APPLICANT in roles
        and passport.status == S.REPORTED
        and follow_up is None
        and passport.follow_up_due_on is not None
        and passport.follow_up_due_on <= services.today()
    )
    returned = [e.note for e in passport.events.all() if e.to_status == S.RETURNED and e.is_change]
    context = {
        "passport": passport,
        "roles": roles,
        "returned_note": returned[-1] if returned else "",
        "steps": _steps(request.user, passport, roles),
        "transition_form": TransitionForm(passport=passport),
        "can_edit": APPLICANT in roles and passport.is_editable(),
        "can_report": APPLICANT in roles and passport.status == S.VISITED,
        "report": report,
        "follow_up": follow_up,
        "follow_up_open": follow_up_open,
        "host_form": HostForm(passport=passport)
        if get_scope(request.user).is_secretariat
        and passport.status in (S.SUBMITTED, S.RETURNED, S.ENDORSED)
        else None,
        "is_home": HOME in roles,
        "is_host": HOST in roles,
        "bookings": [b for b in passport.bookings.all() if b.cancelled_at is None],
        **_host_side(request, passport, roles),
    }
    return render(request, "passports/detail.html", context)


@login_required
@require_POST
def passport_transition(request: HttpRequest, pk: int) -> HttpResponse:
    passport = _visible(request, pk)
    form = TransitionForm(request.POST, passport=passport)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(passport)
    data = form.cleaned_data
    to = data["to"]
    try:
        services.passport_transition(
            actor=request.user,
            passport=passport,
            to=to,
            note=data["note"],
            host_contact=data["host_contact"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"{S(to).label}. The people concerned are told by e-mail.")
    return redirect(passport)


@login_required
@require_POST
def passport_host(request: HttpRequest, pk: int) -> HttpResponse:
    passport = _visible(request, pk)
    form = HostForm(request.POST, passport=passport)
    if not form.is_valid():
        messages.error(request, "Choose a host cluster.")
        return redirect(passport)
    try:
        services.passport_choose_host(
            actor=request.user,
            passport=passport,
            host_cluster=form.cleaned_data["host_cluster"],
            note=form.cleaned_data["note"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"{form.cleaned_data['host_cluster']} will host the visit.")
    return redirect(passport)


@login_required
@require_POST
def introduction_book(request: HttpRequest, pk: int) -> HttpResponse:
    passport = _visible(request, pk)
    form = IntroductionForm(request.POST, passport=passport, user=request.user)
    if not form.is_valid():
        messages.error(request, "Choose an organisation of the host cluster.")
        return redirect(passport)
    organisation = form.cleaned_data["organisation"]
    person = None
    if form.cleaned_data.get("person"):
        person = (
            Person.objects.visible_to(request.user)
            .filter(pk=form.cleaned_data["person"], organisation=organisation)
            .first()
        )
    try:
        introduction = services.introduction_book(
            actor=request.user,
            passport=passport,
            organisation=organisation,
            person=person,
            note=form.cleaned_data["note"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        done = f"Introduction to {organisation} booked; the e-mail goes to both sides."
        if introduction.match is not None:
            done += " It is followed as a match."
        messages.success(request, done)
    return redirect(passport)


@login_required
@require_POST
def desk_book(request: HttpRequest, pk: int) -> HttpResponse:
    passport = _visible(request, pk)
    form = BookingForm(request.POST, passport=passport)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(passport)
    try:
        services.desk_book(actor=request.user, passport=passport, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, "Desk booked; the visitor is told by e-mail.")
    return redirect(passport)


@login_required
@require_POST
def booking_cancel(request: HttpRequest, pk: int, booking: int) -> HttpResponse:
    passport = _visible(request, pk)
    found = DeskBooking.objects.filter(pk=booking, passport=passport).first()
    if found is None:
        raise Http404
    try:
        services.desk_booking_cancel(actor=request.user, booking=found)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, "Desk cancelled.")
    return redirect(passport)


@login_required
def passport_report(request: HttpRequest, pk: int) -> HttpResponse:
    passport = _visible(request, pk)
    if APPLICANT not in services.roles_of(request.user, passport):
        raise PermissionDenied("The closing report is written by the visitor.")
    if passport.status != S.VISITED:
        messages.error(request, services.refusal(passport, S.REPORTED))
        return redirect(passport)
    form = ReportForm(request.POST or None, passport=passport, user=request.user)
    return form_page(
        request,
        form,
        save=lambda data: services.passport_report(actor=request.user, passport=passport, **data),
        success="Thank you: the report is with both clusters.",
        title=f"Closing report: {passport.title}",
        back=passport.get_absolute_url(),
        template="passports/form.html",
        next_url=lambda report: passport.get_absolute_url(),
    )


@login_required
def passport_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    passport = _visible(request, pk)
    if APPLICANT not in services.roles_of(request.user, passport):
        raise PermissionDenied("The follow-up is given by the visitor.")
    form = FollowUpForm(request.POST or None, passport=passport, user=request.user)
    return form_page(
        request,
        form,
        save=lambda data: services.passport_follow_up(
            actor=request.user, passport=passport, **data
        ),
        success="Thank you for telling us what came of the visit.",
        title=f"Follow-up: {passport.title}",
        back=passport.get_absolute_url(),
        template="passports/form.html",
        next_url=lambda follow_up: passport.get_absolute_url(),
    )


# Desk offers --------------------------------------------------------------------------------


def _require_desk_manager(request: HttpRequest) -> Any:
    clusters = selectors.managed_clusters(viewer=request.user)
    if not clusters.exists():
        raise PermissionDenied("Desks are offered by the managers of a cluster.")
    return clusters


@login_required
def desk_offers(request: HttpRequest) -> HttpResponse:
    """The desks the viewer's clusters offer, with their bookings, and a form to add one."""
    clusters = _require_desk_manager(request)
    form = DeskOfferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.desk_offer_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            from icn.core.forms import apply_errors

            apply_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, "Desks offered.")
            return redirect("passports:desks")
    offers = DeskOffer.objects.filter(cluster__in=clusters, ends_on__gte=services.today())
    rows = [
        (offer, list(selectors.offer_bookings(offer)))
        for offer in offers.select_related("cluster").order_by("cluster__short_name", "starts_on")
    ]
    return render(
        request,
        "passports/desks.html",
        {"form": form, "rows": rows, "clusters": clusters},
    )


def _managed_offer(request: HttpRequest, pk: int) -> DeskOffer:
    offer = (
        DeskOffer.objects.filter(pk=pk, cluster__in=selectors.managed_clusters(viewer=request.user))
        .select_related("cluster")
        .first()
    )
    if offer is None:
        raise Http404
    return offer


@login_required
def desk_offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _managed_offer(request, pk)
    form = DeskOfferForm(request.POST or None, instance=offer, user=request.user)

    def save(data: dict[str, Any]) -> DeskOffer:
        data.pop("cluster", None)
        return services.desk_offer_update(
            actor=request.user, offer=DeskOffer.objects.get(pk=offer.pk), **data
        )

    return form_page(
        request,
        form,
        save=save,
        success="Saved.",
        title=f"Desks at {offer.cluster}",
        back=reverse("passports:desks"),
        next_url=lambda saved: reverse("passports:desks"),
    )


@login_required
@require_POST
def desk_offer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _managed_offer(request, pk)
    try:
        services.desk_offer_delete(actor=request.user, offer=offer)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, "Offer removed.")
    return redirect("passports:desks")


# Statistics ---------------------------------------------------------------------------------


def _statistics(request: HttpRequest) -> tuple[StatisticsFilterForm, selectors.PassportStatistics]:
    if not get_scope(request.user).is_secretariat:
        raise PermissionDenied("Passport statistics are for the secretariat.")
    clusters = selectors.statistics_clusters()
    years = selectors.statistics_years()
    form = StatisticsFilterForm(request.GET or None, clusters=clusters, years=years)
    side, cluster, year = "host", None, None
    if form.is_valid():
        side = form.cleaned_data.get("side") or "host"
        slug = form.cleaned_data.get("cluster")
        cluster = clusters.filter(slug=slug).first() if slug else None
        year = form.cleaned_data.get("year")
    return form, selectors.passport_statistics(side=side, year=year, cluster=cluster)


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    form, stats = _statistics(request)
    return render(
        request,
        "passports/statistics.html",
        {"form": form, "stats": stats, "query": request.GET.urlencode()},
    )


@login_required
def statistics_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The statistics page's table as CSV, with the same filters."""
    _, stats = _statistics(request)
    header = [
        "year",
        f"{stats.side}_cluster",
        *[column for column in selectors.STAT_COLUMNS if column not in ("year", "cluster")],
    ]

    def rows() -> Any:
        yield header
        for row in stats.rows:
            values = row.as_dict()
            values["cluster"] = row.cluster_name
            yield [
                escape_cell("" if values[c] is None else values[c]) for c in selectors.STAT_COLUMNS
            ]

    response = StreamingHttpResponse(csv_chunks(rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="passport-statistics.csv"'
    return response
