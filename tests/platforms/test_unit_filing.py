"""A unit's administrator files its own unit's platform recognition application online (issue 20, step
5(d)): for its own unit, in its region, with a platform it hosts or a new one; it edits and withdraws it
while the batch takes applications and the application awaits 形式审查. The 项目负责人 files none. The
matrix (tests/test_access_matrix.py) checks every route's status per role and the other unit's 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kejiju.core.registry import menu_for
from kejiju.core.workflow.selectors import events_for
from platforms import services
from platforms.models import PlatformApplication
from platforms.rules import ApplicationState, BatchState, PlatformState

from .factories import ApplicationFactory, BatchFactory, PlatformFactory, platform_type

pytestmark = pytest.mark.django_db

DATA = {"platform_name": "甲单位重点实验室", "field": "新材料", "staff_count": "12", "summary": "概况"}


def _add_url(batch) -> str:
    return reverse("platforms:platformapplication_add", kwargs={"pk": batch.pk})


def _file(client, world, batch, **extra) -> PlatformApplication:
    client.force_login(world.users["unit_admin"])
    response = client.post(_add_url(batch), {**DATA, **extra})
    assert response.status_code == 302, response.context["form"].errors
    return PlatformApplication.objects.get(batch=batch, platform_name=DATA["platform_name"])


def test_the_unit_admin_files_for_its_own_unit_in_its_own_region(client, world):
    batch = BatchFactory()
    hosted = PlatformFactory(region=world.county_a, host=world.unit_a, state=PlatformState.CULTIVATING)
    revoked = PlatformFactory(region=world.county_a, host=world.unit_a, state=PlatformState.REVOKED)
    other_type = PlatformFactory(
        region=world.county_a, host=world.unit_a, platform_type=platform_type("技术创新中心")
    )
    theirs = PlatformFactory(region=world.county_b, host=world.unit_b, state=PlatformState.CULTIVATING)
    client.force_login(world.users["unit_admin"])
    form = client.get(_add_url(batch)).context["form"]
    # Applicant and region are shown, not chosen; the platforms offered are the unit's of the batch's type.
    assert "host_name" not in form.fields and "region" not in form.fields
    assert form.fields["applicant_name"].disabled and form["applicant_name"].value() == world.unit_a.name
    assert form["region_name"].value() == world.county_a.name
    assert list(form.fields["platform"].queryset) == [hosted]
    assert (
        revoked not in form.fields["platform"].queryset and other_type not in form.fields["platform"].queryset
    )

    # A forged applicant, region or another unit's platform in the POST changes nothing.
    forged = client.post(
        _add_url(batch),
        {**DATA, "applicant": world.unit_b.pk, "region": world.county_b.pk, "platform": theirs.pk},
    )
    assert forged.status_code == 200
    assert "本单位依托" in forged.context["form"].errors["platform"][0]
    app = _file(client, world, batch, applicant=world.unit_b.pk, region=world.county_b.pk, platform=hosted.pk)
    assert (app.applicant, app.region, app.platform, app.state, app.submitted_by) == (
        world.unit_a,
        world.county_a,
        hosted,
        ApplicationState.SUBMITTED,
        world.users["unit_admin"],
    )
    assert [event.action for event in events_for(app)] == ["submit"]


def test_the_service_keeps_a_unit_account_to_its_own_unit(world):
    batch = BatchFactory()
    user = world.users["unit_admin"]

    def save(**fields):
        values = {
            "batch": batch,
            "platform_name": "某平台",
            "applicant": world.unit_a,
            "region": world.county_a,
        }
        return services.application_save(instance=PlatformApplication(**{**values, **fields}), user=user)

    with pytest.raises(ValidationError) as error:
        save(applicant=world.unit_b, region=world.county_b)
    assert "本单位" in error.value.message_dict["applicant"][0]
    with pytest.raises(ValidationError) as error:
        save(region=world.county_b)
    assert world.county_a.name in error.value.message_dict["region"][0]
    theirs = PlatformFactory(region=world.county_b, host=world.unit_b, state=PlatformState.CULTIVATING)
    with pytest.raises(ValidationError) as error:
        save(platform=theirs)
    assert "本单位依托" in error.value.message_dict["platform"][0]
    assert save().applicant == world.unit_a
    # The 项目负责人 files no platform application, even through the service.
    with pytest.raises(PermissionDenied):
        services.application_save(
            instance=PlatformApplication(
                batch=batch, platform_name="另一平台", applicant=world.unit_a, region=world.county_a
            ),
            user=world.users["applicant"],
        )


def test_a_unit_without_a_county_is_told_why(world, make_user):
    from kejiju.core.models import Organization
    from kejiju.core.services import organization_save

    unit = organization_save(organization=Organization(name="无县区单位"))
    admin = make_user("unit_admin", organization=unit)
    with pytest.raises(ValidationError) as error:
        services.application_save(
            instance=PlatformApplication(
                batch=BatchFactory(), platform_name="某平台", applicant=unit, region=world.county_a
            ),
            user=admin,
        )
    assert "未登记所在县区" in error.value.message_dict["region"][0]


def test_the_other_unit_gets_404_and_the_applicant_role_403(client, world):
    batch = BatchFactory()
    app = ApplicationFactory(batch=batch, applicant=world.unit_a, region=world.county_a)
    client.force_login(world.users["other_unit"])
    for name in ("detail", "edit", "delete"):
        url = reverse(f"platforms:platformapplication_{name}", kwargs={"pk": app.pk})
        assert client.get(url).status_code == 404, name
    assert (
        client.post(reverse("platforms:platformapplication_delete", kwargs={"pk": app.pk})).status_code == 404
    )
    # The other unit sees the open batch, but not unit A's application in it.
    page = client.get(batch.get_absolute_url())
    assert page.status_code == 200 and page.context["applications"] == []
    client.force_login(world.users["applicant"])
    for url in (
        _add_url(batch),
        batch.get_absolute_url(),
        reverse("platforms:recognitionbatch_list"),
        reverse("platforms:platformapplication_detail", kwargs={"pk": app.pk}),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(_add_url(batch), DATA).status_code == 403
    assert PlatformApplication.objects.count() == 1


def test_the_unit_finds_the_open_batches_and_its_own(client, world):
    open_batch = BatchFactory(title="受理中的批次")
    applied = BatchFactory(title="已申报的批次", state=BatchState.FORMAL)
    ApplicationFactory(batch=applied, applicant=world.unit_a, region=world.county_a)
    ApplicationFactory(batch=applied, applicant=world.unit_b, region=world.county_b)
    closed = BatchFactory(title="未申报的已截止批次", state=BatchState.REVIEW)
    client.force_login(world.users["unit_admin"])
    menu = {
        section.label: [item.url for item in items] for section, items in menu_for(world.users["unit_admin"])
    }
    assert reverse("platforms:recognitionbatch_list") in menu["本单位"]
    response = client.get(reverse("platforms:recognitionbatch_list"))
    rows = {row.record.title: row.record for row in response.context["table"].rows}
    assert set(rows) == {"受理中的批次", "已申报的批次"}
    assert rows["已申报的批次"].application_count == 1  # its own only
    page = response.content.decode()
    assert f'href="{_add_url(open_batch)}"' in page and _add_url(applied) not in page
    assert client.get(closed.get_absolute_url()).status_code == 404
    assert client.get(applied.get_absolute_url()).status_code == 200
    detail = client.get(open_batch.get_absolute_url()).content.decode()
    assert f'href="{_add_url(open_batch)}"' in detail and "推进到" not in detail
    # The open batch is on the unit's to-do list.
    assert open_batch.get_absolute_url() in client.get("/").content.decode()


def test_a_closed_batch_refuses_with_the_reason(client, world):
    batch = BatchFactory(state=BatchState.OPEN)
    app = _file(client, world, batch)
    edit = reverse("platforms:platformapplication_edit", kwargs={"pk": app.pk})
    assert client.get(edit).status_code == 200
    batch.state = BatchState.FORMAL
    batch.save(update_fields=["state"])
    response = client.get(_add_url(batch), follow=True)
    assert "已截止申报" in response.content.decode()
    response = client.post(_add_url(batch), {**DATA, "platform_name": "迟到的平台"})
    assert response.status_code == 200
    assert "已截止申报" in str(response.context["form"].non_field_errors())
    response = client.get(edit, follow=True)
    assert "已截止申报" in response.content.decode()
    assert client.post(edit, {**DATA, "summary": "改"}).status_code == 200
    delete = reverse("platforms:platformapplication_delete", kwargs={"pk": app.pk})
    assert "已截止申报" in client.post(delete, follow=True).content.decode()
    app.refresh_from_db()
    assert app.summary == DATA["summary"]


def test_the_unit_edits_and_withdraws_while_it_awaits_formal_review(client, world):
    batch = BatchFactory()
    app = _file(client, world, batch)
    edit = reverse("platforms:platformapplication_edit", kwargs={"pk": app.pk})
    detail = client.get(app.get_absolute_url()).content.decode()
    assert edit in detail
    assert client.post(edit, {**DATA, "summary": "补充了概况"}).status_code == 302
    app.refresh_from_db()
    assert (app.summary, app.applicant, app.region) == ("补充了概况", world.unit_a, world.county_a)
    # Once the application has left 申报 the unit can no longer edit it, whatever the batch (the service
    # checks the application's own state, not only the batch's).
    PlatformApplication.objects.filter(pk=app.pk).update(state=ApplicationState.ACCEPTED)
    assert edit not in client.get(app.get_absolute_url()).content.decode()
    assert "已进入审查" in client.get(edit, follow=True).content.decode()
    response = client.post(edit, {**DATA, "summary": "再改"})
    assert "已进入审查" in str(response.context["form"].non_field_errors())
    with pytest.raises(ValidationError, match="已进入审查"):
        services.application_delete(application=app, user=world.users["unit_admin"])
    PlatformApplication.objects.filter(pk=app.pk).update(state=ApplicationState.SUBMITTED)
    delete = reverse("platforms:platformapplication_delete", kwargs={"pk": app.pk})
    assert client.post(delete).status_code == 302
    assert not PlatformApplication.objects.filter(pk=app.pk).exists()


def test_after_formal_review_the_unit_cannot_edit_and_the_flow_goes_on_as_before(client, world):
    batch = BatchFactory()
    app = _file(client, world, batch)
    # The county office sees its county's application, filed by the unit, beside those it entered.
    client.force_login(world.users["county"])
    assert app in client.get(batch.get_absolute_url()).context["applications"]
    bureau = world.users["bureau"]
    services.batch_advance(batch=batch, user=bureau, on_date=timezone.localdate())
    services.application_formal_review(application=app, passed=True, comment="材料齐全", user=bureau)
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED and app.formal_comment == "材料齐全"
    # The unit reads the result; it cannot edit or take a review step.
    client.force_login(world.users["unit_admin"])
    response = client.get(app.get_absolute_url())
    assert response.status_code == 200 and not response.context["can_change"]
    assert response.context["actions"] == []
    edit = reverse("platforms:platformapplication_edit", kwargs={"pk": app.pk})
    assert client.post(edit, {**DATA, "summary": "审查后修改"}).status_code == 200
    transition = reverse("platforms:platformapplication_transition", kwargs={"pk": app.pk})
    assert client.post(transition, {"action": "reject", "comment": "自己退回"}).status_code == 403
    with pytest.raises(ValidationError):
        services.application_save(instance=app, user=world.users["unit_admin"])
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED and app.summary == DATA["summary"]
