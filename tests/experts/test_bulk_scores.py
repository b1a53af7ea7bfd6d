"""会评: every score of a panel on one page (services.review_scores_enter_all) and the score sheet the portal
generates uploaded back (experts.scoresheet): all or nothing, every bad cell named, a round trip equal."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from experts import scoresheet, services
from experts.models import ReviewPanel, ReviewScore
from kejiju.core.models import WorkflowEvent
from kejiju.core.spreadsheets import SpreadsheetRefused
from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

CRITERIA = [
    {"key": "c1", "label": "技术创新性", "max_score": 30, "weight": 1},
    {"key": "c2", "label": "可行性", "max_score": 70, "weight": 1},
]


def _panel(user, *, size=3, name="新材料", title="会评测试"):
    field = ExpertFieldFactory(name=name)
    for _ in range(size + 1):
        ExpertFactory(fields=[field])
    subject = OrganizationFactory()
    panel = services.review_panel_create(
        subject=subject,
        title=title,
        applicant=subject,
        fields=[field],
        size=size,
        reserves=0,
        criteria=CRITERIA,
        user=user,
        seed=title,
    )
    for member in panel.members.all():
        services.review_member_confirm(member=member, user=user)
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.CONFIRMED
    return panel


def _members(panel):
    return list(panel.members.select_related("expert").order_by("position"))


def _sid(panel) -> int:
    return panel.subjects.get().pk


def _download(client, panel) -> bytes:
    response = client.get(reverse("experts:reviewpanel_sheet", kwargs={"pk": panel.pk}))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _fill(content: bytes, values: dict[tuple[int, str], object]) -> bytes:
    """Type values into a downloaded sheet: (member pk, column header) → value."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    rows = {sheet.cell(row=n, column=2).value: n for n in range(2, sheet.max_row + 1)}
    for (member_pk, column), value in values.items():
        sheet.cell(row=rows[member_pk], column=header.index(column) + 1, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_values(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def _upload(client, panel, content: bytes, name="评分表.xlsx"):
    return client.post(
        reverse("experts:reviewpanel_scores_import", kwargs={"pk": panel.pk}),
        {"file": SimpleUploadedFile(name, content)},
    )


C1, C2 = "技术创新性（满分30×1）", "可行性（满分70×1）"


# ------------------------------------------------------------------------------------------- the grid


def test_grid_saves_all_or_nothing_and_names_the_cell(client, bureau_user):
    panel = _panel(bureau_user)
    first, second, third = _members(panel)
    client.force_login(bureau_user)
    url = reverse("experts:reviewpanel_scores", kwargs={"pk": panel.pk})

    sid = _sid(panel)
    page = client.get(url)
    assert page.status_code == 200
    for member in (first, second, third):
        assert f'name="s{member.pk}_{_sid(panel)}_0"' in page.content.decode()

    bad = {
        f"s{first.pk}_{sid}_0": "25.5",
        f"s{first.pk}_{sid}_1": "60",
        f"s{second.pk}_{sid}_0": "31",  # over the maximum
        f"s{second.pk}_{sid}_1": "abc",  # not a number
        f"s{third.pk}_{sid}_0": "20",
        f"s{third.pk}_{sid}_1": "50",
        f"comment{first.pk}_{sid}": "创新点突出",
    }
    response = client.post(url, bad)
    assert response.status_code == 200
    errors = response.context["errors"]
    assert f"专家{second.expert} · “技术创新性”的得分应在 0–30 之间，实际为 31。" in errors
    assert f"专家{second.expert} · “可行性”的得分“abc”不是数字。" in errors
    assert len(errors) == 2
    grid = {row.member.pk: row for row in response.context["grid"]}
    assert [cell.error for cell in grid[second.pk].cells] == [True, True]
    assert [cell.error for cell in grid[first.pk].cells] == [False, False]
    assert grid[first.pk].cells[0].value == "25.5"  # what was typed stays on the page
    assert not ReviewScore.objects.filter(sheet__member__panel=panel).exists()
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.CONFIRMED

    good = bad | {f"s{second.pk}_{sid}_0": "30", f"s{second.pk}_{sid}_1": "69.75"}
    response = client.post(url, good)
    assert response.status_code == 302
    saved = {
        (s.sheet.member_id, s.criterion): s.score
        for s in ReviewScore.objects.filter(sheet__member__panel=panel)
    }
    assert saved == {
        (first.pk, "c1"): Decimal("25.50"),
        (first.pk, "c2"): Decimal("60.00"),
        (second.pk, "c1"): Decimal("30.00"),
        (second.pk, "c2"): Decimal("69.75"),
        (third.pk, "c1"): Decimal("20.00"),
        (third.pk, "c2"): Decimal("50.00"),
    }
    assert first.sheets.get().comment == "创新点突出"
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.SCORING
    steps = WorkflowEvent.objects.filter(reviewpanel=panel, action="score").order_by("pk")
    assert [e.comment for e in steps] == [
        f"{first.expert}：合计 85.50",
        f"{second.expert}：合计 99.75",
        f"{third.expert}：合计 70.00",
    ]

    again = client.post(url, good)  # nothing changed: nothing written, nothing on the timeline
    assert again.status_code == 302
    assert WorkflowEvent.objects.filter(reviewpanel=panel, action="score").count() == 3


def test_service_reports_every_cell_and_writes_nothing(bureau_user):
    panel = _panel(bureau_user)
    first, second, third = _members(panel)
    with pytest.raises(ValidationError) as refused:
        services.review_scores_enter_all(
            panel=panel,
            scores={
                first.pk: {_sid(panel): {"c1": Decimal("10"), "c2": Decimal("10")}},
                second.pk: {_sid(panel): {"c1": "12.345", "c2": None}},
                third.pk: {_sid(panel): {"c1": "-1", "c2": "5"}},
            },
            user=bureau_user,
        )
    messages = refused.value.messages
    assert f"专家{second.expert} · “技术创新性”的得分 12.345 最多保留两位小数。" in messages
    assert f"专家{second.expert} · “可行性”：请填写得分。" in messages
    assert any(m.startswith(f"专家{third.expert} · “技术创新性”的得分应在 0–30 之间") for m in messages)
    assert len(messages) == 3
    assert not ReviewScore.objects.filter(sheet__member__panel=panel).exists()


def test_service_refuses_in_the_states_the_per_member_entry_refuses(bureau_user):
    panel = _panel(bureau_user, size=1)
    (member,) = _members(panel)
    services.review_scores_enter_all(
        panel=panel, scores={member.pk: {_sid(panel): {"c1": 1, "c2": 2}}}, user=bureau_user
    )
    services.review_panel_close(panel=panel, user=bureau_user)
    with pytest.raises(ValidationError, match="不能录入评分"):
        services.review_scores_enter_all(
            panel=panel, scores={member.pk: {_sid(panel): {"c1": 3, "c2": 4}}}, user=bureau_user
        )
    assert ReviewScore.objects.get(sheet__member=member, criterion="c1").score == Decimal("1.00")


def test_grid_page_queries_do_not_grow_with_members(client, bureau_user):
    client.force_login(bureau_user)
    counts = []
    for size, name in ((2, "新材料"), (6, "新能源")):
        panel = _panel(bureau_user, size=size, name=name, title=f"会评{size}")
        for member in _members(panel):
            services.review_scores_enter(member=member, scores={"c1": 10, "c2": 20}, user=bureau_user)
        url = reverse("experts:reviewpanel_scores", kwargs={"pk": panel.pk})
        client.get(url)  # warm the per-process caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# ------------------------------------------------------------------------------------ the score sheet


def test_sheet_round_trip_gives_the_numbers_typed(client, bureau_user):
    panel = _panel(bureau_user)
    first, second, third = _members(panel)
    client.force_login(bureau_user)
    sheet = _download(client, panel)
    header = _sheet_values(sheet)[0]
    assert header[:4] == ("评审组编号", "成员编号", "顺位", "专家")
    assert C1 in header and C2 in header
    filled = _fill(
        sheet,
        {
            (first.pk, C1): 25.5,
            (first.pk, C2): 33.25,
            (second.pk, C1): 30,
            (second.pk, C2): "69.99",
            (third.pk, C1): 0,
            (third.pk, C2): 12.1,
            (third.pk, "履职评价"): "优秀",
            (third.pk, "评审意见"): "建议立项",
        },
    )
    preview = _upload(client, panel, filled)
    assert preview.status_code == 200
    assert preview.context["parsed"].ok, [str(e) for e in preview.context["parsed"].errors]
    assert len(preview.context["preview"]) == 3
    assert not ReviewScore.objects.filter(
        sheet__member__panel=panel
    ).exists()  # nothing before the confirmation

    done = client.post(reverse("experts:reviewpanel_scores_import_confirm", kwargs={"pk": panel.pk}))
    assert done.status_code == 302 and done.url == panel.get_absolute_url()
    saved = {
        (s.sheet.member_id, s.criterion): s.score
        for s in ReviewScore.objects.filter(sheet__member__panel=panel)
    }
    assert saved == {
        (first.pk, "c1"): Decimal("25.50"),
        (first.pk, "c2"): Decimal("33.25"),
        (second.pk, "c1"): Decimal("30.00"),
        (second.pk, "c2"): Decimal("69.99"),
        (third.pk, "c1"): Decimal("0.00"),
        (third.pk, "c2"): Decimal("12.10"),
    }
    third.refresh_from_db()
    assert (third.performance, third.sheets.get().comment) == ("优秀", "建议立项")
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.SCORING

    again = {row[1]: row for row in _sheet_values(_download(client, panel))[1:] if row[1]}
    c1, c2 = header.index(C1), header.index(C2)
    assert Decimal(str(again[first.pk][c1])) == Decimal("25.5")
    assert Decimal(str(again[second.pk][c2])) == Decimal("69.99")
    assert Decimal(str(again[third.pk][c2])) == Decimal("12.1")
    # The re-downloaded sheet uploaded as it is changes nothing.
    assert _upload(client, panel, _download(client, panel)).context["parsed"].ok


def test_sheet_with_one_bad_row_imports_nothing_and_names_the_row(client, bureau_user):
    panel = _panel(bureau_user)
    first, second, third = _members(panel)
    client.force_login(bureau_user)
    filled = _fill(
        _download(client, panel),
        {
            (first.pk, C1): 20,
            (first.pk, C2): 40,
            (second.pk, C1): 31,  # over the maximum: this row is bad
            (second.pk, C2): 40,
            (third.pk, C1): 10,
            (third.pk, C2): 10,
        },
    )
    errors = scoresheet.check(content=filled, name="评分表.xlsx", user=bureau_user)
    row = 1 + [m.pk for m in _members(panel)].index(second.pk) + 1
    assert [(e.row, e.column) for e in errors] == [(row, C1)]
    assert str(errors[0]) == f"第{row}行【{C1}】：“技术创新性”的得分应在 0–30 之间，实际为 31。"

    response = _upload(client, panel, filled)
    assert response.status_code == 200
    assert "未导入任何数据" in response.content.decode()
    assert f"第 {row} 行" in response.content.decode()
    assert f"experts-scoresheet-{panel.pk}" not in client.session
    # Nothing pending: a confirmation posted anyway writes nothing.
    client.post(reverse("experts:reviewpanel_scores_import_confirm", kwargs={"pk": panel.pk}))
    assert not ReviewScore.objects.filter(sheet__member__panel=panel).exists()


def test_sheet_of_another_panel_is_refused(client, bureau_user):
    panel = _panel(bureau_user)
    other = _panel(bureau_user, name="新能源", title="另一评审")
    client.force_login(bureau_user)
    (member, *_rest) = _members(other)
    filled = _fill(_download(client, other), {(member.pk, C1): 10, (member.pk, C2): 10})
    response = _upload(client, panel, filled)
    assert response.status_code == 200
    shown = " ".join(response.context["form"].errors["file"])
    assert "该评分表属于另一评审组" in shown and f"本评审组编号为 {panel.pk}" in shown
    assert not ReviewScore.objects.exists()


def test_formula_cell_is_refused(client, bureau_user):
    panel = _panel(bureau_user)
    first, *_rest = _members(panel)
    client.force_login(bureau_user)
    filled = _fill(_download(client, panel), {(first.pk, C1): "=10+5", (first.pk, C2): 10})
    with pytest.raises(SpreadsheetRefused, match="含有公式"):
        scoresheet.check(content=filled, name="评分表.xlsx", user=bureau_user)
    response = _upload(client, panel, filled)
    assert "含有公式" in " ".join(response.context["form"].errors["file"])
    assert not ReviewScore.objects.exists()


def test_changed_header_unknown_member_and_wrong_name_are_refused(client, bureau_user):
    panel = _panel(bureau_user)
    first, second, third = _members(panel)
    client.force_login(bureau_user)
    rows = _sheet_values(_download(client, panel))
    header = list(rows[0])

    changed = [*header]
    changed[header.index(C1)] = "技术创新性（满分40×1）"
    workbook = Workbook()
    workbook.active.title = "评分表"
    for row in [changed, *rows[1:]]:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(SpreadsheetRefused, match="缺少列：技术创新性（满分30×1）"):
        scoresheet.check(content=buffer.getvalue(), name="评分表.xlsx", user=bureau_user)

    filled = _fill(
        _download(client, panel),
        {
            (first.pk, "成员编号"): 999999,
            (first.pk, C1): 1,
            (first.pk, C2): 1,
            (second.pk, "专家"): "李四",
            (second.pk, C1): 1,
            (second.pk, C2): 1,
            (third.pk, C1): 1,
            (third.pk, C2): 1,
        },
    )
    errors = [str(e) for e in scoresheet.check(content=filled, name="评分表.xlsx", user=bureau_user)]
    assert errors == [
        "第2行【成员编号】：成员编号“999999”不是本评审组的评审专家。",
        f"第3行【专家】：专家“李四”与成员编号 {second.pk} 的专家“{second.expert.name}”不符。",
    ]
    assert not ReviewScore.objects.exists()
