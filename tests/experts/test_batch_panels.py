"""One panel per batch or call: one draw for several records, each with its own result; a conflict declared
for one record takes the expert off that record only; the 会评 grid and the score sheet carry the record."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from experts import scoresheet, seats, services
from experts.models import Expert, ReviewPanel, ReviewScore, ReviewSubject
from experts.selectors import panel_add_url, review_subject_for, subject_results
from kejiju.accounts.roles import Role
from platforms.rules import ApplicationState, BatchState
from tests.experts.factories import ExpertFactory, ExpertFieldFactory
from tests.factories import UserFactory
from tests.platforms.factories import ApplicationFactory, BatchFactory

pytestmark = pytest.mark.django_db

CRITERIA = [
    {"key": "c1", "label": "创新性", "max_score": 40, "weight": 1},
    {"key": "c2", "label": "可行性", "max_score": 60, "weight": 1},
]


@pytest.fixture
def field():
    return ExpertFieldFactory(name="新材料")


@pytest.fixture
def batch(county_a, field):
    batch = BatchFactory(state=BatchState.REVIEW)
    batch.review_fields.set([field])
    return batch


@pytest.fixture
def apps(batch, county_a):
    return [
        ApplicationFactory(batch=batch, region=county_a, state=ApplicationState.ACCEPTED) for _ in range(3)
    ]


def _panel(apps, field, user, *, size=3, reserves=1, seed="batch"):
    return services.review_panel_create(
        subjects=apps,
        title="批次评审",
        fields=[field],
        size=size,
        reserves=reserves,
        criteria=CRITERIA,
        user=user,
        seed=seed,
    )


def _seated(panel, user):
    for member in panel.members.filter(role="正式"):
        services.review_member_confirm(member=member, user=user)
    panel.refresh_from_db()
    return list(panel.members.filter(role="正式").order_by("position"))


def test_one_draw_serves_every_record_and_keeps_off_any_applicants_staff(apps, field, bureau_user):
    for _ in range(5):
        ExpertFactory(fields=[field])
    # An expert employed by the third record's applicant may review none of the batch.
    insider = ExpertFactory(fields=[field], employer=apps[2].applicant)
    panel = _panel(apps, field, bureau_user)

    subjects = list(panel.subjects.order_by("position"))
    assert [s.subject for s in subjects] == apps
    assert [s.applicant for s in subjects] == [app.applicant for app in apps]
    assert [s.title for s in subjects] == [app.platform_name for app in apps]
    assert panel.draws.count() == 1 and panel.members.count() == 4
    draw = panel.draws.get()
    assert {entry["expert_id"]: entry["reasons"] for entry in draw.skipped} == {insider.pk: ["same_unit"]}
    assert {a["id"] for a in draw.parameters["applicants"]} == {app.applicant_id for app in apps}
    assert services.review_draw_replay(draw) == draw.drawn
    for app in apps:
        assert review_subject_for(subject=app).panel == panel
    # A record under an open panel is refused by name; cancelling frees it.
    with pytest.raises(ValidationError, match=apps[1].platform_name):
        _panel(apps[1:2], field, bureau_user, seed="again")
    services.review_panel_cancel(panel=panel, reason="改期", user=bureau_user)
    assert not ReviewSubject.objects.filter(is_open=True).exists()
    assert _panel(apps[1:2], field, bureau_user, seed="again").subjects.count() == 1


def test_records_of_two_kinds_or_twice_the_same_are_refused(apps, field, bureau_user):
    for _ in range(4):
        ExpertFactory(fields=[field])
    with pytest.raises(ValidationError, match="同一类事项"):
        _panel([apps[0], apps[0].applicant], field, bureau_user)
    with pytest.raises(ValidationError, match="重复"):
        _panel([apps[0], apps[0]], field, bureau_user)
    assert not ReviewPanel.objects.exists()


def test_each_record_has_its_own_result_and_a_conflict_takes_the_expert_off_that_record(
    apps, field, bureau_user
):
    for _ in range(4):
        ExpertFactory(fields=[field])
    panel = _panel(apps[:2], field, bureau_user)
    first, second, third = _seated(panel, bureau_user)
    a, b = panel.subjects.order_by("position")
    account = UserFactory(role=Role.EXPERT)
    Expert.objects.filter(pk=third.expert_id).update(user=account)
    seats.seat_declare(user=account, member=third, subject=a, conflict=False)
    seats.seat_declare(user=account, member=third, subject=b, conflict=True, reason="近亲属在申报单位任职")
    third.refresh_from_db()
    assert third.status == "已确认"  # still on the panel: only the second record is barred
    assert panel.events.filter(action="recuse", comment__contains="近亲属在申报单位任职").exists()
    with pytest.raises(ValidationError, match="申明回避，不能评分"):
        services.review_scores_enter(member=third, subject=b, scores={"c1": 1, "c2": 1}, user=bureau_user)
    with pytest.raises(ValidationError, match="申明回避，不能评分"):
        services.review_scores_enter_all(
            panel=panel, scores={third.pk: {b.pk: {"c1": 1, "c2": 1}}}, user=bureau_user
        )
    for member, (on_a, on_b) in zip(
        (first, second, third), [((30, 50), (20, 40)), ((35, 55), (25, 45)), ((10, 20), None)], strict=True
    ):
        services.review_scores_enter(
            member=member, subject=a, scores=dict(zip(("c1", "c2"), on_a, strict=True)), user=bureau_user
        )
        if on_b:
            services.review_scores_enter(
                member=member, subject=b, scores=dict(zip(("c1", "c2"), on_b, strict=True)), user=bureau_user
            )
    results = {item.subject.pk: item for item in subject_results(panel)}
    assert results[a.pk].result == Decimal("66.67")  # (80 + 90 + 30) / 3
    assert results[b.pk].result == Decimal("65.00")  # (60 + 70) / 2: the recused expert left out
    assert len(results[b.pk].scorers) == 2
    services.review_panel_close(panel=panel, user=bureau_user)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.result, b.result) == (Decimal("66.67"), Decimal("65.00"))
    assert not a.is_open and not b.is_open


def test_conflict_with_every_record_leaves_the_panel(apps, field, bureau_user):
    for _ in range(5):
        ExpertFactory(fields=[field])
    panel = _panel(apps[:2], field, bureau_user)
    first, *_rest = _seated(panel, bureau_user)
    account = UserFactory(role=Role.EXPERT)
    Expert.objects.filter(pk=first.expert_id).update(user=account)
    a, b = panel.subjects.order_by("position")
    seats.seat_declare(user=account, member=first, subject=a, conflict=True, reason="合作研究")
    first.refresh_from_db()
    assert first.status == "已确认"
    seats.seat_declare(user=account, member=first, subject=b, conflict=True, reason="合作研究")
    first.refresh_from_db()
    assert first.status == "拒绝" and "申明回避" in first.refusal_reason
    assert panel.members.filter(replaces=first).exists()  # the reserve steps in


def test_grid_and_score_sheet_carry_the_record(client, apps, field, bureau_user):
    for _ in range(3):
        ExpertFactory(fields=[field])
    panel = _panel(apps[:2], field, bureau_user, size=2, reserves=0)
    first, second = _seated(panel, bureau_user)
    a, b = panel.subjects.order_by("position")
    client.force_login(bureau_user)
    url = reverse("experts:reviewpanel_scores", kwargs={"pk": panel.pk})
    page = client.get(url).content.decode()
    for member in (first, second):
        for subject in (a, b):
            assert f'name="s{member.pk}_{subject.pk}_0"' in page
    bad = {f"s{first.pk}_{a.pk}_0": "30", f"s{first.pk}_{a.pk}_1": "50", f"s{second.pk}_{b.pk}_0": "41"}
    bad |= {f"s{second.pk}_{b.pk}_1": "10"}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert response.context["errors"] == [
        f"专家{second.expert} · {b.title} · “创新性”的得分应在 0–40 之间，实际为 41。"
    ]
    assert not ReviewScore.objects.exists()
    assert client.post(url, bad | {f"s{second.pk}_{b.pk}_0": "40"}).status_code == 302
    assert ReviewScore.objects.filter(sheet__subject=b, sheet__member=second).count() == 2

    sheet = b"".join(
        client.get(reverse("experts:reviewpanel_sheet", kwargs={"pk": panel.pk})).streaming_content
    )
    workbook = load_workbook(io.BytesIO(sheet))
    rows = list(workbook.active.iter_rows(values_only=True))
    header = rows[0]
    member_col, subject_col = header.index("成员编号"), header.index("评审对象编号")
    keyed = {
        (row[member_col], row[subject_col]): n for n, row in enumerate(rows[1:], start=2) if row[member_col]
    }
    assert set(keyed) == {(m.pk, s.pk) for m in (first, second) for s in (a, b)}
    c1 = header.index("创新性（满分40×1）") + 1
    c2 = header.index("可行性（满分60×1）") + 1
    sheet_rows = workbook.active
    sheet_rows.cell(row=keyed[(second.pk, a.pk)], column=c1, value=12.5)
    sheet_rows.cell(row=keyed[(second.pk, a.pk)], column=c2, value=40)
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = scoresheet.parse(content=buffer.getvalue(), name="评分表.xlsx", panel=panel)
    assert parsed.ok, [str(e) for e in parsed.errors]
    scoresheet.commit(parsed=parsed, user=bureau_user)
    saved = ReviewScore.objects.filter(sheet__subject=a, sheet__member=second).order_by("criterion")
    assert [s.score for s in saved] == [Decimal("12.50"), Decimal("40.00")]
    # A record number not of this panel names its row and imports nothing.
    sheet_rows.cell(row=keyed[(first.pk, b.pk)], column=subject_col + 1, value=999999)
    sheet_rows.cell(row=keyed[(first.pk, b.pk)], column=c1, value=1)
    sheet_rows.cell(row=keyed[(first.pk, b.pk)], column=c2, value=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    errors = [str(e) for e in scoresheet.parse(content=buffer.getvalue(), name="x.xlsx", panel=panel).errors]
    assert errors == [
        f"第{keyed[(first.pk, b.pk)]}行【评审对象编号】：评审对象编号“999999”不是本评审组的评审对象。"
    ]


def test_batch_page_starts_one_panel_for_the_waiting_applications(client, batch, apps, field, bureau_user):
    for _ in range(5):
        ExpertFactory(fields=[field])
    client.force_login(bureau_user)
    page = client.get(batch.get_absolute_url()).content.decode()
    url = panel_add_url(*apps)
    assert url.replace("&", "&amp;") in page
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["fields"] == [field]  # the batch's fields, one vocabulary
    assert form.context["form"].initial["title"] == f"{batch.title} 专家评审"
    assert "applicant" not in form.context["form"].fields  # each record's own unit
    data = {
        "title": f"{batch.title} 专家评审",
        "fields": [field.pk],
        "size": 3,
        "reserves": 1,
        "lookback_years": 3,
        "criteria_text": "创新性|40\n可行性|60",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    panel = ReviewPanel.objects.get()
    assert [s.subject for s in panel.subjects.order_by("position")] == apps
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="batch-panel"' not in page  # none waits any more
    assert page.count(panel.get_absolute_url()) == 3


def test_panel_add_is_404_when_any_record_is_out_of_reach(client, apps, county_b, county_user, bureau_user):
    other = ApplicationFactory(batch=apps[0].batch, region=county_b, state=ApplicationState.ACCEPTED)
    client.force_login(county_user)
    assert client.get(panel_add_url(*apps)).status_code == 403
    client.force_login(bureau_user)
    url = panel_add_url(apps[0], other)
    assert client.get(url).status_code == 200  # the bureau reaches every county
    assert client.get(url.replace(f"subject_id={other.pk}", "subject_id=999999")).status_code == 404
    mixed = f"{url}&subject_id=abc"
    assert client.get(mixed).status_code == 404
