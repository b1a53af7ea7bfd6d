"""Settings for kejiju, driven by environment variables (django-environ).

With no environment at all this is the embedded default of `make run`: SQLite in the project folder and
Celery tasks run in-process. DATABASE_URL and CELERY_BROKER_URL switch to real services; production adds
kejiju.settings_prod on top.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The fallback key is only good for the embedded demo; settings_prod refuses to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-embedded-demo-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "kejiju.core",
    "kejiju.accounts",
    "experts",
    "enterprises",
    "platforms",
    "projects",
    "kejiju.reporting",
    "kejiju.units",
    "kejiju.applications",
    "kejiju.integrity",
    "kejiju.announcements",
]

MIDDLEWARE = [
    "kejiju.core.middleware.ClientIPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kejiju.core.middleware.AllowedMethodsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kejiju.core.middleware.CalendarGapMiddleware",
    "kejiju.core.middleware.StorageErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kejiju.core.middleware.AuditlogMiddleware",
    "kejiju.core.middleware.NoStoreForAuthenticatedMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    "kejiju.core.middleware.AbsoluteSessionTimeoutMiddleware",
    "kejiju.accounts.middleware.UserSessionMiddleware",
    "kejiju.core.middleware.SlidingSessionMiddleware",
    "kejiju.accounts.middleware.SecurityGateMiddleware",
]

ROOT_URLCONF = "kejiju.urls"
WSGI_APPLICATION = "kejiju.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kejiju.core.context_processors.navigation",
                "kejiju.reporting.context_processors.notices",
            ],
        },
    },
]
# Every form's fields pass through kejiju.core.widgets (ISO date inputs, no maxlength that cuts a paste).
FORM_RENDERER = "kejiju.core.widgets.FormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kejiju.accounts.backends.CachedPermissionsBackend",
]
# CACHE_URL names a Redis shared by every web process (docker-compose sets it). Sessions are then read from
# it (and written through to the database), and the permission sets it holds are dropped for every
# process at once when a role changes. Without it (`make run`, tests) each process keeps its own cache.
CACHE_URL = env("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "kejiju",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kejiju"}}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kejiju.accounts.validators.CharacterClassValidator"},
    {"NAME": "kejiju.accounts.validators.PasswordHistoryValidator"},
]
# Password hashing: PBKDF2-HMAC-SM3 (kejiju/accounts/hashers.py, what a 商用密码 assessment expects) or
# Django's PBKDF2-HMAC-SHA256. The chosen one hashes new passwords; the others stay listed so that existing
# hashes are still verified and rehashed with the chosen one at the holder's next login.
PASSWORD_HASH_ALGORITHM = env.str("PASSWORD_HASH_ALGORITHM", default="sm3")
PASSWORD_SM3_ITERATIONS = env.int("PASSWORD_SM3_ITERATIONS", default=500_000)
_PASSWORD_HASHERS = {
    "sm3": "kejiju.accounts.hashers.PBKDF2SM3PasswordHasher",
    "pbkdf2_sha256": "django.contrib.auth.hashers.PBKDF2PasswordHasher",
}
if PASSWORD_HASH_ALGORITHM not in _PASSWORD_HASHERS:
    raise ImproperlyConfigured(
        f"PASSWORD_HASH_ALGORITHM must be one of {', '.join(_PASSWORD_HASHERS)}, "
        f"not {PASSWORD_HASH_ALGORITHM!r}"
    )
PASSWORD_HASHERS = [
    _PASSWORD_HASHERS[PASSWORD_HASH_ALGORITHM],
    *(path for name, path in _PASSWORD_HASHERS.items() if name != PASSWORD_HASH_ALGORITHM),
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Passwords change every 90 days (SecurityGateMiddleware sends the user to the change page).
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after 30 idle minutes: SlidingSessionMiddleware saves an active session (which moves its
# expiry) once SESSION_REFRESH_SECONDS have passed since its last save.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Whatever the activity, a session ends 12 hours after the login (AbsoluteSessionTimeoutMiddleware).
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
# At most this many live sessions per account: at login the oldest beyond it end (0: no limit).
SESSION_LIMIT_PER_USER = env.int("SESSION_LIMIT_PER_USER", default=3)

# Two-factor authentication (TOTP + recovery codes). Required for the roles below when OTP_REQUIRED is
# on (settings_prod); the embedded demo offers it without forcing it.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=False)
OTP_REQUIRED_ROLES = ["bureau", "leader", "sysadmin", "auditor"]
OTP_TOTP_ISSUER = "忻州市科技局业务管理平台"
OTP_LOGIN_PENDING_SECONDS = 5 * 60

# django-axes: five failures of one username from one client address lock that pair for 30 minutes.
# Not the username alone: county usernames are predictable, and a stranger must not lock a county office
# out from elsewhere; not the address alone: a county office shares one gateway address. The per-address
# throttle and the captcha (kejiju.accounts.throttles) hold back one address trying many usernames.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
# The one client-address resolution (kejiju.core.clientip), not REMOTE_ADDR (the proxy's).
AXES_CLIENT_IP_CALLABLE = "kejiju.core.clientip.client_ip"

# Reverse proxies whose X-Forwarded-For is believed (comma-separated IP addresses or CIDR networks). Empty:
# no proxy is trusted and REMOTE_ADDR is the client. See kejiju/core/clientip.py and docs/deployment.md.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Where uploads and generated files live: the local disk (MEDIA_ROOT, the embedded default) or an
# S3-compatible object store that every web and worker machine shares (docs/deployment.md). Every read and
# write goes through the storage API (tests/core/test_file_storage.py), so the choice is this setting only.
FILE_STORAGE = env.str("FILE_STORAGE", default="local")


def file_storage(kind: str) -> dict:
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"FILE_STORAGE must be local or s3, not {kind!r}")
    from botocore.config import Config

    addressing_style = env.str("S3_ADDRESSING_STYLE", default="path")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            # path: https://host/bucket/key (MinIO and most in-house stores); virtual: https://bucket.host/key
            "addressing_style": addressing_style,
            "signature_version": "s3v4",
            "client_config": Config(
                s3={"addressing_style": addressing_style},
                signature_version="s3v4",
                # boto3 >= 1.36 sends every upload as an aws-chunked body with a CRC32 trailer unless told
                # otherwise, which 阿里云 OSS, 腾讯云 COS and several in-house stores refuse.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
            "location": env.str("S3_PREFIX", default=""),
            # The path of a CA bundle, for a store whose certificate comes from the bureau's own authority.
            "verify": env.str("S3_CA_BUNDLE", default="") or None,
            # Private objects only: the bucket's own (private) ACL, and every download is streamed through
            # the portal's permission checks; never a public or a pre-signed URL handed to the browser.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            # Names are generated (kejiju/core/uploads.py); a clash gets a new name, never an overwrite.
            "file_overwrite": False,
            # A file read from the store is buffered in a SpooledTemporaryFile that spills to disk past
            # this size (django-storages' default, 0, keeps every object whole in memory).
            "max_memory_size": 8 * 1024 * 1024,
        },
    }


STORAGES = {
    "default": file_storage(FILE_STORAGE),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "core/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle mb-0"}

# Celery: with no broker, tasks run in-process (the embedded demo).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=10 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=12 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that accepts connections but never answers (a frozen Redis, a network partition) must not hold
# a web request: every socket operation gives up after CELERY_BROKER_SOCKET_TIMEOUT seconds and a publish
# is tried once more, so that within about two seconds the job stays 排队中 and the sweeper queues it again
# (kejiju.core.services._enqueue). The worker's BRPOP runs in its event loop, where no socket timeout
# applies (kombu checks that connection with health_check_interval instead).
CELERY_BROKER_SOCKET_TIMEOUT = env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=0.5)
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_SOCKET_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message not acknowledged within this time is delivered again (the worker died).
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
    "socket_timeout": CELERY_BROKER_SOCKET_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_SOCKET_TIMEOUT,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = TIME_ZONE
from experts.schedule import CELERY_BEAT_SCHEDULE as EXPERTS_BEAT_SCHEDULE  # noqa: E402
from kejiju.reporting.schedule import CELERY_BEAT_SCHEDULE as REPORTING_BEAT_SCHEDULE  # noqa: E402

CELERY_BEAT_SCHEDULE: dict = {
    **REPORTING_BEAT_SCHEDULE,
    **EXPERTS_BEAT_SCHEDULE,
    # A job whose message was lost (broker down when it was requested, or restarted without its data)
    # is queued again.
    "requeue-stale-report-jobs": {"task": "kejiju.core.tasks.requeue_stale_report_jobs", "schedule": 300.0},
    # Uploads kept for an import preview that was never confirmed are removed after a day.
    "sweep-import-uploads": {"task": "kejiju.core.tasks.sweep_import_uploads", "schedule": 3600.0},
}
# Beat reads the times above as the defaults of their 系统参数 and follows a change without a restart.
CELERY_BEAT_SCHEDULER = "kejiju.core.beat:ParameterScheduler"
# Beat wakes at least once a minute, so a changed time is seen within a minute (one cache read).
CELERY_BEAT_MAX_LOOP_INTERVAL = 60
# The settings below are the defaults of the 系统参数 (kejiju.core.parameters) of the same meaning: the
# system admin's saved value wins over them; code reads them through parameters.value() only.
# County filing for month M closes this many days into month M+1 (Asia/Shanghai).
FILING_DEADLINE_DAYS = env.int("FILING_DEADLINE_DAYS", default=5)
# 网评: seated experts who have not submitted are reminded once when a panel's 网评截止时间 is this many
# hours away or less (experts.reminders, an hourly beat task).
EXPERT_REVIEW_REMINDER_HOURS = env.int("EXPERT_REVIEW_REMINDER_HOURS", default=48)
# Counties that have not filed are reminded this many days before and after the last filing day.
FILING_REMINDER_DAYS_BEFORE = env.list("FILING_REMINDER_DAYS_BEFORE", cast=int, default=[3, 1])
FILING_REMINDER_DAYS_AFTER = env.list("FILING_REMINDER_DAYS_AFTER", cast=int, default=[1, 3])
# Size limits of uploads, per file.
PROJECTS_ATTACHMENT_MAX_BYTES = env.int("PROJECTS_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
APPLICATIONS_ATTACHMENT_MAX_BYTES = env.int("APPLICATIONS_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
ANNOUNCEMENTS_ATTACHMENT_MAX_BYTES = env.int("ANNOUNCEMENTS_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
REPORTING_ATTACHMENT_MAX_BYTES = env.int("REPORTING_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
OUTREACH_PHOTO_MAX_BYTES = env.int("OUTREACH_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
UNITS_LICENCE_MAX_BYTES = env.int("UNITS_LICENCE_MAX_BYTES", default=10 * 1024 * 1024)

# A running ReportJob touches its row every HEARTBEAT seconds; one silent for LEASE seconds has lost its
# worker, and a copy of its message may claim it again.
REPORT_JOB_HEARTBEAT_SECONDS = env.int("REPORT_JOB_HEARTBEAT_SECONDS", default=10)
REPORT_JOB_LEASE_SECONDS = env.int("REPORT_JOB_LEASE_SECONDS", default=3 * REPORT_JOB_HEARTBEAT_SECONDS)
# A job still pending after this long has lost its message: the beat sweeper queues it again.
REPORT_JOB_REQUEUE_SECONDS = env.int("REPORT_JOB_REQUEUE_SECONDS", default=120)

# Keys of personal data at rest (身份证号, mobile numbers, session keys; kejiju.core.pii, kejiju.core.keys).
# PII_KEYS: the SM4 keys by version, "2:<base64 of 16 bytes>,1:<…>"; PII_KEY_VERSION: the one new values
# are written under (0: the highest); `manage.py rotate_pii_key` re-encrypts older values. Left empty, the
# embedded demo derives version 1 from PII_ENCRYPTION_KEY; production requires both (settings_prod).
PII_KEYS = env.str("PII_KEYS", default="")
PII_KEY_VERSION = env.int("PII_KEY_VERSION", default=0)
# The secret the search digests (and values written before SM4, Fernet) are keyed by: 32 random bytes,
# URL-safe base64. Never changed once there is data. Without it the embedded demo derives one from
# SECRET_KEY.
PII_ENCRYPTION_KEY = env.str("PII_ENCRYPTION_KEY", default=None)
# Where keys come from (kejiju.core.keys.KeyProvider): the environment, or an HSM / KMS adapter.
KEY_PROVIDER = env.str("KEY_PROVIDER", default="kejiju.core.keys.EnvironmentKeyProvider")

# Key of the HMAC-SM3 seals on audit archives and backup manifests (kejiju/core/integrity_mac.py): base64 of
# at least 32 random bytes, kept apart from SECRET_KEY, the personal-data key and the backups themselves.
# Without it the embedded demo derives one from SECRET_KEY; production refuses to start (settings_prod).
# Keys replaced by a new one stay listed (comma-separated): older archives and backups still verify.
INTEGRITY_MAC_KEY = env.str("INTEGRITY_MAC_KEY", default=None)
INTEGRITY_MAC_RETIRED_KEYS = env.list("INTEGRITY_MAC_RETIRED_KEYS", default=[])

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="kejiju@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Exports: more rows than this go through a ReportJob instead of the request.
EXPORT_MAX_SYNC_ROWS = env.int("EXPORT_MAX_SYNC_ROWS", default=200_000)

# Content Security Policy (django-csp 4): only our own scripts, styles, fonts and images; no inline code.
# htmx's indicator style is in kejiju.css (base.html turns off the one htmx would inject).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Bootstrap's CSS draws a few icons from data: SVGs (select arrows, the navbar toggler).
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Audit records are kept at least this long; archive_audit refuses anything younger.
AUDIT_RETENTION_DAYS = 180
AUDIT_ARCHIVE_DIR = env.path("AUDIT_ARCHIVE_DIR", default=BASE_DIR / "archive")
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")

# django-filter: an empty choice means "no filter".
FILTERS_EMPTY_CHOICE_LABEL = "全部"
FILTERS_NULL_CHOICE_LABEL = "未填写"  # a nullable field's empty value, as a reader names it
FORMAT_MODULE_PATH = ["kejiju.formats"]
