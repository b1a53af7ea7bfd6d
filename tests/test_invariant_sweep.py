"""Sweep: every declared invariant across records (kejiju.core.invariants: shares that may not exceed a
limit, records that may not be duplicated) is refused when broken through the service that owns the record,
with a message a person can read, and nothing is saved.

The invariants are enumerated from the apps' declarations, not listed here. Each needs a scenario in a
`tests/**/invariant_cases*.py` module (a dict `CASES` from the invariant's key to a function of the test
world returning an `InvariantCase`); a declaration without one fails the sweep, so a new rule cannot slip
past it. For each: the setup is made through the service, the violating call is refused with a
ValidationError that names what the scenario says it must, contains no English word (no constraint name,
no field name), and changes nothing; then an allowed call goes through (the setup is sound, so the refusal
is the invariant's doing)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from kejiju.core.invariants import Unique, declared_invariants, describe

TESTS = Path(__file__).resolve().parent


@dataclass
class InvariantCase:
    setup: Callable[[], Any]  # the records already holding the share, or the record already there
    violate: Callable[[], Any]  # the service call that would break the invariant
    snapshot: Callable[[], Any]  # what must not change when it is refused
    mentions: tuple[str, ...] = ()  # what the message must name (the field, the conflicting record)
    allowed: Callable[[], Any] | None = None  # a call the invariant allows


def _declarations() -> dict:
    for config in apps.get_app_configs():
        for module in ("rules", "workflow", "services"):
            name = f"{config.name}.{module}"
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name != name:
                    raise
    return declared_invariants()


def _cases() -> dict[str, Callable[..., InvariantCase]]:
    cases: dict[str, Callable[..., InvariantCase]] = {}
    for path in sorted(TESTS.rglob("invariant_cases*.py")):
        module = importlib.import_module(".".join(path.relative_to(TESTS.parent).with_suffix("").parts))
        overlap = set(cases) & set(module.CASES)
        assert not overlap, f"{path}: scenarios for {sorted(overlap)} are defined twice"
        cases.update(module.CASES)
    return cases


DECLARED = _declarations()
CASES = _cases()
KEYS = sorted(DECLARED)
ENGLISH = re.compile(r"[A-Za-z_]{3,}")


def test_every_declared_invariant_has_a_scenario():
    missing = [f"{key} ({describe(DECLARED[key])})" for key in KEYS if key not in CASES]
    assert not missing, "invariants without a scenario in tests/**/invariant_cases*.py: " + "; ".join(missing)
    stale = sorted(set(CASES) - set(DECLARED))
    assert not stale, f"scenarios for invariants nobody declares: {stale}"


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_breaking_the_invariant_is_refused_with_a_readable_message(key, world):
    case = CASES[key](world)
    case.setup()
    before = case.snapshot()
    with pytest.raises(ValidationError) as refused:
        case.violate()
    assert case.snapshot() == before, f"{key}: the refused call changed the records"
    text = " ".join(_messages(refused.value))
    for needle in case.mentions:
        assert needle in text, f"{key}: the message does not name {needle!r}: {text}"
    assert not ENGLISH.search(text), f"{key}: the message contains an English word: {text}"
    if case.allowed is not None:
        case.allowed()


ABSOLUTE = sorted(key for key, rule in DECLARED.items() if isinstance(rule, Unique) and not rule.when)


@pytest.mark.parametrize("key", ABSOLUTE)
def test_an_absolute_uniqueness_rule_is_also_a_database_constraint(key):
    """A rule that holds whatever the records' states is enforced by the database as well, so a bulk write
    (an import, a demo seed, a data fix) cannot slip past the service; its message is the sweep's in
    tests/test_constraint_messages.py."""
    invariant = DECLARED[key]
    model = apps.get_model(invariant.model)
    constrained = {
        frozenset(constraint.fields)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
    }
    assert frozenset(invariant.fields) in constrained, (
        f"{key}: {describe(invariant)} has no UniqueConstraint on {invariant.model}"
    )
