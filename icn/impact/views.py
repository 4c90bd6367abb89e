"""Impact pages: the dashboards, their exports and the yearly activity report.

Thin adapters: `selectors` decides what the viewer may see and computes it, `charts` draws it,
`exports` and `report` write it out.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from icn.core.htmx import is_htmx
from icn.impact import exports, selectors
from icn.impact.forms import PeriodForm, ReportForm
from icn.impact.selectors import Dashboard, PeriodChoice
from icn.impact.table import Indicator


def _page(
    request: HttpRequest, form: PeriodForm, dashboard: Dashboard, **extra: Any
) -> HttpResponse:
    query = urlencode(dashboard.choice.as_query())
    subject = {}
    if dashboard.kind == "cluster":
        subject = {"cluster": dashboard.subject.slug}
    elif dashboard.kind == "organisation":
        subject = {"organisation": dashboard.subject.slug}
    export_query = urlencode({**dashboard.choice.as_query(), **subject})
    # matplotlib loads here, on the first dashboard, not when the site's URLs load: a web
    # process answers its other pages without waiting for it.
    from icn.impact import charts

    context = {
        "form": form,
        "dashboard": charts.draw(dashboard),
        "query": query,
        "export_query": export_query,
        "report_years": list(range(selectors.this_year(), selectors.this_year() - 10, -1)),
        **extra,
    }
    template = "impact/partials/body.html" if is_htmx(request) else "impact/dashboard.html"
    return render(request, template, context)


def _period_form(request: HttpRequest) -> PeriodForm:
    return PeriodForm(request.GET or None)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The secretariat's dashboard of the whole network; others go to their own."""
    landing = selectors.landing_for(viewer=request.user)
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    if landing.kind == "cluster":
        return redirect(reverse("impact:cluster", args=[landing.slug]) + query)
    if landing.kind == "organisation":
        return redirect(reverse("impact:organisation", args=[landing.slug]) + query)
    form = _period_form(request)
    dashboard = selectors.network_dashboard(viewer=request.user, choice=form.choice())
    return _page(request, form, dashboard)


@login_required
def cluster(request: HttpRequest, slug: str) -> HttpResponse:
    """One cluster against the network's median and quartiles."""
    found = selectors.cluster_for_viewer(viewer=request.user, slug=slug)
    form = _period_form(request)
    dashboard = selectors.cluster_dashboard(
        viewer=request.user, cluster=found, choice=form.choice()
    )
    access = selectors.access_for(request.user)
    return _page(
        request,
        form,
        dashboard,
        switch=list(selectors.clusters_for(viewer=request.user)),
        network_link=access.whole_network,
    )


@login_required
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    """One member organisation's own matches, passports, events and projects."""
    found = selectors.organisation_for_viewer(viewer=request.user, slug=slug)
    form = _period_form(request)
    dashboard = selectors.organisation_dashboard(
        viewer=request.user, organisation=found, choice=form.choice()
    )
    return _page(
        request,
        form,
        dashboard,
        switch=list(selectors.organisations_for(viewer=request.user)),
        network_link=selectors.access_for(request.user).whole_network,
    )


class _BadPeriods(Exception):
    pass


def _export(request: HttpRequest) -> tuple[list[selectors.Row], list[Indicator], str, PeriodChoice]:
    """The rows the viewer asked for, with the same period parameters as the dashboards."""
    form = _period_form(request)
    if form.is_bound and not form.is_valid():
        raise _BadPeriods(" ".join(str(m) for ms in form.errors.values() for m in ms))
    choice = form.choice()
    cluster = organisation = None
    if request.GET.get("cluster"):
        cluster = selectors.cluster_for_viewer(viewer=request.user, slug=request.GET["cluster"])
    if request.GET.get("organisation"):
        organisation = selectors.organisation_for_viewer(
            viewer=request.user, slug=request.GET["organisation"]
        )
    rows, indicators, subject = selectors.viewer_rows(
        viewer=request.user, choice=choice, cluster=cluster, organisation=organisation
    )
    return rows, indicators, subject, choice


def _bad_request(exc: _BadPeriods) -> HttpResponse:
    return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")


@login_required
def export_csv(request: HttpRequest) -> HttpResponseBase:
    try:
        rows, _, subject, choice = _export(request)
    except _BadPeriods as exc:
        return _bad_request(exc)
    response = StreamingHttpResponse(exports.csv_rows(rows), content_type=exports.FORMATS["csv"])
    filename = exports.export_filename(choice, subject, "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        rows, indicators, subject, choice = _export(request)
    except _BadPeriods as exc:
        return _bad_request(exc)
    response = HttpResponse(
        exports.xlsx_bytes(rows, indicators), content_type=exports.FORMATS["xlsx"]
    )
    filename = exports.export_filename(choice, subject, "xlsx")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def yearly_report(request: HttpRequest) -> HttpResponse:
    """The yearly activity report as a Word document: the network, or one cluster."""
    form = ReportForm(request.GET)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, f"Yearly report: {message}")
        return redirect("impact:home")
    slug = form.cleaned_data.get("cluster")
    found = selectors.cluster_for_viewer(viewer=request.user, slug=slug) if slug else None
    from icn.impact import report

    body = report.yearly_report(viewer=request.user, year=form.cleaned_data["year"], cluster=found)
    response = HttpResponse(body, content_type=report.CONTENT_TYPE)
    filename = report.report_filename(form.cleaned_data["year"], found)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
