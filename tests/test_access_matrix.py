"""Role × view matrix: every URL pattern, every role, anonymous and the other county."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access import ALL_ROLES, EXCLUDED_NAMESPACES, all_routes

ROUTES = all_routes()


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in EXCLUDED_NAMESPACES:
                continue
            yield from _url_names(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {entry.pattern}>"


def test_every_url_pattern_has_a_route():
    known = {route.name for route in ROUTES}
    missing = sorted(set(_url_names()) - known)
    assert not missing, f"URL patterns with no entry in the access matrix: {missing}"
    duplicates = sorted(name for name in known if sum(r.name == name for r in ROUTES) > 1)
    assert not duplicates


def _request(client, method, url, data=None):
    return getattr(client, method.lower())(url, data or {})


def _url(route, world):
    return reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_anonymous(client, world, route):
    url = _url(route, world)
    for method in route.methods:
        response = _request(client, method, url)
        if route.public:
            assert response.status_code in route.ok, (method, url, response.status_code)
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith(reverse("accounts:login")), (method, url)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("route", [r for r in ROUTES if not r.public], ids=lambda r: r.name)
def test_role(client, world, route, role):
    client.force_login(world.users[role])
    url = _url(route, world)
    data = route.data(world) if route.data else None
    for method in route.methods:
        response = _request(client, method, url, data)
        if role in route.allowed:
            assert response.status_code in route.ok, (role, method, url, response.status_code)
        else:
            expected = route.denied.get(role, 403)
            assert response.status_code == expected, (role, method, url, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.scoped and "county" in r.allowed], ids=lambda r: r.name
)
def test_other_county_gets_404(client, world, route):
    client.force_login(world.users["other_county"])
    url = _url(route, world)
    data = route.data(world) if route.data else None
    for method in route.methods:
        response = _request(client, method, url, data)
        assert response.status_code == 404, (method, url, response.status_code)
