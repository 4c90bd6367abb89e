"""Member import (upload, preview, confirm) and export of the organisations a viewer sees."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from icn.core.forms import StyledFormMixin
from icn.directory import exports, imports, selectors
from icn.directory.forms import OrganisationFilterForm
from icn.directory.models import Cluster

SESSION_KEY = "directory_member_import"
# Room for the multipart envelope and the other fields around the file itself.
MULTIPART_ALLOWANCE = 1024 * 1024
ACCEPTED_TYPES = (
    ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)


class MemberImportForm(StyledFormMixin, forms.Form):
    """The cluster to import into and the file of its member organisations."""

    # The cluster comes first: a browser sends fields in this order, so the choice survives
    # an upload that is cut off for being too large.
    cluster = forms.ModelChoiceField(
        queryset=Cluster.objects.none(), label="Import into cluster", empty_label="Choose a cluster"
    )
    file = forms.FileField(
        label="Member list",
        error_messages={"required": "Choose a CSV or XLSX file."},
        widget=forms.FileInput(attrs={"accept": ACCEPTED_TYPES}),
    )

    def __init__(self, *args: Any, clusters: QuerySet[Cluster], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["cluster"]
        field.queryset = clusters
        if len(clusters) == 1:
            field.empty_label = None
            field.initial = clusters[0]
        self.fields["file"].help_text = (
            f"CSV (UTF-8) or XLSX with a header row; at most "
            f"{imports.megabytes(settings.ICN_IMPORT_MAX_BYTES)} and "
            f"{settings.ICN_IMPORT_MAX_ROWS:,} rows. Nothing is written before you confirm."
        )

    def refuse_file(self, message: str) -> None:
        """Show why an upload was refused next to the file field, on a bound or unbound form."""
        self.errors["file"] = self.error_class([message], renderer=self.renderer)
        widget = self.fields["file"].widget
        if "is-invalid" not in widget.attrs.get("class", ""):
            widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
        widget.attrs["aria-invalid"] = "true"


class _UploadLimit(FileUploadHandler):
    """Stops taking in an upload as soon as it passes the import's size limit."""

    def __init__(self, request: HttpRequest, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# Import ----------------------------------------------------------------------------------


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def organisation_import(request: HttpRequest) -> HttpResponse:
    # Exempt from the CSRF middleware only so the size limit is in place before the body is
    # read (Django's documented way to change upload handlers); `_import` checks CSRF itself.
    clusters = imports.importable_clusters(request.user)
    if not clusters.exists():
        raise PermissionDenied("Members are imported by cluster managers and the secretariat.")
    limit: _UploadLimit | None = None
    if request.method == "POST":
        if _declared_length(request) > settings.ICN_IMPORT_MAX_BYTES + MULTIPART_ALLOWANCE:
            # Refused without reading the body; nothing is written, so no CSRF check is needed.
            form = MemberImportForm(clusters=clusters)
            form.refuse_file(imports.too_large_message())
            return _upload_page(request, form, status=413)
        limit = _UploadLimit(request, settings.ICN_IMPORT_MAX_BYTES)
        request.upload_handlers = [limit, *request.upload_handlers]
    return _import(request, clusters, limit)


@csrf_protect
def _import(
    request: HttpRequest, clusters: QuerySet[Cluster], limit: _UploadLimit | None
) -> HttpResponse:
    if request.method == "GET":
        if request.GET.get("template"):
            return _template_csv()
        token = request.GET.get("preview")
        if token:
            return _preview(request, clusters, token)
        return _upload_page(request, MemberImportForm(clusters=clusters))
    action = request.POST.get("action", "upload")
    if action == "confirm":
        return _confirm(request, clusters)
    if action == "cancel":
        _forget_pending(request)
        messages.info(request, "Import cancelled; nothing was written.")
        return redirect("directory:organisation_import")
    return _upload(request, clusters, limit)


def _upload_page(request: HttpRequest, form: MemberImportForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "directory/import_upload.html",
        {
            "form": form,
            "columns": imports.column_guide(),
            "example": imports.example_rows(),
            "header_line": ",".join(imports.COLUMNS),
        },
        status=status,
    )


def _upload(
    request: HttpRequest, clusters: QuerySet[Cluster], limit: _UploadLimit | None
) -> HttpResponse:
    form = MemberImportForm(request.POST, request.FILES, clusters=clusters)
    if limit is not None and limit.exceeded:
        form.is_valid()  # the other fields' errors, if any, show too
        form.refuse_file(imports.too_large_message())
        return _upload_page(request, form, status=413)
    if not form.is_valid():
        return _upload_page(request, form)
    uploaded = form.cleaned_data["file"]
    try:
        data = imports.read_upload(uploaded)
        plan = imports.read_plan(data)
    except imports.ImportFileError as exc:
        form.refuse_file(exc.message)
        return _upload_page(request, form)
    _forget_pending(request)
    token = imports.store_upload(data, plan.format)
    request.session[SESSION_KEY] = {
        "token": token,
        "format": plan.format,
        "cluster": form.cleaned_data["cluster"].pk,
        "filename": (uploaded.name or "")[:200],
    }
    return redirect(f"{reverse('directory:organisation_import')}?preview={token}")


def _pending(request: HttpRequest, token: str) -> dict[str, Any] | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or not token or pending.get("token") != token:
        return None
    return pending


def _forget_pending(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if isinstance(pending, dict):
        imports.discard_upload(str(pending.get("token", "")), str(pending.get("format", "")))


def _expired(request: HttpRequest) -> HttpResponse:
    messages.warning(request, "This import is no longer available; upload the file again.")
    return redirect("directory:organisation_import")


def _pending_cluster(clusters: QuerySet[Cluster], pending: dict[str, Any]) -> Cluster:
    cluster = clusters.filter(pk=int(pending.get("cluster") or 0)).first()
    if cluster is None:
        raise PermissionDenied("You may no longer import into this cluster.")
    return cluster


def _preview_page(
    request: HttpRequest,
    *,
    plan: imports.ImportPlan,
    pending: dict[str, Any],
    cluster: Cluster,
    refusal: str = "",
) -> HttpResponse:
    return render(
        request,
        "directory/import_preview.html",
        {
            "plan": plan,
            "rows": plan.row_table(),
            "cluster": cluster,
            "token": pending["token"],
            "filename": pending.get("filename", ""),
            "refusal": refusal,
        },
    )


def _file_gone(request: HttpRequest, exc: imports.ImportFileError) -> HttpResponse:
    _forget_pending(request)
    messages.error(request, exc.message)
    return redirect("directory:organisation_import")


def _preview(request: HttpRequest, clusters: QuerySet[Cluster], token: str) -> HttpResponse:
    pending = _pending(request, token)
    if pending is None:
        return _expired(request)
    cluster = _pending_cluster(clusters, pending)
    try:
        plan = imports.read_plan(imports.load_upload(token, pending["format"]))
    except imports.ImportFileError as exc:
        return _file_gone(request, exc)
    return _preview_page(request, plan=plan, pending=pending, cluster=cluster)


def _confirm(request: HttpRequest, clusters: QuerySet[Cluster]) -> HttpResponse:
    token = request.POST.get("import", "")
    pending = _pending(request, token)
    if pending is None:
        return _expired(request)
    cluster = _pending_cluster(clusters, pending)
    try:
        expected: int | None = int(request.POST.get("expected", ""))
    except ValueError:
        expected = None
    try:
        data = imports.load_upload(token, pending["format"])
        result = imports.import_members(
            actor=request.user, cluster=cluster, data=data, expected_new=expected
        )
    except imports.ImportFileError as exc:
        return _file_gone(request, exc)
    except imports.ImportRefused as exc:
        return _preview_page(
            request, plan=exc.plan, pending=pending, cluster=cluster, refusal=exc.message
        )
    except ValidationError as exc:  # a row the checks let through, refused when written
        refusal = "Nothing was imported: " + " ".join(exc.messages)
        plan = imports.read_plan(data)
        return _preview_page(request, plan=plan, pending=pending, cluster=cluster, refusal=refusal)
    _forget_pending(request)
    messages.success(request, result.summary())
    return redirect(reverse("directory:cluster_detail", args=[cluster.slug]))


def _template_csv() -> HttpResponse:
    response = HttpResponse(
        "\ufeff" + ",".join(imports.COLUMNS) + "\r\n", content_type=exports.FORMATS["csv"]
    )
    response["Content-Disposition"] = 'attachment; filename="icn-member-import-template.csv"'
    return response


# Export ----------------------------------------------------------------------------------


@require_safe
def organisation_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    content_type = exports.FORMATS.get(fmt)
    if content_type is None:
        raise Http404("Organisations are exported as csv or xlsx.")
    filters = OrganisationFilterForm(request.GET or None).to_filter()
    organisations = selectors.organisation_list(viewer=request.user, filters=filters)
    rows = exports.export_rows(organisations)
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_chunks(rows), content_type=content_type)
    else:
        response = HttpResponse(exports.xlsx_bytes(rows), content_type=content_type)
    filename = f"icn-organisations-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # What is in the file depends on who asked: no shared cache may keep it.
    patch_cache_control(response, private=True, no_store=True)
    return response
