"""Every upload path of the portal takes every hostile file of the corpus, and a valid file under a 268-byte
name (Chinese, over the 255-byte limit of most file systems), and answers with the page again (200, with a
message) or a redirect, never a 5xx. A refused request leaves the media folder exactly as it was (no file
of a rolled-back row stays on disk); an accepted one stores its files under generated names only.

The upload paths are found, not listed: every Route of the role × view matrix (tests/access.py
`all_routes()`) whose view's form (or model) has a file field, for each business role allowed to use it.
The hostile files are every file that a case of tests/security/corpus/cases.py uploads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from django import forms
from django.apps import apps
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kejiju.core import uploads
from kejiju.core.captcha import CaptchaField
from tests.access import all_routes
from tests.security.corpus import files
from tests.security.corpus.cases import CASES, _enterprise_rows, _expert_rows

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
UPLOAD_ROLES = ("bureau", "county")
NAME_BYTES = 268
# A stored file's name: <prefix>/<yyyy>/<mm>/<uuid4 hex>.<ext> (import previews: <prefix>/<uuid4 hex>.xlsx).
GENERATED = re.compile(r"(?:[a-z_]+/)+(?:\d{4}/\d{2}/)?[0-9a-f]{32}(?:\.[a-z0-9]{1,10})?")


def _views_by_name() -> dict[str, object]:
    """Every named URL pattern's view, by its namespaced name."""
    found: dict[str, object] = {}

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found[f"{prefix}{pattern.name}"] = pattern.callback

    walk(get_resolver().url_patterns, "")
    return found


def _takes_files(view) -> bool:
    view_class = getattr(view, "view_class", None)
    form_class = getattr(view_class, "form_class", None)
    if form_class is not None and any(
        isinstance(field, forms.FileField) for field in form_class.base_fields.values()
    ):
        return True
    model = getattr(view_class, "model", None)
    fields = getattr(view_class, "fields", None) or ()
    return model is not None and any(
        isinstance(field, models.FileField) and (field.name in fields or fields == "__all__")
        for field in model._meta.get_fields()
    )


def _upload_paths() -> list[tuple[object, str]]:
    """(route, who): each business role allowed to use a route whose form takes files, and anonymous for
    a public one (the unit registration faces the internet)."""
    views = _views_by_name()
    return [
        (route, role)
        for route in all_routes()
        if route.name in views and _takes_files(views[route.name])
        for role in (("anonymous",) if route.public else UPLOAD_ROLES)
        if route.public or role in route.allowed
    ]


UPLOAD_PATHS = _upload_paths()


def test_the_sweep_finds_the_upload_paths():
    names = {route.name for route, _ in UPLOAD_PATHS}
    # Project attachments, 成果赋权 approvals (add and edit), science-event photos, monthly filings and
    # both spreadsheet imports at least.
    assert len(names) >= 6, names
    assert {"reporting:filing_form", "enterprises:enterprise_import", "experts:expert_import"} <= names
    assert ("units:register", "anonymous") in {(route.name, role) for route, role in UPLOAD_PATHS}


# -------------------------------------------------------------------------------------------- the files

_HOSTILE: list[tuple[str, bytes]] = []


def _hostile_files(world) -> list[tuple[str, bytes]]:
    """Every distinct file that a corpus case uploads (name and content), built once."""
    if not _HOSTILE:
        seen = set()
        for case in CASES:
            data = case.data(world)
            for value in data.values():
                for item in value if isinstance(value, list | tuple) else [value]:
                    if isinstance(item, SimpleUploadedFile):
                        item.seek(0)
                        content = item.read()
                        key = (item.name, hashlib.sha256(content).hexdigest())
                        if key not in seen:
                            seen.add(key)
                            _HOSTILE.append((item.name, content))
        assert len(_HOSTILE) >= 30
    return _HOSTILE


