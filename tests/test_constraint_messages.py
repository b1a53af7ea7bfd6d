"""Sweep: no database constraint of the project's apps speaks to a person in Django's generic phrasing
(issue 19: "约束 “commissioner_one_leader_per_team” 是无效的",
"包含 县区 和 年度 的 高企倍增计划目标 已经存在。").

Every model of the project's apps (not Django's, not third-party) is enumerated: each `Meta.constraints`
entry sets a `violation_error_message` in Chinese, naming neither the constraint nor anything in English,
and no model uses `unique_together` (whose message cannot be set)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

ROOT = Path(settings.BASE_DIR).resolve()
ENGLISH = re.compile(r"[A-Za-z_]{3,}")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _project_models():
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if ROOT not in path.parents or ".venv" in path.parts:
            continue
        yield from config.get_models()


MODELS = sorted(_project_models(), key=lambda model: model._meta.label)
CONSTRAINTS = [(model, constraint) for model in MODELS for constraint in model._meta.constraints]


def test_the_sweep_sees_the_project_models():
    labels = {model._meta.label for model in MODELS}
    assert {"experts.Commissioner", "enterprises.DoublingTarget", "core.Organization"} <= labels
    assert not any(label.startswith(("auth.", "admin.", "auditlog.")) for label in labels)


@pytest.mark.parametrize(
    ("model", "constraint"),
    CONSTRAINTS,
    ids=[f"{model._meta.label}.{constraint.name}" for model, constraint in CONSTRAINTS],
)
def test_every_constraint_has_a_chinese_message(model, constraint):
    message = str(constraint.violation_error_message or "")
    assert message and message != str(constraint.default_violation_error_message), (
        f"{model._meta.label}: constraint {constraint.name} has no violation_error_message"
    )
    assert constraint.name not in message, f"{constraint.name}: the message names the constraint: {message}"
    assert not ENGLISH.search(message), f"{constraint.name}: the message contains an English word: {message}"
    assert CHINESE.search(message), f"{constraint.name}: the message is not in Chinese: {message}"


@pytest.mark.parametrize("model", MODELS, ids=[model._meta.label for model in MODELS])
def test_no_model_uses_unique_together(model):
    assert not model._meta.unique_together, (
        f"{model._meta.label} uses unique_together {model._meta.unique_together}: "
        "declare a UniqueConstraint with a Chinese violation_error_message instead"
    )


UNIQUE_FIELDS = [
    (model, field)
    for model in MODELS
    for field in model._meta.concrete_fields
    if field.unique and not field.primary_key and not isinstance(field, models.OneToOneField)
]


def test_the_sweep_sees_the_unique_fields():
    names = {f"{model._meta.label}.{field.name}" for model, field in UNIQUE_FIELDS}
    assert {"enterprises.Enterprise.uscc", "accounts.Region.code", "core.HolidayArrangement.year"} <= names


@pytest.mark.parametrize(
    ("model", "field"),
    UNIQUE_FIELDS,
    ids=[f"{model._meta.label}.{field.name}" for model, field in UNIQUE_FIELDS],
)
def test_every_unique_field_has_a_chinese_message(model, field):
    """A field declared `unique=True` is refused by a form's validate_unique with the field's own
    message (Django's default reads "具有 代码 的 县区 已存在。"): the message the model builds is the
    field's, in Chinese, with no English word and no placeholder."""
    message = str(field.error_messages.get("unique", ""))
    assert message != str(models.Field.default_error_messages["unique"]), (
        f"{model._meta.label}.{field.name} has Django's generic unique message"
    )
    shown = model(pk=None).unique_error_message(model, (field.name,)).messages[0]
    assert shown == message
    assert "%(" not in shown and not ENGLISH.search(shown) and CHINESE.search(shown), shown
