"""Submitting every form a user can reach, as a browser would, with a unique marker in every free-text field.

The pages come from the access matrix's routes; the forms from the HTML (tests/security/htmlforms.py); which
controls are free text from the Django form in the page's context (a CharField that is not hidden or a
password; a <textarea> with no Django field). Required fields the browser would send empty get valid values
(the first choice, 1, today, a small PNG or PDF); a field that refuses its value gets the next candidate
(the value it had, empty, a valid identifier) until the form is accepted or nothing is left to try. Used by
tests/security/test_canary.py (county A against county B, and bureau staff and the system admin)."""

from __future__ import annotations

import io
import secrets
import zipfile
from dataclasses import dataclass, field

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import MinValueValidator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_filters import FilterSet

from tests.security.htmlforms import TEXT_INPUT_TYPES, Control, HtmlForm, parse_forms

# Submitting these would end the session (the sweep goes on as the same user).
NOT_SUBMITTED = ("accounts:logout",)
ROUNDS = 8


# ------------------------------------------------------------------------------------------ markers


class Canary:
    """Markers `kq<8 hex><n>`: short enough for most text fields, ASCII so that email, URL and code
    fields can carry one, unique to this run."""

    def __init__(self):
        self.token = "kq" + secrets.token_hex(4)
        self.count = 0

    def mark(self, field_: forms.Field | None) -> str:
        self.count += 1
        value = f"{self.token}{self.count}"
        if isinstance(field_, forms.EmailField):
            return f"{value}@example.com"
        if isinstance(field_, forms.URLField):
            return f"https://example.com/{value}"
        return value


def _known_valid(region_code: str, n: int) -> list[str]:
    """Values for a required text field that refuses the marker: the identifier formats the forms check."""
    from tests.enterprises.factories import make_uscc
    from tests.experts.factories import make_id_number, make_mobile

    return [make_uscc(9000 + n, area=region_code), make_id_number(9000 + n), make_mobile(9000 + n), "测试"]


# ------------------------------------------------------------------------------------------ pages


