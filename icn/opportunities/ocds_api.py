"""Tenders as open data: OCDS releases of public tenders, one by one or as a release package."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from icn.api import MAX_LIMIT, MAX_OFFSET, errors
from icn.opportunities.ocds import published_tenders, release_for, release_package

router = Router(tags=["opportunities"])

DEFAULT_PAGE = 100


class PackagePage(Schema):
    """Which releases a release package holds."""

    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _viewer(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# Not /opportunities/ocds: the opportunities router, registered first, has
# /opportunities/{slug}, which would take "ocds" for a slug.
@router.get(
    "/opportunities/ocds/release-package",
    response={200: dict[str, Any], **errors(401, 422)},
    summary="Public tenders as an OCDS release package",
)
def ocds_release_package(request: HttpRequest, page: Query[PackagePage]) -> Any:
    """Public tenders, newest first, as an OCDS 1.1 release package; `links.next` pages on."""
    tenders = published_tenders(_viewer(request)).order_by("-published_at", "-pk")
    chosen = list(tenders[page.offset : page.offset + page.limit + 1])
    uri = request.build_absolute_uri(request.path)
    this_page = f"{uri}?{urlencode({'limit': page.limit, 'offset': page.offset})}"
    next_page = ""
    if len(chosen) > page.limit:
        chosen = chosen[: page.limit]
        next_page = f"{uri}?{urlencode({'limit': page.limit, 'offset': page.offset + page.limit})}"
    return release_package([release_for(t) for t in chosen], uri=this_page, next_uri=next_page)


@router.get(
    "/opportunities/{slug}/ocds",
    response={200: dict[str, Any], **errors(401, 404)},
    summary="A public tender as an OCDS release",
)
def ocds_release(request: HttpRequest, slug: str) -> Any:
    """An OCDS 1.1 release of a public tender; other items are not open data (404)."""
    tender = published_tenders(_viewer(request)).filter(slug=slug).first()
    if tender is None:
        raise Http404
    return release_for(tender)
