"""国密 SM4-GCM for personal data (kejiju.core.pii): the standard's cipher, values bound to their row and
column, tamper detection, key versions from the provider (kejiju.core.keys), values written before SM4
still readable, and `manage.py rotate_pii_key` re-encrypting everything while every record stays readable."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import secrets

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from experts.models import Expert
from kejiju.accounts.models import UserSession
from kejiju.accounts.services import session_key_digest
from kejiju.core import keys, pii
from kejiju.core import services as core_services
from tests.applications.factories import make_application
from tests.experts.factories import ExpertFactory, make_id_number
from tests.integrity.factories import make_person_record
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = make_id_number(7)
NEW_KEY = bytes.fromhex("00112233445566778899aabbccddeeff")


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def raw_sm4_gcm(key: bytes, nonce: bytes, value: bytes, aad: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(value) + encryptor.finalize() + encryptor.tag


# ------------------------------------------------------------------------------------------ the cipher


def test_sm4_is_the_standards_block_cipher():
    """GB/T 32907-2016, appendix A.1: the known answer of the block cipher the GCM mode is built on."""
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 (one block)
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


@override_settings(PII_KEYS=f"3:{b64(NEW_KEY)}")
def test_a_value_sealed_with_the_raw_api_opens_with_pii_and_back():
    expert = ExpertFactory(id_number=ID_NUMBER)  # sealed under version 3, the only key
    assert expert.id_number_cipher.startswith("sm4gcm:v3:")
    aad = f"experts.expert.id_number_cipher:{expert.pii_row}".encode()
    assert pii.binding(expert, "id_number_cipher") == aad
    nonce = bytes(range(12))
    raw = raw_sm4_gcm(NEW_KEY, nonce, ID_NUMBER.encode(), aad)
    token = "sm4gcm:v3:" + base64.urlsafe_b64encode(nonce + raw).decode()
    assert pii.decrypt(token, aad=aad) == ID_NUMBER
    # and what pii wrote opens with the raw API: nonce | ciphertext | tag under the same associated data
    stored = base64.urlsafe_b64decode(expert.id_number_cipher.split(":", 2)[2])
    decryptor = Cipher(algorithms.SM4(NEW_KEY), modes.GCM(stored[:12], stored[-16:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    assert (decryptor.update(stored[12:-16]) + decryptor.finalize()).decode() == ID_NUMBER


def test_every_value_has_a_fresh_nonce():
    first, second = ExpertFactory(id_number=ID_NUMBER), ExpertFactory(mobile="13912345678")
    tokens = {first.id_number_cipher, first.mobile_cipher, second.id_number_cipher}
    nonces = {base64.urlsafe_b64decode(token.split(":", 2)[2])[:12] for token in tokens}
    assert len(nonces) == 3
    aad = b"test.model.field:1"
    assert pii.encrypt("same", aad=aad) != pii.encrypt("same", aad=aad)


def test_a_value_copied_to_another_row_or_column_does_not_open():
    mine, theirs = ExpertFactory(id_number=ID_NUMBER), ExpertFactory()
    assert mine.reveal_id_number() == ID_NUMBER
    theirs.id_number_cipher = mine.id_number_cipher  # another row of the same column
    with pytest.raises(pii.PIIError):
        theirs.reveal_id_number()
    mine.mobile_cipher = mine.id_number_cipher  # another column of the same row
    with pytest.raises(pii.PIIError):
        mine.reveal_mobile()
    session = UserSession(key_digest="x", key_cipher=mine.id_number_cipher, pii_row=mine.pii_row)
    with pytest.raises(pii.PIIError):  # the same row identity in another model
        session.reveal_key()


def test_one_tampered_byte_is_detected_wherever_it_is():
    expert = ExpertFactory(id_number=ID_NUMBER)
    head, payload = expert.id_number_cipher.rsplit(":", 1)
    raw = base64.urlsafe_b64decode(payload)
    for position in range(len(raw)):  # nonce, ciphertext and tag
        tampered = bytearray(raw)
        tampered[position] ^= 0x01
        expert.id_number_cipher = f"{head}:{base64.urlsafe_b64encode(bytes(tampered)).decode()}"
        with pytest.raises(pii.PIIError):
            expert.reveal_id_number()
    for broken in ("sm4gcm:v1:", "sm4gcm:v1:!!", "sm4gcm:vx:AAAA", "sm4gcm:v9:" + payload, payload[:-4]):
        expert.id_number_cipher = broken
        with pytest.raises(pii.PIIError):
            expert.reveal_id_number()


def _legacy_fernet(value: str) -> str:
    """A value as the portal wrote it before SM4 (Fernet under the key derived from the secret)."""
    secret = keys.pii_secret()
    key = hashlib.sha256(b"kejiju.experts.pii.encrypt\x00" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key)).encrypt(value.encode()).decode()


def test_values_written_before_sm4_stay_readable_and_digests_do_not_change():
    expert = ExpertFactory()
    Expert.objects.filter(pk=expert.pk).update(id_number_cipher=_legacy_fernet(ID_NUMBER))
    assert Expert.objects.get(pk=expert.pk).reveal_id_number() == ID_NUMBER
    mac = hashlib.sha256(b"kejiju.experts.pii.digest\x00" + keys.pii_secret()).digest()
    before = hmac.new(mac, ID_NUMBER.encode(), hashlib.sha256).hexdigest()
    assert pii.digest(ID_NUMBER.lower()) == before
    with override_settings(PII_KEYS=f"2:{b64(NEW_KEY)}"):  # a new SM4 key does not move the digest
        assert pii.digest(ID_NUMBER) == before


# ------------------------------------------------------------------------------------------ the keys


def test_the_environment_provider_reads_versions_and_refuses_bad_keys():
    with override_settings(PII_KEYS=f"1:{b64(os.urandom(16))}, 2:{b64(NEW_KEY)}", PII_KEY_VERSION=1):
        provider = keys.provider()
        assert (provider.current_version("pii"), provider.versions("pii")) == (1, [1, 2])
        assert provider.key("pii", 2) == NEW_KEY
        with pytest.raises(keys.KeyUnavailable):
            provider.key("pii", 3)
    with override_settings(PII_KEYS=f"1:{b64(NEW_KEY)},2:{b64(NEW_KEY)}"):
        assert keys.provider().current_version("pii") == 2  # the highest by default
    for bad in (
        f"1:{b64(os.urandom(15))}",
        "1:not base64!",
        f"x:{b64(NEW_KEY)}",
        f"1:{b64(NEW_KEY)},1:{b64(NEW_KEY)}",
    ):
        with override_settings(PII_KEYS=bad), pytest.raises(ImproperlyConfigured):
            keys.provider()
    with (
        override_settings(PII_KEYS=f"1:{b64(NEW_KEY)}", PII_KEY_VERSION=2),
        pytest.raises(ImproperlyConfigured),
    ):
        keys.provider()
    with override_settings(PII_KEYS="1:AAAA"):
        errors = pii.check_sealed_models()
    assert [error.id for error in errors] == ["core.E102"]
    assert pii.check_sealed_models() == []  # every model with sealed columns has its pii_row


class FixedProvider:
    """A provider as an HSM or a KMS would be plugged in: chosen by KEY_PROVIDER."""

    def current_version(self, purpose):
        return 7

    def key(self, purpose, version):
        if (purpose, version) == ("pii", 7):
            return NEW_KEY
        return hashlib.sha256(purpose.encode()).digest()

    def versions(self, purpose):
        return [7]


def test_the_provider_is_chosen_by_a_setting():
    with override_settings(KEY_PROVIDER="tests.core.test_pii_sm4.FixedProvider"):
        expert = ExpertFactory(id_number=ID_NUMBER)
        assert expert.id_number_cipher.startswith("sm4gcm:v7:")
        assert expert.reveal_id_number() == ID_NUMBER
    with pytest.raises(pii.PIIError, match="第 7 版"):
        Expert.objects.get(pk=expert.pk).reveal_id_number()


# ------------------------------------------------------------------------------------------ rotation


def _seed(world) -> dict[tuple[str, int, str], str]:
    """A record of every model with sealed columns (through the factories), one value written before SM4;
    returns the clear text of every stored value by (model, pk, column)."""
    expert = ExpertFactory(id_number=ID_NUMBER, mobile="13912345678")
    legacy = ExpertFactory(id_number=make_id_number(8), mobile="")
    Expert.objects.filter(pk=legacy.pk).update(id_number_cipher=_legacy_fernet(make_id_number(8)))
    ExpertFactory.create_batch(2)
    application = make_application(leader=world.users["applicant"])  # its leader and one team member
    make_person_record(user=world.users["bureau"])
    project = ProjectFactory(region=world.county_a)
    project.set_pi_id_number(make_id_number(9))
    project.save()
    session = UserSession(user=world.users["county"], key_digest=session_key_digest("k" * 32))
    session.set_key("k" * 32)
    session.save()
    assert expert and application
    clear = {}
    for model, names in pii.sealed_models():
        rows = list(model._base_manager.all())
        assert rows, f"{model._meta.label} is not seeded: add it to _seed"
        for row in rows:
            for name in names:
                if getattr(row, name):
                    clear[(model._meta.label, row.pk, name)] = pii.unseal(row, name)
    assert clear[("experts.Expert", legacy.pk, "id_number_cipher")] == make_id_number(8)
    return clear


def _stored() -> dict[tuple[str, int, str], str]:
    return {
        (model._meta.label, row.pk, name): getattr(row, name)
        for model, names in pii.sealed_models()
        for row in model._base_manager.all()
        for name in names
        if getattr(row, name)
    }


def _readable(clear) -> None:
    for model, names in pii.sealed_models():
        for row in model._base_manager.all():
            for name in names:
                if getattr(row, name):
                    assert pii.unseal(row, name) == clear[(model._meta.label, row.pk, name)]


def _versions() -> list[int | None]:
    return [pii.token_version(token) for token in _stored().values()]


def test_rotation_stopped_midway_leaves_every_record_readable(world, monkeypatch):
    clear = _seed(world)
    digests = {
        label: sorted(model._base_manager.values_list("pk", "updated_at"))
        for model, _ in pii.sealed_models()
        if hasattr(model, "updated_at")
        for label in [model._meta.label]
    }
    old = keys.provider().key("pii", 1)
    assert set(_versions()) == {1, None}
    count = len(clear)

    with override_settings(PII_KEYS=f"1:{b64(old)},2:{b64(NEW_KEY)}", PII_KEY_VERSION=2):
        out = io.StringIO()
        call_command("rotate_pii_key", dry_run=True, stdout=out)
        assert "experts.Expert: 4 rows to re-encrypt" in out.getvalue()
        assert set(_versions()) == {1, None}  # a dry run writes nothing

        call_command("rotate_pii_key", batch_size=1, limit=1, stdout=io.StringIO())
        assert sorted(_versions(), key=str).count(2) in (1, 2)  # one row: one or two of its columns
        _readable(clear)

        # a crash in the third batch: the first two stay done, the third rolls back
        calls = {"n": 0}
        real = pii.reencrypted

        def crash(token, *, aad):
            calls["n"] += 1
            if calls["n"] > 3:
                raise RuntimeError("worker killed")
            return real(token, aad=aad)

        monkeypatch.setattr(pii, "reencrypted", crash)
        with pytest.raises(RuntimeError):
            call_command("rotate_pii_key", batch_size=1, stdout=io.StringIO())
        monkeypatch.setattr(pii, "reencrypted", real)
        halfway = _versions()
        assert 2 in halfway and (1 in halfway or None in halfway)
        _readable(clear)

        out = io.StringIO()
        call_command("rotate_pii_key", batch_size=2, stdout=out)
        assert "Every value is under key version 2" in out.getvalue()
        assert _versions() == [2] * count
        _readable(clear)
        call_command("rotate_pii_key", stdout=io.StringIO())  # nothing left: idempotent
        assert _versions() == [2] * count

    with override_settings(PII_KEYS=f"2:{b64(NEW_KEY)}"):  # the old key removed
        _readable(clear)
        out = io.StringIO()
        call_command("rotate_pii_key", dry_run=True, stdout=out)
        assert "experts.Expert: 0 rows" in out.getvalue()
    # rotation changed neither the digests nor any row's time of change (no save(), no audit entry)
    assert digests == {
        label: sorted(model._base_manager.values_list("pk", "updated_at"))
        for model, _ in pii.sealed_models()
        if hasattr(model, "updated_at")
        for label in [model._meta.label]
    }
    with pytest.raises(pii.PIIError):  # and without the new key nothing opens any more
        _readable(clear)


def test_rotation_never_overwrites_a_concurrent_write(world, monkeypatch):
    """The portal changes an expert's number between rotation reading the row and writing it (a process
    still writing under version 1): the portal's value stays (the write is conditional on the value read)
    and the next sweep rotates it."""
    expert = ExpertFactory(id_number=ID_NUMBER, mobile="")
    old = keys.provider().key("pii", 1)
    new_number = make_id_number(11)
    real = pii.reencrypted
    calls = {"n": 0}

    def meanwhile(token, *, aad):
        calls["n"] += 1
        if calls["n"] == 1:
            Expert.objects.filter(pk=expert.pk).update(id_number_cipher=_v1(new_number, aad, old))
        return real(token, aad=aad)

    monkeypatch.setattr(pii, "reencrypted", meanwhile)
    with override_settings(PII_KEYS=f"1:{b64(old)},2:{b64(NEW_KEY)}", PII_KEY_VERSION=2):
        outcomes, stopped = core_services.pii_key_rotate(batch_size=10)
        expert.refresh_from_db()
        assert expert.reveal_id_number() == new_number
        assert pii.token_version(expert.id_number_cipher) == 2
    expert_outcome = next(outcome for outcome in outcomes if outcome.model == "experts.Expert")
    assert calls["n"] == 2 and expert_outcome.rotated == 1 and not stopped


def _v1(value: str, aad: bytes, key: bytes) -> str:
    """A value under version 1 written by a process that has not got the new settings yet."""
    nonce = os.urandom(12)
    return (
        "sm4gcm:v1:" + base64.urlsafe_b64encode(nonce + raw_sm4_gcm(key, nonce, value.encode(), aad)).decode()
    )


def test_a_value_that_does_not_decrypt_is_reported_and_keeps_the_command_from_claiming_success(world):
    broken, fine = ExpertFactory(mobile=""), ExpertFactory(mobile="")
    Expert.objects.filter(pk=broken.pk).update(id_number_cipher=fine.id_number_cipher)  # copied row
    old = keys.provider().key("pii", 1)
    with override_settings(PII_KEYS=f"1:{b64(old)},2:{b64(NEW_KEY)}"):
        err = io.StringIO()
        with pytest.raises(CommandError, match="do not decrypt"):
            call_command("rotate_pii_key", stdout=io.StringIO(), stderr=err)
        assert f"experts.Expert: 1 rows do not decrypt (pk {broken.pk})" in err.getvalue()
        fine.refresh_from_db()
        assert pii.token_version(fine.id_number_cipher) == 2


def test_audit_history_never_holds_a_sealed_column():
    """django-auditlog records no SealedField nor the row identity of any registered model."""
    from auditlog.registry import auditlog

    for model, names in pii.sealed_models():
        if not auditlog.contains(model):
            continue
        options = auditlog.get_model_fields(model)
        include, exclude = options["include_fields"], options["exclude_fields"]
        for name in [*names, pii.ROW_FIELD]:
            assert name in exclude or (include and name not in include), (model, name)


def test_session_keys_and_copies_are_bound_too(world):
    key = secrets.token_hex(16)
    session = UserSession(user=world.users["county"], key_digest=session_key_digest(key))
    session.set_key(key)
    session.save()
    assert UserSession.objects.get(pk=session.pk).reveal_key() == key
    application = make_application(leader=world.users["applicant"])
    project = ProjectFactory(region=world.county_a)
    pii.copy_id_number(pii.SealedSource(application, "leader_"), project, prefix="pi_")
    assert project.pi_id_number_cipher != application.leader_id_number_cipher
    assert project.reveal_pi_id_number() == application.reveal_leader_id_number()
    assert project.pi_id_number_digest == application.leader_id_number_digest


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_rows_their_own_row_identity():
    """experts 0021 over rows written before SM4: each row gets its own pii_row (one AddField with a
    default would give them all the same, and the unique index would refuse it), values stay readable."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from kejiju.core.models import Organization

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        executor.loader.build_graph()
        return executor.loader.project_state(targets).apps

    old = migrate([("experts", "0020_online_review_reminders")])
    OldExpert = old.get_model("experts", "Expert")
    employer = Organization.objects.create(name="迁移测试单位")
    numbers = [make_id_number(n) for n in range(3)]
    for n, number in enumerate(numbers):
        OldExpert.objects.create(
            name=f"迁移{n}",
            gender="男",
            id_number_cipher=_legacy_fernet(number),
            id_number_digest=pii.digest(number),
            id_number_masked="1409**",
            employer_id=employer.pk,
            title="正高",
            admitted_on="2024-01-01",
        )
    # Every app back at its latest migration: going back to experts 0020 also unapplied the later
    # migrations of other apps that depend on it (core's), which the tests after this one need.
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    experts = list(Expert.objects.order_by("name"))
    assert len({expert.pii_row for expert in experts}) == 3
    assert [expert.reveal_id_number() for expert in experts] == numbers


