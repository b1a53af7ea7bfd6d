import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INTEGRITY_MAC_KEY = "YW5vdGhlci1tYWRlLXVwLWtleS1mb3ItdGhlLWNoZWNrcw=="


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "kejiju.settings_prod",
        "SECRET_KEY": "a-production-like-secret-key-with-enough-length-and-variety-0123456789",
        "ALLOWED_HOSTS": "kejiju.example.gov.cn",
        "PII_ENCRYPTION_KEY": "bWFkZS11cC1mb3ItdGhlLWNoZWNrLW9ubHktMzJieXQ=",
        "PII_KEYS": "1:bWFkZS11cC1mb3ItY2hlYw==",
        "INTEGRITY_MAC_KEY": INTEGRITY_MAC_KEY,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Nothing silenced: axes locks (username, address) pairs, so axes.W006 no longer applies.
    assert "no issues (0 silenced)" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "PII_ENCRYPTION_KEY"}}
    env["DJANGO_SETTINGS_MODULE"] = "kejiju.settings_prod"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_a_personal_data_key():
    env = {k: v for k, v in os.environ.items() if k != "PII_ENCRYPTION_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="kejiju.settings_prod", SECRET_KEY="x" * 60)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "PII_ENCRYPTION_KEY" in result.stderr


def _prod_check(**env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"INTEGRITY_MAC_KEY", "PII_KEYS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base.update(
        DJANGO_SETTINGS_MODULE="kejiju.settings_prod",
        SECRET_KEY="x" * 60,
        PII_ENCRYPTION_KEY="bWFkZS11cC1mb3ItdGhlLWNoZWNrLW9ubHktMzJieXQ=",
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_start_without_sm4_keys_or_with_bad_ones():
    for value, expected in ((None, "PII_KEYS"), ("", "PII_KEYS"), ("1:c2hvcnQ=", "core.E102")):
        extra = {"INTEGRITY_MAC_KEY": INTEGRITY_MAC_KEY}
        result = _prod_check(**extra) if value is None else _prod_check(**extra, PII_KEYS=value)
        assert result.returncode != 0, value
        assert expected in result.stderr, (value, result.stderr[-500:])


def test_production_settings_refuse_to_start_without_an_integrity_key_of_its_own():
    """The HMAC-SM3 key of archives and backup manifests: required, not another secret, and well formed."""
    keys = {"PII_KEYS": "1:bWFkZS11cC1mb3ItY2hlYw=="}
    result = _prod_check(**keys)
    assert result.returncode != 0 and "INTEGRITY_MAC_KEY" in result.stderr
    result = _prod_check(**keys, INTEGRITY_MAC_KEY="bWFkZS11cC1mb3ItdGhlLWNoZWNrLW9ubHktMzJieXQ=")
    assert result.returncode != 0 and "must differ" in result.stderr
    result = _prod_check(**keys, INTEGRITY_MAC_KEY="dG9vLXNob3J0")
    assert result.returncode != 0 and "core.E001" in result.stderr
