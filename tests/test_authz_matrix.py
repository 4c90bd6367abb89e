"""The authorisation matrix: every page and API operation that reads or writes a record, run
by every role on the record's every variant, against the one table in tests/authz/matrix.py.

Each test builds one fresh record, then lets each role try the operation in a savepoint that
is rolled back, so every role meets the same record; a failure lists every role whose answer
differs from the table's. The last tests make sure no operation on a record escapes the
matrix: a new endpoint or page must be added to tests/authz/operations.py or to `EXCLUDED`
below, with the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.authz.forms import form_fields
from tests.authz.matrix import ROLES, RULES, may, variants
from tests.authz.operations import (
    ALLOWED,
    FORBIDDEN,
    HIDDEN,
    LOGIN,
    NOBODY,
    OPERATIONS,
    SENT_BACK,
    Operation,
    expected,
)
from tests.authz.records import BUILDERS, Case, World
from tests.conftest import client_for
from tests.test_api import bearer

pytestmark = pytest.mark.django_db

CASES = [
    pytest.param(operation, variant, id=f"{operation.kind}-{variant}-{operation.name}")
    for operation in OPERATIONS
    for variant in (operation.variants or variants(operation.kind))
]


class _Savepoint:
    """A block whose database changes are undone when it ends."""

    def __enter__(self) -> None:
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def __exit__(self, *exc: Any) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(*exc)


class Callers:
    """Each role's way in: a bearer token for the API, a logged-in browser for pages."""

    def __init__(self, users: dict[str, Any], operation: Operation) -> None:
        self.users = users
        self.headers: dict[str, dict[str, str]] = {}
        self.clients: dict[str, Client] = {}
        for role in ROLES:
            user = users[role]
            if operation.api:
                self.headers[role] = bearer(user) if user.is_authenticated else {}
            else:
                self.clients[role] = client_for(user)
        self.api_client = Client()

    def send(self, operation: Operation, case: Case, role: str, fields: dict[str, Any]) -> Any:
        url = operation.url(case)
        body = operation.body(case) if operation.body else None
        if operation.api and operation.multipart:
            return self.api_client.post(url, body or {}, headers=self.headers[role])
        if operation.api:
            data = json.dumps(body) if body is not None else ""
            return self.api_client.generic(
                operation.method,
                url,
                data=data,
                content_type="application/json",
                headers=self.headers[role],
            )
        client = self.clients[role]
        if operation.method == "GET":
            return client.get(url)
        data = {**fields, **(body or {}), **operation.files()}
        return client.post(url, data)


def _outcome(operation: Operation, case: Case, user: Any, response: Any) -> str:
    """What the answer means, in the words of the table."""
    status = response.status_code
    location = response.get("Location", "")
    if status == 302 and location.startswith("/accounts/login/"):
        answer = LOGIN
    elif status == 404:
        answer = HIDDEN
    elif status == 403:
        answer = FORBIDDEN
    elif operation.api and status == 401:
        answer = LOGIN
    elif status == operation.ok and (
        status != 302 or operation.to is None or location == operation.to(case)
    ):
        answer = ALLOWED
        if operation.done is not None and not operation.done(case, user):
            answer = SENT_BACK if not operation.api and status == 302 else "answered, no change"
        return answer
    else:
        return f"{status} {location or _gist(response)}".strip()
    if operation.done is not None and operation.done(case, user):
        return f"{answer}, yet changed"
    return answer


def _gist(response: Any) -> str:
    """The errors a page shows, or the start of an API answer."""
    text = response.content.decode(errors="replace")
    if "html" not in response.get("Content-Type", ""):
        return text[:200]
    errors = re.findall(
        r'class="(?:invalid-feedback|alert alert-danger)[^"]*"[^>]*>\s*(?:<div>)?([^<]+)', text
    )
    title = re.search(r"<title>([^<]*)</title>", text)
    return "; ".join(e.strip() for e in errors) or (title.group(1).strip() if title else "")


def _form(operation: Operation, case: Case, client: Client) -> dict[str, Any] | None:
    """The fields of the page's form as `client` is shown it, or None if it is not."""
    if operation.form is None:
        return {}
    path = operation.form.format(**case.params)
    response = client.get(path)
    if response.status_code != 200:
        return None
    return form_fields(response.content.decode(), path)


