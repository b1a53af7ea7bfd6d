"""高企 certificates: a revocation (取消资格) is a dated act. The form asks its date (required when revoked,
not before the issue date, not in the future, each refusal naming the field); the certificate stops
counting from that day, not before."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enterprises import selectors, services
from enterprises.models import GaoqiCertificate
from kejiju.reporting.annual import CITY
from tests.enterprises.build import certificate
from tests.enterprises.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

ISSUED = date(2024, 11, 6)


@pytest.fixture
def issued(world):
    return certificate(region=world.county_a, issued_on=ISSUED, number="GR202414000123")


def _edit(client, item, **data):
    form = {"number": item.number, "issued_on": item.issued_on.isoformat(), "note": "", **data}
    return client.post(reverse("enterprises:gaoqicertificate_edit", args=[item.pk]), form)


def _errors(response) -> dict:
    assert response.status_code == 200, "the form was expected back with its errors"
    return response.context["form"].errors


def test_the_form_asks_the_revocation_date_and_checks_it(issued, client, bureau_user):
    client.force_login(bureau_user)
    today = timezone.localdate()
    assert _errors(_edit(client, issued, revoked="on"))["revoked_on"] == [
        "已取消资格的证书请填写取消资格日期。"
    ]
    before = ISSUED - timedelta(days=1)
    assert _errors(_edit(client, issued, revoked="on", revoked_on=before.isoformat()))["revoked_on"] == [
        f"取消资格日期（{before:%Y-%m-%d}）不能早于发证日期（{ISSUED:%Y-%m-%d}）。"
    ]
    tomorrow = today + timedelta(days=1)
    message = _errors(_edit(client, issued, revoked="on", revoked_on=tomorrow.isoformat()))["revoked_on"][0]
    assert message.startswith(f"取消资格日期（{tomorrow:%Y-%m-%d}）不能晚于今天（{today:%Y-%m-%d}）")
    assert _errors(_edit(client, issued, revoked_on="2025-03-01"))["revoked_on"] == [
        "填写了取消资格日期，请同时勾选“已取消资格”。"
    ]
    assert GaoqiCertificate.objects.get(pk=issued.pk).revoked_on is None

    response = _edit(client, issued, revoked="on", revoked_on="2025-03-01")
    assert response.status_code == 302
    assert GaoqiCertificate.objects.get(pk=issued.pk).revoked_on == date(2025, 3, 1)
    # Unticking undoes a revocation recorded by mistake.
    assert _edit(client, issued).status_code == 302
    assert GaoqiCertificate.objects.get(pk=issued.pk).revoked_on is None


def test_the_form_shows_the_revocation_when_editing_and_not_when_registering(issued, client, bureau_user):
    client.force_login(bureau_user)
    services.certificate_revoke(certificate=issued, revoked_on=date(2025, 3, 1), user=bureau_user)
    form = client.get(reverse("enterprises:gaoqicertificate_edit", args=[issued.pk])).context["form"]
    assert form["revoked"].value() is True and form["revoked_on"].value() == date(2025, 3, 1)
    add = reverse("enterprises:gaoqicertificate_add", args=[issued.enterprise.pk])
    form = client.get(add).context["form"]
    assert "revoked" not in form.fields and "revoked_on" not in form.fields


def test_a_revocation_counts_from_its_day(issued, bureau_user):
    revoked = services.certificate_revoke(
        certificate=issued, revoked_on=date(2025, 3, 1), user=bureau_user, reason="年报核查不符"
    )
    assert revoked.note == "取消资格：年报核查不符"
    assert selectors.gaoqi_valid_count(user=CITY, on=date(2025, 2, 28)) == 1
    assert selectors.gaoqi_valid_count(user=CITY, on=date(2025, 3, 1)) == 0
    assert revoked.is_valid_on(date(2025, 2, 28)) and not revoked.is_valid_on(date(2025, 3, 1))
    assert selectors.gaoqi_certified_count(user=CITY, year=2024) == 1  # valid at the end of 2024
    with pytest.raises(ValidationError, match="已于2025年03月01日取消资格"):
        services.certificate_revoke(certificate=issued, revoked_on=date(2025, 4, 1), user=bureau_user)


def test_the_service_refuses_what_the_form_refuses(issued, bureau_user):
    with pytest.raises(ValidationError) as info:
        services.certificate_update(
            certificate=issued,
            number=issued.number,
            issued_on=ISSUED,
            revoked_on=ISSUED - timedelta(days=1),
            actor=bureau_user,
        )
    assert "不能早于发证日期" in info.value.message_dict["revoked_on"][0]
    with pytest.raises(ValidationError) as info:
        services.certificate_revoke(certificate=issued, revoked_on=None, user=bureau_user)
    assert info.value.message_dict["revoked_on"] == ["请填写取消资格日期。"]


def test_a_county_cannot_revoke_another_countys_certificate(issued, other_county_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.certificate_revoke(certificate=issued, revoked_on=date(2025, 1, 2), user=other_county_user)


def test_doubling_progress_counts_enterprises_valid_at_the_years_end(world, bureau_user):
    from enterprises.models import DoublingTarget

    DoublingTarget.objects.create(region=world.county_a, year=2024, target=2)
    enterprise = EnterpriseFactory(region=world.county_a)
    certificate(enterprise=enterprise, issued_on=date(2022, 11, 1), number="GR202214000001")
    certificate(enterprise=enterprise, issued_on=date(2024, 10, 1), number="GR202414000002")
    later = certificate(region=world.county_a, issued_on=date(2023, 11, 1), number="GR202314000003")
    services.certificate_revoke(certificate=later, revoked_on=date(2025, 5, 1), user=bureau_user)
    [row] = selectors.doubling_progress(user=bureau_user, year=2024)
    assert (row["previous"], row["actual"], row["met"]) == (2, 2, True)


# ------------------------------------------------------------------------------------ the data migration

MIGRATION = "0007_certificate_revoked_on"


def test_migration_dates_revocations_from_the_audit_log_else_the_issue_date(world):
    """A certificate flagged 已取消资格 takes the local day its flag was logged; without such a log entry, its
    issue date (it never counted, as the undated flag had it); one not flagged stays unrevoked."""
    import datetime as dt
    import importlib

    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = importlib.import_module(f"enterprises.migrations.{MIGRATION}")
    state_apps = MigrationLoader(connection).project_state(("enterprises", MIGRATION)).apps
    with connection.cursor() as cursor:  # the old column, in the test's transaction (rolled back)
        cursor.execute(
            "ALTER TABLE enterprises_gaoqicertificate ADD COLUMN is_revoked boolean NOT NULL DEFAULT false"
        )
    Old = state_apps.get_model("enterprises", "GaoqiCertificate")
    enterprise = EnterpriseFactory(region=world.county_a)

    def old(number, issued_on, revoked):
        return Old.objects.create(
            enterprise_id=enterprise.pk,
            number=number,
            issued_on=issued_on,
            expires_on=issued_on + dt.timedelta(days=1094),
            is_revoked=revoked,
        )

    logged = old("GR202214000100", date(2022, 11, 1), True)
    unlogged = old("GR202314000101", date(2023, 11, 1), True)
    standing = old("GR202314000102", date(2023, 12, 1), False)
    kind = ContentType.objects.get_for_model(GaoqiCertificate)
    for changes, when in (
        ({"note": ["", "核查"]}, dt.datetime(2024, 1, 1, tzinfo=dt.UTC)),
        ({"is_revoked": ["False", "True"]}, dt.datetime(2025, 4, 1, 17, 30, tzinfo=dt.UTC)),  # 4月2日 01:30
    ):
        LogEntry.objects.create(
            content_type=kind,
            object_pk=str(logged.pk),
            object_repr=logged.number,
            action=LogEntry.Action.UPDATE,
            changes=changes,
            timestamp=when,
        )

    migration.backfill(state_apps, None)

    revoked_on = dict(Old.objects.values_list("number", "revoked_on"))
    assert revoked_on == {
        logged.number: date(2025, 4, 2),
        unlogged.number: unlogged.issued_on,
        standing.number: None,
    }
