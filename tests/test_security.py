"""Security settings a visitor's browser and an auditor can check: headers and CSP, no inline
script, user HTML cleaned by nh3, CSRF, downloads as attachments, `check --deploy` clean."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from icn.core.sanitise import rich_text
from icn.opportunities.models import Opportunity
from tests.conftest import Network, client_for

ICN = Path(__file__).resolve().parent.parent / "icn"


def _csp(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
def test_every_page_sends_the_security_headers_and_a_strict_script_policy(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    policy = _csp(response)
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no other origin
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def _templates() -> list[Path]:
    return [p for p in ICN.rglob("templates/**/*.html") if "vendor" not in p.parts]


INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def test_no_template_carries_inline_script_that_the_policy_would_block() -> None:
    offenders = []
    templates = _templates()
    assert len(templates) > 50
    for path in templates:
        text = path.read_text()
        for pattern in (INLINE_HANDLER, INLINE_SCRIPT, JAVASCRIPT_URL):
            for match in pattern.finditer(text):
                offenders.append(f"{path.relative_to(ICN)}: {match.group(0)}")
    assert offenders == []


def test_the_template_scan_sees_inline_handlers_and_scripts() -> None:
    assert INLINE_HANDLER.search('<button onclick="go()">')
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert JAVASCRIPT_URL.search('<a href="javascript:alert(1)">')


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        (
            "<p>Bids by <strong>1 March</strong></p><script>alert(1)</script>",
            ["<p>Bids by <strong>1 March</strong></p>"],
            ["<script", "alert(1)"],
        ),
        ('<p><img src="x" onerror="alert(1)">Tender</p>', ["Tender"], ["onerror", "<img"]),
        (
            '<p><a href="javascript:alert(1)">click</a> <a href="https://ted.example/t/1">TED</a></p>',
            ['href="https://ted.example/t/1"', 'rel="noopener noreferrer nofollow"'],
            ["javascript:"],
        ),
        (
            '<div style="position:fixed">Notice</div><iframe src="https://x.example">',
            [],
            ["<iframe", "style="],
        ),
        (
            "Line one\nsee https://icn.example/calls & more",
            ['<a href="https://icn.example/calls" rel="noopener noreferrer nofollow">'],
            ["<script"],
        ),
    ],
)
def test_user_html_keeps_its_formatting_and_loses_everything_that_could_run(
    text: str, kept: list[str], gone: list[str]
) -> None:
    html = str(rich_text(text))
    for fragment in kept:
        assert fragment in html
    for fragment in gone:
        assert fragment not in html


def test_plain_user_text_is_escaped_not_interpreted() -> None:
    html = str(rich_text("Budget < 5 M€ & more\n\n2 > 1"))
    assert html == "<p>Budget &lt; 5 M€ &amp; more</p>\n\n<p>2 &gt; 1</p>"


@pytest.mark.django_db
def test_an_imported_tender_with_a_script_shows_its_text_without_the_script(
    network: Network, secretariat: Any
) -> None:
    opportunity = Opportunity.objects.create(
        kind="tender",
        status="published",
        title="Harbour shore power",
        slug="harbour-shore-power",
        author_organisation=network.org("clean", "public"),
        cluster=network.clean,
        visibility="public",
        body="<p>Shore power for <em>two berths</em>.</p><script>steal()</script>"
        '<img src=x onerror="steal()">',
    )
    html = client_for(None).get(opportunity.get_absolute_url()).content.decode()
    assert "<p>Shore power for <em>two berths</em>.</p>" in html
    assert "steal()" not in html


@pytest.mark.django_db
def test_a_form_post_without_the_csrf_token_is_refused(member: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/library/collections/new/", {"title": "x", "visibility": "network"})
    assert response.status_code == 403


def test_session_and_csrf_cookies_are_out_of_reach_of_scripts(settings: Any) -> None:
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


def _deploy_check(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ICN_DEBUG": "0",
        "ICN_ALLOWED_HOSTS": "icn.example",
        "ICN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **settings,
    }
    return subprocess.run(
        [sys.executable, "-m", "icn.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = _deploy_check(
        tmp_path,
        ICN_SECRET_KEY=secrets.token_urlsafe(50),
        ICN_SECURE_COOKIES="1",
        ICN_SECURE_SSL_REDIRECT="1",
        ICN_HSTS_SECONDS="31536000",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_check_flags_a_missing_secret_key(tmp_path: Path) -> None:
    result = _deploy_check(tmp_path, ICN_SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


@pytest.mark.django_db
def test_an_uploaded_html_file_is_never_served_as_a_page(
    network: Network, member: Any, settings: Any, tmp_path: Path
) -> None:
    """An upload claiming to be text but holding HTML is served as a download with the type
    read from its content, never rendered in the platform's origin."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from icn.knowledge import services as library

    settings.MEDIA_ROOT = tmp_path
    document = library.document_create(
        actor=member,
        title="Notes",
        kind="report",
        organisation=network.org("clean", "private"),
        visibility="private",
        upload=SimpleUploadedFile(
            "notes.txt", b"<html><script>alert(document.cookie)</script></html>", "text/html"
        ),
    )
    response = client_for(member).get(f"/library/{document.slug}/versions/1/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"
