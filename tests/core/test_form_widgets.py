"""Date inputs and maxlength, swept over every page of the access matrix (issue 16, defects 4 and 6).

Every GET route of the matrix is opened as one of its allowed roles (World objects, so edit forms have an
instance). On every page:

* no `<input>` or `<textarea>` carries `maxlength` (chromium cuts a pasted value to it without a word);
* every `<input type="date">` has an ISO value or none, every `datetime-local` one YYYY-MM-DDTHH:MM;
* every form of the page's context (forms, filter forms, formsets) renders each date field as a date
  input whose value is the ISO form of the field's value, empty only where the value is empty — with the
  value it has, and with a date set as its initial value (so add forms and empty filters are checked too);
* every field with a maximum length refuses a value one character longer with a message that names the
  field and the real length.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import django_filters
import pytest
from django import forms
from django.forms.formsets import BaseFormSet
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.access import ALL_ROLES, all_routes

ROUTES = [route for route in all_routes() if "GET" in route.methods]
# Who opens a route: the bureau first, then the rest of the matrix's roles.
ROLE_PREFERENCE = ("bureau", *(role for role in ALL_ROLES if role != "bureau"))

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
SAMPLE_DATE = date(2026, 12, 5)
SAMPLE_DATETIME = datetime(2026, 12, 5, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "textarea", "select"):
            self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _elements(html: str) -> list[tuple[str, dict]]:
    parser = _Inputs()
    parser.feed(html)
    return parser.elements


def _role(route) -> str | None:
    if route.public:
        return None
    return next(role for role in ROLE_PREFERENCE if role in route.allowed)


def _forms_in(value, seen: set[int]):
    """The forms in one context value: a form, a formset's forms, a filterset's form, lists of these."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, forms.BaseForm):
        yield value
    elif isinstance(value, BaseFormSet):
        yield from value.forms
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _forms_in(item, seen)
    elif isinstance(value, django_filters.FilterSet):
        yield value.form


def _context_forms(response) -> list[forms.BaseForm]:
    if response.context is None:
        return []
    found, seen = [], set()
    for context in response.context:
        for layer in context.dicts:
            for value in layer.values():
                found.extend(_forms_in(value, seen))
    return found


