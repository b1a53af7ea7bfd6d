"""PBKDF2-HMAC-SM3 passwords: the hasher against the raw `cryptography` API, the setting that chooses it,
existing hashes rehashed at the next login (through the login page, axes and the 2FA step) without counting
as a password change, and the password history still catching reuse across hashers."""

import base64
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher, make_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kejiju.accounts import services
from kejiju.accounts.hashers import PBKDF2SM3PasswordHasher
from kejiju.accounts.models import PasswordHistory, User
from tests.factories import TEST_PASSWORD
from tests.logins import login_post
from tests.security.test_identity import _code, _enrol

ROOT = Path(__file__).resolve().parents[2]
SM3 = "kejiju.accounts.hashers.PBKDF2SM3PasswordHasher"
SHA256 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"
MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"


def _raw_pbkdf2_sm3(password: str, salt: str, iterations: int) -> str:
    kdf = PBKDF2HMAC(algorithm=hashes.SM3(), length=32, salt=salt.encode(), iterations=iterations)
    return base64.b64encode(kdf.derive(password.encode())).decode()


def test_sm3_is_the_published_sm3():
    # GB/T 32905-2016 appendix A, example 1.
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


@pytest.mark.parametrize(
    ("password", "salt", "iterations"),
    [
        ("Kejiju@2026", "xinzhou-salt-0001", 1),
        ("Kejiju@2026", "xinzhou-salt-0001", 1000),
        ("口令#科技局", "s", 777),
    ],
)
def test_known_answer_against_the_raw_cryptography_api(password, salt, iterations):
    encoded = PBKDF2SM3PasswordHasher().encode(password, salt, iterations)
    assert encoded == f"pbkdf2_sm3${iterations}${salt}${_raw_pbkdf2_sm3(password, salt, iterations)}"
    if iterations == 1:
        # One round of PBKDF2 is HMAC-SM3(password, salt ‖ INT(1)): the PRF is SM3's HMAC.
        mac = crypto_hmac.HMAC(password.encode(), hashes.SM3())
        mac.update(salt.encode() + b"\x00\x00\x00\x01")
        assert encoded.rsplit("$", 1)[1] == base64.b64encode(mac.finalize()).decode()


def test_verify_must_update_summary_and_harden_runtime(settings):
    settings.PASSWORD_SM3_ITERATIONS = 1200
    hasher = PBKDF2SM3PasswordHasher()
    encoded = hasher.encode("Kejiju@2026", hasher.salt())
    assert encoded.startswith("pbkdf2_sm3$1200$")
    assert hasher.verify("Kejiju@2026", encoded) and not hasher.verify("Kejiju@2027", encoded)
    assert not hasher.must_update(encoded)
    summary = hasher.safe_summary(encoded)
    assert summary["algorithm"] == "pbkdf2_sm3" and summary["iterations"] == 1200
    assert encoded.rsplit("$", 1)[1] not in str(summary)
    settings.PASSWORD_SM3_ITERATIONS = 2000  # the work factor rose: the hash is redone at the next login
    assert hasher.must_update(encoded)
    with mock.patch.object(hasher, "encode", wraps=hasher.encode) as encode:
        hasher.harden_runtime("wrong", encoded)
    assert encode.call_args.args[2] == 800


