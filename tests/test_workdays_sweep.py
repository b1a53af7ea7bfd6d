"""Sweep: every path that computes working days answers a calendar gap with a message, never a 500.

The paths are found from the code, not listed by hand: a call graph over the project's modules (by their
imports) from the public functions of kejiju.core.workdays up to the view classes, Celery tasks and
management commands that reach them. Each entry point found must have a driver below, which brings an
object to the state where the step computes working days and drives the step over HTTP as bureau staff
with a date whose working days fall in a year without a 节假日安排; a new path without a driver fails.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kejiju.core import workdays

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kejiju", "enterprises", "platforms", "projects", "experts")
# Modules that compute working days outside any request, with the reason they need no driver.
NOT_ENTRY_POINTS = {
    "enterprises.demo": "the demo seeder (manage.py seed_demo) dates its records in recorded years",
    "platforms.demo": "the demo seeder (manage.py seed_demo) dates its records in recorded years",
}

# ---------------------------------------------------------------------------------------- the call graph


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, ast.Module]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def _imports(module: str, tree: ast.Module) -> dict[str, str]:
    """Local name → dotted target ("pkg.mod" for a module, "pkg.mod:attr" for a name in it)."""
    names: dict[str, str] = {}
    package = module.rsplit(".", 1)[0] if "." in module else module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")
                parent = parent[: len(parent) - node.level] if module != package else parent
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}:{alias.name}"
    return names


def _functions(tree: ast.Module):
    """(qualname, node) of every function and method, and the class of each method."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node, None
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{node.name}.{item.name}", item, node.name


def _called(module: str, node: ast.AST, imports: dict[str, str]) -> set[str]:
    """The targets ("pkg.mod:name") a function body refers to by name or as module.attribute."""
    targets = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            if sub.id in imports and ":" in imports[sub.id]:
                targets.add(imports[sub.id])
            else:
                targets.add(f"{module}:{sub.id}")
        elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            target = imports.get(sub.value.id)
            if target is None:
                continue
            target_module = target.replace(":", ".")
            targets.add(f"{target_module}:{sub.attr}")
    return targets


def _link_workflow_effects(bodies: dict[str, set[str]], classes: dict[str, str | None]) -> None:
    """The engine calls a declared transition's rule and effect through the declaration, which no name
    reaches: a function that calls apply_transition and names a model (its record's annotation) reaches the
    rules and effects of that model's workflow, and a TransitionView subclass those of its model's."""
    from kejiju.core.workflow.declarations import workflows
    from kejiju.core.workflow.views import TransitionView

    def hooks(flow) -> set[str]:
        found = set()
        for transition in flow.transitions:
            for hook in (transition.rule, transition.effect):
                if hook is not None:
                    found.add(f"{hook.__module__}:{hook.__qualname__}")
        return found

    by_model: dict[str, set[str]] = {}
    for flow in workflows().values():
        model = flow.model_class
        by_model[f"{model.__module__}:{model.__name__}"] = hooks(flow)
    engine = "kejiju.core.workflow.services:apply_transition"
    for called in bodies.values():
        if engine in called:
            for model in called & set(by_model):
                called |= by_model[model]
    for view_class, _url_name in _url_view_classes():
        if issubclass(view_class, TransitionView) and view_class.model is not None:
            from kejiju.core.workflow.declarations import workflow_for

            key = f"{view_class.__module__}:{view_class.__name__}.perform"
            bodies.setdefault(key, set()).update(hooks(workflow_for(view_class.model)))
            classes[key] = f"{view_class.__module__}:{view_class.__name__}"


