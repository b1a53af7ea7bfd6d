"""Audit: the events are recorded, the application cannot change or delete audit rows (PostgreSQL
trigger), and archive_audit keeps 180 days and writes what it removes to a checksummed file sealed with
HMAC-SM3 under a key kept apart from it (one byte changed is detected and the archive named)."""

import base64
import datetime as dt
import gzip
import hashlib
import io
import json
import re

import pytest
from auditlog.models import LogEntry
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from kejiju.core import integrity_mac
from kejiju.core.models import AuditEvent, Organization
from kejiju.core.services import AuditArchiveError, audit_archive_verify
from tests.factories import TEST_PASSWORD
from tests.logins import login_post

pytestmark = pytest.mark.django_db


def _login(client, username, password=TEST_PASSWORD):
    return login_post(client, username, password)


def test_security_events_and_changes_are_recorded(
    client, bureau_user, county_user, sysadmin_user, auditor_user
):
    _login(client, county_user.username, "wrong")
    _login(client, bureau_user.username)
    client.post(reverse("core:organization_add"), {"name": "审计测试企业", "kind": "enterprise"})
    org = Organization.objects.get(name="审计测试企业")
    client.post(
        reverse("core:organization_edit", args=[org.pk]), {"name": "审计测试企业二", "kind": "enterprise"}
    )
    client.get(reverse("core:organization_export"))
    client.post(reverse("core:organization_delete", args=[org.pk]))
    client.get(reverse("accounts:user_list"))  # denied
    client.post(reverse("accounts:logout"))
    for _ in range(5):
        _login(client, county_user.username, "wrong")
    admin = type(client)()
    admin.force_login(sysadmin_user)
    admin.post(reverse("accounts:user_unlock", args=[county_user.pk]))

    types = set(AuditEvent.objects.values_list("event_type", flat=True))
    assert {"login", "login_failed", "logout", "lockout", "unlock", "permission_denied", "export"} <= types
    actions = set(
        LogEntry.objects.filter(content_type__model="organization").values_list("action", flat=True)
    )
    assert actions == {LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE}


def test_report_download_is_recorded(client, auditor_user):
    from django.core.files.base import ContentFile

    from kejiju.core.models import ReportJob
    from tests.factories import small_xlsx

    job = ReportJob(kind="audit_events_export", requested_by=auditor_user, state="succeeded")
    job.file.save("events.xlsx", ContentFile(small_xlsx()), save=False)
    job.save()
    client.force_login(auditor_user)
    assert client.get(reverse("core:reportjob_download", args=[job.pk])).status_code == 200
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.DOWNLOAD, actor=auditor_user).exists()


