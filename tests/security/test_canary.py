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

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.access import World, all_routes
from tests.security import classstate
from tests.security.formsweep import Sweep, body_text

pytestmark = pytest.mark.django_db

COUNTY_ROUTES = [route for route in all_routes() if "county" in route.allowed]


def _url(route, world) -> str:
    return reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)


def _mirror(world) -> World:
    """County B's world: the same roles, with `county` being county B's office (so the matrix's kwargs build
    objects of county B)."""
    users = dict(world.users)
    users["county"], users["other_county"] = world.users["other_county"], world.users["county"]
    users["unit_admin"], users["other_unit"] = world.users["other_unit"], world.users["unit_admin"]
    return World(
        users=users,
        county_a=world.county_b,
        county_b=world.county_a,
        unit_a=world.unit_b,
        unit_b=world.unit_a,
    )


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

    # County A: every page a county may open, every form on it, a marker in every free-text field.
    pages = sweep.run(client_a, routes, world)

    posted = sweep.accepted("post")
    searched = sweep.accepted("get")
    attempted = [s for s in sweep.submissions if s.method == "post"]
    marked_fields = sum(len(s.marked) for s in posted)
    summary = sweep.summary()
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


# The roles other than the county office that submit forms with free text (leadership and the auditor only
# read; their pages are the bureau's or the audit log's).
WRITING_ROLES = ("bureau", "sysadmin")


@pytest.fixture
def fresh_cache():
    """The system admin renames a region: its cached choices (raised version, new names) outlive the rolled
    back transaction; later tests must not see them."""
    yield
    cache.clear()


def test_staff_requests_leave_class_level_state_unchanged(world, settings, tmp_path, fresh_cache):
    """The same picture of class-level state around the other writing roles' work: bureau staff and the
    system admin submit every form they can reach (a marker in every free-text field) and open the pages
    they are sent to."""
    settings.MEDIA_ROOT = tmp_path
    clients = {}
    for role in WRITING_ROLES:
        clients[role] = Client()
        if len(clients) > 1:
            clients[role].handler = clients[WRITING_ROLES[0]].handler
        clients[role].force_login(world.users[role])
    routes = {
        role: [
            (route, _url(route, world))
            for route in all_routes()
            if role in route.allowed and not route.public
        ]
        for role in WRITING_ROLES
    }
    before = classstate.picture()
    for role in WRITING_ROLES:
        sweep = Sweep(region_code=world.county_a.code)
        sweep.run(clients[role], routes[role], world)
        posted, attempted = sweep.accepted("post"), [s for s in sweep.submissions if s.method == "post"]
        assert len(posted) >= {"bureau": 50, "sysadmin": 3}[role], sweep.summary()
        assert len(posted) >= 0.75 * len(attempted), sweep.summary()
        for url in sweep.visited:
            assert clients[role].get(url, follow=True).status_code in (200, 403, 404), (role, url)
    changed = classstate.differences(before, classstate.picture())
    assert not changed, f"requests changed class-level state: {changed}"
