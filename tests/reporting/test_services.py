"""Services of county reporting: filing, deadlines, the review cycle, reopening, reminders, task lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kejiju.reporting import rules, services
from kejiju.reporting.figures import register_monthly_figure, unregister_monthly_figure
from kejiju.reporting.models import CountyTask, FilingReminder, MonthlyFiling, Notice
from kejiju.reporting.selectors import filing_timeliness, filing_timeliness_totals
from kejiju.reporting.services import FigureInput, ProgressInput
from tests.reporting.conftest import sh
from tests.reporting.factories import CountyTaskFactory
from tests.reporting.steps import confirm, file_month, give_back, resend

pytestmark = pytest.mark.django_db

ON_TIME = sh(2024, 2, 3, 10)
LATE = sh(2024, 2, 9, 10)


def _save(user, now=ON_TIME, *, year=2024, month=1, progress=(), figures=(), **kwargs):
    kwargs.setdefault("key_progress", "与山西农业大学签订基地共建协议。")
    return services.filing_save(
        actor=user, year=year, month=month, progress=progress, figures=figures, now=now, **kwargs
    )


def _actions(filing):
    return list(filing.events.order_by("recorded_at", "pk").values_list("action", flat=True))


def test_save_creates_a_draft_with_progress_and_figures(county_user, task_a):
    filing = _save(
        county_user,
        progress=[
            ProgressInput(task_id=task_a.pk, done_quantity=1, percent=Decimal("25"), status="in_progress")
        ],
        figures=[FigureInput(key="tech_vp_new", value=3)],  # a figure entered by hand
    )
    assert filing.state == MonthlyFiling.State.DRAFT
    assert filing.region == county_user.region
    row = filing.progress.get()
    assert (row.done_quantity, row.percent, row.status) == (1, Decimal("25.0"), "in_progress")
    figures = dict(filing.figures.values_list("key", "value"))
    assert figures["tech_vp_new"] == 3 and figures["pool_new"] == 0
    assert _actions(filing) == ["create"]
    _save(county_user)
    assert _actions(filing) == ["create", "save"]


def test_submit_on_time_and_after_the_deadline(county_user, bureau_user, county_a):
    filing = _save(county_user)
    filing = services.filing_submit(actor=county_user, filing=filing, now=ON_TIME)
    assert filing.state == MonthlyFiling.State.SUBMITTED and not filing.is_late

    with pytest.raises(ValidationError, match="已于 2024-03-05 截止"):
        _save(county_user, LATE.replace(month=3), month=2)
    services.filing_reopen(
        actor=bureau_user,
        region=county_a,
        year=2024,
        month=2,
        reason="系统故障补报",
        expires_at=sh(2024, 3, 12),
        now=sh(2024, 3, 9),
    )
    late = _save(county_user, sh(2024, 3, 10), month=2)
    late = services.filing_submit(actor=county_user, filing=late, now=sh(2024, 3, 10))
    assert late.is_late
    assert late.events.filter(action="submit", data__late=True).exists()
    # The exception expires.
    assert services.has_active_exception(region=county_a, year=2024, month=2, now=sh(2024, 3, 11))
    assert not services.has_active_exception(region=county_a, year=2024, month=2, now=sh(2024, 3, 12, 0, 1))


def test_filing_after_the_deadline_without_exception_is_refused(county_user):
    draft = _save(county_user)
    with pytest.raises(ValidationError, match="如需补报请联系市局解锁"):
        services.filing_submit(actor=county_user, filing=draft, now=LATE)
    with pytest.raises(ValidationError, match="截止"):
        _save(county_user, LATE)


def test_editing_after_submission_is_refused(county_user):
    # Submitting again (a wrong state) is walked by the workflow sweep (test_workflow.py).
    services.filing_submit(actor=county_user, filing=_save(county_user), now=ON_TIME)
    with pytest.raises(ValidationError, match="“已报送”，不能再修改"):
        _save(county_user, key_progress="改一下")


def test_a_county_cannot_file_for_another(county_user, county_b, bureau_user):
    # Submitting another county's filing (out of scope) is walked by the workflow sweep.
    with pytest.raises(ValidationError, match="不能为其他县区"):
        _save(county_user, region=county_b)
    with pytest.raises(ValidationError, match="只有县区科技局账户"):
        _save(bureau_user)


@pytest.mark.parametrize(
    ("done", "percent", "message"),
    [
        (-1, Decimal("10"), "累计完成数量不能为负数"),
        (1, Decimal("100.5"), "完成进度应在 0 到 100 之间"),
        (1, Decimal("-1"), "完成进度应在 0 到 100 之间"),
    ],
)
def test_bad_progress_is_refused(county_user, task_a, done, percent, message):
    with pytest.raises(ValidationError, match=message):
        _save(
            county_user,
            progress=[ProgressInput(task_id=task_a.pk, done_quantity=done, percent=percent, status="done")],
        )
    assert not MonthlyFiling.objects.exists()


def test_negative_figure_and_other_countys_task_are_refused(county_user, county_b):
    with pytest.raises(ValidationError, match="不能为负数"):
        _save(county_user, figures=[FigureInput(key="smes_new", value=-2)])
    foreign = CountyTaskFactory(region=county_b)
    with pytest.raises(ValidationError, match="不属于本县区"):
        _save(
            county_user,
            progress=[ProgressInput(task_id=foreign.pk, done_quantity=1, percent=Decimal(1), status="done")],
        )


def test_future_month_is_refused(county_user):
    with pytest.raises(ValidationError, match="不能填报未来月份"):
        _save(county_user, sh(2024, 2, 3), month=3)


def test_review_cycle(county_mail_user, bureau_user, django_capture_on_commit_callbacks):
    county_user = county_mail_user
    filing = services.filing_submit(actor=county_user, filing=_save(county_user), now=ON_TIME)
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes once the return commits
        filing = services.filing_return(
            actor=bureau_user, filing=filing, reason="缺少基地协议附件", now=sh(2024, 2, 4)
        )
    assert filing.state == MonthlyFiling.State.RETURNED
    assert Notice.objects.filter(recipient=county_user, title__contains="退回").exists()
    assert mail.outbox and "缺少基地协议附件" in mail.outbox[-1].body
    # A returned filing may be corrected and resent even after the deadline; it stays on time.
    upload = SimpleUploadedFile("协议.pdf", b"%PDF-1.4", content_type="application/pdf")
    _save(county_user, LATE, attachments=[upload])
    filing = services.filing_submit(actor=county_user, filing=filing, now=LATE)
    assert filing.state == MonthlyFiling.State.SUBMITTED and not filing.is_late
    filing = services.filing_confirm(actor=bureau_user, filing=filing, now=LATE)
    assert filing.state == MonthlyFiling.State.CONFIRMED and filing.reviewed_by == bureau_user
    assert _actions(filing) == [
        "create",
        "submit",
        "return",
        "attach",
        "save",
        "resubmit",
        "confirm",
    ]
    with pytest.raises(ValidationError, match="“已确认”，不能再修改"):
        _save(county_user, LATE)


def test_submit_needs_key_progress(county_user):
    draft = _save(county_user, key_progress="")
    with pytest.raises(ValidationError, match="重点工作进展"):
        services.filing_submit(actor=county_user, filing=draft, now=ON_TIME)


def test_registered_provider_prefills_and_a_change_needs_a_reason(county_user):
    calls = []

    def pool_entries(region, year, month):
        calls.append((region.code, year, month))
        return 7

    register_monthly_figure("pool_new", "高企培育库新入库（家）", pool_entries)
    try:
        filing = _save(county_user)
        entry = filing.figures.get(key="pool_new")
        assert (entry.value, entry.system_value) == (7, 7)
        assert calls[-1] == ("140902", 2024, 1)
        with pytest.raises(ValidationError, match="请填写修改原因"):
            _save(county_user, figures=[FigureInput(key="pool_new", value=9)])
        _save(county_user, figures=[FigureInput(key="pool_new", value=9, reason="两家企业月末补录")])
        entry.refresh_from_db()
        assert (entry.value, entry.reason) == (9, "两家企业月末补录")
    finally:
        unregister_monthly_figure("pool_new")


def test_reopen_validation(bureau_user, county_a):
    with pytest.raises(ValidationError, match="有效期应晚于当前时间"):
        services.filing_reopen(
            actor=bureau_user,
            region=county_a,
            year=2024,
            month=1,
            reason="补报",
            expires_at=sh(2024, 2, 1),
            now=sh(2024, 2, 9),
        )
    with pytest.raises(ValidationError, match="解锁原因"):
        services.filing_reopen(
            actor=bureau_user,
            region=county_a,
            year=2024,
            month=1,
            reason="",
            expires_at=sh(2024, 2, 12),
            now=sh(2024, 2, 9),
        )


def test_reminders_before_and_after_the_deadline(
    county_mail_user, other_county_user, django_capture_on_commit_callbacks
):
    services.filing_submit(actor=other_county_user, filing=_save(other_county_user), now=sh(2024, 2, 1))
    assert services.send_filing_reminders(now=sh(2024, 2, 3, 9)) == 0  # not a reminder day
    with django_capture_on_commit_callbacks(execute=True):
        reminded = services.send_filing_reminders(now=sh(2024, 2, 2, 9))
    assert reminded == 15  # 16 county-level units, one of which has filed
    assert (
        Notice.objects.filter(recipient=county_mail_user, title__contains="请于 2024-02-05 前报送").count()
        == 1
    )
    assert not Notice.objects.filter(recipient=other_county_user).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["xinfu@example.gov.cn"]
    assert services.send_filing_reminders(now=sh(2024, 2, 2, 15)) == 0  # once a day
    services.send_filing_reminders(now=sh(2024, 2, 6, 9))
    assert Notice.objects.filter(recipient=county_mail_user, title__contains="已逾期未报送").count() == 1
    assert FilingReminder.objects.filter(region=county_mail_user.region).count() == 2
    # A county with a draft: the reminder is a step on the draft's timeline.
    draft = _save(county_mail_user, sh(2024, 2, 6, 10), month=2)
    services.send_filing_reminders(now=sh(2024, 3, 2, 9))
    assert _actions(draft)[-1] == "remind"


def test_task_services(county_user, bureau_user, county_a, county_b):
    deadline = dt.date(2024, 12, 31)
    proposed = services.task_create(
        actor=county_user,
        region=county_a,
        year=2024,
        category="industrial_park",
        title="产业园",
        target_quantity=1,
        deadline=deadline,
    )
    assert proposed.status == CountyTask.Status.PROPOSED
    with pytest.raises(ValidationError, match="不能为其他县区"):
        services.task_create(
            actor=county_user,
            region=county_b,
            year=2024,
            category="industrial_park",
            title="产业园",
            target_quantity=1,
            deadline=deadline,
        )
    with pytest.raises(ValidationError, match="目标数量至少为 1"):
        services.task_update(actor=county_user, task=proposed, target_quantity=0)
    with pytest.raises(ValidationError, match="完成时限应在任务年度之内"):
        services.task_update(actor=county_user, task=proposed, deadline=dt.date(2025, 1, 31))
    proposed = services.task_approve(actor=bureau_user, task=CountyTask.objects.get(pk=proposed.pk))
    with pytest.raises(ValidationError, match="县区不能再修改"):
        services.task_update(actor=county_user, task=proposed, title="改")
    bureau_task = services.task_create(
        actor=bureau_user,
        region=county_b,
        year=2024,
        category="tech_vp",
        title="科技副总",
        target_quantity=3,
        deadline=deadline,
    )
    assert bureau_task.status == CountyTask.Status.APPROVED


def test_filing_timeliness_selector(county_a, county_b, bureau_user, county_user, other_county_user):
    """Through the services: 忻府区 files every month of 2023 (March and July late; May returned and resent;
    September returned and never resent), 定襄县 January to October (January late) and leaves a draft
    for November."""

    def filed(user, month, *, late=False):
        when = sh(2023, month, 28, 10) if month < 12 else sh(2023, 12, 29, 10)
        if late:
            when = rules.filing_deadline(2023, month) + dt.timedelta(days=2, hours=10)
        return file_month(user, year=2023, month=month, when=when, bureau=bureau_user)

    for month in range(1, 13):
        filing = filed(county_user, month, late=month in (3, 7))
        day = timezone.localtime(filing.submitted_at)
        if month in (5, 9):
            filing = give_back(bureau_user, filing, when=day + dt.timedelta(days=1))
            if month == 9:
                continue
            filing = resend(county_user, filing, when=day + dt.timedelta(days=2))
        confirm(bureau_user, filing, when=day + dt.timedelta(days=3))
    for month in range(1, 11):
        confirm(bureau_user, filed(other_county_user, month, late=month == 1), when=sh(2023, month + 1, 20))
    _save(other_county_user, sh(2023, 11, 20), year=2023, month=11)  # a draft never submitted
    rows = {
        row["region"].code: row for row in filing_timeliness(year=2023, user=bureau_user, now=sh(2024, 3, 1))
    }
    assert rows["140902"] | {"region": None} == {
        "region": None,
        "expected": 12,
        "filed": 11,
        "on_time": 9,
        "late": 2,
        "missing": 1,
        "returned": 1,
        "confirmed": 11,
        "on_time_rate": rows["140902"]["on_time_rate"],
    }
    assert rows["140902"]["on_time_rate"] == pytest.approx(9 / 12)
    assert (rows["140921"]["filed"], rows["140921"]["on_time"], rows["140921"]["missing"]) == (10, 9, 2)
    assert rows["140922"]["missing"] == 12
    totals = filing_timeliness_totals(year=2023, user=bureau_user, now=sh(2024, 3, 1))
    assert (totals["expected"], totals["filed"], totals["on_time"]) == (16 * 12, 21, 18)
    assert (totals["late"], totals["returned"], totals["confirmed"]) == (3, 1, 21)
    # Mid-year only the months whose deadline has passed are expected.
    assert filing_timeliness(year=2023, user=county_user, now=sh(2023, 3, 6))[0]["expected"] == 2


# ------------------------------------------------------------------ 完成进度 is derived (issue 19)


def _one(task, done, percent, status):
    return [ProgressInput(task_id=task.pk, done_quantity=done, percent=percent, status=status)]


def test_untyped_percent_is_computed_from_done_and_target(county_user, task_a):
    filing = _save(county_user, progress=_one(task_a, 3, None, "in_progress"))
    assert filing.progress.get().percent == Decimal("75.0")


@pytest.mark.parametrize(
    ("done", "percent", "status", "field", "message"),
    [
        # 1 of 4 is 25%; up to below 50% is partial progress of the next unit, 63% is not.
        (1, Decimal("63"), "in_progress", "percent", "完成进度63%与累计完成1、目标4不符"),
        (0, Decimal("0"), "done", "status", "累计完成为 0，状态不能为“已完成”"),
        (6, Decimal("10"), "done", "percent", "完成进度10%与累计完成6、目标4不符"),
        (4, None, "in_progress", "status", "累计完成4已达到目标4，状态应为“已完成”"),
        (1, None, "not_started", "status", "状态不能为“未启动”"),
        (0, Decimal("20"), "not_started", "status", "状态不能为“未启动”"),
    ],
)
def test_progress_disagreeing_with_done_target_or_status_is_refused(
    county_user, task_a, done, percent, status, field, message
):
    with pytest.raises(ValidationError) as caught:
        _save(county_user, progress=_one(task_a, done, percent, status))
    messages = caught.value.message_dict[field]
    assert any(message in m and "山西农业大学成果转化基地" in m for m in messages), messages
    assert not MonthlyFiling.objects.exists()
