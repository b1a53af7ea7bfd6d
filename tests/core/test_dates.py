"""The one date-order rule of transitions (kejiju.core.dates), as a plain function."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kejiju.core.dates import DateStep, check_date_order, earlier_dates, require_date_order

TODAY = dt.date(2026, 12, 5)


def test_the_issue_case_names_both_dates():
    problem = check_date_order(
        date=dt.date(2026, 11, 16),
        label="公示开始日期",
        earlier=[("提交日期", dt.date(2026, 12, 5))],
        today=TODAY,
    )
    assert problem == "公示开始日期（2026-11-16）不能早于提交日期（2026-12-05）。"


@pytest.mark.parametrize(
    "date",
    [dt.date(2026, 12, 5), dt.date(2026, 12, 1), dt.date(2026, 11, 20)],
)
def test_same_day_or_later_than_every_earlier_date_is_accepted(date):
    earlier = [("提交日期", dt.date(2026, 11, 20)), ("形式审查日期", None)]
    assert check_date_order(date=date, label="公示开始日期", earlier=earlier, today=TODAY) is None


def test_the_latest_earlier_date_broken_is_named():
    earlier = [("提交日期", dt.date(2026, 11, 1)), ("形式审查日期", dt.date(2026, 11, 10))]
    problem = check_date_order(date=dt.date(2026, 10, 30), label="公示开始日期", earlier=earlier, today=TODAY)
    assert problem == "公示开始日期（2026-10-30）不能早于形式审查日期（2026-11-10）。"


def test_a_done_step_cannot_be_in_the_future_a_planned_one_can():
    problem = check_date_order(date=dt.date(2026, 12, 6), label="入库日期", earlier=[], today=TODAY)
    assert problem is not None and "2026-12-06" in problem and "2026-12-05" in problem
    assert (
        check_date_order(date=dt.date(2027, 1, 6), label="公示结束日期", earlier=[], today=TODAY, done=False)
        is None
    )


def test_no_date_and_unset_earlier_dates_are_not_checked():
    assert check_date_order(date=None, label="日期", earlier=[("提交日期", TODAY)], today=TODAY) is None
    assert check_date_order(date=TODAY, label="日期", earlier=[("提交日期", None)], today=TODAY) is None


def test_datetimes_compare_as_local_dates():
    from django.utils import timezone

    moment = timezone.make_aware(dt.datetime(2026, 12, 4, 23, 30))  # Asia/Shanghai
    assert (
        check_date_order(date=dt.date(2026, 12, 4), label="日期", earlier=[("记录", moment)], today=TODAY)
        is None
    )


def test_earlier_dates_come_from_the_record_or_the_service():
    class Field:
        def __init__(self, verbose_name):
            self.verbose_name = verbose_name

    class Meta:
        @staticmethod
        def get_field(name):
            return Field({"submitted_on": "提交日期"}[name])

    class Record:
        _meta = Meta
        submitted_on = dt.date(2026, 12, 1)

    dates = earlier_dates(
        Record(), ["submitted_on", "previous"], {"previous": ("上一步", dt.date(2026, 12, 2))}
    )
    assert dates == [("提交日期", dt.date(2026, 12, 1)), ("上一步", dt.date(2026, 12, 2))]
    step = DateStep("公示开始日期", earlier=("submitted_on",), field="publicity_start")
    with pytest.raises(ValidationError) as info:
        require_date_order(step, date=dt.date(2026, 11, 30), record=Record(), today=TODAY)
    assert info.value.message_dict == {
        "publicity_start": ["公示开始日期（2026-11-30）不能早于提交日期（2026-12-01）。"]
    }
    require_date_order(step, date=dt.date(2026, 12, 1), record=Record(), today=TODAY)


def test_record_dates_are_done_once_reached_and_plans_keep_the_order():
    from types import SimpleNamespace

    from kejiju.core.dates import require_record_dates

    steps = {
        "signed": DateStep("签约日期", field="signed_on"),
        "landed": DateStep("落地日期", earlier=("signed_on",), field="landed_on"),
    }
    reached = {"signed": {"signed", "landed"}, "landed": {"landed"}}

    class Meta:
        @staticmethod
        def get_field(name):
            return SimpleNamespace(verbose_name={"signed_on": "签约日期"}[name])

    def record(signed, landed):
        return SimpleNamespace(_meta=Meta, signed_on=signed, landed_on=landed)

    planned = record(dt.date(2026, 3, 1), dt.date(2027, 6, 1))
    require_record_dates(steps, record=planned, reached=reached, state="signed", today=TODAY)
    with pytest.raises(ValidationError) as info:
        require_record_dates(steps, record=planned, reached=reached, state="landed", today=TODAY)
    assert set(info.value.message_dict) == {"landed_on"}
    with pytest.raises(ValidationError) as info:
        require_record_dates(
            steps,
            record=record(dt.date(2026, 12, 6), dt.date(2026, 3, 1)),
            reached=reached,
            state="landed",
            today=TODAY,
        )
    assert info.value.message_dict == {
        "signed_on": ["签约日期（2026-12-06）不能晚于今天（2026-12-05）：已办理的步骤不能填写将来的日期。"],
        "landed_on": ["落地日期（2026-03-01）不能早于签约日期（2026-12-06）。"],
    }
