"""The month's figures of a county filing and the providers that know them.

Reporting imports no domain app. The figures a county reports every month are declared here; a domain app
that can count one of them registers a provider in its AppConfig.ready(), one call:

    from kejiju.reporting.figures import register_monthly_figure

    register_monthly_figure("smes_new", "科技型中小企业新入库", smes_entered_in_month)

where `smes_entered_in_month(region, year, month) -> int` counts that county's records of that month.
A figure with a provider is prefilled in the form from the records (the county may change it, giving a
reason); one without a provider is entered by hand. A new key adds a figure to every form from then on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

FigureProvider = Callable[[object, int, int], int]


@dataclass(frozen=True)
class MonthlyFigure:
    key: str
    label: str
    provider: FigureProvider | None = None
    order: int = 100


# The figures every county reports, entered by hand until an app registers a provider for the key.
DEFAULT_FIGURES: tuple[tuple[str, str], ...] = (
    ("smes_new", "科技型中小企业新入库（家）"),
    ("pool_new", "高企培育库新入库（家）"),
    ("platforms_new", "新认定创新平台（家）"),
    ("projects_new", "新立项科技计划项目（项）"),
    ("tech_vp_new", "新选聘科技副总（人）"),
)

_figures: dict[str, MonthlyFigure] = {}


def _declare_defaults() -> None:
    for order, (key, label) in enumerate(DEFAULT_FIGURES):
        _figures.setdefault(key, MonthlyFigure(key=key, label=label, order=order))


_declare_defaults()


def register_monthly_figure(key: str, label: str, fn: FigureProvider, *, order: int | None = None) -> None:
    """Attach a provider `fn(region, year, month) -> int` to a figure (declaring it if new)."""
    existing = _figures.get(key)
    position = order if order is not None else (existing.order if existing else 50 + len(_figures))
    _figures[key] = MonthlyFigure(
        key=key, label=label or (existing.label if existing else key), provider=fn, order=position
    )


def unregister_monthly_figure(key: str) -> None:
    """Remove a provider (tests); a default figure falls back to hand entry."""
    _figures.pop(key, None)
    _declare_defaults()


def monthly_figures() -> list[MonthlyFigure]:
    return sorted(_figures.values(), key=lambda figure: (figure.order, figure.key))


def system_value(figure: MonthlyFigure, region, year: int, month: int) -> int | None:
    """The provider's count, or None when the system does not know it (or the provider fails: the county
    then enters it by hand rather than being blocked)."""
    if figure.provider is None:
        return None
    try:
        value = figure.provider(region, year, month)
    except Exception:
        logger.exception("monthly figure provider %s failed", figure.key)
        return None
    return int(value) if value is not None else None
