"""Who the audit log names for a write made through the API with a personal token.

The audit log's middleware names the session's user when the request comes in; a token is
only read later, by the API's authentication, which calls `audit_actor`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from auditlog.context import auditlog_value, set_actor


def audit_actor(user: Any) -> None:
    """Name `user` as the actor of the writes of the request under way."""
    try:
        context = auditlog_value.get()
    except LookupError:  # outside a request (a command, a task): nobody to name
        return
    context["actor"] = user


@contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    """Name `actor` for the writes inside, also outside a request (a command, a service called
    from a task); inside a request, its own actor is named again afterwards."""
    previous = auditlog_value.get(None)
    with set_actor(actor):
        yield
    if previous is not None:
        auditlog_value.set(previous)
