"""The data of the role × view matrix (tests/test_access_matrix.py).

Every URL pattern of the project has a Route here or in a `tests/<app>/access.py` module (a list named
ROUTES); a new URL pattern without one makes the matrix test fail. A Route says which roles may use the
URL, how to build its arguments (objects that belong to county A), and whether a county account of
another county must get 404.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

STAFF_ROLES = ("bureau", "leader", "county", "sysadmin", "auditor")
# Applicant-facing roles, bound to a unit: `unit_admin` and `applicant` of unit A (in county A).
UNIT_ROLES = ("unit_admin", "applicant")
# An expert of the library with an account (online review): sees only the reviews assigned to them.
EXPERT_ROLES = ("expert",)
ALL_ROLES = STAFF_ROLES + UNIT_ROLES + EXPERT_ROLES
BUSINESS_READ = frozenset({"bureau", "leader", "county"})
STAFF_READ = frozenset({"bureau", "leader"})


@dataclass
class World:
    """Users of every role; `county` belongs to county_a, `other_county` to county_b; `unit_admin` and
    `applicant` to unit_a (a unit of county A), `other_unit` (a unit administrator) to unit_b (county B)."""

    users: dict[str, Any]
    county_a: Any
    county_b: Any
    unit_a: Any = None
    unit_b: Any = None
    cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, *, make_user, county_a, county_b) -> World:
        from kejiju.core.models import Organization
        from kejiju.core.services import organization_save

        def unit(name, region):  # a test may build the world twice
            found = Organization.objects.filter(name=name).first()
            return found or organization_save(organization=Organization(name=name, region=region))

        # Named by county: a second world with the counties swapped has its own units.
        unit_a = unit(f"矩阵申报单位甲（{county_a.name}）", county_a)
        unit_b = unit(f"矩阵申报单位乙（{county_b.name}）", county_b)
        users = {role: make_user(role, region=county_a if role == "county" else None) for role in STAFF_ROLES}
        for role in UNIT_ROLES:
            users[role] = make_user(role, organization=unit_a)
        for role in EXPERT_ROLES:
            users[role] = make_user(role)
        users["other_county"] = make_user("county", region=county_b)
        users["other_unit"] = make_user("unit_admin", organization=unit_b)
        return cls(users=users, county_a=county_a, county_b=county_b, unit_a=unit_a, unit_b=unit_b)

    def once(self, key: str, build: Callable[[], Any]) -> Any:
        """Build an object once per test (routes of one model share it)."""
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]


@dataclass(frozen=True)
class Route:
    name: str
    allowed: frozenset[str]
    kwargs: Callable[[World], dict[str, Any]] | None = None
    methods: tuple[str, ...] = ("GET",)
    # True when the URL shows one county's object: the other county's account must get 404.
    scoped: bool = False
    # True when the URL shows one unit's object: the other unit's administrator must get 404.
    unit_scoped: bool = False
    public: bool = False
    # GET and POST data for an allowed user; the status codes that count as success.
    data: Callable[[World], dict[str, Any]] | None = None
    ok: tuple[int, ...] = (200, 302)
    # Roles outside `allowed` get 403 unless named here (e.g. 404 for a job that is not theirs).
    denied: dict[str, int] = field(default_factory=dict)


# URL namespaces outside the matrix, with the reason.
EXCLUDED_NAMESPACES = {
    "admin": "Django's admin, for superusers in emergencies only; is_staff is never set on portal accounts",
}


def all_routes() -> list[Route]:
    import tests

    routes: list[Route] = []
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            access = importlib.import_module(f"tests.{module.name}.access")
        except ModuleNotFoundError as error:
            if error.name != f"tests.{module.name}.access":
                raise
            continue
        routes.extend(access.ROUTES)
    return routes