@pytest.fixture
def audit_rows(bureau_user):
    event = AuditEvent.objects.create(event_type="login", username="alice")
    org = Organization.objects.create(name="日志企业")
    entry = LogEntry.objects.get_for_object(org).get()
    return event, entry


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditevent SET username = 'mallory'",
        "DELETE FROM core_auditevent",
        "UPDATE auditlog_logentry SET object_repr = 'x'",
        "DELETE FROM auditlog_logentry",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(audit_rows, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(statement)
    event, entry = audit_rows
    assert AuditEvent.objects.filter(pk=event.pk, username="alice").exists()
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_the_orm_cannot_delete_them_either(audit_rows):
    event, entry = audit_rows
    with pytest.raises(DatabaseError), transaction.atomic():
        event.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(changes_text="forged")


def _age(model, field, pk, days):
    """Backdate a row (the tests' only way past the trigger, as archive_audit does)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('kejiju.audit_archive', 'on', true)")
        model.objects.filter(pk=pk).update(**{field: timezone.now() - dt.timedelta(days=days)})
        cursor.execute("SELECT set_config('kejiju.audit_archive', 'off', true)")


def test_archive_refuses_dates_less_than_180_days_ago(tmp_path):
    day = timezone.localdate() - dt.timedelta(days=179)
    with pytest.raises(CommandError, match="180"):
        call_command("archive_audit", "--before", day.isoformat(), "--output-dir", str(tmp_path))
    assert not list(tmp_path.iterdir())


def test_archive_writes_a_checksummed_file_and_deletes_the_rows(tmp_path, audit_rows):
    event, entry = audit_rows
    recent = AuditEvent.objects.create(event_type="logout", username="bob")
    _age(AuditEvent, "created_at", event.pk, 400)
    _age(LogEntry, "timestamp", entry.pk, 400)
    before = timezone.localdate() - dt.timedelta(days=200)
    call_command("archive_audit", "--before", before.isoformat(), "--output-dir", str(tmp_path))

    (archive,) = tmp_path.glob("*.jsonl.gz")
    checksum = (tmp_path / (archive.name + ".sha256")).read_text().split()[0]
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == checksum
    with gzip.open(archive, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    assert {(row["model"], row["pk"]) for row in rows} == {
        ("core.auditevent", event.pk),
        ("auditlog.logentry", entry.pk),
    }
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    assert not LogEntry.objects.filter(pk=entry.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.ARCHIVE, detail__contains=checksum).exists()
    # The trigger is back on after the archive's transaction.
    with pytest.raises(DatabaseError), transaction.atomic():
        recent.delete()


# ------------------------------------------------------------------------- HMAC-SM3 seal of an archive


@pytest.fixture
def archive(tmp_path, audit_rows):
    event, entry = audit_rows
    _age(AuditEvent, "created_at", event.pk, 400)
    _age(LogEntry, "timestamp", entry.pk, 400)
    before = timezone.localdate() - dt.timedelta(days=200)
    call_command("archive_audit", "--before", before.isoformat(), "--output-dir", str(tmp_path))
    (path,) = tmp_path.glob("*.jsonl.gz")
    return path


def _verify(*paths):
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit_archive", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_archive_carries_an_hmac_sm3_seal_under_the_integrity_key(archive, settings):
    seal = json.loads(archive.with_name(archive.name + ".seal.json").read_text())
    key = base64.b64decode(settings.INTEGRITY_MAC_KEY)
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(archive.read_bytes())
    assert seal["mac"] == mac.finalize().hex()
    assert seal["algorithm"] == "HMAC-SM3" and seal["file"] == archive.name
    assert seal["key_id"] == integrity_mac.key_id_of(key) and settings.INTEGRITY_MAC_KEY not in json.dumps(
        seal
    )
    out, _ = _verify(archive.parent)
    assert f"校验通过：{archive}" in out
    assert AuditEvent.objects.filter(
        event_type=AuditEvent.Type.ARCHIVE, detail__contains=seal["mac"]
    ).exists()


def test_one_byte_changed_in_an_archive_is_detected_and_the_archive_named(archive, tmp_path):
    good = tmp_path / "other" / archive.name.replace("audit-", "audit-copy-")
    good.parent.mkdir()
    good.write_bytes(archive.read_bytes())
    seal = json.loads(archive.with_name(archive.name + ".seal.json").read_text())
    good.with_name(good.name + ".seal.json").write_text(json.dumps({**seal, "file": good.name}))
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    archive.write_bytes(bytes(data))
    # The SHA-256 beside it is rewritten too, as whoever changed the archive would: only the seal tells.
    digest = hashlib.sha256(bytes(data)).hexdigest()
    archive.with_name(archive.name + ".sha256").write_text(f"{digest}  {archive.name}\n")
    with pytest.raises(CommandError, match=re.escape(archive.name)) as caught:
        _verify(archive, good)
    assert good.name not in str(caught.value)
    with pytest.raises(AuditArchiveError, match="HMAC-SM3 校验失败"):
        audit_archive_verify(path=archive)
    audit_archive_verify(path=good)


def test_an_archive_without_its_seal_or_sealed_under_another_key_fails(archive, settings):
    seal_path = archive.with_name(archive.name + ".seal.json")
    sealed_under = settings.INTEGRITY_MAC_KEY
    settings.INTEGRITY_MAC_KEY = base64.b64encode(b"k" * 32).decode()
    with pytest.raises(AuditArchiveError, match="不是当前密钥"):
        audit_archive_verify(path=archive)
    # A retired key kept for verification still proves the older archive.
    settings.INTEGRITY_MAC_RETIRED_KEYS = [sealed_under]
    audit_archive_verify(path=archive)
    seal_path.unlink()
    with pytest.raises(AuditArchiveError, match="缺少校验文件"):
        audit_archive_verify(path=archive)
