"""The 项目负责人 is one person by 身份证号: entered once on an online application (sealed, masked, reused
on the next), copied to the project at 推荐, entered by staff on projects they enter; 限项 counts a
person's projects by the keyed digest, and a project entered without it by mobile number, saying so."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from kejiju.applications import services as application_services
from kejiju.applications.forms import ApplicationForm
from kejiju.core import pii
from kejiju.core.workflow import TransitionRefused
from kejiju.core.workflow.services import apply_transition
from projects import rules
from projects.rules import State
from projects.services import applicant_facts
from tests.applications.factories import make_application, open_guide
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "140902198503150019"
OTHER_ID_NUMBER = "140902199007080028"


def _draft(user, call, **kwargs):
    data = {
        "title": "高粱秸秆综合利用技术研究",
        "summary": "研究内容",
        "goals": "考核指标",
        "start_date": dt.date(2027, 1, 1),
        "end_date": dt.date(2028, 12, 31),
        **kwargs,
    }
    return application_services.application_create(user=user, call=call, **data)


def test_a_bad_id_number_is_refused_naming_the_field(world):
    with pytest.raises(ValidationError) as refused:
        _draft(world.users["applicant"], open_guide().call, leader_id_number="140902198503150011")
    assert "项目负责人身份证号" in refused.value.message_dict["leader_id_number"][0]


def test_the_id_number_is_sealed_once_and_reused_on_the_next_application(world):
    applicant = world.users["applicant"]
    applicant.phone = "13903501234"
    applicant.save(update_fields=["phone"])
    first = _draft(applicant, open_guide().call, leader_id_number=ID_NUMBER)
    assert first.leader_id_number_masked == "140902********0019"
    assert ID_NUMBER not in first.leader_id_number_cipher
    assert first.reveal_leader_id_number() == ID_NUMBER
    second = _draft(applicant, open_guide().call, title="第二项")
    assert second.leader_id_number_digest == pii.digest(ID_NUMBER)
    # re-sealed for the second row: the first's cipher would not decrypt there
    assert second.reveal_leader_id_number() == ID_NUMBER
    assert second.leader_id_number_cipher != first.leader_id_number_cipher
    # The form says what is on record without showing it whole.
    form = ApplicationForm(user=applicant)
    assert "140902********0019" in form.fields["leader_id_number"].help_text
    # The change history keeps the masked copy only.
    logged = " ".join(str(entry.changes) for entry in LogEntry.objects.get_for_object(first))
    assert "140902********0019" in logged
    assert first.leader_id_number_cipher not in logged and first.leader_id_number_digest not in logged


def test_no_submission_without_the_leaders_id_number(world):
    application = make_application(leader=world.users["applicant"])
    application.leader_id_number_cipher = application.leader_id_number_digest = ""
    application.leader_id_number_masked = ""
    application.save()
    with pytest.raises(TransitionRefused, match="项目负责人身份证号"):
        apply_transition(record=application, action="submit", actor=world.users["applicant"])


def test_one_person_under_two_accounts_applies_once_per_call(world, make_user):
    guide = open_guide()
    first = make_application(leader=world.users["applicant"], call=guide.call, state="submitted")
    elsewhere = make_user("applicant", organization=world.unit_b, phone="13900000002")
    second = make_application(leader=elsewhere, call=guide.call, title="换个单位再报")
    second.leader_id_number_digest = first.leader_id_number_digest
    second.save()
    with pytest.raises(TransitionRefused, match="只能申报一项"):
        apply_transition(record=second, action="submit", actor=elsewhere)


def test_recommendation_carries_the_sealed_number_to_the_project(world):
    application = make_application(leader=world.users["applicant"], state="unit_approved")
    apply_transition(record=application, action="recommend", actor=world.users["county"], data={"rank": 1})
    project = application.project
    assert project.pi_id_number_digest == application.leader_id_number_digest != ""
    assert project.pi_id_number_masked == application.leader_id_number_masked
    assert project.reveal_pi_id_number() == application.reveal_leader_id_number()


def _running(county, **kwargs):
    return ProjectFactory(
        region=county,
        state=State.EXECUTING,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2030, 12, 31),
        **kwargs,
    )


def _sealed(project, number):
    project.set_pi_id_number(number)
    project.save()
    return project


def test_limits_count_a_persons_projects_by_id_number_not_mobile(call, county_a):
    _sealed(_running(county_a, pi_mobile="13900000001"), ID_NUMBER)  # the same person, a new phone
    _sealed(_running(county_a, pi_mobile="13912345678"), OTHER_ID_NUMBER)  # someone else, the old phone
    facts = applicant_facts(call=call, pi_digest=pii.digest(ID_NUMBER), pi_mobile="13912345678")
    assert (facts.open_projects, facts.matched_by_mobile) == (1, 0)


def test_a_project_without_id_number_is_matched_by_mobile_and_the_refusal_says_so(call, county_a):
    _running(county_a, pi_mobile="13912345678")
    facts = applicant_facts(call=call, pi_digest=pii.digest(ID_NUMBER), pi_mobile="13912345678")
    assert (facts.open_projects, facts.matched_by_mobile) == (1, 1)
    breaches = rules.applicant_rule_breaches(facts, rules.CallLimits(open_per_leader=1))
    assert "按手机号识别" in breaches[-1]
    # Without a breach the note is not given.
    assert rules.applicant_rule_breaches(facts, rules.CallLimits()) == []


def test_staff_enter_and_complete_the_number_but_do_not_change_it_after_approval(apply, world, county_a):
    with pytest.raises(ValidationError) as refused:
        apply(pi_id_number="12345")
    assert "pi_id_number" in refused.value.message_dict
    project = apply(pi_id_number=ID_NUMBER)
    assert project.pi_id_number_masked == "140902********0019"
    from projects.services import project_update

    project.state = State.EXECUTING
    project.save(update_fields=["state"])
    with pytest.raises(ValidationError, match="项目变更"):
        project_update(project=project, user=world.users["bureau"], pi_id_number=OTHER_ID_NUMBER)
    unsealed = _running(county_a, pi_mobile="13900000003")
    completed = project_update(project=unsealed, user=world.users["bureau"], pi_id_number=OTHER_ID_NUMBER)
    assert completed.pi_id_number_digest == pii.digest(OTHER_ID_NUMBER)


def _leader_form_url_names() -> list[str]:
    """Every route served by a view of the leader's own, editable application."""
    from django.urls import get_resolver

    from kejiju.applications.views import _LeaderFormView

    names = []
    for pattern in get_resolver().url_patterns:
        for sub in getattr(pattern, "url_patterns", []):
            view = getattr(getattr(sub, "callback", None), "view_class", None)
            if view is not None and issubclass(view, _LeaderFormView) and sub.name:
                names.append(f"applications:{sub.name}")
    return sorted(names)


def test_the_sweep_finds_the_leaders_editing_pages():
    assert "applications:application_edit" in _leader_form_url_names()
    assert len(_leader_form_url_names()) >= 5


@pytest.mark.parametrize("name", _leader_form_url_names())
def test_editing_pages_send_back_once_the_application_is_submitted(client, world, name):
    from django.urls import reverse

    application = make_application(leader=world.users["applicant"], state="submitted")
    client.force_login(world.users["applicant"])
    response = client.get(reverse(name, kwargs={"pk": application.pk}))
    assert response.status_code == 302 and response.url == application.get_absolute_url()
    draft = make_application(leader=world.users["applicant"], title="草稿")
    assert client.get(reverse(name, kwargs={"pk": draft.pk})).status_code == 200