@pytest.mark.django_db(transaction=True)
def test_rotation_skips_a_row_a_request_holds_and_a_second_run_takes_it():
    """A request of the running portal holds an expert's row (SELECT … FOR UPDATE in its transaction):
    rotation neither waits for it nor writes it, says it is left, and the next run rotates it."""
    import threading

    from django.db import connections, transaction

    held, others = ExpertFactory(mobile=""), ExpertFactory.create_batch(2, mobile="")
    old = keys.provider().key("pii", 1)
    locked, release = threading.Event(), threading.Event()

    def request():
        try:
            with transaction.atomic():
                Expert.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(60)
        finally:
            connections.close_all()

    thread = threading.Thread(target=request)
    thread.start()
    try:
        assert locked.wait(30)
        with override_settings(PII_KEYS=f"1:{b64(old)},2:{b64(NEW_KEY)}", PII_KEY_VERSION=2):
            outcomes, _ = core_services.pii_key_rotate(batch_size=10)
            experts = next(outcome for outcome in outcomes if outcome.model == "experts.Expert")
            assert (experts.rotated, experts.left) == (2, 1)
            versions = dict(Expert.objects.values_list("pk", "id_number_cipher"))
            assert pii.token_version(versions[held.pk]) == 1
            assert all(pii.token_version(versions[expert.pk]) == 2 for expert in others)
            release.set()
            thread.join(30)
            out = io.StringIO()
            call_command("rotate_pii_key", stdout=out)
            assert "Every value is under key version 2" in out.getvalue()
            held.refresh_from_db()
            assert pii.token_version(held.id_number_cipher) == 2 and held.reveal_id_number()
    finally:
        release.set()
        thread.join(30)
