"""数据变更日志's 关键词 finds what the page shows: a field's verbose name and a choice label find the entry
whose stored changes hold only the field's English name and the code; the query count stays constant."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kejiju.accounts.models import Region
from kejiju.core.models import Organization

pytestmark = pytest.mark.django_db

URL = "/accounts/audit/changes/"


def _entry(model, pk, repr_, changes) -> LogEntry:
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk=str(pk),
        object_repr=repr_,
        action=LogEntry.Action.UPDATE,
        changes=changes,
    )


@pytest.fixture
def entries(world):
    renamed = _entry(Organization, 1, "甲单位", {"name": ["旧名称单位", "新名称单位"]})
    retyped = _entry(Organization, 2, "乙单位", {"kind": ["enterprise", "university"]})
    region = Region.objects.order_by("pk").first()
    # A region's 名称 and 类型 are other fields: a keyword names one model's field, not every "name".
    other = _entry(Region, region.pk, str(region), {"name": ["a", "b"], "kind": ["county", "district"]})
    return renamed, retyped, other


def _found(client, keyword) -> set[int]:
    page = client.get(URL, {"q": keyword})
    assert page.status_code == 200
    return {entry.pk for entry in page.context["table"].data}


def test_a_verbose_field_name_finds_the_entry(client, auditor_user, entries):
    renamed, retyped, other = entries
    client.force_login(auditor_user)
    # (the fixtures' own organizations were logged when created: their entries name 单位名称 too)
    found = _found(client, "单位名称")
    assert renamed.pk in found and not {retyped.pk, other.pk} & found
    found = _found(client, "单位类型")
    assert retyped.pk in found and not {renamed.pk, other.pk} & found


def test_a_choice_label_finds_the_entry(client, auditor_user, entries):
    renamed, retyped, other = entries
    client.force_login(auditor_user)
    found = _found(client, "高等院校")  # stored as "university"
    assert retyped.pk in found and not {renamed.pk, other.pk} & found
    assert retyped.pk in _found(client, "企业")  # the old value's label


def test_a_value_and_the_object_still_find_the_entry(client, auditor_user, entries):
    renamed, retyped, _other = entries
    client.force_login(auditor_user)
    assert renamed.pk in _found(client, "新名称单位")
    assert retyped.pk in _found(client, "乙单位")


def test_searching_keeps_the_query_count_constant(client, auditor_user, entries):
    client.force_login(auditor_user)
    keywords = ("单位名称", "高等院校", "新名称单位")
    for keyword in keywords:
        client.get(URL, {"q": keyword})  # warm caches (content types, parameters)

    def queries(keyword) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"q": keyword}).status_code == 200
        return len(captured.captured_queries)

    few = {keyword: queries(keyword) for keyword in keywords}
    for pk in range(3, 23):
        _entry(
            Organization, pk, f"单位{pk}", {"name": [f"旧{pk}", f"新{pk}"], "kind": ["other", "university"]}
        )
    assert {keyword: queries(keyword) for keyword in keywords} == few
