"""The platform's users under load, for benchmarks/load.py.

Members, cluster managers, the partner and the secretariat of the demo network log in and
browse opportunities, solutions, events and the library, search, open a challenge's suggested
solutions and their organisation's partner suggestions, and post: comments, expressions of
interest and new challenges. Visitors browse without an account. Requests are named by
group, so locust reports each kind of page on its own.

Only ever aimed at this machine: any --host other than http://127.0.0.1 (or localhost) stops
the run before the first request.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task
from locust.exception import StopUser

LOGINS = [
    "member.clean@icn.example",
    "member.nordic-edge@icn.example",
    "manager.clean@icn.example",
    "manager.nordic-edge@icn.example",
    "partner@icn.example",
    "secretariat@icn.example",
]
# Members and the partner act for an organisation: they post challenges and see partners.
ACTING = {"member.clean@icn.example", "member.nordic-edge@icn.example", "partner@icn.example"}
PASSWORD = os.environ.get("ICN_LOAD_PASSWORD", "cleantech-demo")
# Seconds between two requests of one user, at least and at most.
THINK_TIME = [float(value) for value in os.environ.get("ICN_LOAD_THINK_TIME", "5,15").split(",")]
WORDS = [
    "hydrogen",
    "district heating",
    "water",
    "circular",
    "wind",
    "battery storage",
    "buildings",
    "mobility",
    "carbon capture",
    "solar",
    "biogas",
    "smart city",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NOT_SLUGS = {"new", "mine", "feed", "collections", "apply", "applications", "import"}
SUGGESTIONS_FAILED = "Suggestions are not available right now"


# Every request, one JSON line each, for benchmarks/load.py to compute exact percentiles.
RECORD = os.environ.get("ICN_LOAD_RECORD", "")


@events.request.add_listener
def record(
    request_type: str,
    name: str,
    response_time: float,
    exception: Any = None,
    start_time: float | None = None,
    **kwargs: Any,
) -> None:
    if not RECORD:
        return
    row = {
        "start": start_time if start_time is not None else time.time() - response_time / 1000,
        "group": f"{request_type} {name}",
        "ms": response_time,
        "ok": exception is None,
    }
    with open(RECORD, "a") as stream:
        stream.write(json.dumps(row) + "\n")


@events.init.add_listener
def only_this_machine(environment: Any, **kwargs: Any) -> None:
    host = environment.host or ""
    if urlsplit(host).hostname not in LOCAL_HOSTS:
        raise SystemExit(f"Refusing to load {host!r}: this load test runs only on 127.0.0.1.")


def slugs(html: str, prefix: str) -> list[str]:
    """The detail pages a list links to, e.g. /opportunities/<slug>/."""
    found = re.findall(rf'href="/{prefix}/([a-z0-9-]+)/"', html)
    return sorted({slug for slug in found if slug not in NOT_SLUGS})


# Lists and the detail pages they link to: (list path, link prefix).
LISTS = {
    "opportunities": ("/opportunities/", "opportunities"),
    "challenges": ("/opportunities/?kind=challenge", "opportunities"),
    "solutions": ("/solutions/", "solutions"),
    "events": ("/events/", "events"),
    "library": ("/library/", "library"),
}


class Browsing(HttpUser):
    """What signed-in users and visitors both do: lists, pages, searches.

    A user opens a detail page only after a list showed it to them, like a person does: the
    first visit of a kind of page goes to its list."""

    abstract = True
    wait_time = between(THINK_TIME[0], THINK_TIME[1])
    label = ""

    def on_start(self) -> None:
        self.pages: dict[str, list[str]] = {}

    def get(self, path: str, name: str) -> Any:
        return self.client.get(path, name=f"{self.label}{name}")

    def browse_list(self, kind: str, path: str = "") -> None:
        list_path, link = LISTS[kind]
        response = self.get(path or list_path, f"{kind}: list")
        if response.ok:
            self.pages[kind] = slugs(response.text, link) or self.pages.get(kind, [])

    def known(self, kind: str) -> str:
        """A page of this kind that a list showed, after opening the list if none has yet."""
        if not self.pages.get(kind):
            self.browse_list(kind)
        return random.choice(self.pages[kind]) if self.pages.get(kind) else ""

    def open_one(self, kind: str, name: str) -> None:
        slug = self.known(kind)
        if slug:
            self.get(f"/{LISTS[kind][1]}/{slug}/", name)

    @task(3)
    def opportunity_list(self) -> None:
        self.browse_list("opportunities", f"/opportunities/?page={random.randint(1, 3)}")

    @task(4)
    def opportunity_page(self) -> None:
        self.open_one("opportunities", "opportunity: page")

    @task(3)
    def opportunity_search(self) -> None:
        self.get(f"/opportunities/?q={random.choice(WORDS)}", "opportunities: search")

    @task(2)
    def solutions(self) -> None:
        if random.random() < 0.5:
            self.get(f"/solutions/?q={random.choice(WORDS)}", "solutions: search")
        else:
            self.open_one("solutions", "solution: page")

    @task(1)
    def organisation_search(self) -> None:
        self.get(f"/organisations/?q={random.choice(WORDS)}", "organisations: search")

    @task(2)
    def library(self) -> None:
        if random.random() < 0.5:
            self.get(f"/library/?q={random.choice(WORDS)}", "library: search")
        else:
            self.open_one("library", "library: document")

    @task(1)
    def events(self) -> None:
        self.open_one("events", "event: page")

    @task(3)
    def challenge_suggestions(self) -> None:
        """A challenge's page with the solutions that fit it, ranked by the matching engine."""
        slug = self.known("challenges")
        if not slug:
            return
        name = f"{self.label}challenge: suggested solutions"
        with self.client.get(f"/opportunities/{slug}/", name=name, catch_response=True) as page:
            if page.ok and (SUGGESTIONS_FAILED in page.text or 'id="matching"' not in page.text):
                page.failure("the challenge page has no suggestions")


