"""Production settings: everything of kejiju.settings plus the deployment checklist."""

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # no default: refuse to start without one
# Likewise: personal data is never encrypted with a key derived from another secret (kejiju.core.keys):
# the digest secret and the SM4 keys are given.
PII_ENCRYPTION_KEY = env.str("PII_ENCRYPTION_KEY")
PII_KEYS = env.str("PII_KEYS")
if not PII_KEYS.strip():
    raise ImproperlyConfigured("Set PII_KEYS (docs/deployment.md): the SM4 keys of personal data.")
# Likewise: the seals on audit archives and backup manifests (kejiju/core/integrity_mac.py), a key of its own.
INTEGRITY_MAC_KEY = env.str("INTEGRITY_MAC_KEY")
if INTEGRITY_MAC_KEY in {SECRET_KEY, PII_ENCRYPTION_KEY}:
    raise ImproperlyConfigured("INTEGRITY_MAC_KEY must differ from SECRET_KEY and PII_ENCRYPTION_KEY")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production runs behind a TLS proxy: by default one on this machine (gunicorn bound to loopback);
# docker-compose.yml names the proxy's address on its network. See kejiju/core/clientip.py.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Bureau staff, leadership, the system admin and the auditor must use two-factor authentication.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)

STORAGES = {
    "default": STORAGES["default"],  # noqa: F405 - local disk or object store, by FILE_STORAGE
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