@pytest.mark.parametrize(("operation", "variant"), CASES)
def test_every_role_is_let_in_or_refused_exactly_as_the_matrix_says(
    operation: Operation, variant: str, world: World
) -> None:
    case = BUILDERS[operation.kind](world, variant)
    callers = Callers(world.users, operation)
    # Those not shown the form send what it shows the first role that may use it.
    first = next(
        (r for r in ROLES if may(operation.kind, variant, r, operation.ability)), ROLES[-1]
    )
    wrong = []
    shown: dict[str, Any] = {}
    for role in [first, *(r for r in ROLES if r != first)]:
        user = world.users[role]
        with _Savepoint():
            if operation.prepare is not None:
                operation.prepare(case, user)
            fields = _form(operation, case, callers.clients.get(role, Client()))
            if fields is None:
                fields = shown
            elif role == first:
                shown = fields
            response = callers.send(operation, case, role, fields)
            actual = _outcome(operation, case, user, response)
        wanted = expected(operation, variant, role)
        if actual != wanted:
            wrong.append(f"  {role}: the table says {wanted}, the platform: {actual}")
    assert not wrong, f"{operation.name} on a {variant} {operation.kind}:\n" + "\n".join(wrong)


# Nothing escapes the matrix -------------------------------------------------------------------

# Operations on a path that names a record, and why they are not in the matrix. Each is a
# rule of its own (a link's secret token, a participant's own registration) tested where the
# feature is, or not a record at all.
EXCLUDED: dict[str, str] = {
    # Links that carry a secret instead of a login: the token is the permission.
    "/accounts/password/reset/{}/{}/": "Django's password reset link.",
    "/accounts/invitations/{}/": "An invitation link (tests/test_accounts.py).",
    "/alerts/feedback/{}/": "The digest's 'not relevant' link (tests/test_alerts.py).",
    "/alerts/unsubscribe/{}/": "The digest's unsubscribe link (tests/test_alerts.py).",
    "/feeds/private/{}/opportunities.atom": "A personal feed's secret link (tests/test_feeds.py).",
    "/feeds/private/{}/deadlines.ics": "A personal calendar's secret link (tests/test_feeds.py).",
    "/projects/invitations/{}/": "A partner's invitation link (tests/test_applications.py).",
    "POST /api/v1/projects/invitations/accept": "Takes the invitation's token in the body.",
    # Not a record: a format, a kind, or a list of what the caller may see.
    "GET /api/v1/topics/{}": "The taxonomy of cleantech areas and SDGs: public, no owner "
    "(tests/test_api.py).",
    "/organisations/export.{}": "The directory export in a format; a list, filtered by "
    "visible_to (tests/test_import_export.py).",
    "/feeds/kind/{}.atom": "Public feed of a kind of opportunity: public items only "
    "(tests/test_feeds.py).",
    "/feeds/topic/{}.atom": "Public feed of a topic: public items only (tests/test_feeds.py).",
    "/feeds/cluster/{}.atom": "Public feed of a cluster: public items only (tests/test_feeds.py).",
    # A user's own things: only their user reaches them, by construction of the query.
    "/alerts/searches/{}/delete/": "The user's own saved search (tests/test_alerts.py).",
    # An event's participants among themselves: the rule is the registration's, not the
    # event's visibility (tests/test_events.py, tests/test_events_api.py).
    "GET /api/v1/events/{}/registration": "The caller's own registration.",
    "PATCH /api/v1/events/{}/registration": "The caller's own registration.",
    "DELETE /api/v1/events/{}/registration": "The caller's own registration.",
    "GET /api/v1/events/{}/suggestions": "People worth meeting for the caller's registration.",
    "GET /api/v1/events/{}/requests": "The caller's own meeting requests.",
    "POST /api/v1/events/{}/requests": "A participant asks another participant.",
    "POST /api/v1/events/{}/requests/{}/accept": "The receiver of the request answers.",
    "POST /api/v1/events/{}/requests/{}/decline": "The receiver of the request answers.",
    "POST /api/v1/events/{}/requests/{}/cancel": "Either side of the request.",
    "GET /api/v1/events/{}/agenda": "The caller's own agenda.",
    "POST /api/v1/events/{}/meetings/{}/rating": "The meeting's two participants.",
    "POST /api/v1/events/{}/meetings/{}/lock": "Needs a scheduled meeting; organisers only "
    "(tests/test_events.py).",
    "/events/{}/profile/": "The caller's own registration.",
    "/events/{}/cancel/": "The caller's own registration (or an organiser's for one).",
    "/events/{}/participants/": "Participants among themselves.",
    "/events/{}/requests/": "The caller's own meeting requests.",
    "/events/{}/requests/new/": "A participant asks another participant.",
    "/events/{}/requests/{}/{}/": "The sides of a meeting request.",
    "/events/{}/agenda/": "The caller's own agenda.",
    "/events/{}/agenda.ics": "The caller's own agenda.",
    "/events/{}/meetings/{}/rate/": "The meeting's two participants.",
    "/events/{}/manage/schedule/place/": "Places a meeting request by hand; organisers only "
    "(tests/test_events.py).",
    "/events/{}/manage/meetings/{}/lock/": "Needs a scheduled meeting; organisers only "
    "(tests/test_events.py).",
    # Re-sharing depends on which cluster the caller manages, not only on the item.
    "POST /api/v1/opportunities/{}/reshare": "A manager re-shares to its own cluster "
    "(tests/test_opportunities_api.py).",
    "/opportunities/{}/reshare/": "A manager re-shares to its own cluster "
    "(tests/test_opportunity_pages.py).",
    # A passport's later steps need a visit agreed, made and reported; each checks the
    # passport's roles as the steps in the matrix do (tests/test_passports*.py).
    "POST /api/v1/passports/{}/host": "The secretariat places an unplaced passport.",
    "POST /api/v1/passports/{}/introductions": "The host cluster, once the visit is accepted.",
    "POST /api/v1/passports/{}/bookings": "The host cluster, once the visit is accepted.",
    "POST /api/v1/passports/{}/bookings/{}/cancel": "The host cluster, for a booking.",
    "POST /api/v1/passports/{}/report": "The visitor, after the visit.",
    "POST /api/v1/passports/{}/follow-up": "The visitor, months after the visit.",
    "/passports/{}/host/": "The secretariat places an unplaced passport.",
    "/passports/{}/introductions/": "The host cluster, once the visit is accepted.",
    "/passports/{}/desks/": "The host cluster, once the visit is accepted.",
    "/passports/{}/desks/{}/cancel/": "The host cluster, for a booking.",
    "/passports/{}/report/": "The visitor, after the visit.",
    "/passports/{}/follow-up/": "The visitor, months after the visit.",
    # A partner's own answer and budget follow the partner, not the table's roles; seeding
    # and section settings take a library template or a form prefixed per section
    # (tests/test_applications.py, tests/test_applications_api.py,
    # tests/test_library_templates.py).
    "POST /api/v1/projects/applications/{}/members/{}/answer": "The invited partner answers.",
    "PUT /api/v1/projects/applications/{}/members/{}/budget": "A partner's own budget.",
    "POST /api/v1/projects/applications/{}/sections/seed": "Lays a library template over the "
    "sections (e).",
    "/projects/applications/{}/members/{}/answer/": "The invited partner answers.",
    "/projects/applications/{}/members/{}/budget/": "A partner's own budget.",
    "/projects/applications/{}/sections/seed/": "Lays a library template over the sections.",
    "/projects/applications/{}/sections/{}/settings/": "A section's owner and status (e).",
}

