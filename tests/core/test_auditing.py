"""Audit entries of bulk-created rows: the same changes auditlog itself would record on save()."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from enterprises.models import Enterprise, EnterpriseYear
from kejiju.core.auditing import created_changes, log_bulk_created
from kejiju.core.models import Organization
from tests.enterprises.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def _as_json(diff):
    return None if diff is None else {key: list(value) for key, value in diff.items()}


def test_created_changes_match_auditlog_for_organisations(county_a):
    with_enterprise = EnterpriseFactory(region=county_a).organization
    bare = Organization.objects.create(
        name="无县区单位", uscc="", region=None, kind=Organization.Kind.UNIVERSITY
    )
    named_none = Organization.objects.create(name="None", uscc="", region=county_a)
    # Fresh copies: the reverse one-to-one (enterprise) is not cached and must be read from the database.
    fresh = list(
        Organization.objects.filter(pk__in=[with_enterprise.pk, bare.pk, named_none.pk]).order_by("pk")
    )
    assert created_changes(fresh) == [model_instance_diff(None, obj) for obj in fresh]
    assert created_changes(fresh)[0]["enterprise"] == ("None", with_enterprise.enterprise.name)
    # The same objects with the relation cached (as the importer has them) give the same result.
    cached = [with_enterprise, bare, named_none]
    assert created_changes(cached) == [model_instance_diff(None, obj) for obj in cached]


def test_created_changes_match_auditlog_for_enterprises_and_years(county_a):
    enterprise = EnterpriseFactory(region=county_a, established_on=None, address="", contact_phone="0350-1")
    year = EnterpriseYear.objects.create(
        enterprise=enterprise, year=2025, employees=10, revenue=Decimal("12.50"), total_cost=None
    )
    for objects in ([enterprise], [year], list(Enterprise.objects.filter(pk=enterprise.pk))):
        assert created_changes(objects) == [model_instance_diff(None, obj) for obj in objects]


def test_log_bulk_created_writes_what_auditlog_writes(county_a, bureau_user):
    enterprises = [
        EnterpriseFactory(region=county_a),
        EnterpriseFactory(region=county_a, established_on=None),
    ]
    before = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    log_bulk_created(enterprises, actor=bureau_user)
    entries = list(LogEntry.objects.filter(pk__gt=before).order_by("object_id"))
    assert [entry.object_id for entry in entries] == [e.pk for e in enterprises]
    for entry, enterprise in zip(entries, enterprises, strict=True):
        assert entry.content_type == ContentType.objects.get_for_model(Enterprise)
        assert entry.object_pk == str(enterprise.pk)
        assert entry.object_repr == enterprise.name
        assert entry.action == LogEntry.Action.CREATE
        assert entry.actor == bureau_user
        assert entry.actor_email == bureau_user.email
        assert entry.timestamp is not None
        assert entry.changes == _as_json(model_instance_diff(None, enterprise))
        assert entry.changes_display_dict["企业名称"] == ["None", enterprise.name]
