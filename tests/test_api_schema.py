"""The API keeps the promises of its OpenAPI schema, for any input schemathesis can think of.

Every operation of /api/v1/openapi.json is called with generated input, valid and invalid, on a
database holding the persona network and records of the operation's part of the API; path
parameters name those records about half the time, so the operations get past their 404s.
Each answer must not be a server error, must have a status code the schema declares for the
operation, a declared content type, and a body that matches the declared schema. Once
anonymously, once with the secretariat's bearer token (who may read and write every record).
"""

from __future__ import annotations

import typing
from collections import Counter
from collections.abc import Iterator
from enum import Enum
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from icn.accounts.services import token_create
from icn.api import api
from icn.directory.models import Cluster, Organisation, Person, Topic
from tests.authz.records import BUILDERS, World

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Few random examples an operation, the same ones every run: the file runs in a few minutes.
BOUNDED = settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        # The database fixture is built once for the operation's examples, on purpose.
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)

# Two phases: coverage tries the schema's boundary values of every parameter and body field
# (thousands of valid cases; its invalid ones would triple the time, and fuzzing sends invalid
# input too); fuzzing sends random input, valid and invalid, `max_examples` an operation.
CONFIG = schemathesis.Config.from_dict(
    {"phases": {"coverage": {"generation": {"mode": "positive"}}}}
)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
)

# Values of path parameters that name a record of the data below, by the path's first word
# and the parameter's name; filled in by the `records` fixture.
KNOWN: dict[tuple[str, str], list[Any]] = {}


def _resource(path: str) -> str:
    """`passports` for /api/v1/passports/{pk}, `passports/desks` for its desk offers."""
    words = [word for word in path.removeprefix("/api/v1/").split("/") if "{" not in word]
    if words[:2] in (["passports", "desks"], ["library", "documents"], ["library", "collections"]):
        return "/".join(words[:2])
    if words[:2] in (["matching", "matches"], ["projects", "applications"]):
        return "/".join(words[:2])
    if words[:1] == ["matching"]:
        return "opportunities"
    return words[0] if words else ""


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """About half the time, a parameter names one of the records instead of a made-up one."""
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    resource = _resource(context.operation.path)
    drawn = {}
    for name, value in path_parameters.items():
        known = KNOWN.get((resource, name)) or KNOWN.get(("*", name))
        drawn[name] = st.one_of(st.just(value), st.sampled_from(known)) if known else st.just(value)
    return st.fixed_dictionaries(drawn)


# The records each part of the API is tried on (every part also has the persona network):
# kind of record, its variant, and the path parameters that name it.
RECORDS: dict[str, list[tuple[str, str, dict[str, str]]]] = {
    "people": [("person", "public", {"person_id": "pk"})],
    "partnerships": [("partnership", "network", {"partnership_id": "pk"})],
    "opportunities": [("opportunity", "public", {"slug": "slug"})],
    "solutions": [("solution", "public", {"slug": "slug"})],
    "events": [("event", "public", {"slug": "slug", "pk": "session"})],
    "library/documents": [("document", "public", {"slug": "slug"})],
    "library/collections": [("collection", "public", {"slug": "slug"})],
    "matching/matches": [("match", "public", {"pk": "pk"})],
    "passports": [("passport_submitted", "network", {"pk": "pk"})],
    "passports/desks": [("desk_offer", "current", {"pk": "pk"})],
    "projects/applications": [
        ("application", "cluster", {"pk": "pk", "key": "key"}),
    ],
}


@pytest.fixture(autouse=True)
def _one_connection_across_requests() -> Iterator[None]:
    """Schemathesis calls the WSGI application itself, not through Django's test client, so
    the end of each request would close the database connection, and with it the test's
    transaction (PostgreSQL). As the test client does, keep it open while the test runs."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def records(request: Any, world: World) -> World:
    """The persona network and the records of the operation's part of the API (most of them
    public, so both runs meet them), whose slugs and ids the path parameters then use."""
    secretariat = world.users["secretariat"]
    KNOWN.clear()
    KNOWN.update(
        {
            ("organisations", "slug"): list(Organisation.objects.values_list("slug", flat=True)),
            ("clusters", "slug"): list(Cluster.objects.values_list("slug", flat=True)),
            ("topics", "slug"): list(Topic.objects.values_list("slug", flat=True)[:5]),
            ("people", "person_id"): list(Person.objects.values_list("pk", flat=True)),
        }
    )
    # The operation under test, from the item's name: "test_…[GET /api/v1/passports/{pk}]".
    path = request.node.name.partition(" ")[2].rstrip("]")
    resource = _resource(path)
    for kind, variant, names in RECORDS.get(resource, []):
        case = BUILDERS[kind](world, variant)
        for name, param in names.items():
            KNOWN.setdefault((resource, name), []).append(case.params[param])
        if kind == "application":
            members = case.record.members.values_list("pk", flat=True)
            KNOWN[(resource, "member_pk")] = list(members)
    if resource == "me":
        token, _ = token_create(actor=secretariat, name="Laptop")
        KNOWN[("me", "token_id")] = [token.pk]
    return world


@pytest.fixture
def secretariat_token(records: World) -> dict[str, str]:
    _, raw = token_create(actor=records.users["secretariat"], name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@BOUNDED
def test_every_answer_anonymous_or_with_a_token_is_one_the_schema_declares(
    case: Any, secretariat_token: dict[str, str]
) -> None:
    # The two runs share each generated request: anonymous first, then the secretariat's,
    # whose writes could otherwise change what the anonymous call meets.
    case.call_and_validate(checks=CHECKS)
    case.call_and_validate(headers=secretariat_token, checks=CHECKS)


def _models(annotation: Any, seen: set[type]) -> None:
    for argument in typing.get_args(annotation):
        _models(argument, seen)
    named = isinstance(annotation, type) and issubclass(annotation, BaseModel | Enum)
    if named and annotation not in seen:
        seen.add(annotation)
        for field in getattr(annotation, "model_fields", {}).values():
            _models(field.annotation, seen)


def test_no_two_schemas_of_the_api_share_a_name() -> None:
    """The OpenAPI document names a schema (or an enum) by its class: a second class of the
    same name silently replaces the first, and the document then describes the wrong body."""
    seen: set[type] = set()
    for _, router in api._routers:
        for path in router.path_operations.values():
            for operation in path.operations:
                for model in [*operation.response_models.values(), *operation.models]:
                    _models(model, seen)
    ours = [model for model in seen if model.__module__.startswith("icn.")]
    names = Counter(model.__name__ for model in ours)
    shared = {
        name: sorted(f"{m.__module__}.{m.__qualname__}" for m in ours if m.__name__ == name)
        for name, count in names.items()
        if count > 1
    }
    assert not shared, shared
