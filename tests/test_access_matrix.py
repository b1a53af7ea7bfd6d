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


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.unit_scoped and "unit_admin" in r.allowed], ids=lambda r: r.name
)
def test_other_unit_gets_404(client, world, route):
    client.force_login(world.users["other_unit"])
    url = _url(route, world)
    data = route.data(world) if route.data else None
    for method in route.methods:
        response = _request(client, method, url, data)
        assert response.status_code == 404, (method, url, response.status_code)


# ------------------------------------------------------------------ methods a route does not declare

# Never served anywhere: Django's form views would treat PUT as POST and DeleteView would delete on DELETE
# without the confirmation form (kejiju.core.middleware.AllowedMethodsMiddleware answers 405).
NEVER_SERVED = ("PUT", "PATCH", "DELETE")
AUDIT_TABLE = "core_auditevent"  # a refused request is itself audited


def _served(view_class, method: str) -> bool:
    name = method.lower()
    return name in view_class.http_method_names and hasattr(view_class, name)


def _principals(world):
    """(name, user or None): anonymous, every role, the other county's office and the other unit."""
    yield "anonymous", None
    for role in ALL_ROLES:
        yield role, world.users[role]
    yield "other_county", world.users["other_county"]
    yield "other_unit", world.users["other_unit"]


def _expected(route, who: str, method: str, view_class) -> set[int] | None:
    """The status codes that count as a refusal for this principal and method; None: not checked here
    (an allowed user using a method the route declares or the view serves; the tests above do that)."""
    if method in NEVER_SERVED:
        return {405}
    served = _served(view_class, method)
    if who == "anonymous":
        if route.public:
            return None if served else {405}
        return {302}
    role = {"other_county": "county", "other_unit": "unit_admin"}.get(who, who)
    other = (who == "other_county" and route.scoped and "county" in route.allowed) or (
        who == "other_unit" and route.unit_scoped and "unit_admin" in route.allowed
    )
    if role in route.allowed and not other:
        return None if served else {405}
    if other:
        return {404} if served else {404, 405}
    denied = route.denied.get(role, 403)
    if who == "other_county" and route.scoped and denied != 403:
        # A county office that reaches the view for its own county (and is refused there with a reason)
        # gets 404 for another county's record.
        return {404} if served else {404, 405}
    if who == "other_unit" and route.unit_scoped:
        # Refused by permission (403) or, holding one of the view's permissions for its own unit's
        # records, by scope (404): either way nothing of the other unit shows.
        return {403, 404} if served else {403, 404, 405}
    return {denied} if served else {denied, 405}


def _by_namespace() -> dict[str, list]:
    groups: dict[str, list] = {}
    for route in ROUTES:
        groups.setdefault(route.name.split(":")[0], []).append(route)
    return groups


@pytest.mark.django_db
@pytest.mark.parametrize("namespace", sorted(_by_namespace()))
def test_methods_not_declared_are_refused(world, namespace):
    """Every route, as anonymous, every role and the other county, with PUT, PATCH and DELETE (405 for all),
    with GET or POST where the view does not serve it (405; or the refusal the role gets anyway), and with a
    method the view serves but the route's matrix entry does not use (the refusal of a role that may not
    use the route). Nothing of this changes the database. One test per URL namespace: the users log in
    once and each route's objects are built once."""
    from django.test import Client

    clients = {}
    for who, user in _principals(world):
        clients[who] = Client()
        if len(clients) > 1:  # one handler: loading the middleware (whitenoise scans static files) is slow
            clients[who].handler = next(iter(clients.values())).handler
        if user is not None:
            clients[who].force_login(user)
    failures = []
    for route in _by_namespace()[namespace]:
        failures += _refusals(route, world, clients)
    assert not failures, "\n".join(map(str, failures))


def _refusals(route, world, clients) -> list:
    from django.urls import resolve

    from tests.security.dbstate import snapshot

    url = _url(route, world)
    view_class = resolve(url).func.view_class
    exclude = frozenset({AUDIT_TABLE})
    before = snapshot(exclude)
    failures = []
    for who, client in clients.items():
        for method in ("GET", "POST", *NEVER_SERVED):
            if method in route.methods:
                continue  # declared: test_anonymous, test_role and test_other_county_gets_404 above
            expected = _expected(route, who, method, view_class)
            if expected is None:
                continue
            response = client.generic(method, url)
            if response.status_code not in expected:
                failures.append((route.name, who, method, response.status_code, sorted(expected)))
            elif response.status_code == 302 and not response["Location"].startswith(
                reverse("accounts:login")
            ):
                failures.append((route.name, who, method, response["Location"]))
    after = snapshot(exclude)
    changed = {t: (n, after[0].get(t)) for t, n in before[0].items() if n != after[0].get(t)}
    changed.pop(AUDIT_TABLE, None)
    if changed or before[1] != after[1]:
        failures.append((route.name, "database changed", changed))
    return failures
