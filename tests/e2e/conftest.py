"""Browser tests: Debian's Chromium driven by Playwright against the platform as it runs.

Once per run, the demo network is prepared in a database of its own (tests/e2e/network.py)
and served by gunicorn as in production (ICN_DEBUG off, the matching model loaded as the web
process starts), with background tasks run at once and e-mails written to files. One
headless browser serves every test, each test in a fresh context (no cookies shared). A
failing test leaves a full-page screenshot and the page's HTML in var/e2e-artifacts/, next
to the logs of the preparation and of the server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "e2e-artifacts"
CHROMIUM = "/usr/bin/chromium"
# Loading the demo, its vectors and the model takes a while on a slow CI machine.
PREPARE_SECONDS = 600
START_SECONDS = 60
# Pages that rank with the matching model or run the consortium solver answer in seconds.
expect.set_options(timeout=15_000)


@dataclass(frozen=True)
class Persona:
    """A demo login: who they are, what they act for, and how they log in."""

    role: str
    email: str
    name: str
    organisation: str
    password: str

    @property
    def first_name(self) -> str:
        """What the menu bar calls them."""
        return self.name.split(" ")[0]


@dataclass(frozen=True)
class DemoNetwork:
    """What the flows need to know about the network the server runs."""

    base_url: str
    personas: dict[str, Persona]
    home_cluster: str
    host_cluster: str
    call: dict[str, str]
    event: dict[str, str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"The server stopped (exit {server.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"The server did not answer {url} in {START_SECONDS} s:\n{_tail(log)}")


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoNetwork]:
    """The demo network, served on a free local port for the whole run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.iterdir():
        if old.is_file():
            old.unlink()
    home = tmp_path_factory.mktemp("e2e-server")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "icn.settings",
        "ICN_DEBUG": "0",
        "ICN_STATIC_MANIFEST": "0",
        "ICN_VAR_DIR": str(home),
        "DATABASE_URL": f"sqlite:///{home / 'icn.sqlite3'}",
        "ICN_SITE_URL": base_url,
        "ICN_ALLOWED_HOSTS": "127.0.0.1",
        "ICN_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "ICN_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "ICN_EMAIL_FILE_PATH": str(home / "mail"),
        # gunicorn keeps its control socket under the home directory: one per run.
        "HOME": str(home),
    }
    facts_file = home / "network.json"
    prepare_log = ARTIFACTS / "prepare.log"
    with prepare_log.open("wb") as out:
        prepared = subprocess.run(
            [sys.executable, "-m", "tests.e2e.network", str(facts_file)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=PREPARE_SECONDS,
        )
    if prepared.returncode:
        raise RuntimeError(f"Preparing the demo network failed:\n{_tail(prepare_log)}")
    server_log = ARTIFACTS / "server.log"
    with server_log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "icn.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                "--workers=1",
                "--threads=8",
                "--timeout=120",
                "--access-logfile=-",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(f"{base_url}/healthz", server, server_log)
        facts: dict[str, Any] = json.loads(facts_file.read_text())
        personas = {
            role: Persona(role=role, password=facts["password"], **person)
            for role, person in facts["personas"].items()
        }
        yield DemoNetwork(
            base_url=base_url,
            personas=personas,
            home_cluster=facts["home_cluster"],
            host_cluster=facts["host_cluster"],
            call=facts["call"],
            event=facts["event"],
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the run: Debian's own, never a downloaded one."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)."
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, demo: DemoNetwork) -> Iterator[Page]:
    """A fresh browser context (no cookies) with a page on the demo server."""
    context = browser.new_context(
        base_url=demo.base_url, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def menu(page: Page) -> Locator:
    """The menu bar at the top of every page."""
    return page.locator("#nav")


def log_in(page: Page, persona: Persona) -> None:
    """Log in through the login form, as a person would, and wait for the menu bar to greet."""
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(persona.email)
    page.get_by_label("Password").fill(persona.password)
    page.get_by_role("button", name="Log in").click()
    expect(menu(page).get_by_role("button", name="Log out")).to_be_visible()


def _artifact_name(test_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", test_name).strip("_")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """On failure, keep what the browser showed: a full-page screenshot and the HTML."""
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    failed = report.failed and report.when in ("setup", "call")
    if failed and page is not None and not page.is_closed():
        where = _save_page(page, _artifact_name(item.name))
        report.sections.append(
            ("e2e artifacts", f"{where}\nServer log: {ARTIFACTS / 'server.log'}")
        )
    return report


def _save_page(page: Page, name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot, html = ARTIFACTS / f"{name}.png", ARTIFACTS / f"{name}.html"
    try:
        page.screenshot(path=str(screenshot), full_page=True)
        html.write_text(page.content())
    except Exception as exc:  # the report must survive a browser that has gone
        return f"Could not save the page ({exc})."
    return f"Screenshot: {screenshot}\nHTML: {html}\nPage: {page.url}"
