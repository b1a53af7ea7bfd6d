"""Issue 25: expert pages show labels, never internal codes — the draw's conditions (expert categories,
applicants, excluded experts, an expert no longer in the library), the panel's score criteria (by label,
never by key) on the panel, the 会评 grid, the score-sheet upload and the expert's own review pages."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from experts import rules, seats, services
from experts.models import CompositionRule, Expert
from experts.views.draws import MISSING_EXPERT
from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

# Keys no label contains: a page that shows one shows the code.
CRITERIA = [
    {"key": "kx_innov", "label": "技术创新性", "max_score": 60, "weight": 1},
    {"key": "kx_plan", "label": "实施方案可行性", "max_score": 40, "weight": 1},
]
KEYS = [c["key"] for c in CRITERIA]
LABELS = [c["label"] for c in CRITERIA]


def visible(body: str) -> str:
    """What a user sees or hears of a page: its text and its accessible names and tooltips."""
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", body)
    named = " ".join(re.findall(r'(?:aria-label|title|placeholder)="([^"]*)"', body))
    return html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + named)


def _panel(user, field, *, size=5, reserves=1, seed="labels", kind=None, excluded=()):
    subject = OrganizationFactory(name="晋北新材料有限公司")
    return services.review_panel_create(
        subject=subject,
        title="标签测试评审",
        applicant=subject,
        fields=[field],
        size=size,
        reserves=reserves,
        criteria=CRITERIA,
        excluded_experts=list(excluded),
        user=user,
        seed=seed,
        review_kind=kind,
    )


def test_the_draw_page_shows_categories_applicants_and_names_not_codes(client, bureau_user):
    field = ExpertFieldFactory(name="新材料")
    for category, count in ((rules.TECHNICAL, 7), (rules.FINANCIAL, 2), (rules.MANAGEMENT, 1)):
        for _ in range(count):
            ExpertFactory(fields=[field], category=category)
    avoided = ExpertFactory(fields=[field], name="回避专家")
    assert CompositionRule.objects.filter(kind="gaoqi").exists()  # seeded by experts/migrations/0014
    panel = _panel(bureau_user, field, kind="gaoqi", reserves=0, excluded=[avoided])
    first = panel.draws.get()
    # A seat refused with no reserve: the supplementary draw records the categories already seated.
    member = panel.members.order_by("position").first()
    services.review_member_refuse(member=member, reason="时间冲突", user=bureau_user)
    supplement = services.review_panel_supplement(panel=panel, user=bureau_user, seed="labels-2")
    assert supplement.parameters["seats"]["seated"]
    # An expert of the pool, never seated, who has since left the library.
    seated = set(panel.members.values_list("expert_id", flat=True))
    gone = next(pk for pk in first.pool if pk not in seated)
    Expert.objects.filter(pk=gone).delete()

    client.force_login(bureau_user)
    body = client.get(reverse("experts:reviewdraw_detail", kwargs={"pk": first.pk})).content.decode()
    page = visible(body)
    assert f"#{first.pk}" not in page  # the title names the panel, the kind and the time
    assert "晋北新材料有限公司" in page  # 申报单位 (the draw records its applicants)
    assert "回避专家" in page  # 申请回避的专家, by name
    assert f"<td>#{gone}</td>" not in body and f"<td>{gone}</td><td>{MISSING_EXPERT}</td>" in body
    cells = re.findall(r"<td>([^<]*)</td>", body)  # the candidate pool's 类别 column
    assert "财务专家" in cells and "技术专家" in cells
    assert not {rules.TECHNICAL, rules.FINANCIAL, rules.MANAGEMENT} & set(cells)  # the codes, alone in a cell
    page = visible(
        client.get(reverse("experts:reviewdraw_detail", kwargs={"pk": supplement.pk})).content.decode()
    )
    assert "已在组：技术专家" in page and "已在组：技术 " not in page


def _confirmed(user, field):
    for _ in range(4):
        ExpertFactory(fields=[field])
    panel = _panel(user, field, size=3, reserves=0, seed="grid")
    for member in panel.members.all():
        services.review_member_confirm(member=member, user=user)
    return panel


def _assert_labels(page: str) -> None:
    for key in KEYS:
        assert key not in page
    for label in LABELS:
        assert label in page


def test_panel_grid_and_score_sheet_pages_name_criteria_by_label(client, bureau_user):
    panel = _confirmed(bureau_user, ExpertFieldFactory(name="新能源"))
    first = panel.members.order_by("position").first()
    services.review_scores_enter(member=first, scores={"kx_innov": 50, "kx_plan": 30}, user=bureau_user)
    client.force_login(bureau_user)
    for name in ("reviewpanel_detail", "reviewpanel_scores", "reviewpanel_scores_import"):
        page = visible(client.get(reverse(f"experts:{name}", kwargs={"pk": panel.pk})).content.decode())
        _assert_labels(page)
    grid = client.get(reverse("experts:reviewpanel_scores", kwargs={"pk": panel.pk})).content.decode()
    assert f'aria-label="{first.expert} 技术创新性"' in grid  # each score cell named by its criterion
    # A refused grid names the criterion by its label.
    refused = client.post(
        reverse("experts:reviewpanel_scores", kwargs={"pk": panel.pk}),
        {f"s{first.pk}_{panel.subjects.get().pk}_0": "99"},
    )
    assert refused.status_code == 200
    _assert_labels(visible(refused.content.decode()))
    page = visible(
        client.get(
            reverse("experts:reviewmember_scores", kwargs={"pk": panel.pk, "member_pk": first.pk})
        ).content.decode()
    )
    _assert_labels(page)


def test_the_experts_own_review_pages_name_criteria_by_label(client, bureau_user):
    field = ExpertFieldFactory(name="节能环保")
    panel = _confirmed(bureau_user, field)
    member = panel.members.order_by("position").first()
    user = seats.expert_account_open(
        actor=bureau_user, expert=member.expert, username="zj_labels", password=TEST_PASSWORD + "x"
    )
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    subject = panel.subjects.get()
    seats.seat_declare(user=user, member=member, subject=subject, conflict=False)
    client.force_login(user)
    for url in (
        reverse("experts:my_seats"),
        reverse("experts:my_seat_review", kwargs={"pk": member.pk}),
        reverse("experts:my_seat_subject", kwargs={"pk": member.pk, "subject_pk": subject.pk}),
    ):
        page = visible(client.get(url).content.decode())
        for key in KEYS:
            assert key not in page, url
    page = visible(
        client.get(
            reverse("experts:my_seat_subject", kwargs={"pk": member.pk, "subject_pk": subject.pk})
        ).content.decode()
    )
    _assert_labels(page)
