"""Decisions a county hears of, and notices read one by one.

Every workflow transition of a record that belongs to a county is told to that county's office when someone
else took it (reporting.services.notices.notify_transition on kejiju.core.workflow's transition_applied, once
the transaction commits); a 科技副总 placement approved (拟任 → 在任, an edit, not a transition) likewise.
我的通知 no longer marks everything read: a notice is read when it is opened, 全部标为已读 is a POST, and the
navigation bar shows the unread count (one cached count)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from kejiju.core.scoping import is_global, region_id_of
from kejiju.core.workflow.declarations import workflows
from kejiju.reporting import services
from kejiju.reporting.models import CountyTask, Notice
from kejiju.reporting.services import notices

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _notices(user) -> list[Notice]:
    return list(Notice.objects.filter(recipient=user))


def test_pool_entry_declined_is_told_to_the_county(world, django_capture_on_commit_callbacks):
    from enterprises import services as enterprises
    from tests.enterprises.factories import EnterpriseFactory

    county, bureau = world.users["county"], world.users["bureau"]
    enterprise = EnterpriseFactory(region=world.county_a)
    with django_capture_on_commit_callbacks(execute=True):
        entry = enterprises.pool_recommend(enterprise=enterprise, actor=county, on=dt.date(2026, 3, 2))
    assert _notices(county) == []  # the county's own step: nothing to tell it
    with django_capture_on_commit_callbacks(execute=True):
        enterprises.pool_transition(
            entry=entry, action="decline", actor=bureau, comment="研发投入不足", on=dt.date(2026, 3, 20)
        )
    [notice] = _notices(county)
    assert "不予入库" in notice.title and enterprise.name in notice.title
    assert "研发投入不足" in notice.body
    assert notice.url == entry.get_absolute_url()
    assert _notices(world.users["other_county"]) == [] and _notices(bureau) == []


def test_task_list_confirmed_is_told_to_the_county(world, django_capture_on_commit_callbacks):
    county, bureau = world.users["county"], world.users["bureau"]
    with django_capture_on_commit_callbacks(execute=True):
        task = services.task_create(
            actor=county,
            region=world.county_a,
            year=2026,
            category="industrial_park",
            title="建设产业园",
            target_quantity=1,
            deadline=dt.date(2026, 12, 31),
        )
    assert _notices(county) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.task_approve(actor=bureau, task=CountyTask.objects.get(pk=task.pk))
    [notice] = _notices(county)
    assert "确认" in notice.title and "建设产业园" in notice.title
    assert _notices(world.users["other_county"]) == []


def test_placement_approved_is_told_to_the_county(world, django_capture_on_commit_callbacks):
    from experts import services as experts
    from experts.models import VicePresidentPlacement
    from tests.experts.factories import OrganizationFactory, UniversityFactory

    county, bureau = world.users["county"], world.users["bureau"]
    enterprise = OrganizationFactory(region=world.county_a)
    with django_capture_on_commit_callbacks(execute=True):
        placement = experts.vice_president_save(
            placement=VicePresidentPlacement(
                name="张三", title="副高", university=UniversityFactory(), year=2026, enterprise=enterprise
            ),
            user=bureau,
        )
        placement.notes = "拟任阶段的修改"
        experts.vice_president_save(placement=placement, user=bureau)
    assert _notices(county) == []  # proposed and edited: nothing decided yet
    placement.state = VicePresidentPlacement.State.SERVING
    placement.term_start = dt.date(2026, 3, 1)
    with django_capture_on_commit_callbacks(execute=True):
        experts.vice_president_save(placement=placement, user=bureau)
    [notice] = _notices(county)
    assert "张三" in notice.title and "在任" in notice.title
    assert _notices(world.users["other_county"]) == []


def test_every_workflow_record_knows_its_county():
    """The one rule needs the record's region: every workflow's model names it (region_field or a region)
    or is global (a 批次: no county to tell)."""
    from django.apps import apps

    nameless = []
    for flow in workflows().values():
        model = apps.get_model(flow.model)
        has_region = hasattr(model, "region_field") or any(f.name == "region" for f in model._meta.fields)
        if not has_region and not is_global(model):
            nameless.append(flow.model)
    assert nameless == []


def test_region_id_of_follows_the_region_field(world):
    from tests.enterprises.factories import EnterpriseFactory

    enterprise = EnterpriseFactory(region=world.county_b)
    assert region_id_of(enterprise) == world.county_b.pk


# ------------------------------------------------------------------------------------------ reading


def _send(world, n: int) -> list[Notice]:
    county = world.users["county"]
    services.notice_send(recipients=[county] * n, title="测试通知", url=reverse("core:home"))
    return list(Notice.objects.filter(recipient=county).order_by("pk"))


def test_opening_the_list_marks_nothing_read(client, world):
    _send(world, 2)
    client.force_login(world.users["county"])
    page = client.get(reverse("reporting:notice_list")).content.decode()
    assert Notice.objects.filter(recipient=world.users["county"], read_at__isnull=True).count() == 2
    assert 'data-testid="notices-read-all"' in page


def test_a_notice_is_read_when_opened(client, world):
    first, second = _send(world, 2)
    client.force_login(world.users["county"])
    response = client.get(reverse("reporting:notice_open", kwargs={"pk": first.pk}))
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    # Another user's notice does not exist for this one.
    client.force_login(world.users["other_county"])
    assert client.get(reverse("reporting:notice_open", kwargs={"pk": second.pk})).status_code == 404
    second.refresh_from_db()
    assert second.read_at is None


def test_mark_all_read_is_a_post(client, world):
    _send(world, 3)
    client.force_login(world.users["county"])
    assert client.get(reverse("reporting:notice_read_all")).status_code == 405
    assert Notice.objects.filter(read_at__isnull=True).count() == 3
    client.post(reverse("reporting:notice_read_all"))
    assert Notice.objects.filter(read_at__isnull=True).count() == 0


def test_unread_badge_counts_and_follows_reads(client, world, django_assert_num_queries):
    first, *_ = _send(world, 3)
    county = world.users["county"]
    client.force_login(county)
    home = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="notice-unread">3<' in home
    client.get(reverse("reporting:notice_open", kwargs={"pk": first.pk}))
    assert 'data-testid="notice-unread">2<' in client.get(reverse("core:home")).content.decode()
    # The count is cached: asking again costs no query.
    with django_assert_num_queries(0):
        assert services.notice_unread_count(user=county) == 2
    services.notice_send(recipients=[county], title="又一条")
    assert services.notice_unread_count(user=county) == 3
    client.post(reverse("reporting:notice_read_all"))
    assert 'data-testid="notice-unread"' not in client.get(reverse("core:home")).content.decode()


@pytest.mark.parametrize("comment", ["数据有误，请核实。", "数据有误，请核实"])
def test_a_step_with_an_opinion_ends_it_once(monkeypatch, comment):
    """The opinion typed with a step (a filing's 退回 reason) ends the notice's line with one full stop."""
    from types import SimpleNamespace

    sent = {}
    monkeypatch.setattr(notices, "transition_recipients", lambda **kwargs: [])
    monkeypatch.setattr(notices, "notice_send", lambda **kwargs: sent.update(kwargs) or 0)
    event = SimpleNamespace(from_label="已报送", to_label="退回", comment=comment, label="退回", actor=None)
    services.notify_transition(
        record=SimpleNamespace(), event=event, workflow=SimpleNamespace(title="月度工作动态")
    )
    assert sent["body"].endswith("意见：数据有误，请核实。") and "。。" not in sent["body"]
