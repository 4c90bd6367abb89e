"""The REST API at /api/v1/: authentication, error shapes and the routers of every app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Annotated, Any, TypeVar, get_type_hints

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Path, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from icn.accounts.models import ApiToken
from icn.audit.context import audit_actor

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class BearerOrSession(AuthBase):
    """A personal token in `Authorization: Bearer`, else the session, else anonymous.

    Anonymous callers are let through as `AnonymousUser`: what they may read is decided by
    `visible_to`, and endpoints that write ask for an authenticated user.
    """

    openapi_type = "http"
    # Tells the docs page to send the CSRF token, so "Try it out" works for a logged-in session.
    csrf = True

    def __init__(self) -> None:
        super().__init__()
        self.openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, raw = header.partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                raise AuthenticationError(message="Use 'Authorization: Bearer <token>'.")
            user = ApiToken.authenticate(raw.strip())
            if user is None:
                raise AuthenticationError(message="Invalid or revoked token.")
            request.user = user
            audit_actor(user)
            return user
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.method not in SAFE_METHODS:
                failure = check_csrf(request)
                if failure:
                    raise AuthenticationError(message="CSRF check failed for a session request.")
            return user
        return AnonymousUser()


class PlatformAPI(NinjaAPI):
    """Ninja's API with the answers every operation may give written into its schema."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        }
        for item in schema["paths"].values():
            for operation in item.values():
                responses = operation["responses"]
                # A bearer token is checked on every operation, public ones too: a bad one is
                # a 401. Every operation that takes input refuses input it cannot read (422),
                # and a body that is not JSON (or not a form) at all (400).
                wanted = {401: "Unauthorized"}
                if operation.get("parameters") or operation.get("requestBody"):
                    wanted[422] = "Unprocessable Entity"
                if operation.get("requestBody"):
                    wanted[400] = "Bad Request"
                for status, description in wanted.items():
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"description": description, **error}
        return schema


api = PlatformAPI(
    title="ICN Platform API",
    version="1",
    description=(
        "The International Cleantech Network's directory and services. Lists return "
        '`{"items": [...], "count": N}`; every shareable record carries `id` and `visibility`. '
        "Authenticate with a personal token: `Authorization: Bearer <token>`."
    ),
    auth=BearerOrSession(),
    urls_namespace="api",
    # Ninja serves Swagger UI from its own static files (ninja/static/ninja) only when "ninja"
    # is an installed app; otherwise its page loads them from a CDN. Tests check for that.
    # Without a validator URL, Swagger UI does not send the schema's address to swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)


class ErrorOut(Schema):
    """The body of every error response."""

    message: str
    detail: list[dict[str, Any]] | None = None


class StepOut(Schema):
    """One recorded step of a record's lifecycle (a match, a passport, an application):
    when, who, from which stage to which, and why."""

    at: datetime
    actor: str | None
    from_status: str
    to_status: str
    note: str

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return str(obj.actor) if obj.actor is not None else None


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """Error responses of an operation, for the OpenAPI schema."""
    return dict.fromkeys(codes, ErrorOut)


READ_ERRORS = errors(401, 404)
WRITE_ERRORS = errors(401, 403, 404, 422)


# Bounded, because databases take LIMIT and OFFSET as 64-bit integers: a larger number sent
# by a client would overflow in the driver and answer with a 500 instead of a 422.
MAX_OFFSET = 2**31
MAX_LIMIT = 500


class Pagination(LimitOffsetPagination):
    """Ninja's limit/offset pagination with bounds, so a large number is a 422, not a 500."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


F = TypeVar("F", bound=Callable[..., Any])


def paginated(func: F) -> F:
    """A list endpoint returning `{"items": [...], "count": N}`, taking `limit` and `offset`."""
    # Ninja reads the wrapped endpoint's string annotations (`from __future__ import
    # annotations`) in the namespace of its own wrapper, where our schemas are unknown.
    func.__annotations__ = get_type_hints(func, include_extras=True)
    return paginate(Pagination)(func)


def _error(request: HttpRequest, status: int, message: str, detail: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"message": message}
    if detail is not None:
        body["detail"] = detail
    return api.create_response(request, body, status=status)


def _field_name(loc: Any) -> str | None:
    """`name` for ("body", "payload", "name") and `limit` for ("query", "limit")."""
    parts = [str(p) for p in (loc or [])]
    # A JSON body is one parameter of the operation; its name is not what the client sent.
    parts = parts[2:] if parts[:1] == ["body"] else parts[1:]
    return ".".join(parts) or None


@api.exception_handler(NinjaValidationError)
def on_invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    detail = [
        {"field": _field_name(e.get("loc")), "message": str(e.get("msg", "Invalid value."))}
        for e in exc.errors
    ]
    return _error(request, 422, "The request is not valid.", detail)


@api.exception_handler(DjangoValidationError)
def on_rejected_input(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        detail = [
            {"field": None if field == "__all__" else field, "message": str(message)}
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
    else:
        detail = [{"field": None, "message": str(m)} for m in exc.messages]
    return _error(request, 422, "The record could not be saved.", detail)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, str(exc.message) if exc.message else "Authentication required.")


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or "You may not do this.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "Not found.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc.message))


def require_user(request: HttpRequest) -> Any:
    """The authenticated caller, or a 401 for anonymous requests that try to write."""
    user = getattr(request, "auth", None)
    if user is None or not user.is_authenticated:
        raise AuthenticationError(message="Authentication required.")
    return user


# Shared by the routers -------------------------------------------------------------------

# Larger numbers cannot be a primary key; refusing them keeps the database from overflowing.
RecordId = Annotated[int, Path(ge=1, le=2**63 - 1)]
# Slugs in paths are plain words; anything else (a NUL, which PostgreSQL refuses in a query)
# cannot name a record and is a 422 rather than a database error.
Slug = Annotated[str, Path(pattern=r"^[-a-zA-Z0-9_]+$", max_length=320)]

M = TypeVar("M", bound=Any)


def viewer(request: HttpRequest) -> Any:
    """The caller: a user, or AnonymousUser."""
    return request.auth  # type: ignore[attr-defined]


def get_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """One record the caller may see; a hidden one is as absent as a missing one."""
    record = queryset.filter(**lookup).first()
    if record is None:
        raise Http404
    return record


def by_slug(queryset: QuerySet[M], slugs: Iterable[str], field: str, what: str) -> list[M]:
    """Records named by slug in a request body; unknown slugs are a 422 naming the field."""
    wanted = list(dict.fromkeys(slugs))
    found = {record.slug: record for record in queryset.filter(slug__in=wanted)}
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        raise DjangoValidationError({field: f"Unknown {what}: {', '.join(unknown)}."})
    return [found[slug] for slug in wanted]


api.add_router("/", "icn.directory.api.router")
api.add_router("/", "icn.accounts.api.router")
# The OCDS routes first: their literal paths must win over /opportunities/{slug}.
api.add_router("/", "icn.opportunities.ocds_api.router")
api.add_router("/", "icn.opportunities.api.router")
api.add_router("/", "icn.matching.api.router")
# The builder's literal paths (/projects/consortia/...) before /projects/{id}.
api.add_router("/", "icn.projects.consortium_api.router")
api.add_router("/", "icn.projects.api.router")
api.add_router("/", "icn.passports.api.router")
api.add_router("/", "icn.events.api.router")
api.add_router("/", "icn.knowledge.api.router")
api.add_router("/", "icn.audit.api.router")
api.add_router("/", "icn.impact.api.router")