def long_name(extension: str) -> str:
    """A Chinese file name of exactly 268 bytes in UTF-8 (90 characters and more)."""
    suffix = f".{extension}"
    stem_bytes = NAME_BYTES - len(suffix.encode())
    stem = "忻州市科技局月度工作动态附件"
    stem = (stem * 10)[: stem_bytes // 3] + "1" * (stem_bytes % 3)
    name = stem + suffix
    assert len(name.encode()) == NAME_BYTES and len(name) >= 90
    return name


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _valid_files() -> list[tuple[str, bytes]]:
    """Valid content under the long name, one per kind of upload (documents, photos, each import)."""
    return [
        (long_name("pdf"), files.PDF),
        (long_name("png"), files.PNG),
        (long_name("jpg"), JPEG),
        (long_name("xlsx"), _enterprise_rows()),
        (long_name("xlsx"), _expert_rows()),
        (long_name("xlsx"), _integrity_rows()),
    ]


def _score_sheet(client, kwargs) -> bytes:
    """The panel's own generated 评分表 with the first member's scores typed in (a sheet is read by its
    panel's exact headers, so no generic workbook fits)."""
    import io

    from openpyxl import load_workbook

    response = client.get(reverse("experts:reviewpanel_sheet", kwargs=kwargs))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    for column, cell in enumerate(sheet[1], start=1):
        if "（满分" in str(cell.value):
            sheet.cell(row=2, column=column, value=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Upload pages of one record whose valid file is that record's own (route name → builder).
RECORD_FILES = {"experts:reviewpanel_scores_import": _score_sheet}


def _integrity_rows() -> bytes:
    from tests.integrity.factories import UNIT_ROW, workbook

    return workbook([UNIT_ROW])


# ------------------------------------------------------------------------------------------- the posts


def _post_value(bound):
    value = bound.value()
    field = bound.field
    if isinstance(field, forms.FileField):
        return None
    if isinstance(field.widget, forms.CheckboxInput):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if value in (None, "") and isinstance(field, forms.ChoiceField) and field.required:
        choices = [str(key) for key, _ in field.choices if key not in ("", None)]
        return choices[0] if choices else ""
    return "" if value is None else str(value)


def _base_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = _post_value(form[name])
        if value is not None:
            data[form.add_prefix(name)] = value
    return data


def _sibling_edit_data(client, world, route) -> dict:
    """An add form starts empty: its fields are filled from an existing object's edit form (the matrix's
    `<model>_edit` Route beside `<model>_add`), so that the post reaches the upload."""
    if not route.name.endswith("_add"):
        return {}
    name = route.name.removesuffix("_add") + "_edit"
    edit = next((r for r in all_routes() if r.name == name and r.kwargs), None)
    if edit is None:
        return {}
    page = client.get(reverse(edit.name, kwargs=edit.kwargs(world)))
    return _base_data(page.context["form"]) if page.status_code == 200 else {}


def _file_fields(form) -> list[tuple[str, bool]]:
    """(posted name, takes several files) of each file field of the form."""
    return [
        (form.add_prefix(name), getattr(field.widget, "allow_multiple_selected", False))
        for name, field in form.fields.items()
        if isinstance(field, forms.FileField)
    ]


def _clock(kwargs: dict):
    """A route for one month (the monthly filing) runs inside that month's filing window."""
    if {"year", "month"} <= set(kwargs):
        year, month = int(kwargs["year"]), int(kwargs["month"])
        moment = dt.datetime(year + month // 12, month % 12 + 1, 3, 10, tzinfo=SHANGHAI)
        return mock.patch("django.utils.timezone.now", return_value=moment)
    return mock.patch.object(dt, "MINYEAR", dt.MINYEAR)  # a no-op context


def _media(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _outcome(response) -> str:
    """ "refused" (the form again with its errors, an error message, a rejected preview) or "accepted"."""
    status = response.status_code
    assert status < 500, status
    assert status in (200, 302), (status, response.content[:500])
    errors = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    if status == 302:
        return "refused" if errors else "accepted"
    context = response.context or {}
    form = context.get("form")
    parsed = context.get("parsed")
    if errors or (form is not None and form.errors) or (parsed is not None and not parsed.ok):
        return "refused"
    return "accepted"


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _poster(client, world, route, role, media):
    """The upload page of `route` as `role`, and a function posting its form with the files a callable
    gives each file field; it answers "refused" or "accepted" and checks the media folder (a refusal
    leaves it as it was, a stored file has a generated name). Call it inside `_clock(kwargs)`."""
    if role != "anonymous":
        client.force_login(world.users[role])
    kwargs = route.kwargs(world) if route.kwargs else {}
    url = reverse(route.name, kwargs=kwargs or None)
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    form = page.context["form"]
    own, sibling = _base_data(form), _sibling_edit_data(client, world, route)
    base = {key: value or sibling.get(key, value) for key, value in own.items()}
    base.update(route.data(world) if route.data else {})  # a form no edit page fills (registration)
    fields = _file_fields(form)
    captchas = [name for name, field in form.fields.items() if isinstance(field, CaptchaField)]
    assert fields, f"{route.name}: no file field on the form"

    def post(files_for_field):
        before = _media(media)
        data = dict(base)
        for field_name, _ in fields:
            data[field_name] = files_for_field()
        for name in captchas:  # the picture a person would read, drawn anew for each post
            scope = form.fields[name].scope
            client.get(reverse("core:captcha", kwargs={"scope": scope}))
            data[form.add_prefix(name)] = client.session[f"captcha:{scope}"]["code"]
        cache.clear()  # the per-address throttle has its own test (tests/units); this sweep posts 40
        response = client.post(url, data)
        outcome = _outcome(response)
        after = _media(media)
        if outcome == "refused":
            assert after == before, f"{route.name}: a refused upload left {sorted(after - before)}"
        for stored in after - before:
            assert GENERATED.fullmatch(stored), f"{route.name}: stored under {stored!r}"
        post.stored = after - before
        return outcome

    post.fields = fields
    return post


@pytest.mark.parametrize(("route", "role"), UPLOAD_PATHS, ids=lambda v: getattr(v, "name", v))
def test_upload_path_takes_hostile_files_and_long_names(client, world, route, role, settings, tmp_path):
    settings.MEDIA_ROOT = media = tmp_path / "media"
    hostile = _hostile_files(world)
    kwargs = route.kwargs(world) if route.kwargs else {}
    with _clock(kwargs):
        post = _poster(client, world, route, role, media)
        fields = post.fields

        # A valid file under a 268-byte Chinese name: one of them must be stored (or previewed).
        accepted = None
        own_file = RECORD_FILES.get(route.name)
        valid = [(long_name("xlsx"), own_file(client, kwargs))] if own_file else _valid_files()
        for name, content in valid:
            if post(lambda name=name, content=content: _upload(name, content)) == "accepted":
                accepted = (name, content)
                break
        assert accepted, f"{route.name} as {role}: no valid file under a long name was accepted"

        # Every hostile file; a form that takes several files gets the valid one first, so that a refusal
        # of the second must also remove the first.
        several = any(multiple for _, multiple in fields)
        for name, content in hostile:
            if several:
                post(lambda name=name, content=content: [_upload(*accepted), _upload(name, content)])
            else:
                post(lambda name=name, content=content: _upload(name, content))


# ------------------------------------------------------------------------------------------ downloads

DOWNLOAD = re.compile(r"(?:_download|_file)$")


def _original_name_columns() -> list[tuple[type[models.Model], str, str]]:
    """(model, file field, column keeping the client's name) of every uploaded file."""
    found = []
    for model in apps.get_models():
        columns = {field.name for field in model._meta.concrete_fields}
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and isinstance(field.upload_to, uploads.GeneratedName):
                column = next(c for c in ("original_name", f"{field.name}_name") if c in columns)
                found.append((model, field.name, column))
    return found


def test_downloads_send_the_original_name(client, world, settings, tmp_path):
    """Every download route of the matrix sends a stored upload under the client's name (268 bytes of
    Chinese, RFC 5987 encoded), with nosniff."""
    settings.MEDIA_ROOT = tmp_path / "media"
    routes = [route for route in all_routes() if DOWNLOAD.search(route.name) and route.kwargs]
    urls = [(route, reverse(route.name, kwargs=route.kwargs(world))) for route in routes]
    name = long_name("pdf")
    for model, _, column in _original_name_columns():
        model._default_manager.exclude(**{column: ""}).update(**{column: name})
    encoded = quote(name)
    sent = []
    for route, url in urls:
        role = sorted(route.allowed)[0]
        client.force_login(world.users[role])
        response = client.get(url)
        assert response.status_code == 200, (route.name, response.status_code)
        disposition = response.get("Content-Disposition", "")
        assert "\r" not in disposition and "\n" not in disposition
        assert response["X-Content-Type-Options"] == "nosniff"
        if encoded in disposition:
            assert f"filename*=utf-8''{encoded}" in disposition, disposition
            sent.append(route.name)
        b"".join(response.streaming_content)  # closes the file (through the test client's wrapper)
    # Filing attachments, project attachments, 成果赋权 approvals and event photos at least.
    assert len(sent) >= 4, sent


# ------------------------------------------------------------------------------------------------ OFD

# Upload paths that take documents: the OFD must be taken there (a known few, so the sweep is not empty).
TAKE_DOCUMENTS = {"projects:attachment_add", "reporting:filing_form"}


@pytest.mark.parametrize(("route", "role"), UPLOAD_PATHS, ids=lambda v: getattr(v, "name", v))
def test_upload_path_that_takes_pdf_takes_ofd(client, world, route, role, settings, tmp_path):
    """OFD (GB/T 33190) is accepted wherever PDF is: a path that stores a PDF stores a valid OFD under a
    generated `.ofd` name; a zip without OFD.xml named .ofd is refused there (nothing stored)."""
    settings.MEDIA_ROOT = media = tmp_path / "media"
    kwargs = route.kwargs(world) if route.kwargs else {}
    with _clock(kwargs):
        post = _poster(client, world, route, role, media)
        assert post(lambda: _upload(long_name("ofd"), files.ofd_without_entry())) == "refused"
        assert post(lambda: _upload(long_name("ofd"), files.PDF)) == "refused"
        ofd = post(lambda: _upload(long_name("ofd"), files.OFD))
        if ofd == "accepted":
            assert any(name.endswith(".ofd") for name in post.stored), post.stored
        pdf = post(lambda: _upload(long_name("pdf"), files.PDF))
    # A second document may be refused where one is allowed: the OFD went first.
    assert not (pdf == "accepted" and ofd == "refused"), f"{route.name}: PDF taken, OFD refused"
    if route.name in TAKE_DOCUMENTS:
        assert ofd == "accepted", route.name