def body_text(response) -> str:
    """The response as text; an xlsx (or any zip) is read member by member."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    texts = [content.decode("utf-8", errors="ignore")]
    if content[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            texts += [archive.read(name).decode("utf-8", errors="ignore") for name in archive.namelist()]
    texts += [f"{key}: {value}" for key, value in response.items()]
    return "\n".join(texts)


def context_forms(response) -> list[forms.BaseForm]:
    """The Django forms the page was rendered with (filtersets' forms included)."""
    found: dict[int, forms.BaseForm] = {}
    contexts = response.context
    if contexts is None:
        return []
    contexts = contexts if isinstance(contexts, list) else [contexts]
    for context in contexts:
        for layer in getattr(context, "dicts", [context]):
            for value in layer.values() if isinstance(layer, dict) else ():
                if isinstance(value, FilterSet):
                    value = value.form
                if isinstance(value, forms.BaseForm):
                    found[id(value)] = value
    return list(found.values())


def django_fields(response) -> dict[str, forms.Field]:
    return {form.add_prefix(name): f for form in context_forms(response) for name, f in form.fields.items()}


def field_errors(response) -> set[str]:
    """The (prefixed) names of the fields the re-rendered form marks as wrong."""
    names = set()
    for form in context_forms(response):
        if form.is_bound:
            names.update(form.add_prefix(name) for name in form.errors if name != "__all__")
    return names


def _error_text(response) -> str:
    if response is None or response.status_code != 200:
        return ""
    return "; ".join(
        str(form.errors.as_data()) for form in context_forms(response) if form.is_bound and form.errors
    )


def is_free_text(name: str, html: HtmlForm, fields: dict[str, forms.Field]) -> bool:
    control = html.control(name)
    if control is None or control.disabled:
        return False
    if control.tag != "textarea" and not (control.tag == "input" and control.type in TEXT_INPUT_TYPES):
        return False
    django_field = fields.get(name)
    if django_field is None:
        return control.tag == "textarea"
    return isinstance(django_field, forms.CharField) and not isinstance(
        django_field.widget, forms.HiddenInput | forms.PasswordInput
    )


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _files_for(django_field: forms.Field, accept: str) -> list[tuple[str, str]]:
    """Small valid files to try, a type the input says it accepts first: (name, content type)."""
    image = isinstance(django_field, forms.ImageField) or any(t in accept for t in ("image", "png", "jpg"))
    files = [("canary.png", "image/png"), ("canary.pdf", "application/pdf")]
    return files if image or "pdf" not in accept else files[::-1]


def _upload(name: str, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _png() if name.endswith(".png") else PDF, content_type=content_type)


def _fill_candidates(name: str, html: HtmlForm, django_field: forms.Field | None) -> list[str]:
    """Valid values to try, in order, for a required field the browser would send empty."""
    control = html.control(name)
    if control is not None and control.tag == "select":
        return [value for value, _selected in control.options if value][:6]
    if control is not None and control.type in {"checkbox", "radio"}:
        values = [c.value or "on" for c in html.controls if c.name == name]
        return values[:6]
    if isinstance(django_field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        lows = [v.limit_value for v in django_field.validators if isinstance(v, MinValueValidator)]
        low = max((value for value in lows if not callable(value)), default=None)
        year = [str(timezone.localdate().year)] if "year" in name else []
        return [*year, str(low if low is not None and low > 0 else 1), "0"]
    if django_field is not None and isinstance(django_field.widget, forms.PasswordInput):
        return ["Canary@2026pw"]  # the same in both password fields, with the classes the validators ask for
    if isinstance(django_field, forms.DateTimeField):
        return [timezone.localtime().strftime("%Y-%m-%d %H:%M")]
    if isinstance(django_field, forms.DateField):
        return [timezone.localdate().isoformat()]
    if isinstance(django_field, forms.BooleanField):
        return ["on"]
    return []


# ------------------------------------------------------------------------------------------ submitting


@dataclass
class Submission:
    url: str
    method: str
    marked: list[str]  # the fields that carried a marker in the accepted (or last) attempt
    status: int
    accepted: bool
    location: str | None = None
    errors: str = ""


@dataclass
class Sweep:
    canary: Canary = field(default_factory=Canary)
    region_code: str = ""
    submissions: list[Submission] = field(default_factory=list)
    seen: set = field(default_factory=set)
    visited: list[str] = field(default_factory=list)  # where accepted forms sent the user

    def submit(self, client: Client, html: HtmlForm, fields: dict[str, forms.Field], extra=None) -> None:
        key = (html.method, html.action.split("?")[0], html.names)
        if key in self.seen or any(html.action.startswith(reverse(n)) for n in NOT_SUBMITTED):
            return
        self.seen.add(key)
        base = html.defaults()
        for name, value in (extra or {}).items():
            base[name] = value if isinstance(value, list) else [value]
        text = [name for name in html.names if is_free_text(name, html, fields)]
        if not text:
            return
        # Candidates per field, tried in order while the form refuses the field.
        options: dict[str, list] = {}
        for name in text:
            kept = [v for v in base.get(name, []) if v]
            options[name] = [self.canary.mark(fields.get(name)), *kept[:1]]
            if not kept:
                required = fields.get(name) is None or fields[name].required
                options[name] += _known_valid(self.region_code, self.canary.count) if required else [""]
        files: dict[str, list[tuple[str, str]]] = {}
        for name in html.names - set(text):
            django_field = fields.get(name)
            control = html.control(name)
            if django_field is None or not django_field.required or django_field.disabled:
                continue
            if control.type == "file":
                files[name] = _files_for(django_field, control.accept)
            elif not any(base.get(name, [])):
                candidates = _fill_candidates(name, html, django_field)
                if candidates:
                    options[name] = candidates
        options.update(files)
        index = dict.fromkeys(options, 0)
        response = None
        for _ in range(ROUNDS):
            data = {name: list(values) for name, values in base.items()}
            for name, i in index.items():
                value = options[name][i]
                data[name] = [_upload(*value) if name in files else value]
            data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
            if html.method == "post":
                response = client.post(html.action, data)
            else:
                response = client.get(html.action.split("?")[0], data)
            marked = [n for n in text if self.canary.token in options[n][index[n]]]
            if response.status_code in (301, 302) or (html.method == "get" and response.status_code == 200):
                location = response.get("Location")
                self.submissions.append(
                    Submission(html.action, html.method, marked, response.status_code, True, location)
                )
                if location:
                    self.visited.append(location)
                return
            if response.status_code != 200:
                break
            refused = [n for n in field_errors(response) if n in index and index[n] + 1 < len(options[n])]
            if not refused:
                break
            for name in refused:
                index[name] += 1
        self.submissions.append(
            Submission(
                html.action,
                html.method,
                marked,
                response.status_code if response else 0,
                False,
                errors=_error_text(response),
            )
        )

    def accepted(self, method: str = "post") -> list[Submission]:
        return [s for s in self.submissions if s.accepted and s.method == method and s.marked]

    def run(self, client: Client, routes: list, world) -> list[str]:
        """Opens every (route, url) with GET, then submits every form found: those that post back to their
        own page (add, edit) before those that post elsewhere (a transition on a detail page may end the
        object's editing), then the POST-only routes that carry matrix data. Returns the pages opened."""
        pages: list[str] = []
        found: list[tuple[bool, HtmlForm, dict]] = []
        page_data: dict[str, dict] = {}  # a page's own form starts from its route's matrix data, if any
        for route, url in routes:
            if "GET" not in route.methods:
                continue
            response = client.get(url, follow=True)
            assert response.status_code in (200, 403, 404), (route.name, response.status_code)
            page = response.request["PATH_INFO"]
            pages.append(page)
            if route.data is not None:
                page_data[page] = route.data(world)
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            fields = django_fields(response)
            found += [
                (html.action != page, html, fields) for html in parse_forms(response.content.decode(), page)
            ]
        for elsewhere, html, fields in sorted(found, key=lambda item: item[0]):
            self.submit(client, html, fields, extra=None if elsewhere else page_data.get(html.action))
        for route, url in routes:
            if "GET" not in route.methods and route.data is not None:
                pending = route.data(world)
                self.submit(client, route_form(url, pending), {}, extra=pending)
        return pages

    def summary(self) -> str:
        return "\n".join(
            f"{s.method} {s.url} {s.status} accepted={s.accepted} {s.marked} {s.errors}"
            for s in self.submissions
        )


def route_form(url: str, data: dict) -> HtmlForm:
    """A POST-only route with matrix data and no page of its own: its data as a form, every value that is
    human text (not an action code or a number) taken as a free-text field."""
    controls = []
    for name, value in data.items():
        text = isinstance(value, str) and not value.isascii()
        controls.append(
            Control("textarea", name, type="textarea") if text else Control("input", name, type="hidden")
        )
    return HtmlForm(method="post", action=url, controls=controls)
