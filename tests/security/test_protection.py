"""Web protections: CSRF everywhere, a strict Content Security Policy with templates that need no inline
code, no caching of logged-in pages, no personal data in URLs."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_a_post_without_the_csrf_token_is_refused(county_user, sysadmin_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"), {"username": county_user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 403
    client.force_login(sysadmin_user)
    response = client.post(reverse("accounts:user_deactivate", args=[county_user.pk]))
    assert response.status_code == 403
    county_user.refresh_from_db()
    assert county_user.is_active
    # With the token from the page, the same POST goes through.
    client.get(reverse("accounts:user_detail", args=[county_user.pk]))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("accounts:user_deactivate", args=[county_user.pk]), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/accounts/login/", "/"])
def test_every_page_carries_a_strict_content_security_policy(client, bureau_user, url):
    if url != "/accounts/login/":
        client.force_login(bureau_user)
    policy = _csp(client.get(url))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _templates():
    for folder in [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("kejiju/*/templates")]:
        for path in folder.rglob("*.html"):
            # *_pdf.html are rendered by WeasyPrint into PDFs, never sent to a browser: no CSP applies.
            if not path.name.endswith("_pdf.html"):
                yield path


def test_templates_hold_no_inline_code_the_policy_would_block():
    problems = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                problems.append(f"{path.relative_to(ROOT)}: {what}: {match.group(0)[:60]}")
    assert not problems, "\n".join(problems)


def test_htmx_is_told_not_to_inject_its_indicator_style(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in page
    css = (ROOT / "static/css/kejiju.css").read_text()
    assert ".htmx-indicator" in css


def test_logged_in_pages_are_not_stored(client, bureau_user):
    client.force_login(bureau_user)
    for url in ("/", reverse("core:organization_list")):
        assert "no-store" in client.get(url)["Cache-Control"]


PERSONAL = re.compile(r"username|name|phone|mobile|email|id_?card|id_?number|身份证", re.I)


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def test_no_url_carries_personal_data():
    """Objects are addressed by their numeric key; names, phones, ID numbers never appear in a URL (they
    would end up in proxy logs and browser history)."""
    offending = []
    for pattern in _patterns():
        for parameter in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern):
            name = parameter[0] or parameter[1]
            if PERSONAL.search(name):
                offending.append(pattern)
    assert not offending, offending


def test_the_login_form_posts_its_credentials(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert re.search(r'<form method="post"', page)
