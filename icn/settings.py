"""Settings of the ICN Platform, read from environment variables."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("ICN_VAR_DIR", PROJECT_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DEBUG = env_bool("ICN_DEBUG", False)
# The development key only works with DEBUG on; production must set ICN_SECRET_KEY.
SECRET_KEY = env_secret("ICN_SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    # A placeholder that `check --deploy` flags (security.W009): never for real sessions.
    SECRET_KEY = "django-insecure-unset-" + "x" * 40
ALLOWED_HOSTS = env_list("ICN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("ICN_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("ICN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("ICN_SITE_NAME", "ICN Platform")

INSTALLED_APPS = [
    "icn.core",
    "icn.accounts",
    "icn.directory",
    "icn.opportunities",
    "icn.matching",
    "icn.projects",
    "icn.passports",
    "icn.events",
    "icn.knowledge",
    "icn.audit",
    "icn.impact",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "ninja",  # serves the API docs page's Swagger UI from our own static files
    "django_tasks",
    "django_tasks_db",
    "axes",
    "auditlog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "icn.urls"
WSGI_APPLICATION = "icn.wsgi.application"

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
                "icn.core.context_processors.platform",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'icn.sqlite3'}"),
        conn_max_age=env_int("ICN_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database lives under var/; create it rather than fail on a fresh machine.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = env_int("ICN_PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)
ICN_INVITATION_DAYS = env_int("ICN_INVITATION_DAYS", 14)

# Login throttling: lock an account, and separately an address, after repeated failures.
AXES_ENABLED = env_bool("ICN_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("ICN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("ICN_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# E-mail: console in development, a file folder or SMTP by settings.
EMAIL_BACKEND = env_str("ICN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("ICN_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("ICN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ICN_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("ICN_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("ICN_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("ICN_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("ICN_DEFAULT_FROM_EMAIL", "ICN Platform <noreply@icn.example>")

TASKS = {
    "default": {
        "BACKEND": env_str("ICN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("ICN_TIME_ZONE", "Europe/Copenhagen")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed copies need `icn collectstatic` first: production turns them on.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("ICN_STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Member imports: the largest file accepted and the most rows read from it.
ICN_IMPORT_MAX_BYTES = env_int("ICN_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
ICN_IMPORT_MAX_ROWS = env_int("ICN_IMPORT_MAX_ROWS", 10_000)
ICN_ATTACHMENT_MAX_BYTES = env_int("ICN_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("ICN_UPLOAD_MAX_MEMORY", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("ICN_SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("ICN_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("ICN_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ICN_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("ICN_HSTS_PRELOAD", True)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
if env_bool("ICN_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = env_int("ICN_SESSION_DAYS", 14) * 24 * 3600

# The audit log: every write to the platform's records, with who, when, and the values
# before and after, searchable by the secretariat on /audit/. Left out: what is derived or
# counted rather than written by someone (search vectors, task queue rows, downloads, login
# throttling), and fields that change on every visit or hold derived text.
AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = (
    "sessions",
    "contenttypes",
    "admin",
    "axes",
    "django_tasks_db",
    "matching.embedding",
    "knowledge.documentdownload",
)
AUDITLOG_EXCLUDE_TRACKING_FIELDS = ("last_login", "last_used_at", "text", "updated_at")
AUDITLOG_MASK_TRACKING_FIELDS = ("password", "token_hash")
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# Content-Security-Policy: every script and style is our own static file; no inline script,
# no eval, nothing from another origin. Inline styles stay allowed: the charts' SVG and a
# few layout attributes carry them, and they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The browser features the platform never uses are switched off for every page.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "interest-cohort": [],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ICN_LOG_LEVEL", "WARNING")},
}

ICN_DEMO_PASSWORD = env_str("ICN_DEMO_PASSWORD", "cleantech-demo")
ICN_PAGE_SIZE = env_int("ICN_PAGE_SIZE", 25)
ICN_SCOPE_RESOLVER = "icn.accounts.scopes.scope_for_user"

# Matchmaking: the embedder that turns texts into vectors (see icn/matching/engine; "hashing"
# needs no model file, for tests), whether a web process loads the model and the indexes in
# the background as it starts (so its first matching page does not wait for them), and when
# a match's follow-up feedback is due.
ICN_MATCHING_EMBEDDER = env_str("ICN_MATCHING_EMBEDDER", "minilm-int8")
ICN_MATCHING_WARM_UP = env_bool("ICN_MATCHING_WARM_UP", True)
ICN_MATCHING_FOLLOW_UP_DAYS = env_int("ICN_MATCHING_FOLLOW_UP_DAYS", 90)
# Days after a passport visit's report when the visitor is asked how it went.
ICN_PASSPORT_FOLLOW_UP_DAYS = env_int("ICN_PASSPORT_FOLLOW_UP_DAYS", 90)
