"""The 变更历史 lines of an audit log entry: a many-to-many change names what was added or removed (auditlog's
display dict alone gives "type → operation"), a field change its old and new display values."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from experts.models import Expert
from kejiju.core.templatetags.kejiju_tags import history_changes
from tests.experts.factories import ExpertFactory, ExpertFieldFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _entries(expert):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Expert),
        object_id=expert.pk,
        action=LogEntry.Action.UPDATE,
    ).order_by("pk")


def test_a_many_to_many_change_names_the_records_added_and_removed():
    first, second = ExpertFieldFactory(name="先进制造"), ExpertFieldFactory(name="新材料")
    expert = ExpertFactory(fields=[first])
    expert.fields.add(second)
    expert.fields.remove(first)

    lines = [history_changes(entry) for entry in _entries(expert)]
    texts = [text for entry_lines in lines for _, text in entry_lines]
    assert "新增：新材料" in texts and "移除：先进制造" in texts
    assert {label for entry_lines in lines for label, _ in entry_lines} == {"专业领域"}
    assert not any("type" in text or "operation" in text for text in texts)


def test_a_field_change_shows_old_and_new_display_values():
    expert = ExpertFactory(state=Expert.State.ACTIVE)
    expert.state = Expert.State.SUSPENDED
    expert.save()

    (line,) = [line for entry in _entries(expert) for line in history_changes(entry) if line[0] == "状态"]
    assert line == ("状态", f"{Expert.State.ACTIVE.label} → {Expert.State.SUSPENDED.label}")


def test_the_detail_page_renders_the_lines(client):
    first = ExpertFieldFactory(name="先进制造")
    expert = ExpertFactory(fields=[])
    expert.fields.add(first)

    client.force_login(UserFactory(role="bureau"))
    page = client.get(f"/experts/{expert.pk}/").content.decode()
    assert "专业领域：新增：先进制造" in page and "type → operation" not in page
