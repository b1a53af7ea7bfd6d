"""Files in an S3-compatible object store (FILE_STORAGE=s3), against moto's S3 server in its own process
(tests/objectstore.py): every download route of the role × view matrix serves its file from the bucket
behind the same checks as on the local disk (the other county and the other unit get 404), under a
generated key, with nosniff and a Content-Disposition; a missing object is a 404 that says so; a store that
does not answer is a 503 that says so, and an upload to it saves nothing. And no code of the portal opens a
stored file by its local path (a remote storage has none)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from tests.access import all_routes
from tests.objectstore import ObjectStore, free_port

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# Generated object keys (kejiju/core/uploads.py GeneratedName; reports under reports/<yyyy>/<mm>/).
GENERATED_KEY = re.compile(r"(?:[a-z_]+/)+\d{4}/\d{2}/[0-9a-f]{32}\.[a-z0-9]{1,10}|reports/\d{4}/\d{2}/[^/]+")
DOWNLOADS = [r for r in all_routes() if re.search(r"(download|_file|_scan)$", r.name)]
# Who opens each download: the first allowed role in this order (a county office where it may).
OPENER_ORDER = ("county", "unit_admin", "applicant", "expert", "bureau", "leader", "auditor")


def _url(route, world) -> str:
    return reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _opener(route) -> str:
    return next(role for role in OPENER_ORDER if role in route.allowed)


def test_the_sweep_covers_every_download():
    names = {r.name for r in DOWNLOADS}
    assert {
        "projects:attachment_download",
        "reporting:attachment_download",
        "core:reportjob_download",
        "platforms:outreachphoto_download",
        "experts:my_seat_file",
        "integrity:integrityrecord_scan",
    } <= names
    assert all(r.methods == ("GET",) for r in DOWNLOADS), names


@pytest.mark.parametrize("route", DOWNLOADS, ids=lambda r: r.name)
def test_a_download_comes_from_the_object_store_behind_the_same_checks(client, world, object_store, route):
    url = _url(route, world)  # the route's builder stores its files, in the bucket now
    keys = object_store.keys()
    assert keys, "the builder stored nothing in the bucket"
    assert all(GENERATED_KEY.fullmatch(key) for key in keys), keys

    client.force_login(world.users[_opener(route)])
    response = client.get(url)
    assert response.status_code == 200, (route.name, response.status_code)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].split(";")[0] in {"attachment", "inline"}
    body = _body(response)
    assert body
    # A download is the stored object itself, or (PDF, xlsx, a reviewer's copy) a marked copy of it.
    stored = {object_store.read(key) for key in keys}
    assert body in stored or response.get("Cache-Control") == "private, no-store", route.name

    if route.scoped and "county" in route.allowed:
        client.force_login(world.users["other_county"])
        assert client.get(url).status_code == 404
    if route.unit_scoped and "unit_admin" in route.allowed:
        client.force_login(world.users["other_unit"])
        assert client.get(url).status_code == 404

    # The object gone from the bucket (the row still names it): a message, never a 500.
    client.force_login(world.users[_opener(route)])
    for key in keys:
        object_store.client().delete_object(Bucket=object_store.bucket, Key=key)
    response = client.get(url, follow=True)
    text = response.content.decode()
    # 404 from a download, 403 from a reviewer's copy that cannot be marked (with its reason).
    assert response.status_code in {200, 403, 404}, (route.name, response.status_code)
    assert "在文件存储中不存在" in text or "文件不存在" in text, (route.name, text[-2000:])


def _point_at_a_closed_port(object_store, settings, monkeypatch) -> ObjectStore:
    """The same settings pointed at a port where no store answers (a store that is down)."""
    from botocore.config import Config

    from kejiju.settings import file_storage

    down = ObjectStore(endpoint=f"http://127.0.0.1:{free_port()}", bucket=object_store.bucket)
    for name, value in down.env.items():
        monkeypatch.setenv(name, value)
    options = file_storage("s3")
    # No retries against a closed port: the answer comes at once.
    options["OPTIONS"]["client_config"] = options["OPTIONS"]["client_config"].merge(
        Config(retries={"max_attempts": 1, "mode": "standard"})
    )
    settings.STORAGES = {**settings.STORAGES, "default": options}
    return down


def test_a_store_that_does_not_answer_gives_a_503_that_says_so(
    client, world, object_store, settings, monkeypatch
):
    from platforms.models import OutreachPhoto
    from tests.platforms.factories import photo_upload

    download = next(r for r in DOWNLOADS if r.name == "platforms:outreachphoto_download")
    upload = next(r for r in all_routes() if r.name == "platforms:outreachphoto_add")
    download_url, upload_url = _url(download, world), _url(upload, world)
    photos = OutreachPhoto.objects.count()
    _point_at_a_closed_port(object_store, settings, monkeypatch)

    client.force_login(world.users["county"])
    response = client.get(download_url)
    assert response.status_code == 503
    assert "文件存储暂时无法访问" in response.content.decode()

    response = client.post(upload_url, {"file": photo_upload(), "caption": "存储不可用时"})
    assert response.status_code == 503
    assert "本次操作未保存" in response.content.decode()
    assert OutreachPhoto.objects.count() == photos


def test_import_previews_wait_and_are_swept_in_the_object_store(object_store, bureau_user):
    """The workbook kept between an import's preview and its commit (any web process may take the
    commit) and the beat task that removes an unconfirmed one: listing and ages from the store."""
    import datetime as dt

    from kejiju.core.models import ReportJob
    from kejiju.core.spreadsheets import import_upload_delete, import_upload_save, import_uploads_sweep

    left = import_upload_save(importer="enterprises", content=b"PK-left")
    waiting = import_upload_save(importer="experts", content=b"PK-waiting")
    done = import_upload_save(importer="enterprises", content=b"PK-done")
    assert sorted([left, waiting, done]) == object_store.keys()
    ReportJob.objects.create(
        kind="enterprise_import", parameters={"path": waiting, "name": "w.xlsx"}, requested_by=bureau_user
    )
    import_upload_delete(done)
    assert import_uploads_sweep() == []  # younger than a day
    assert import_uploads_sweep(max_age=dt.timedelta(seconds=-60)) == [left]
    assert object_store.keys() == [waiting]


# ----------------------------------------------------------------------------- no file opened by path


def _file_field_names() -> set[str]:
    return {
        field.name
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }


def _portal_sources() -> list[Path]:
    folders = ["kejiju", "enterprises", "experts", "platforms", "projects", "scripts"]
    return sorted(
        path
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts and path.name != "settings.py"
    )


def local_path_uses(source: str, file_fields: set[str]) -> list[tuple[int, str]]:
    """Where `source` reaches a stored file by a local path: `<row>.<file field>.path` (FieldFile.path),
    `<…storage>.path(…)`, or `FileSystemStorage(…)` built outside the settings. A remote storage has no
    path: each of these breaks with FILE_STORAGE=s3."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "path":
            owner = node.value
            if isinstance(owner, ast.Attribute) and owner.attr in file_fields:
                found.append((node.lineno, f"{ast.unparse(node)} (FieldFile.path)"))
            elif "storage" in ast.unparse(owner).lower():
                found.append((node.lineno, f"{ast.unparse(node)} (Storage.path)"))
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("FileSystemStorage"):
            found.append((node.lineno, f"{ast.unparse(node.func)}(…)"))
    return sorted(found)


def test_the_path_check_finds_what_it_looks_for():
    fields = {"file", "scan"}
    source = (
        "def f(job, record, default_storage):\n"
        "    open(job.file.path)\n"
        "    x = record.scan.path\n"
        "    default_storage.path(job.file.name)\n"
        "    FileSystemStorage(location='/tmp')\n"
        "    request.path, os.path.join('a'), job.file.name\n"
    )
    assert [line for line, _ in local_path_uses(source, fields)] == [2, 3, 4, 5]


# Reading the files a deployment keeps apart from the storage (a backup folder, an audit archive) by path
# is right: they are the operator's files on the machine that runs the command, not stored files.
LOCAL_BY_DESIGN = {"kejiju/core/backup.py"}


def test_no_code_opens_a_stored_file_by_its_local_path():
    fields = _file_field_names()
    assert {"file", "scan"} <= fields
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _portal_sources()
        if str(path.relative_to(ROOT)) not in LOCAL_BY_DESIGN
        for line, what in local_path_uses(path.read_text(encoding="utf-8"), fields)
    ]
    assert not found, "a stored file reached by a local path (use the storage API):\n" + "\n".join(found)