class Visitor(Browsing):
    """Someone without an account: public pages only."""

    weight = 1
    label = "anonymous "


class SignedIn(Browsing):
    """A demo login: browses like a visitor, sees more, and posts."""

    weight = 4

    def on_start(self) -> None:
        self.email = random.choice(LOGINS)
        login = self.client.get("/accounts/login/", name="login: form")
        token = CSRF.search(login.text)
        data = {"username": self.email, "password": PASSWORD}
        with self.client.post(
            "/accounts/login/",
            data={**data, "csrfmiddlewaretoken": token.group(1) if token else ""},
            name="login",
            catch_response=True,
        ) as response:
            if not response.ok or "/accounts/login/" in (response.url or ""):
                response.failure(f"{self.email} could not log in")
                raise StopUser
        super().on_start()

    def post_on_page(self, page_name: str, path: str, action: str, data: dict[str, str]) -> None:
        """Open the page, then send one of its forms as a person would."""
        page = self.client.get(path, name=page_name)
        token = CSRF.search(page.text)
        if not page.ok or token is None:
            return
        with self.client.post(
            f"{path}{action}/",
            data={**data, "csrfmiddlewaretoken": token.group(1)},
            name=f"post: {action}",
            catch_response=True,
        ) as response:
            # Every answer to a post is a page with a message: success, or why it was refused
            # (a second interest in the same item, for one).
            if response.ok and 'role="alert"' not in response.text:
                response.failure(f"no message after posting {action}")

    @task(2)
    def comment(self) -> None:
        slug = self.known("opportunities")
        if slug:
            path = f"/opportunities/{slug}/"
            body = f"We work on {random.choice(WORDS)} too; could we compare notes?"
            self.post_on_page("opportunity: page", path, "comments", {"body": body})

    @task(1)
    def interest(self) -> None:
        slug = self.known("challenges")
        if slug:
            path = f"/opportunities/{slug}/"
            message = "We have run a pilot of this kind and would like to talk."
            self.post_on_page(
                "challenge: suggested solutions", path, "interest", {"message": message}
            )

    @task(1)
    def partners(self) -> None:
        if self.email in ACTING:
            self.get("/matching/partners/", "matching: partners for my organisation")

    @task(1)
    def new_challenge(self) -> None:
        """Share a challenge for the organisation the user acts for, as the form offers it."""
        if self.email not in ACTING:
            return
        form = self.client.get("/opportunities/new/", name="post: new challenge (form)")
        token = CSRF.search(form.text)
        select = re.search(r'<select name="author_organisation".*?</select>', form.text, re.S)
        options = re.findall(r'<option value="(\d+)"', select.group(0)) if select else []
        if token is None or not options:
            return
        words = random.choice(WORDS)
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "kind": "challenge",
            "title": f"Partners wanted: {words} pilot {random.randint(1, 10**9)}",
            "summary": f"A pilot on {words} in our city.",
            "body": f"We look for companies with proven {words} solutions for a pilot next year.",
            "author_organisation": options[0],
            "visibility": "network",
            "publish": "on",
        }
        with self.client.post(
            "/opportunities/new/", data=data, name="post: new challenge", catch_response=True
        ) as response:
            if response.ok and urlsplit(response.url).path == "/opportunities/new/":
                response.failure("the new challenge was not saved")
