"""The pages: list (filters, constant queries), export (masked), detail with history, forms, delete."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kejiju.core.models import AuditEvent
from kejiju.integrity.models import IntegrityRecord
from tests.integrity.factories import ID_NUMBER, OTHER_ID_NUMBER, make_person_record, make_unit_record

pytestmark = pytest.mark.django_db
LIST = reverse("integrity:integrityrecord_list")


def test_list_filters(client, world):
    bureau = world.users["bureau"]
    unit = make_unit_record(user=bureau)  # 2025-01-01 … 2027-12-31, 申报
    person = make_person_record(user=bureau, repaired_on=dt.date(2026, 1, 1))  # 评审专家 and 申报
    client.force_login(world.users["county"])
    names = lambda query: {r.pk for r in client.get(LIST, query).context["table"].data}  # noqa: E731
    assert names({}) == {unit.pk, person.pk}
    assert names({"kind": "person"}) == {person.pk}
    assert names({"scope": "expert"}) == {person.pk}
    assert names({"active_on": "2026-06-01"}) == {unit.pk}
    assert names({"active_on": "2025-06-01"}) == {unit.pk, person.pk}
    assert names({"q": "晋科监"}) == {unit.pk}
    assert names({"q": ID_NUMBER}) == {person.pk}
    assert names({"q": OTHER_ID_NUMBER}) == set()


def test_list_query_count_is_constant(client, world, django_assert_max_num_queries):
    bureau = world.users["bureau"]
    make_unit_record(user=bureau)
    client.force_login(bureau)
    client.get(LIST)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for n in range(20):
        make_person_record(user=bureau, source=f"文号{n}", id_number=ID_NUMBER)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).status_code == 200


def test_export_masks_the_id_number(client, world):
    make_person_record(user=world.users["bureau"])
    client.force_login(world.users["leader"])
    response = client.get(reverse("integrity:integrityrecord_export"))
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    cells = [cell.value for row in book.active.iter_rows() for cell in row]
    values = [str(value) for value in cells]
    assert ID_NUMBER not in "".join(values)
    assert "是" in values and "长期" in values
    assert dt.datetime(2025, 3, 1) in cells  # a date cell, not text


def test_pages_never_show_the_number_but_the_audited_view(client, world):
    record = make_person_record(user=world.users["bureau"])
    for role in ("bureau", "leader", "county"):
        client.force_login(world.users[role])
        page = client.get(record.get_absolute_url()).content.decode()
        assert ID_NUMBER not in page and record.id_number_masked in page
        assert ("查看完整身份证号" in page) is (role == "bureau")
        assert ID_NUMBER not in client.get(LIST).content.decode()
    client.force_login(world.users["bureau"])
    response = client.get(reverse("integrity:integrityrecord_pii", kwargs={"pk": record.pk}))
    assert ID_NUMBER in response.content.decode() and "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.UNMASK).count() == 1


def test_create_form_names_fields_in_its_messages(client, world):
    client.force_login(world.users["bureau"])
    url = reverse("integrity:integrityrecord_add")
    response = client.post(
        url, {"kind": "unit", "name": "某公司", "uscc": "911000001000013429", "source": "文号"}
    )
    form = response.context["form"]
    assert form.errors["starts_on"] == ["惩戒开始日期不能为空。"]
    assert not IntegrityRecord.objects.exists()
    data = {"kind": "unit", "name": "某公司", "uscc": "911000001000013429", "source": "文号"}
    data.update(starts_on="2025-01-01", bars_apply="on")
    response = client.post(url, data)
    assert "统一社会信用代码校验码错误" in response.context["form"].errors["uscc"][0]
    data.update(uscc="911000001000013428")
    response = client.post(url, data)
    assert response.status_code == 302
    record = IntegrityRecord.objects.get()
    data.update(kind="person", id_number=OTHER_ID_NUMBER, name="赵某", uscc="")
    response = client.post(reverse("integrity:integrityrecord_edit", kwargs={"pk": record.pk}), data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.kind == "person" and record.uscc == "" and record.reveal_id_number() == OTHER_ID_NUMBER
    page = client.get(record.get_absolute_url()).content.decode()
    assert "赵某" in page  # the change history reads


def test_delete_asks_then_deletes(client, world):
    record = make_unit_record(user=world.users["bureau"])
    client.force_login(world.users["bureau"])
    url = reverse("integrity:integrityrecord_delete", kwargs={"pk": record.pk})
    assert client.get(url).status_code == 200
    assert IntegrityRecord.objects.exists()
    assert client.post(url).status_code == 302
    assert not IntegrityRecord.objects.exists()
