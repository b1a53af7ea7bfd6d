"""Machines that share nothing but the database, Redis and the object store: gunicorn web processes and a
Celery worker, each in a process of its own with FILE_STORAGE=s3 against moto's S3 server
(tests/objectstore.py). A photo uploaded through one web process is downloaded through another; a report
that a real worker built is downloaded through the web. Nothing is written to a local media folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.urls import reverse

from kejiju.core.models import AuditEvent, ReportJob
from tests.processes import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _browser_of(client, user, server) -> requests.Session:
    """An HTTP session of `user` against another process: the session row is in the shared database."""
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


def _local_media() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def test_a_photo_uploaded_through_one_web_process_downloads_through_another(
    client, world, object_store, start_web
):
    from platforms.models import OutreachPhoto
    from tests.platforms.access import _event
    from tests.platforms.factories import PNG

    event = _event(world)
    county = world.users["county"]
    local_before = _local_media()
    first, second = start_web(**object_store.env), start_web(**object_store.env)

    browser = _browser_of(client, county, first)
    add = reverse("platforms:outreachphoto_add", kwargs={"pk": event.pk})
    page = browser.get(first.url + add, timeout=30)
    assert page.status_code == 200, first.tail()
    token = CSRF_FIELD.search(page.text).group(1)
    response = browser.post(
        first.url + add,
        data={"csrfmiddlewaretoken": token, "caption": "跨进程上传"},
        files={"file": ("现场照片.png", PNG, "image/png")},
        headers={"Referer": first.url + add},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, (response.status_code, response.text[-2000:], first.tail())

    photo = OutreachPhoto.objects.get(event=event, caption="跨进程上传")
    assert photo.original_name == "现场照片.png"
    assert photo.file.name in object_store  # a generated key, not the client's name
    assert "现场照片" not in photo.file.name

    download = reverse("platforms:outreachphoto_download", kwargs={"pk": photo.pk})
    other_browser = _browser_of(client, county, second)
    response = other_browser.get(second.url + download, timeout=30)
    assert response.status_code == 200, second.tail()
    assert response.content == object_store.read(photo.file.name)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "filename*=utf-8''" in response.headers["Content-Disposition"]

    # The other county's office, through either process: 404.
    stranger = _browser_of(client, world.users["other_county"], second)
    assert stranger.get(second.url + download, timeout=30).status_code == 404
    assert _local_media() == local_before


def test_a_report_built_by_a_worker_process_downloads_through_the_web(
    client, auditor_user, object_store, start_worker
):
    worker = start_worker(**object_store.env)
    local_before = _local_media()
    AuditEvent.objects.create(event_type="login", username="alice")
    job = ReportJob.objects.create(kind="audit_events_export", parameters={}, requested_by=auditor_user)
    worker.send(job)
    assert wait_for(lambda: ReportJob.objects.get(pk=job.pk).state == ReportJob.State.SUCCEEDED), (
        worker.tail()
    )

    job.refresh_from_db()
    assert job.file.name in object_store
    assert _local_media() == local_before  # the worker wrote to the store, not to a disk of its own

    client.force_login(auditor_user)
    response = client.get(reverse("core:reportjob_download", kwargs={"pk": job.pk}))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"PK")  # the xlsx, stamped with the reader's name on the way out
    assert body != object_store.read(job.file.name)