def workday_callers() -> tuple[set[str], dict[str, set[str]]]:
    """Every function that may raise kejiju.core.workdays.CalendarNotCoveredError (as "module:qualname"),
    and the view classes, tasks and commands among them by module."""
    trees = _modules()
    bodies: dict[str, set[str]] = {}
    classes: dict[str, str | None] = {}
    for module, tree in trees.items():
        imports = _imports(module, tree)
        for qualname, node, cls in _functions(tree):
            key = f"{module}:{qualname}"
            bodies[key] = _called(module, node, imports)
            classes[key] = f"{module}:{cls}" if cls else None
    _link_workflow_effects(bodies, classes)
    # What can raise the calendar error: the error itself, then whatever names it or a function reaching it
    # (kejiju.core.workdays's own functions first; covered_years() and missing_years() cannot raise).
    reached = {"kejiju.core.workdays:CalendarNotCoveredError"}
    frontier = set(reached)
    while frontier:
        new = {key for key, called in bodies.items() if key not in reached and called & frontier}
        # A method reached makes its class reached (views call their methods through self).
        new |= {classes[key] for key in new if classes[key]}
        reached |= new
        frontier = new
    entry: dict[str, set[str]] = {}
    for key in reached:
        module, qualname = key.split(":")
        if module.startswith("kejiju.core.workdays") or module in NOT_ENTRY_POINTS:
            continue
        if "." in qualname:
            continue
        if module.endswith(("views", "tasks")) or ".views." in module or ".management.commands." in module:
            entry.setdefault(module, set()).add(qualname)
    return reached, entry


def entry_points() -> set[str]:
    """The view classes (as URL names), tasks and commands that compute working days."""
    _, entry = workday_callers()
    classes = {}
    for module, names in entry.items():
        imported = importlib.import_module(module)
        for name in names:
            obj = getattr(imported, name, None)
            if inspect.isclass(obj):
                classes[obj] = f"{module}:{name}"
            else:
                classes[f"{module}:{name}"] = f"{module}:{name}"
    found = set()
    for view_class, url_name in _url_view_classes():
        for cls in view_class.__mro__:
            if cls in classes:
                found.add(url_name)
    found |= {name for key, name in classes.items() if isinstance(key, str)}
    return found


def _url_view_classes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from _url_view_classes(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "view_class"):
            yield entry.callback.view_class, f"{namespace}{entry.name}"


# ------------------------------------------------------------------------------------------- drivers


@dataclass(frozen=True)
class Driver:
    """Builds the object (state where the step computes working days) and answers (url, data, check)."""

    prepare: Callable[[Any, dt.date], tuple[str, dict[str, Any], Callable[[], bool]]]


def _reviewed_evaluation(county):
    from tests.enterprises.factories import EnterpriseFactory, SmesEvaluationFactory

    return SmesEvaluationFactory(enterprise=EnterpriseFactory(region=county), state="reviewed")


def _smes_transition(world, on):
    evaluation = _reviewed_evaluation(world.county_a)
    url = reverse("enterprises:smesevaluation_transition", kwargs={"pk": evaluation.pk})
    data = {"action": "start_publicity", "effective_on": on.isoformat()}
    return url, data, lambda: type(evaluation).objects.get(pk=evaluation.pk).state == "reviewed"


def _smes_bulk(world, on):
    evaluation = _reviewed_evaluation(world.county_a)
    url = reverse("enterprises:smesevaluation_bulk")
    data = {"action": "start_publicity", "on": on.isoformat(), "selection": [evaluation.pk]}
    return url, data, lambda: type(evaluation).objects.get(pk=evaluation.pk).state == "reviewed"


def _batch_advance(world, on):
    from platforms.rules import ApplicationState, BatchState
    from tests.platforms.factories import ApplicationFactory, BatchFactory

    batch = BatchFactory(state=BatchState.REVIEW)
    ApplicationFactory(
        batch=batch, region=world.county_a, state=ApplicationState.ACCEPTED, review_score=Decimal("85")
    )
    url = reverse("platforms:recognitionbatch_transition", kwargs={"pk": batch.pk})
    return (
        url,
        {"action": "publicise", "effective_on": on.isoformat()},
        lambda: type(batch).objects.get(pk=batch.pk).state == "review",
    )


DRIVERS: dict[str, Driver] = {
    "enterprises:smesevaluation_transition": Driver(_smes_transition),
    "enterprises:smesevaluation_bulk": Driver(_smes_bulk),
    "platforms:recognitionbatch_transition": Driver(_batch_advance),
}


