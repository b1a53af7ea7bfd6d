"""Every case of the hostile-input corpus (tests/security/corpus/cases.py) is refused or neutralised,
with a Chinese message naming the field or row, and leaves the database as it was."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.security.corpus.cases import CASES, FORBIDDEN, NEUTRALISED, NOT_FOUND, REFUSED, REFUSED_REDIRECT
from tests.security.dbstate import snapshot

pytestmark = pytest.mark.django_db

AUDIT_TABLE = "core_auditevent"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_corpus_is_large_and_unique():
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)


def _clock(case):
    if case.clock is None:
        return mock.patch.object(dt, "MINYEAR", dt.MINYEAR)  # a no-op context
    return mock.patch("django.utils.timezone.now", return_value=dt.datetime(*case.clock, tzinfo=SHANGHAI))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_hostile_case(client, world, case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    url = reverse(case.url, kwargs=case.kwargs(world) if case.kwargs else None)
    client.force_login(world.users[case.role])
    data = case.data(world)
    # A refusal of access is itself audited (等保: access-denied events are logged): that table may grow.
    exclude = frozenset({AUDIT_TABLE}) if case.expect == FORBIDDEN else frozenset()
    before = snapshot(exclude)
    files_before = _media(tmp_path)
    with _clock(case):
        response = getattr(client, case.method.lower())(url, data)
    after = snapshot(exclude)
    if case.expect == NEUTRALISED:
        assert response.status_code == 302, (response.status_code, _errors(response))
        case.check(world, response)
        return
    if case.expect == REFUSED:
        assert response.status_code == 200, response.status_code
        body = response.content.decode()
        assert case.message in body, (case.message, _errors(response))
    elif case.expect == REFUSED_REDIRECT:
        assert response.status_code == 302, response.status_code
        errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
        assert any(case.message in error for error in errors), errors
    elif case.expect == FORBIDDEN:
        assert response.status_code == 403
    elif case.expect == NOT_FOUND:
        assert response.status_code == 404
    changed = {t: (before[0][t], after[0].get(t)) for t in before[0] if before[0][t] != after[0].get(t)}
    if case.expect == FORBIDDEN:
        audit = changed.pop(AUDIT_TABLE, None)
        assert audit is not None and audit[1] == audit[0] + 1, audit
    assert not changed, changed
    assert before[1] == after[1], "business rows changed"
    assert _media(tmp_path) == files_before, "a refused upload left a file behind"


def _media(tmp_path):
    root = tmp_path / "media"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _errors(response):
    context = getattr(response, "context", None)
    form = context.get("form") if context else None
    return form.errors if form is not None else response.content.decode()[:2000]
