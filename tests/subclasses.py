"""Every class of the apps below a base class (filtersets, tables), as the URLconf loads them: the sweeps'
way of finding what they check."""

from __future__ import annotations

from django.urls import get_resolver

APPS = ("kejiju.", "enterprises", "experts", "platforms", "projects")


def app_subclasses(root: type) -> list[type]:
    """The subclasses of `root` at any depth defined in the apps (not in tests), sorted by dotted name."""
    get_resolver().url_patterns  # noqa: B018 — imports every view module, hence every filterset and table
    found, stack = [], [root]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith(APPS):
                found.append(sub)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