def test_every_path_that_computes_working_days_has_a_driver():
    found = entry_points()
    assert found, "the call graph found no caller of kejiju.core.workdays: the sweep would test nothing"
    assert found == set(DRIVERS), (
        f"paths computing working days without a driver: {sorted(found - set(DRIVERS))}; "
        f"drivers for paths no longer found: {sorted(set(DRIVERS) - found)}"
    )


def _uncover(year: int) -> None:
    """Remove the 节假日安排 of `year` and later (as a year whose notice is not recorded yet)."""
    from kejiju.core.models import HolidayArrangement

    for row in HolidayArrangement.objects.filter(year__gte=year):
        row.delete()  # through the signals, as the pages would


def _today() -> dt.date:
    return workdays.local_today()


def _today_in_uncovered_year() -> tuple[int, dt.date]:
    """Acting today in a year whose arrangement is missing."""
    today = _today()
    _uncover(today.year)
    return today.year, today


def _period_into_next_year() -> tuple[int, dt.date]:
    """The reported case (a 10-working-day 公示 opening on 2026-12-19 runs into 2027, not recorded), made
    to happen on any day: the rest of this year is declared a holiday, so a period opening today ends in
    the next year, which is not recorded."""
    from kejiju.core.models import HolidayArrangement

    today = _today()
    _uncover(today.year + 1)
    row = HolidayArrangement.objects.filter(year=today.year).first()
    if row is not None and today.month * 100 + today.day < 1231:
        tomorrow = today + dt.timedelta(days=1)
        row.holidays = [*row.holidays, ["年末（测试）", tomorrow.isoformat(), f"{today.year}-12-31"]]
        row.makeup_workdays = [day for day in row.makeup_workdays if day <= today.isoformat()]
        row.save()  # through the signals: every process reads it again
        return today.year + 1, today
    return today.year, today  # this year itself is not recorded: the period fails in it


SCENARIOS = {
    "today_in_uncovered_year": _today_in_uncovered_year,
    "period_into_next_year": _period_into_next_year,
}


@pytest.mark.django_db
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("route", sorted(DRIVERS))
def test_a_calendar_gap_answers_a_message(client, world, route, scenario):
    missing_year, on = SCENARIOS[scenario]()
    client.raise_request_exception = False
    client.force_login(world.users["bureau"])
    url, data, unchanged = DRIVERS[route].prepare(world, on)
    response = client.post(url, data, follow=True)
    assert response.status_code < 500, (route, on, response.status_code)
    assert response.status_code == 200, (route, on, response.status_code)
    assert unchanged(), f"{route} on {on}: the step went through without its working days"
    page = response.content.decode()
    assert f"尚未录入{missing_year}年的法定节假日安排" in page, (route, on)
    assert "系统管理员" in page and "节假日安排" in page, (route, on)
    assert "CalendarNotCoveredError" not in page and "Traceback" not in page


@pytest.mark.django_db
def test_a_view_that_lets_the_gap_through_answers_409_with_the_message(rf, world):
    """The backstop for a path that does not catch a ValidationError (none today: the sweep above drives
    every one found): the middleware answers with the message, not a 500."""
    from django.contrib.messages.storage.fallback import FallbackStorage

    from kejiju.core.middleware import CalendarGapMiddleware

    def careless_view(request):
        workdays.period_end_date(dt.date(1999, 12, 20), 10)

    request = rf.get("/")
    request.user = world.users["bureau"]
    request.session = {}
    request._messages = FallbackStorage(request)
    middleware = CalendarGapMiddleware(careless_view)
    try:
        careless_view(request)
    except workdays.CalendarNotCoveredError as error:
        response = middleware.process_exception(request, error)
    assert response.status_code == 409
    page = response.content.decode()
    assert "尚未录入1999年的法定节假日安排" in page and "系统管理员" in page
    assert middleware.process_exception(request, ValueError("other")) is None
