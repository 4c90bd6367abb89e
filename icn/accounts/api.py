"""The caller's own account: who it is for the platform, and its personal API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Field, Path, Router, Schema, Status

from icn.accounts import services
from icn.accounts.models import ApiToken, Membership, OrganisationRole
from icn.api import errors, paginated, require_user
from icn.core.visibility import get_scope
from icn.directory.models import Cluster

router = Router(tags=["account"])

TokenId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class MembershipOut(Schema):
    slug: str
    name: str
    role: OrganisationRole

    @staticmethod
    def resolve_slug(obj: Membership) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_name(obj: Membership) -> str:
        return obj.organisation.name


class MeOut(Schema):
    email: str
    full_name: str
    roles: list[str]
    organisations: list[MembershipOut]
    managed_clusters: list[str] = Field(..., description="Slugs of the clusters it manages.")


class TokenOut(Schema):
    id: int
    name: str
    hint: str = Field(..., description="The start of the token, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_active: bool


class NewTokenOut(TokenOut):
    token: str = Field(..., description="The secret, shown this once: keep it safe.")


class TokenIn(Schema):
    name: str = Field("API token", max_length=100)


@router.get("/me", response={200: MeOut, **errors(401)})
def me(request: HttpRequest) -> Any:
    """The authenticated caller, its roles, organisations and managed clusters."""
    user = require_user(request)
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    return {
        "email": user.email,
        "full_name": user.full_name,
        "roles": get_scope(user).roles,
        "organisations": list(memberships.order_by("organisation__name", "pk")),
        "managed_clusters": list(
            Cluster.objects.filter(managers=user).order_by("slug").values_list("slug", flat=True)
        ),
    }


def _own_tokens(user: Any) -> Any:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


@router.get("/me/tokens", response=list[TokenOut])
@paginated
def token_list(request: HttpRequest) -> Any:
    """The caller's tokens, revoked ones included; secrets are never shown again."""
    return _own_tokens(require_user(request))


@router.post("/me/tokens", response={201: NewTokenOut, **errors(401, 422)})
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    """A new personal token; the response carries its secret, which is not stored."""
    user = require_user(request)
    token, raw = services.token_create(actor=user, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": raw})


@router.delete("/me/tokens/{token_id}", response={200: TokenOut, **errors(401, 404)})
def token_revoke(request: HttpRequest, token_id: TokenId) -> Any:
    """Revoke one of the caller's tokens; it stays listed as revoked."""
    user = require_user(request)
    token = _own_tokens(user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    return services.token_revoke(actor=user, token=token)
