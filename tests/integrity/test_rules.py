"""When a 失信 record binds (rules.is_active) and the lookups that use the same rule as a query."""

import datetime as dt

import pytest

from kejiju.integrity import rules, selectors
from kejiju.integrity.models import IntegrityRecord
from tests.integrity.factories import (
    ID_NUMBER,
    OTHER_ID_NUMBER,
    OTHER_USCC,
    USCC,
    make_person_record,
    make_unit_record,
)

D = dt.date


def _record(**kwargs) -> IntegrityRecord:
    return IntegrityRecord(kind="unit", starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31), **kwargs)


@pytest.mark.parametrize(
    ("on", "active"),
    [(D(2024, 12, 31), False), (D(2025, 1, 1), True), (D(2025, 12, 31), True), (D(2026, 1, 1), False)],
)
def test_the_period_binds_from_its_first_to_its_last_day(on, active):
    assert rules.is_active(_record(), on=on) is active


def test_an_open_ended_period_binds_for_ever():
    record = _record()
    record.ends_on = None
    assert rules.is_active(record, on=D(2099, 1, 1))


def test_credit_repair_ends_it_from_the_repair_day():
    record = _record(repaired_on=D(2025, 6, 1))
    assert rules.is_active(record, on=D(2025, 5, 31))
    assert not rules.is_active(record, on=D(2025, 6, 1))
    assert not rules.is_active(record, on=D(2025, 9, 1))


def test_an_objection_that_revokes_ends_it_and_one_that_upholds_does_not():
    revoked = _record(objection="异议", objection_outcome="revoked", objection_on=D(2025, 3, 1))
    assert rules.is_active(revoked, on=D(2025, 2, 28))
    assert not rules.is_active(revoked, on=D(2025, 3, 1))
    upheld = _record(objection="异议", objection_outcome="upheld", objection_on=D(2025, 3, 1))
    assert rules.is_active(upheld, on=D(2025, 6, 1))


def test_unknown_scope_is_a_programming_error():
    with pytest.raises(ValueError):
        rules.scope_field("nonsense")


@pytest.mark.django_db
def test_the_query_condition_agrees_with_the_rule(world):
    bureau = world.users["bureau"]
    records = [
        make_unit_record(user=bureau, source="甲"),
        make_unit_record(user=bureau, source="乙", ends_on=None),
        make_unit_record(user=bureau, source="丙", repaired_on=D(2025, 6, 1), repair_note="已整改"),
        make_unit_record(
            user=bureau,
            source="丁",
            objection="异议",
            objection_outcome="revoked",
            objection_on=D(2025, 2, 1),
        ),
        make_person_record(user=bureau, starts_on=D(2026, 1, 1)),
    ]
    for on in (D(2024, 12, 31), D(2025, 1, 1), D(2025, 2, 1), D(2025, 6, 1), D(2026, 6, 1), D(2028, 1, 1)):
        expected = {r.pk for r in records if rules.is_active(r, on=on)}
        assert set(selectors.active_records(on=on).values_list("pk", flat=True)) == expected, on


@pytest.mark.django_db
def test_lookups_by_unit_code_and_by_id_number(world):
    bureau = world.users["bureau"]
    unit = make_unit_record(user=bureau, bars_apply=True, bars_payment=False)
    person = make_person_record(user=bureau)  # 申报 and 评审专家, from 2025-03-01, open-ended
    on = D(2025, 6, 1)
    assert list(selectors.active_for_unit(USCC, "apply", on)) == [unit]
    assert list(selectors.active_for_unit(USCC.lower(), "apply", on)) == [unit]
    assert not selectors.active_for_unit(USCC, "payment", on).exists()
    assert not selectors.active_for_unit(OTHER_USCC, "apply", on).exists()
    assert not selectors.active_for_unit(USCC, "apply", D(2028, 1, 1)).exists()
    assert not selectors.active_for_unit("not a code", "apply", on).exists()
    assert list(selectors.active_for_person(ID_NUMBER, "expert", on)) == [person]
    assert not selectors.active_for_person(ID_NUMBER, "approval", on).exists()
    assert not selectors.active_for_person(OTHER_ID_NUMBER, "expert", on).exists()
    assert not selectors.active_for_person(ID_NUMBER, "expert", D(2025, 2, 28)).exists()
    # A unit record is never found by a person lookup nor the other way round.
    assert not selectors.active_for_person(ID_NUMBER, "apply", on).filter(kind="unit").exists()


@pytest.mark.django_db
def test_person_lookup_reads_the_digest_not_the_cipher(world, django_assert_num_queries, monkeypatch):
    from kejiju.core import pii

    make_person_record(user=world.users["bureau"])

    def refuse(token):
        raise AssertionError("a lookup must not decrypt")

    monkeypatch.setattr(pii, "decrypt", refuse)
    with django_assert_num_queries(1):
        assert selectors.active_for_person(ID_NUMBER, "apply", D(2025, 6, 1)).exists()
