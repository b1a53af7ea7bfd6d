"""One county's words never reach another county's pages.

County A opens every page the access matrix lets a county open (tests/access.py `all_routes()`), finds the
forms on them (the HTML as the browser sees it; the Django form in the page's context says which controls are
free text), writes a unique marker into every free-text field and submits each form as a browser would,
filling the required fields it leaves empty with valid values (and `Route.data` for the POST-only routes).
Then, in the same process (the same view, form, filterset and table classes), county B opens every page the
matrix lets a county open, with county A's objects (404s) and with objects of its own, its blank monthly form
for the month county A filed and the pages county A was sent to after saving; no response may carry the
marker. Every class-level attribute of the views, forms, filtersets and tables (and the module-level
containers of the views, forms, tables and filters modules) must be as it was before the run.

Nothing here lists a form by hand: a new page a county can reach, and the form on it, is covered when its
route enters the matrix."""

from __future__ import annotations

import io
import secrets
import zipfile
from dataclasses import dataclass, field

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_filters import FilterSet

from tests.access import World, all_routes
from tests.security import classstate
from tests.security.htmlforms import TEXT_INPUT_TYPES, Control, HtmlForm, parse_forms

pytestmark = pytest.mark.django_db

COUNTY_ROUTES = [route for route in all_routes() if "county" in route.allowed]
# Submitting these would end county A's session (the test goes on as county A).
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
        low = getattr(django_field, "min_value", None)
        return [str(low if low is not None and low > 0 else 1), "0"]
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
    visited: list[str] = field(default_factory=list)  # pages county A was sent to

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


def _url(route, world) -> str:
    return reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)


def _mirror(world) -> World:
    """County B's world: the same roles, with `county` being county B's office (so the matrix's kwargs build
    objects of county B)."""
    users = dict(world.users)
    users["county"], users["other_county"] = world.users["other_county"], world.users["county"]
    return World(users=users, county_a=world.county_b, county_b=world.county_a)


def _own_urls(world_b) -> list[str]:
    """County B's own objects behind every county route with arguments (those the matrix can build for
    county B; a builder that needs county A's fixtures is skipped)."""
    urls = []
    for route in COUNTY_ROUTES:
        if route.kwargs is None or "GET" not in route.methods:
            continue
        try:
            with transaction.atomic():
                urls.append(_url(route, world_b))
        except Exception:  # noqa: S112 — a builder tied to county A's fixtures: covered by county A
            continue
    return urls


def _clients(world) -> tuple[Client, Client]:
    client_a, client_b = Client(), Client()
    client_b.handler = client_a.handler  # one handler, one set of middleware: the same process state
    client_a.force_login(world.users["county"])
    client_b.force_login(world.users["other_county"])
    return client_a, client_b


def test_county_text_never_reaches_another_county(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client_a, client_b = _clients(world)
    # Every route's objects first (a form submitted below may make a later builder's object impossible).
    routes = [(route, _url(route, world)) for route in COUNTY_ROUTES]
    own_urls = _own_urls(_mirror(world))
    before = classstate.picture()
    sweep = Sweep(region_code=world.county_a.code)

    # County A: every page a county may open and the forms on it; then a marker in every free-text field of
    # each form, the forms that post back to their own page (add, edit) before those that post elsewhere
    # (a transition on a detail page may end the object's editing).
    pages: list[str] = []
    found: list[tuple[bool, HtmlForm, dict]] = []
    for route, url in routes:
        if "GET" not in route.methods:
            continue
        response = client_a.get(url, follow=True)
        assert response.status_code in (200, 403, 404), (route.name, response.status_code)
        page = response.request["PATH_INFO"]
        pages.append(page)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        fields = django_fields(response)
        found += [
            (html.action != page, html, fields) for html in parse_forms(response.content.decode(), page)
        ]
    for _elsewhere, html, fields in sorted(found, key=lambda item: item[0]):
        sweep.submit(client_a, html, fields)
    for route, url in routes:
        if "GET" not in route.methods and route.data is not None:
            pending = route.data(world)
            sweep.submit(client_a, _route_form(url, pending), {}, extra=pending)

    posted = sweep.accepted("post")
    searched = sweep.accepted("get")
    attempted = [s for s in sweep.submissions if s.method == "post"]
    marked_fields = sum(len(s.marked) for s in posted)
    summary = "\n".join(
        f"{s.method} {s.url} {s.status} accepted={s.accepted} {s.marked} {s.errors}"
        for s in sweep.submissions
    )
    # The sweep proves something only if county A's words were stored through many forms: most of the forms
    # found were accepted (a refused form stores nothing), with dozens of marked fields.
    assert len(posted) >= 15, summary
    assert len(posted) >= 0.75 * len(attempted), summary
    assert marked_fields >= 40, summary
    assert len(searched) >= 12, summary
    filing_url = client_a.get(reverse("reporting:filing_current"))["Location"]
    assert any(s.url == filing_url for s in posted), f"the monthly form was not saved:\n{summary}"

    # County A opens what it saved: the views read the stored text back (where the monthly form leaked).
    for url in [*pages, *sweep.visited]:
        response = client_a.get(url, follow=True)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
    assert sweep.canary.token in body_text(client_a.get(filing_url)), "county A's own form lost its text"

    # County B, same process: county A's objects, its own, its blank form for the month county A filed.
    urls = [url for route, url in routes if "GET" in route.methods]
    urls += [filing_url, reverse("reporting:filing_current"), *sweep.visited, *own_urls]
    leaks, shown = [], 0
    for url in urls:
        response = client_b.get(url, follow=True)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        shown += response.status_code == 200
        if sweep.canary.token in body_text(response):
            leaks.append(url)
    assert not leaks, f"county A's text ({sweep.canary.token}…) shown to county B at {leaks}"
    assert len(own_urls) >= 25 and shown >= 80, (len(own_urls), shown)  # county B saw pages, not only 404s

    blank = client_b.get(filing_url)
    form = blank.context["form"]
    assert blank.context["filing"] is None
    for name in ("key_progress", "problems", "next_plan"):
        assert not form[name].value(), (name, form[name].value())

    changed = classstate.differences(before, classstate.picture())
    assert not changed, f"requests changed class-level state: {changed}"


def _route_form(url: str, data: dict) -> HtmlForm:
    """A POST-only route with matrix data and no page of its own: its data as a form, every value that is
    human text (not an action code or a number) taken as a free-text field."""
    controls = []
    for name, value in data.items():
        text = isinstance(value, str) and not value.isascii()
        controls.append(
            Control("textarea", name, type="textarea") if text else Control("input", name, type="hidden")
        )
    return HtmlForm(method="post", action=url, controls=controls)
