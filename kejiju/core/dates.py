"""Date order of recorded steps: the one rule every transition that takes a date from the user goes through.

A step's date may not precede the record's earlier dates (its submission, its review, the previous step),
and a step recorded as done may not carry a date after today. A planned date (the end of a 公示 computed from
working days, a term's end) is not a step's date and is not checked here.

Each app declares, next to its transition table, a `DateStep` per transition that takes a date: which
dates of the record it follows. The declarations are registered under a table name so that one sweep
test can enumerate them all; the services check them with `require_date_order`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.utils import timezone

EarlierDate = tuple[str, dt.date | None]


@dataclass(frozen=True)
class DateStep:
    """The date rule of one transition.

    `label` names the step's date in messages (公示开始日期); `earlier` names the record's dates it may not
    precede, in order: a model field of the record (its verbose name is the label) or a name the service
    supplies with its label and value; `done` says the step has happened when recorded (its date may not be
    in the future); `field` is the form and service field the refusal is shown on."""

    label: str
    earlier: tuple[str, ...] = ()
    done: bool = True
    field: str = "on"


def _as_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def check_date_order(
    *, date: dt.date | None, label: str, earlier: Iterable[EarlierDate], today: dt.date, done: bool = True
) -> str | None:
    """None when `date` may be recorded for the step, else the reason in Chinese naming both dates.

    Earlier dates that are not set are skipped. When the date precedes several of them, the latest is named
    (the earliest date the step may carry)."""
    if date is None:
        return None
    date = _as_date(date)
    if done and date > today:
        return f"{label}（{date:%Y-%m-%d}）不能晚于今天（{today:%Y-%m-%d}）：已办理的步骤不能填写将来的日期。"
    violated = [(name, _as_date(value)) for name, value in earlier if value is not None]
    violated = [(name, value) for name, value in violated if date < value]
    if violated:
        name, value = max(violated, key=lambda item: item[1])
        return f"{label}（{date:%Y-%m-%d}）不能早于{name}（{value:%Y-%m-%d}）。"
    return None


def earlier_dates(
    record, names: Iterable[str], extra: Mapping[str, EarlierDate] | None = None
) -> list[EarlierDate]:
    """(label, date) of each name: from `extra` when the service supplies it, else the record's field."""
    result: list[EarlierDate] = []
    for name in names:
        if extra is not None and name in extra:
            result.append(extra[name])
            continue
        field = record._meta.get_field(name)
        result.append((str(field.verbose_name), _as_date(getattr(record, name))))
    return result


def date_order_problem(
    step: DateStep,
    *,
    date: dt.date | None,
    record=None,
    extra: Mapping[str, EarlierDate] | None = None,
    today: dt.date | None = None,
) -> str | None:
    """`check_date_order` for a declared step of `record` (None: the date may be recorded)."""
    return check_date_order(
        date=date,
        label=step.label,
        earlier=earlier_dates(record, step.earlier, extra),
        today=today or timezone.localdate(),
        done=step.done,
    )


def require_date_order(
    step: DateStep,
    *,
    date: dt.date | None,
    record=None,
    extra: Mapping[str, EarlierDate] | None = None,
    today: dt.date | None = None,
) -> None:
    """Raise ValidationError on `step.field` when `date` breaks the step's declared order."""
    problem = date_order_problem(step, date=date, record=record, extra=extra, today=today)
    if problem:
        raise ValidationError({step.field: problem})


def require_record_dates(
    steps: Mapping[str, DateStep],
    *,
    record,
    reached: Mapping[str, Iterable[str]],
    state: str,
    today: dt.date | None = None,
) -> None:
    """For a record whose steps are dates on the record itself (a 省校合作 project's 签约/落地/完成, a
    placement's term), edited in one form: every step's date (its `field`) keeps the declared order, and is
    done (no future date) once the record's `state` is one of `reached[step]`; a later step's date filled in
    early is a plan. All refusals at once, each on its field."""
    errors: dict[str, str] = {}
    for name, step in steps.items():
        if state not in reached[name]:
            step = replace(step, done=False)
        problem = date_order_problem(step, date=getattr(record, step.field), record=record, today=today)
        if problem:
            errors[step.field] = problem
    if errors:
        raise ValidationError(errors)


# ------------------------------------------------------------------------------------ the declared steps

_declared: dict[str, Mapping[str, DateStep]] = {}


def declare_date_steps(table: str, steps: Mapping[str, DateStep]) -> Mapping[str, DateStep]:
    """Register an app's date steps under `table` (e.g. "enterprises.smes") and return them."""
    _declared[table] = steps
    return steps


def declared_date_steps() -> dict[str, Mapping[str, DateStep]]:
    return dict(_declared)
