"""Settings for the test suite: real PostgreSQL and Redis, never SQLite (see tests/test_embedded.py)."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kejiju")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
# A fixed key of the HMAC-SM3 seals (archives, backup manifests), so tests can recompute a seal.
os.environ.setdefault("INTEGRITY_MAC_KEY", "a2VqaWp1LXRlc3QtaW50ZWdyaXR5LW1hYy1rZXktMzJieXRlcw==")

from .settings import *  # noqa: F403
from .settings import BASE_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".test-media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
