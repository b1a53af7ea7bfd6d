"""The one test on SQLite: `make run`'s embedded default (no DATABASE_URL, no broker) migrates, seeds the
demo and serves a logged-in page, with report jobs running in-process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
assert settings.CELERY_TASK_ALWAYS_EAGER
call_command("migrate", verbosity=0)
call_command("seed_demo")
call_command("seed_demo")  # idempotent
client = Client()
response = client.post("/accounts/login/", {"username": "county_140902", "password": "Kejiju@2026"})
assert response.status_code == 302, response.status_code
page = client.get("/").content.decode()
assert "忻府区" in page, page[:500]
client.post("/accounts/logout/")
response = client.post("/accounts/login/", {"username": "auditor", "password": "Kejiju@2026"})
response = client.post("/accounts/audit/events/export/", {"query": ""})
from kejiju.core.models import ReportJob
job = ReportJob.objects.get(kind="audit_events_export")
assert job.state == "succeeded", (job.state, job.error)
print("EMBEDDED OK")
"""


@pytest.mark.embedded
def test_embedded_default_runs_on_sqlite(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kejiju.settings",
        # The embedded default, but in a scratch folder rather than the developer's db.sqlite3.
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "EMBEDDED OK" in result.stdout
    assert "county_140902" in result.stdout  # seed_demo prints the demo accounts
