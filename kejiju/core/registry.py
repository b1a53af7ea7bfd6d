"""Extension points through which the domain apps plug into the shared UI without core importing them.

Apps register in their AppConfig.ready():
- menu sections for the navigation bar (shown to users holding the permission),
- to-do providers for the home page (a function of the user returning TodoItem rows),
- home panels (a card of the home page: a template and a function of the user giving its context),
- demo seeders are AppConfig methods named `seed_demo` (see the seed_demo command).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=1024)
def _reverse(url_name: str, prefix: str, urlconf: str | None, root_urlconf: str) -> str:
    return reverse(url_name, urlconf=urlconf)


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    permission: str | None = None

    @property
    def url(self) -> str:
        # The navigation bar shows dozens of these on every page; their addresses never change at run time.
        return _reverse(self.url_name, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)


@dataclass(frozen=True)
class MenuSection:
    label: str
    order: int
    items: tuple[MenuItem, ...] = field(default_factory=tuple)
    # "unit": shown to accounts bound to a unit (申报单位管理员, 项目负责人) only, and they see no other
    # section: the staff sections' statistics and registers are not theirs, and a page a unit may read
    # (its projects, its platforms) is listed here again under the unit's own words.
    audience: str | None = None


@dataclass(frozen=True)
class TodoItem:
    title: str
    url: str
    count: int | None = None
    level: str = "primary"  # a Bootstrap contextual colour: primary, warning, danger …


TodoProvider = Callable[[object], Iterable[TodoItem]]


@dataclass(frozen=True)
class HomePanel:
    """A card of the home page: `context(user)` gives the template's `panel` (None: not shown to them)."""

    key: str
    template: str
    context: Callable[[object], dict | None]


_menu: list[MenuSection] = []
_todo_providers: list[TodoProvider] = []
_home_panels: dict[str, HomePanel] = {}


def register_menu(section: MenuSection) -> None:
    """Add a section, or add its items to the section of that label another app registered (its order
    stays): an app may put a page under 基础数据 without a section of its own."""
    for index, existing in enumerate(_menu):
        if existing.label == section.label:
            items = existing.items + tuple(item for item in section.items if item not in existing.items)
            _menu[index] = MenuSection(
                label=existing.label, order=existing.order, items=items, audience=existing.audience
            )
            return
    _menu.append(section)
    _menu.sort(key=lambda s: s.order)


def menu_for(user) -> list[tuple[MenuSection, list[MenuItem]]]:
    from kejiju.core.scoping import unit_id_of_user

    audience = "unit" if unit_id_of_user(user) is not None else None
    visible = []
    for section in _menu:
        if section.audience != audience:
            continue
        items = [item for item in section.items if item.permission is None or user.has_perm(item.permission)]
        if items:
            visible.append((section, items))
    return visible


def register_todo_provider(provider: TodoProvider) -> None:
    if provider not in _todo_providers:
        _todo_providers.append(provider)


def todos_for(user) -> list[TodoItem]:
    items: list[TodoItem] = []
    for provider in _todo_providers:
        items.extend(provider(user))
    return items


def register_home_panel(panel: HomePanel) -> None:
    _home_panels[panel.key] = panel


def home_panels_for(user) -> list[tuple[str, dict]]:
    """(template, context) of each home panel the user gets, in registration order."""
    shown = []
    for panel in _home_panels.values():
        context = panel.context(user)
        if context is not None:
            shown.append((panel.template, context))
    return shown
