"""The 专家评审 step through the expert library's review panels."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from experts import services as expert_services
from experts.models import ReviewPanel
from experts.selectors import panel_add_url
from platforms import services
from platforms.models import PlatformApplication
from platforms.review import score_on_100
from platforms.rules import RECOGNITION_CRITERIA, ApplicationState, BatchState
from tests.experts.factories import ExpertFactory, ExpertFieldFactory

from .factories import ApplicationFactory, BatchFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("result", "max_total", "expected"),
    [
        ("86.50", "100", "86.50"),
        ("43.25", "50", "86.50"),
        ("120", "150", "80.00"),
        (None, "100", None),
        ("10", "0", None),
    ],
)
def test_score_on_100(result, max_total, expected):
    value = score_on_100(Decimal(result) if result else None, Decimal(max_total))
    assert value == (Decimal(expected) if expected else None)


def _batch_in_review(county_a, n=2):
    batch = BatchFactory(state=BatchState.REVIEW)
    apps = [
        ApplicationFactory(batch=batch, region=county_a, state=ApplicationState.ACCEPTED) for _ in range(n)
    ]
    return batch, apps


def _run_panel(app, user, totals_per_expert):
    """Draw, seat and score a real panel for the application, then close it."""
    field = ExpertFieldFactory(name="新材料")
    for _ in range(len(totals_per_expert) + 2):
        ExpertFactory(fields=[field])
    panel = expert_services.review_panel_create(
        subject=app,
        title=app.review_title(),
        applicant=app.review_applicant(),
        fields=[field],
        size=len(totals_per_expert),
        reserves=0,
        criteria=app.review_criteria(),
        user=user,
        seed="test",
    )
    members = list(panel.members.order_by("position"))
    for member in members:
        expert_services.review_member_confirm(member=member, user=user)
    for member, (basis, team, output, management) in zip(members, totals_per_expert, strict=True):
        member.refresh_from_db()
        expert_services.review_scores_enter(
            member=member,
            scores={"basis": basis, "team": team, "output": output, "management": management},
            user=user,
        )
    return panel


def test_panel_result_ranks_the_batch(bureau_user, county_a):
    batch, (a, b) = _batch_in_review(county_a)
    panel = _run_panel(a, bureau_user, [(27, 22, 21, 18), (25, 20, 20, 17), (26, 21, 22, 16)])
    # While the panel is open the batch cannot move on; a recorded score is refused for this application.
    services.application_record_score(application=b, score=Decimal("65"), note="线下评审", user=bureau_user)
    with pytest.raises(ValidationError, match="1 个专家评审组尚未完成评分"):
        services.batch_advance(batch=batch, user=bureau_user)
    with pytest.raises(ValidationError, match="以评审组结果为准"):
        services.application_record_score(application=a, score=Decimal("99"), note="", user=bureau_user)
    expert_services.review_panel_close(panel=panel, user=bureau_user)
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.CLOSED and panel.subjects.get().result == Decimal("85.00")

    services.batch_advance(batch=batch, user=bureau_user)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.review_score, a.rank, a.state) == (Decimal("85.00"), 1, ApplicationState.PROPOSED)
    assert "专家评审组" in a.review_note
    assert (b.rank, b.state) == (2, ApplicationState.NOT_PROPOSED)


def test_batch_page_links_to_the_panel(client, bureau_user, leader_user, county_a):
    batch, (a, b) = _batch_in_review(county_a)
    panel = _run_panel(a, bureau_user, [(27, 22, 21, 18)])
    client.force_login(bureau_user)
    content = client.get(batch.get_absolute_url()).content.decode()
    assert (panel.get_absolute_url() in content and "评分中" in content) or "已确认" in content
    assert panel_add_url(b).replace("&", "&amp;") in content  # b has no panel yet: start one
    assert panel_add_url(a).replace("&", "&amp;") not in content
    # The experts page starts the panel with the application's title, applicant and criteria.
    page = client.get(panel_add_url(b))
    assert page.status_code == 200
    assert b.review_title() in page.content.decode()
    assert page.context["form"].initial["applicant"] == b.applicant
    assert "研发条件与基础" in page.context["form"].initial["criteria_text"]
    # Leadership sees the state, not the start link.
    client.force_login(leader_user)
    content = client.get(batch.get_absolute_url()).content.decode()
    assert "bi-people" not in content and "录入线下评审得分" not in content
    detail = client.get(a.get_absolute_url())
    assert detail.context["review"].panel == panel


def test_closed_panel_result_shows_on_the_application(client, bureau_user, county_a):
    _batch, (a, _b) = _batch_in_review(county_a)
    panel = _run_panel(a, bureau_user, [(30, 25, 25, 20)])
    expert_services.review_panel_close(panel=panel, user=bureau_user)
    client.force_login(bureau_user)
    detail = client.get(a.get_absolute_url())
    assert detail.context["review"].score == Decimal("100.00")
    assert detail.context["can_score"] is False
    assert "评审组得分（百分制）" in detail.content.decode()


def test_recognition_criteria_total_100():
    assert sum(c["max_score"] * c["weight"] for c in RECOGNITION_CRITERIA) == 100
    assert PlatformApplication.review_criteria(PlatformApplication()) == RECOGNITION_CRITERIA
    assert reverse("experts:panel_add")


def test_seed_demo_runs_the_in_progress_batch_through_panels(db):
    from kejiju.accounts.demo import seed_demo_accounts
    from platforms.demo import seed_demo_platforms
    from platforms.review import panels_by_application

    seed_demo_accounts()
    field = ExpertFieldFactory(name="新能源")
    for _ in range(8):
        ExpertFactory(fields=[field])
    seed_demo_platforms()
    app = PlatformApplication.objects.get(platform_name="忻州市氢能装备重点实验室")
    panel = panels_by_application([app.pk])[app.pk].panel
    assert panel.state == ReviewPanel.State.SCORING
    # One panel for the batch: both applications under review, one draw.
    assert panel.subjects.count() == 2 and panel.draws.count() == 1
    assert app.batch.state == BatchState.REVIEW


def test_county_sees_the_panel_state_without_a_link(client, bureau_user, county_user, county_a):
    batch, (a, _b) = _batch_in_review(county_a)
    panel = _run_panel(a, bureau_user, [(27, 22, 21, 18)])
    panel.refresh_from_db()
    client.force_login(county_user)
    content = client.get(batch.get_absolute_url()).content.decode()
    assert panel.get_state_display() in content
    assert panel.get_absolute_url() not in content