# Whole areas left out, and why.
EXCLUDED_PREFIXES: dict[str, str] = {
    # The impact indicators are aggregate reads over what the caller may see, not records;
    # they are tested in tests/test_impact_api.py.
    "/api/v1/impact/": "Aggregate reads, tested in tests/test_impact_api.py.",
    "/impact/": "Aggregate reads, tested in tests/test_impact_api.py.",
}


def _canonical(path: str) -> str:
    """A path with every parameter, `<int:pk>` or `{pk}`, written `{}`."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def _pages(patterns: list[Any], prefix: str = "/") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith(("/admin/", "/api/v1/")):
                continue
            yield from _pages(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _record_operations() -> set[str]:
    """Every page route and API operation whose path names a record."""
    found = set()
    for route in _pages(get_resolver().url_patterns):
        if "<" in route:
            found.add(_canonical(route))
    schema = Client().get("/api/v1/openapi.json").json()
    for path, item in schema["paths"].items():
        if "{" not in path:
            continue
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                found.add(f"{method.upper()} {_canonical(path)}")
    # Operations that name their record in the body rather than in the path.
    found.add("POST /api/v1/projects/invitations/accept")
    return found


def _in_matrix(operation: Operation) -> str:
    path = _canonical(operation.path)
    return f"{operation.method} {path}" if operation.api else path


def test_every_operation_on_a_record_is_in_the_matrix_or_excluded_with_a_reason() -> None:
    known = _record_operations()
    covered = {_in_matrix(operation) for operation in OPERATIONS}
    left_out = {
        name
        for name in known
        if name not in covered
        and name not in EXCLUDED
        and not any(name.split(" ")[-1].startswith(p) for p in EXCLUDED_PREFIXES)
    }
    assert not left_out, "Add these to tests/authz/operations.py or to EXCLUDED:\n" + "\n".join(
        sorted(left_out)
    )


def test_the_matrix_and_its_exclusions_name_only_operations_that_exist() -> None:
    known = _record_operations()
    stale = sorted(
        {_in_matrix(operation) for operation in OPERATIONS} - known | set(EXCLUDED) - known
    )
    assert not stale, "No such page or API operation:\n" + "\n".join(stale)


def test_every_kind_of_the_table_has_a_record_builder_and_operations() -> None:
    assert set(RULES) == set(BUILDERS)
    assert {operation.kind for operation in OPERATIONS} == set(RULES)
    for operation in OPERATIONS:
        assert operation.ability in {*"rwdfahoemp", NOBODY}, operation.name
        assert operation.refused in {FORBIDDEN, SENT_BACK, HIDDEN}, operation.name
