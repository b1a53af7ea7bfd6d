"""HTML, script and spreadsheet formulas in every free-text field of every edit form that bureau staff or a
county office can reach: each value is stored (or refused by the field), and the detail page, the list
page and the xlsx export show it only escaped (HTML) or as a text cell, never a formula (xlsx).

The edit forms are found from the role × view matrix (every `*_edit` Route; tests/<app>/access.py builds
a valid object for each), so a new edit form is covered without a new test."""

from __future__ import annotations

import io

import pytest
from django import forms
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from tests.access import all_routes
from tests.security.corpus.cases import DDE, XSS_ATTR, XSS_SCRIPT

pytestmark = pytest.mark.django_db

# Tried in this order on every free-text field; a field whose validation refuses a payload gets the next
# (a code field refuses all of them and keeps its value: refused is an acceptable outcome).
PAYLOADS = (
    DDE[:2] + XSS_ATTR + XSS_SCRIPT,  # a formula, an attribute break-out and a script in one value
    XSS_SCRIPT,
    XSS_ATTR,
)
RAW = ("<script>alert(1)</script>", "<img src=x onerror")
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;")

EDIT_ROUTES = [
    route
    for route in all_routes()
    if route.name.endswith("_edit") and route.kwargs and route.allowed & {"bureau", "county"}
]


def _post_value(bound) -> list[str] | str | None:
    value = bound.value()
    if isinstance(bound.field.widget, forms.CheckboxInput):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return "" if value is None else str(value)


def _free_text(form) -> list[str]:
    return [
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field.widget, forms.HiddenInput | forms.PasswordInput)
        and not field.disabled
    ]


def _form_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = _post_value(form[name])
        if value is not None:
            data[form.add_prefix(name)] = value
    return data


def _post_hostile(client, url) -> dict[str, str]:
    """Posts the payloads into every free-text field of the form at `url`; returns what each field kept."""
    form = client.get(url).context["form"]
    base = _form_data(form)
    level = dict.fromkeys(_free_text(form), 0)
    assert level, f"{url}: no free-text field"
    for _ in range(len(PAYLOADS) + 1):
        data = dict(base)
        for name, index in level.items():
            if index < len(PAYLOADS):
                data[form.add_prefix(name)] = PAYLOADS[index]
        response = client.post(url, data)
        if response.status_code == 302:
            return {name: PAYLOADS[i] for name, i in level.items() if i < len(PAYLOADS)}
        errors = response.context["form"].errors
        refused = [name for name in errors if name in level and level[name] < len(PAYLOADS)]
        assert refused, f"{url}: the form refused fields that carry no payload: {errors.as_data()}"
        for name in refused:
            level[name] += 1
    raise AssertionError(f"{url}: still refused")


def _model_url(model, action: str, obj=None) -> str | None:
    meta = model._meta
    try:
        return reverse(f"{meta.app_label}:{meta.model_name}_{action}", kwargs={"pk": obj.pk} if obj else None)
    except NoReverseMatch:
        return None


def _assert_escaped(url, html: str) -> bool:
    for raw in RAW:
        assert raw not in html, f"{url}: unescaped {raw!r}"
    return any(escaped in html for escaped in ESCAPED)


def _assert_plain_xlsx(url, content: bytes, stored: dict[str, str]) -> None:
    """No cell is a formula; text that starts like one is a text cell holding a stored payload whole (no
    apostrophe added in front of it)."""
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{url}: {cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert cell.data_type == "s", (url, cell.coordinate, cell.value)
                    assert cell.value in stored.values(), (url, cell.coordinate, cell.value)


@pytest.mark.parametrize("route", EDIT_ROUTES, ids=lambda r: r.name)
def test_free_text_is_stored_as_text_and_shown_escaped(client, world, route, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    role = "bureau" if "bureau" in route.allowed else "county"
    client.force_login(world.users[role])
    kwargs = route.kwargs(world)
    url = reverse(route.name, kwargs=kwargs)
    form = client.get(url).context["form"]
    if not _free_text(form):
        pytest.skip("the form has no free-text field")
    model = form._meta.model
    stored = _post_hostile(client, url)
    obj = model._default_manager.get(pk=kwargs["pk"])
    columns = {field.name for field in model._meta.concrete_fields}
    kept = {name: payload for name, payload in stored.items() if name in columns}
    # Stored as typed (the form and the service clean nothing away), at least in one model field.
    assert any(getattr(obj, name) == payload for name, payload in kept.items()), (
        url,
        {name: getattr(obj, name) for name in kept},
    )

    shown = False
    detail = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else _model_url(model, "detail", obj)
    for page in (detail, _model_url(model, "list")):
        if page:
            response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            shown |= _assert_escaped(page, response.content.decode())
    assert shown, f"{route.name}: no page shows the stored text (escaped): the test would prove nothing"

    export = _model_url(model, "export")
    if export:
        response = client.get(export)
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
        _assert_plain_xlsx(export, content, stored)
