import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "kejiju.settings_prod",
        "SECRET_KEY": "a-production-like-secret-key-with-enough-length-and-variety-0123456789",
        "ALLOWED_HOSTS": "kejiju.example.gov.cn",
        "PII_ENCRYPTION_KEY": "bWFkZS11cC1mb3ItdGhlLWNoZWNrLW9ubHktMzJieXQ=",
        "PII_KEYS": "1:bWFkZS11cC1mb3ItY2hlYw==",
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


def test_production_settings_refuse_to_start_without_sm4_keys_or_with_bad_ones():
    base = {k: v for k, v in os.environ.items() if k not in {"PII_KEYS", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    base.update(
        DJANGO_SETTINGS_MODULE="kejiju.settings_prod",
        SECRET_KEY="x" * 60,
        PII_ENCRYPTION_KEY="bWFkZS11cC1mb3ItdGhlLWNoZWNrLW9ubHktMzJieXQ=",
    )
    for value, expected in ((None, "PII_KEYS"), ("", "PII_KEYS"), ("1:c2hvcnQ=", "core.E102")):
        env = dict(base) if value is None else {**base, "PII_KEYS": value}
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0, value
        assert expected in result.stderr, (value, result.stderr[-500:])