def _expected(field: forms.Field, value) -> str:
    """The value attribute a date or date-time input must carry for a field's value."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):  # a bound form shows what was sent
        return value
    if isinstance(field, forms.DateTimeField):
        return field.prepare_value(value).strftime("%Y-%m-%dT%H:%M")
    return value.isoformat()


def _rendered_input(bound_field) -> dict:
    [(_, attrs)] = [(tag, attrs) for tag, attrs in _elements(str(bound_field)) if tag == "input"]
    return attrs


def _date_field_failures(where: str, form: forms.BaseForm) -> list:
    failures = []
    for name, field in list(form.fields.items()):
        if not isinstance(field, forms.DateField | forms.DateTimeField) or field.widget.is_hidden:
            continue
        kind = "datetime-local" if isinstance(field, forms.DateTimeField) else "date"
        bound = form[name]
        attrs = _rendered_input(bound)
        expected = _expected(field, bound.value())
        if attrs.get("type") != kind or attrs.get("value", "") != expected:
            failures.append(
                (where, type(form).__name__, name, "as is", attrs.get("type"), attrs.get("value"))
            )
        if form.is_bound:
            continue
        sample = SAMPLE_DATETIME if kind == "datetime-local" else SAMPLE_DATE
        form.initial = {**form.initial, name: sample}  # a new dict: the view's own is not touched
        attrs = _rendered_input(field.get_bound_field(form, name))  # a fresh bound field: not cached
        if attrs.get("type") != kind or attrs.get("value") != _expected(field, sample):
            failures.append(
                (where, type(form).__name__, name, "with a date", attrs.get("type"), attrs.get("value"))
            )
    return failures


def _length_failures(where: str, form: forms.BaseForm) -> list:
    """A value one character over a field's maximum is refused, naming the field and the real length.
    (A field whose validators a form removed on purpose, such as the 统一社会信用代码 checked by its
    service, is not refused here: the service's message is tested with the browser below.)"""
    failures = []
    for name, field in list(form.fields.items()):
        limit = getattr(field, "max_length", None)
        if limit is None or field.widget.is_hidden or not isinstance(field, forms.CharField):
            continue
        bound = form[name]
        value = "测" * (limit + 1)
        if isinstance(field, forms.URLField):  # its to_python would add a scheme to the bare text
            value = "https://kjj.example.cn/" + "a" * (limit + 1 - len("https://kjj.example.cn/"))
        try:
            field.clean(value)
        except forms.ValidationError as error:
            messages = " ".join(error.messages)
            if str(bound.label) not in messages or str(limit + 1) not in messages:
                failures.append((where, type(form).__name__, name, messages))
    return failures


def _page_failures(route, url: str, response) -> list:
    failures = []
    if not response.get("Content-Type", "").startswith("text/html"):
        return failures
    html = response.content.decode()
    for tag, attrs in _elements(html):
        if "maxlength" in attrs:
            failures.append(
                (route.name, f"<{tag} name={attrs.get('name')}> has maxlength={attrs['maxlength']}")
            )
        if tag != "input":
            continue
        value = attrs.get("value") or ""
        if attrs.get("type") == "date" and value and not ISO_DATE.match(value):
            failures.append((route.name, f"date input {attrs.get('name')} value={value!r}"))
        if attrs.get("type") == "datetime-local" and value and not ISO_DATETIME_LOCAL.match(value):
            failures.append((route.name, f"datetime-local input {attrs.get('name')} value={value!r}"))
    for form in _context_forms(response):
        failures += _date_field_failures(route.name, form)
        failures += _length_failures(route.name, form)
    return failures


def _by_namespace() -> dict[str, list]:
    groups: dict[str, list] = {}
    for route in ROUTES:
        groups.setdefault(route.name.split(":")[0], []).append(route)
    return groups


@pytest.mark.django_db
@pytest.mark.parametrize("namespace", sorted(_by_namespace()))
def test_every_page_renders_iso_dates_and_no_maxlength(world, namespace):
    clients: dict[str | None, Client] = {}
    failures, pages, forms_seen = [], 0, 0
    for route in _by_namespace()[namespace]:
        role = _role(route)
        if role not in clients:
            clients[role] = Client()
            if role is not None:
                clients[role].force_login(world.users[role])
        url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
        response = clients[role].get(url, route.data(world) if route.data else {})
        assert response.status_code in route.ok, (route.name, role, response.status_code)
        if response.status_code != 200:
            continue
        pages += 1
        forms_seen += len(_context_forms(response))
        failures += _page_failures(route, url, response)
    assert pages and forms_seen, (namespace, pages, forms_seen)
    assert not failures, "\n".join(map(str, failures))


# ------------------------------------------------------------------ the mechanism itself


def test_fields_are_adapted_on_the_form_instance_only():
    from enterprises.forms import TransitionForm

    class_field = TransitionForm.base_fields["on"]
    form = TransitionForm()
    html = str(form["on"]) + str(form["comment"])
    assert 'type="date"' in html and "maxlength" not in html
    assert type(class_field.widget) is forms.DateInput  # the class's field is not touched
    assert TransitionForm.base_fields["comment"].widget.attrs == {"maxlength": "500"}
    assert "max_length" not in TransitionForm.base_fields["comment"].error_messages


def test_a_value_over_its_length_is_refused_naming_the_field_and_both_lengths():
    from enterprises.forms import TransitionForm

    form = TransitionForm(data={"action": "x", "comment": "长" * 501})
    assert not form.is_valid()
    assert form.errors["comment"] == ["“说明”不能超过 500 个字符（现为 501 个字符），请删减后再提交。"]


@pytest.mark.parametrize("text", ["2026-12-05", "2026/12/05", "2026年12月5日"])
def test_date_fields_read_iso_and_the_usual_chinese_spellings(text):
    assert forms.DateField().clean(text) == SAMPLE_DATE


def test_datetime_fields_read_the_datetime_local_value():
    value = forms.DateTimeField().clean("2026-12-05T09:30")
    assert value == SAMPLE_DATETIME


def test_other_date_widgets_are_left_alone():
    from django.contrib.admin.widgets import AdminDateWidget

    from kejiju.core.widgets import DateInput, project_widget

    admin = AdminDateWidget()
    assert project_widget(admin) is admin
    hidden = forms.HiddenInput()
    assert project_widget(hidden) is hidden
    replaced = project_widget(forms.DateInput(attrs={"type": "text", "class": "x"}))
    assert type(replaced) is DateInput and replaced.attrs == {"class": "x"}
    split = project_widget(forms.SplitDateTimeWidget())
    assert type(split.widgets[0]) is DateInput


@pytest.mark.django_db
def test_a_transition_comment_over_its_length_says_so(client, bureau_user):
    """The transition form's comment carries no maxlength: the server refuses a too-long comment naming
    the field and both lengths, and nothing changes."""
    from tests.enterprises.factories import SmesEvaluationFactory

    evaluation = SmesEvaluationFactory()
    client.force_login(bureau_user)
    response = client.post(
        reverse("enterprises:smesevaluation_transition", kwargs={"pk": evaluation.pk}),
        {"action": "review_pass", "effective_on": timezone.localdate().isoformat(), "comment": "长" * 2001},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["comment"]
    assert any("说明" in error and "2000" in error and "2001" in error for error in errors), errors
    evaluation.refresh_from_db()
    assert evaluation.state == "submitted"
