"""Every form error renders once: a field's error under the field only, the top of the form only for the
errors that belong to no field.

The pages come from the access matrix (tests/access.py `all_routes()`): every page a writing role may open is
opened as a user allowed to use it; every form on it that posts back to the page itself (add, edit) is
submitted empty. Where the form is refused, each error text the form holds must appear in the HTML exactly as
many times as the form holds it (two required fields give "这个字段是必填项。" twice, once under each).
Every such text is plain Chinese: no English word (a field or constraint name, an untranslated message).
Nothing here lists a form by hand: a new add or edit page is covered when its route enters the matrix."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django import forms
from django.urls import reverse
from django.utils.html import conditional_escape

from tests.access import all_routes
from tests.security.formsweep import context_forms
from tests.security.htmlforms import parse_forms

pytestmark = pytest.mark.django_db

# An error of the whole form, added to every form the empty POST binds (most forms have no rule across fields
# that an empty POST would break; this one stands for such a rule, or a service refusal).
FORM_ERROR = "整张表单的测试错误"

# A field name, a constraint name or an untranslated Django message.
ENGLISH = re.compile(r"[A-Za-z_]{3,}")
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# The roles that fill in forms, in the order one is picked for a route.
WRITERS = ("bureau", "county", "sysadmin", "unit_admin")


def _expected(response) -> Counter:
    """Each error text of the refused forms on the page, with how many times the forms hold it."""
    expected: Counter = Counter()
    for form in context_forms(response):
        if form.is_bound and form.errors:
            for errors in form.errors.values():
                expected.update(str(conditional_escape(error)) for error in errors)
    return expected


def _add_form_error(patch) -> None:
    clean_form = forms.BaseForm._clean_form

    def with_form_error(self):
        clean_form(self)
        self.add_error(None, FORM_ERROR)

    patch.setattr(forms.BaseForm, "_clean_form", with_form_error)


def test_every_form_error_renders_once(world, settings, tmp_path, client, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    routes = []
    for route in all_routes():
        role = next((r for r in WRITERS if r in route.allowed), None)
        if role is None or route.public or "GET" not in route.methods or route.name.endswith("delete"):
            continue
        kwargs = route.kwargs(world) if route.kwargs else None
        routes.append((role, route, reverse(route.name, kwargs=kwargs)))

    checked, wrong = [], []
    for role, route, url in routes:
        client.force_login(world.users[role])
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        if not any(not form.is_bound for form in context_forms(response)):
            continue
        page = response.request["PATH_INFO"]
        for html in parse_forms(response.content.decode(), page):
            if html.method != "post" or html.action.split("?")[0] != page:
                continue
            with monkeypatch.context() as patch:
                _add_form_error(patch)
                refused = client.post(html.action, {})
            if refused.status_code != 200:
                continue
            expected = _expected(refused)
            if not expected:
                continue
            content = refused.content.decode()
            checked.append(route.name)
            for text, times in expected.items():
                shown = content.count(text)
                if shown != times:
                    wrong.append(f"{route.name} ({role}): “{text}” shown {shown}×, held {times}×")
                if ENGLISH.search(text) or not CHINESE.search(text):
                    wrong.append(f"{route.name} ({role}): “{text}” is not a message in plain Chinese")
    assert not wrong, "\n".join(wrong)
    # The sweep proves something only if it saw many refused add and edit forms.
    assert len(set(checked)) >= 30, sorted(set(checked))
