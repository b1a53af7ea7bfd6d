"""Writing 失信 records: identifiers validated with named messages, the ID number sealed and masked, the
unmask audited, the scan stored through the uploads mechanism."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kejiju.core.models import AuditEvent, Organization
from kejiju.core.services import organization_save
from kejiju.integrity import services
from kejiju.integrity.models import IntegrityRecord
from tests.integrity.factories import ID_NUMBER, PDF, USCC, make_person_record, make_unit_record

pytestmark = pytest.mark.django_db


def test_a_unit_record_validates_its_code_and_links_the_unit_library(world):
    bureau = world.users["bureau"]
    with pytest.raises(ValidationError) as caught:
        make_unit_record(user=bureau, uscc="911000001000013429")
    assert "统一社会信用代码校验码错误" in caught.value.message_dict["uscc"][0]
    with pytest.raises(ValidationError) as caught:
        make_unit_record(user=bureau, uscc="")
    assert caught.value.message_dict["uscc"] == ["失信主体为单位时，统一社会信用代码不能为空。"]
    unit = organization_save(organization=Organization(name="中国石油化工集团有限公司", uscc=USCC))
    record = make_unit_record(user=bureau, uscc=USCC.lower())
    assert record.uscc == USCC and record.organization == unit
    assert not IntegrityRecord.objects.filter(id_number_digest__gt="").exists()


def test_a_person_record_keeps_the_number_sealed_and_masked(world):
    record = make_person_record(user=world.users["bureau"])
    record.refresh_from_db()
    assert ID_NUMBER not in record.id_number_cipher
    assert record.id_number_masked != ID_NUMBER and record.id_number_masked.startswith("1409")
    assert "*" in record.id_number_masked
    assert record.reveal_id_number() == ID_NUMBER
    assert record.subject_code == record.id_number_masked
    # The change history keeps the masked copy only.
    entry = LogEntry.objects.get_for_object(record).get()
    assert ID_NUMBER not in str(entry.changes) and record.id_number_cipher not in str(entry.changes)


def test_a_wrong_id_number_is_named_and_never_echoed(world):
    with pytest.raises(ValidationError) as caught:
        make_person_record(user=world.users["bureau"], id_number="140902198503150018")
    message = caught.value.message_dict["id_number"][0]
    assert "身份证" in message and "140902198503150018" not in message
    with pytest.raises(ValidationError) as caught:
        make_person_record(user=world.users["bureau"], id_number="")
    assert caught.value.message_dict["id_number"] == ["失信主体为个人时，身份证号不能为空。"]


def test_model_checks_name_their_fields(world):
    bureau = world.users["bureau"]
    with pytest.raises(ValidationError) as caught:
        make_unit_record(user=bureau, bars_apply=False)
    assert "惩戒范围至少选择一项" in caught.value.message_dict["bars_apply"][0]
    with pytest.raises(ValidationError) as caught:
        make_unit_record(user=bureau, ends_on=dt.date(2024, 1, 1))
    assert "惩戒结束日期不能早于惩戒开始日期。" in caught.value.messages
    with pytest.raises(ValidationError) as caught:
        make_unit_record(user=bureau, objection_outcome="upheld")
    assert caught.value.message_dict["objection"] == ["填写异议处理结果时，异议内容不能为空。"]


def test_an_edit_with_a_blank_number_keeps_it(world):
    bureau = world.users["bureau"]
    record = make_person_record(user=bureau)
    digest = record.id_number_digest
    fields = {name: getattr(record, name) for name in services.PLAIN_FIELDS}
    fields.update(repaired_on=dt.date(2025, 6, 1), repair_note="已完成信用修复")
    updated = services.record_update(user=bureau, record=record, kind="person", id_number=None, **fields)
    assert updated.id_number_digest == digest and updated.repaired_on == dt.date(2025, 6, 1)


def test_only_the_bureau_writes(world):
    for role in ("leader", "county", "unit_admin", "sysadmin"):
        with pytest.raises(ValidationError):
            make_unit_record(user=world.users[role])


def test_unmask_is_audited_and_needs_the_permission(world):
    record = make_person_record(user=world.users["bureau"])
    with pytest.raises(ValidationError):
        services.reveal_id_number(user=world.users["leader"], record=record)
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.UNMASK).exists()
    assert services.reveal_id_number(user=world.users["bureau"], record=record) == ID_NUMBER
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.UNMASK)
    assert record.name in event.object_repr and ID_NUMBER not in event.detail


def test_a_scan_is_stored_under_a_generated_name_and_a_fake_one_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bureau = world.users["bureau"]
    record = make_unit_record(user=bureau, scan=SimpleUploadedFile("../../处理决定书.pdf", PDF))
    assert record.scan_name == "处理决定书.pdf"
    assert record.scan.name.startswith("integrity/scans/") and "处理" not in record.scan.name
    with pytest.raises(ValidationError) as caught:
        make_unit_record(user=bureau, source="另一文号", scan=SimpleUploadedFile("决定.pdf", b"MZ not a pdf"))
    assert caught.value.message_dict["scan"][0].startswith("文件扫描件：")
    assert IntegrityRecord.objects.count() == 1
