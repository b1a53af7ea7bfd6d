"""查重 (issue 21 step 5): the trigram measure against PostgreSQL's own, the candidates of an application
(same unit, same 项目负责人, similar title or summary, within the bureau's window and threshold), the matches
kept at 提交, what the applicant and the bureau see, the 受理 rule and the bureau's conclusion."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from kejiju.core.models import WorkflowEvent
from kejiju.core.workflow import TransitionRefused
from kejiju.core.workflow.services import apply_transition
from kejiju.integrity import selectors, services
from kejiju.integrity.duplicates import register_sqlite_similarity, similarity, trigrams
from kejiju.integrity.models import DuplicateCheckSetting, DuplicateDecision, DuplicateMatch
from tests.applications.factories import make_application, open_guide
from tests.projects.factories import CallFactory, ProjectFactory

TITLE = "基于深度学习的玉米病虫害智能识别系统研究"
SIMILAR = "基于深度学习的玉米病虫害智能识别系统研发"
SUMMARY = "利用卷积神经网络识别玉米叶片病斑，建立忻州地区病虫害图像库，开发田间手机识别应用。"

PAIRS = [
    ("忻州市科技项目管理", "忻州市科技项目"),
    (TITLE, SIMILAR),
    (TITLE, "杂粮深加工关键技术集成与示范"),
    ("Hello World", "hello, word!"),
    ("a,b-c 科技。项目", "科技项目 abc"),
    ("5G 智慧矿山 2025", "智慧矿山5G应用"),
    ("", "科技"),
    (SUMMARY, SUMMARY[:30] + "并推广应用。"),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# ------------------------------------------------------------------------------------ the measure


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with PostgreSQL's pg_trgm")
@pytest.mark.parametrize(("left", "right"), PAIRS)
def test_the_python_measure_is_pg_trgm_similarity(left, right):
    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity(%s, %s), show_trgm(%s)", [left, right, left])
        expected, shown = cursor.fetchone()
    assert similarity(left, right) == pytest.approx(expected, abs=1e-6)
    # The same number of distinct trigrams (pg_trgm shows multibyte ones as hashes).
    assert len(trigrams(left)) == len(shown)


def test_sqlite_gets_the_same_function():
    raw = sqlite3.connect(":memory:")
    register_sqlite_similarity(None, SimpleNamespace(vendor="sqlite", connection=raw))
    value = raw.execute("SELECT SIMILARITY(?, ?)", (TITLE, SIMILAR)).fetchone()[0]
    assert value == pytest.approx(similarity(TITLE, SIMILAR))
    assert 0.6 < value < 1


def test_the_measure_is_symmetric_and_bounded():
    assert similarity(TITLE, TITLE) == 1
    assert similarity(TITLE, SIMILAR) == similarity(SIMILAR, TITLE)
    assert similarity("", "") == 0
    assert similarity("科技", "农业") == 0


# ------------------------------------------------------------------------------------ candidates


def _with_summary(application, summary=SUMMARY):
    application.summary = summary
    application.save(update_fields=["summary"])
    return application


def _leader(make_user, unit, phone):
    user = make_user("applicant", organization=unit)
    user.phone = phone
    user.save(update_fields=["phone"])
    return user


@pytest.fixture
def scene(world, make_user, county_b):
    """The application to check (unit A, 项目负责人 13903500001, this year's call) and around it: what must
    be found and what must not."""
    applicant = world.users["applicant"]
    applicant.phone = "13903500001"
    applicant.save(update_fields=["phone"])
    call = open_guide().call
    year = call.year
    application = _with_summary(make_application(leader=applicant, call=call, title=TITLE))
    colleague = _leader(make_user, world.unit_a, "13903500002")
    stranger = _leader(make_user, world.unit_b, "13903500003")
    old_call = CallFactory(year=year - 5)
    in_window_call = CallFactory(year=year - 4)
    found = SimpleNamespace(
        same_unit=make_application(leader=colleague, call=call, state="submitted", title="高粱抗旱品种选育"),
        same_leader=ProjectFactory(
            call=in_window_call,
            region=county_b,
            applicant=world.unit_b,
            pi_mobile=applicant.phone,
            title="谷子机械化收获装备改进",
        ),
        similar_title=ProjectFactory(
            call=in_window_call,
            region=county_b,
            applicant=world.unit_b,
            title=SIMILAR,
            pi_mobile="13903500009",
        ),
        similar_summary=_with_summary(
            make_application(
                leader=stranger, call=call, state="unit_approved", title="农作物病害图像数据平台"
            )
        ),
    )
    not_found = SimpleNamespace(
        too_old=ProjectFactory(
            call=old_call,
            region=world.county_a,
            applicant=world.unit_a,
            title=TITLE,
            pi_mobile=applicant.phone,
        ),
        below_threshold=ProjectFactory(
            call=call,
            region=county_b,
            applicant=world.unit_b,
            title="玉米深加工技术研究",
            pi_mobile="13903500008",
        ),
        draft=make_application(leader=stranger, call=in_window_call, title=TITLE),
    )
    return SimpleNamespace(application=application, found=found, not_found=not_found, applicant=applicant)


def _keys(likenesses):
    return {(item.kind, item.pk) for item in likenesses}


def _key(record):
    return ("project" if record._meta.model_name == "project" else "application", record.pk)


def test_candidates_by_unit_leader_and_similarity_within_the_window(scene):
    found = selectors.duplicate_candidates(scene.application)
    assert _keys(found) == {_key(record) for record in vars(scene.found).values()}
    by_key = {(item.kind, item.pk): item for item in found}
    same_unit = by_key[_key(scene.found.same_unit)]
    assert same_unit.same_unit and not same_unit.same_leader
    same_leader = by_key[_key(scene.found.same_leader)]
    assert same_leader.same_leader and not same_leader.same_unit
    similar = by_key[_key(scene.found.similar_title)]
    assert not (similar.same_unit or similar.same_leader)
    assert similar.title_similarity == pytest.approx(similarity(TITLE, SIMILAR), abs=1e-6)
    assert by_key[_key(scene.found.similar_summary)].summary_similarity == pytest.approx(1)
    assert found[0].similarity >= found[-1].similarity  # the most similar first


def test_the_same_person_is_found_by_id_number_under_another_account_and_phone(scene, world, county_b):
    """The leader of another unit's project, with another mobile and no account: the same 身份证号."""
    theirs = ProjectFactory(
        call=scene.application.call,
        region=county_b,
        applicant=world.unit_b,
        pi_mobile="13903500077",
        title="杂粮烘干设备研制",
    )
    theirs.pi_id_number_cipher = "x"
    theirs.pi_id_number_digest = scene.application.leader_id_number_digest
    theirs.save()
    found = {(item.kind, item.pk): item for item in selectors.duplicate_candidates(scene.application)}
    assert found[_key(theirs)].same_leader and not found[_key(theirs)].same_unit


def test_the_bureau_sets_threshold_window_and_criteria(scene):
    setting = DuplicateCheckSetting(threshold=Decimal("0.95"), years=5, flag_same_unit=False)
    found = _keys(selectors.duplicate_candidates(scene.application, setting=setting))
    assert _key(scene.found.similar_title) not in found  # below 0.95
    assert _key(scene.found.same_unit) not in found  # the unit alone no longer flags
    assert _key(scene.found.similar_summary) in found  # identical summary
    setting = DuplicateCheckSetting(threshold=Decimal("0.60"), years=6)
    assert _key(scene.not_found.too_old) in _keys(
        selectors.duplicate_candidates(scene.application, setting=setting)
    )


def test_the_candidates_take_a_constant_number_of_queries(scene, world, county_b, django_assert_num_queries):
    setting = DuplicateCheckSetting()
    with django_assert_num_queries(2):
        few = selectors.duplicate_candidates(scene.application, setting=setting)
    for number in range(5):
        ProjectFactory(
            call=scene.application.call, region=county_b, applicant=world.unit_b, title=f"{SIMILAR}{number}"
        )
    with django_assert_num_queries(2):
        many = selectors.duplicate_candidates(scene.application, setting=setting)
    assert len(many) == len(few) + 5


# ------------------------------------------------------------------------------ 提交 and the pages


def _take(record, action, actor, **kwargs):
    apply_transition(record=record, action=action, actor=actor, **kwargs)
    record.refresh_from_db()
    return record


def test_submit_keeps_the_matches_and_a_new_submit_replaces_them(scene):
    application = _take(scene.application, "submit", scene.applicant)
    kept = {
        (m.other_application_id, m.other_project_id)
        for m in DuplicateMatch.objects.filter(application=application)
    }
    assert len(kept) == 4 and (None, scene.found.similar_title.pk) in kept
    event = WorkflowEvent.objects.filter(object_id=application.pk, action="submit").get()
    assert event.data["duplicates"] == 4
    scene.found.similar_title.delete()
    _take(application, "recall", scene.applicant)
    _take(application, "submit", scene.applicant)
    assert DuplicateMatch.objects.filter(application=application).count() == 3


def test_the_applicant_sees_likely_duplicates_before_submitting(client, scene):
    client.force_login(scene.applicant)
    page = client.get(scene.application.get_absolute_url()).content.decode()
    assert "可能重复的申报" in page and 'data-testid="duplicates"' in page
    assert "仍可提交" in page
    assert f"{similarity(TITLE, SIMILAR):.0%}" in page
    # Another unit's project, another unit's application, a colleague's application: not the applicant's to
    # open, so neither their titles nor their units are shown.
    for hidden in (SIMILAR, "农作物病害图像数据平台", "谷子机械化收获装备改进", "高粱抗旱品种选育"):
        assert hidden not in page
    assert page.count("不显示名称") == 4
    assert "同一项目负责人" in page and "同一申报单位" in page


def _to_the_bureau(scene, world):
    application = _take(scene.application, "submit", scene.applicant)
    _take(application, "unit_approve", world.users["unit_admin"])
    _take(application, "recommend", world.users["county"], data={"rank": 1})
    return application.project


def test_the_bureau_sees_the_matches_at_acceptance_and_must_decide_first(client, scene, world):
    project = _to_the_bureau(scene, world)
    bureau = world.users["bureau"]
    client.force_login(bureau)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "查重：可能重复的申报或项目" in page and "尚未作出查重结论" in page
    assert SIMILAR in page and scene.found.similar_title.get_absolute_url() in page
    assert scene.found.same_unit.get_absolute_url() in page
    assert reverse("integrity:duplicate_decide", kwargs={"pk": project.pk}) in page
    with pytest.raises(TransitionRefused) as refused:
        apply_transition(record=project, action="accept", actor=bureau)
    assert "查重尚未处理" in refused.value.reason and "4 项" in refused.value.reason
    response = client.post(
        reverse("projects:project_transition", kwargs={"pk": project.pk}), {"action": "accept"}, follow=True
    )
    assert "查重尚未处理" in response.content.decode()
    project.refresh_from_db()
    assert project.state == "submitted"

    url = reverse("integrity:duplicate_decide", kwargs={"pk": project.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "not_duplicate", "note": "方向不同"})
    assert response.status_code == 302
    decision = DuplicateDecision.objects.get(application=scene.application)
    assert decision.decided_by == bureau and decision.decision == "not_duplicate"
    assert WorkflowEvent.objects.filter(object_id=project.pk, action="duplicate_check").exists()
    assert LogEntry.objects.get_for_object(decision).exists()
    _take(project, "accept", bureau)
    assert project.state == "accepted"


def test_duplicate_refuses_the_project_through_its_workflow(client, scene, world):
    project = _to_the_bureau(scene, world)
    client.force_login(world.users["bureau"])
    url = reverse("integrity:duplicate_decide", kwargs={"pk": project.pk})
    response = client.post(url, {"decision": "duplicate", "note": ""})
    assert response.status_code == 200 and "认定为重复时，说明不能为空" in response.content.decode()
    assert not DuplicateDecision.objects.exists()
    response = client.post(url, {"decision": "duplicate", "note": "与 2023 年立项项目内容相同"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == "rejected"
    event = WorkflowEvent.objects.filter(object_id=project.pk, action="reject").get()
    assert event.actor == world.users["bureau"] and "与 2023 年立项项目内容相同" in event.comment
    assert DuplicateDecision.objects.get().decision == "duplicate"
    # Decided and refused: no second conclusion.
    response = client.post(url, {"decision": "not_duplicate", "note": ""})
    assert response.status_code == 200 and "只能在受理前" in response.content.decode()


def test_a_refused_transition_leaves_no_decision(scene, world):
    """重复 and 不予受理 are one transaction: a refusal of the workflow keeps no conclusion either."""
    project = _to_the_bureau(scene, world)
    bureau = world.users["bureau"]
    project.state = "accepted"  # moved on meanwhile (another tab)
    project.save(update_fields=["state"])
    with pytest.raises(ValidationError, match="只能在受理前"):
        services.duplicate_decide(user=bureau, project=project, decision="duplicate", note="重复")
    assert not DuplicateDecision.objects.exists()


def test_no_matches_no_rule(world):
    """An application without likely duplicates reaches 受理 freely (nothing to decide)."""
    applicant = world.users["applicant"]
    application = make_application(leader=applicant, title="独一无二的研究")
    _take(application, "submit", applicant)
    _take(application, "unit_approve", world.users["unit_admin"])
    _take(application, "recommend", world.users["county"], data={"rank": 1})
    assert not DuplicateMatch.objects.exists()
    project = application.project
    with pytest.raises(ValidationError, match="无需作出查重结论"):
        services.duplicate_decide(user=world.users["bureau"], project=project, decision="duplicate", note="x")
    _take(project, "accept", world.users["bureau"])
    assert project.state == "accepted"


# ------------------------------------------------------------------------------------ permissions


@pytest.mark.parametrize("role", ["leader", "county", "sysadmin", "auditor", "unit_admin", "applicant"])
def test_only_the_bureau_decides(client, scene, world, role):
    project = _to_the_bureau(scene, world)
    client.force_login(world.users[role])
    url = reverse("integrity:duplicate_decide", kwargs={"pk": project.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "duplicate", "note": "x"}).status_code == 403
    project.refresh_from_db()
    assert project.state == "submitted" and not DuplicateDecision.objects.exists()


def test_the_decide_page_is_for_projects_from_online_applications(client, world):
    client.force_login(world.users["bureau"])
    project = ProjectFactory(region=world.county_a)
    assert client.get(reverse("integrity:duplicate_decide", kwargs={"pk": project.pk})).status_code == 404


def test_the_service_checks_the_permission(scene, world):
    project = _to_the_bureau(scene, world)
    with pytest.raises(ValidationError, match="没有作出查重结论的权限"):
        services.duplicate_decide(user=world.users["county"], project=project, decision="not_duplicate")


def test_the_bureau_edits_the_setting_with_history(client, world):
    url = reverse("integrity:duplicate_setting")
    client.force_login(world.users["county"])
    assert client.get(url).status_code == 403
    client.force_login(world.users["bureau"])
    page = client.get(url).content.decode()
    assert "相似度阈值" in page and 'value="0.60"' in page
    response = client.post(url, {"threshold": "1.5", "years": "5", "flag_same_unit": "on"})
    assert response.status_code == 200 and "1" in response.content.decode()
    assert not DuplicateCheckSetting.objects.exists()
    response = client.post(url, {"threshold": "0.75", "years": "3", "flag_same_leader": "on"})
    assert response.status_code == 302
    setting = DuplicateCheckSetting.current()
    assert (setting.threshold, setting.years, setting.flag_same_unit) == (Decimal("0.75"), 3, False)
    assert setting.updated_by == world.users["bureau"]
    assert LogEntry.objects.get_for_object(setting).exists()
    menu = client.get("/").content.decode()
    assert url in menu