def _settings_module(**env) -> list[str]:
    """kejiju.settings' PASSWORD_HASHERS under this environment (or, when it refuses, its error)."""
    code = "import kejiju.settings as s; print(','.join(s.PASSWORD_HASHERS))"
    base = {k: v for k, v in os.environ.items() if k != "PASSWORD_HASH_ALGORITHM"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip().split(",") if result.returncode == 0 else [result.stderr]


def test_the_setting_chooses_the_hasher_and_keeps_the_others_for_verification():
    default = _settings_module()
    assert default[0] == SM3 and SHA256 in default  # sm3 unless told otherwise
    assert _settings_module(PASSWORD_HASH_ALGORITHM="sm3") == default
    chosen = _settings_module(PASSWORD_HASH_ALGORITHM="pbkdf2_sha256")
    assert chosen[0] == SHA256 and SM3 in chosen
    (error,) = _settings_module(PASSWORD_HASH_ALGORITHM="md5")
    assert "PASSWORD_HASH_ALGORITHM" in error


# ------------------------------------------------------------------------------- rehash at login


@pytest.fixture
def sm3_chosen(settings):
    settings.PASSWORD_HASHERS = [SM3, SHA256, MD5]
    settings.PASSWORD_SM3_ITERATIONS = 1000
    return settings


def _sha256_hash(password: str) -> str:
    hasher = get_hasher("pbkdf2_sha256")
    return hasher.encode(password, hasher.salt(), 1000)


@pytest.mark.django_db
def test_login_rehashes_a_pbkdf2_sha256_password_with_sm3_without_counting_a_change(
    client, bureau_user, sm3_chosen
):
    changed_at = timezone.now() - timedelta(days=30)
    old_hash = _sha256_hash(TEST_PASSWORD)
    User.objects.filter(pk=bureau_user.pk).update(
        password=old_hash, password_changed_at=changed_at, must_change_password=True
    )
    PasswordHistory.objects.filter(user=bureau_user).update(password=old_hash)

    assert login_post(client, bureau_user.username).status_code == 302
    user = User.objects.get(pk=bureau_user.pk)
    assert user.password.startswith("pbkdf2_sm3$1000$") and check_password(TEST_PASSWORD, user.password)
    # A rehash is not a password change: the age and the forced change at first login stay.
    assert user.password_changed_at == changed_at and user.must_change_password
    assert client.get("/")["Location"] == reverse("accounts:password_change")
    assert list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)) == [
        user.password
    ]

    client.post(reverse("accounts:logout"))
    assert login_post(client, bureau_user.username).status_code == 302
    assert User.objects.get(pk=bureau_user.pk).password == user.password  # once only
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_the_rehash_happens_at_the_password_step_of_a_two_factor_login(client, bureau_user, sm3_chosen):
    device, _ = _enrol(client, bureau_user)
    User.objects.filter(pk=bureau_user.pk).update(password=_sha256_hash(TEST_PASSWORD))
    assert login_post(client, bureau_user.username)["Location"] == reverse("accounts:login_verify")
    assert User.objects.get(pk=bureau_user.pk).password.startswith("pbkdf2_sm3$")
    assert client.post(reverse("accounts:login_verify"), {"token": _code(device, 1)}).status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_password_rehashes_nothing(client, bureau_user, sm3_chosen):
    old_hash = _sha256_hash(TEST_PASSWORD)
    User.objects.filter(pk=bureau_user.pk).update(password=old_hash)
    assert login_post(client, bureau_user.username, "Wrong#2026x").status_code == 200
    assert User.objects.get(pk=bureau_user.pk).password == old_hash


@pytest.mark.django_db
def test_the_password_history_catches_reuse_across_hashers(bureau_user, sysadmin_user, settings):
    # TEST_PASSWORD was hashed with MD5 (the factory); the next with PBKDF2-SHA256, the current with SM3.
    settings.PASSWORD_HASHERS = [SHA256, SM3, MD5]
    services.user_set_password(user=bureau_user, password="Xinzhou#2027a", actor=sysadmin_user)
    settings.PASSWORD_HASHERS = [SM3, SHA256, MD5]
    settings.PASSWORD_SM3_ITERATIONS = 1000
    services.user_set_password(user=bureau_user, password="Xinzhou#2027b", actor=sysadmin_user)
    kinds = {identify_hasher(h).algorithm for h in PasswordHistory.objects.values_list("password", flat=True)}
    assert kinds == {"md5", "pbkdf2_sha256", "pbkdf2_sm3"}
    for old in (TEST_PASSWORD, "Xinzhou#2027a", "Xinzhou#2027b"):
        with pytest.raises(ValidationError, match="最近 5 次"):
            services.user_set_password(user=bureau_user, password=old, actor=sysadmin_user)
    services.user_set_password(user=bureau_user, password="Xinzhou#2027c", actor=sysadmin_user)
    assert User.objects.get(pk=bureau_user.pk).password.startswith("pbkdf2_sm3$1000$")
    assert make_password("x").startswith("pbkdf2_sm3$")
