"""Django settings, built from the typed :mod:`bankcrm.config.env` object."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url

from bankcrm.config.env import load_env

ENV = load_env()
BASE_DIR = ENV.var_dir.parent
VAR_DIR = ENV.var_dir
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATA_DIR = ENV.data_dir

SECRET_KEY = ENV.secret_key
DEBUG = ENV.environment == "dev"
ALLOWED_HOSTS = list(ENV.allowed_hosts)
BANKCRM_ENV = ENV.environment
BANKCRM_AS_OF = ENV.as_of

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before allauth so that its layout templates are overridden by the console's.
    "bankcrm.console",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "bankcrm.core",
    "bankcrm.identity",
    "bankcrm.audit",
    "bankcrm.privacy",
    "bankcrm.parties",
    "bankcrm.holdings",
    "bankcrm.interactions",
    "bankcrm.datasets",
    "bankcrm.monitoring",
    "bankcrm.cases",
    "bankcrm.kyc",
    "bankcrm.screening",
    "bankcrm.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bankcrm.core.middleware.RequestIdMiddleware",
    "bankcrm.core.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "bankcrm.identity.sessions.SessionTimeoutMiddleware",
    "bankcrm.identity.mfa.MFARequiredMiddleware",
]

ROOT_URLCONF = "bankcrm.config.urls"
WSGI_APPLICATION = "bankcrm.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

_db = dj_database_url.parse(ENV.database_url, conn_max_age=60, conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # DESIGN decision 6: web, worker and the audit chain all write, so WAL, IMMEDIATE
    # transactions (writers queue instead of failing on lock upgrade) and a busy timeout.
    # Persistent connections keep SQLite's page cache warm between requests.
    _db["CONN_MAX_AGE"] = 600
    _db["CONN_HEALTH_CHECKS"] = False
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
    }
    # One test database per process, so two test runs on one machine never share a file.
    _db.setdefault("TEST", {})["NAME"] = str(VAR_DIR / f"test_bankcrm_{os.getpid()}.sqlite3")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# NIST SP 800-63B Rev. 4 with MFA mandatory for everyone: >= 8 characters, up to 128 accepted,
# a blocklist (20,000 common passwords, repetitions and sequences, the user's own names), no
# composition rules and no forced periodic change. See identity/passwords.py.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "bankcrm.identity.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "bankcrm.identity.passwords.RepetitionAndSequenceValidator"},
]
if ENV.environment == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_ADAPTER = "bankcrm.identity.adapters.ClosedSignupAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300  # step-up: re-enter credentials for sensitive actions
# Throttling and temporary lockout: 5 failed sign-ins per login name (and 20 per address) in 15
# minutes block further attempts for the rest of the window; each failure and the lockout are
# audited (identity/signals.py).
ACCOUNT_RATE_LIMITS = {"login_failed": "20/15m/ip,5/15m/key", "login": "60/m/ip"}
BANKCRM_LOGIN_LOCKOUT_FAILURES = 5
BANKCRM_LOGIN_LOCKOUT_WINDOW = datetime.timedelta(minutes=15)
BANKCRM_SESSION_IDLE_SECONDS = int(os.environ.get("BANKCRM_SESSION_IDLE_SECONDS", 15 * 60))
BANKCRM_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("BANKCRM_SESSION_ABSOLUTE_SECONDS", 12 * 3600))
MFA_ADAPTER = "bankcrm.identity.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "BankCRM"
# Accept the neighbouring 30-second step too (RFC 6238 section 5.2: allow for clock drift and
# the time it takes to type); a used code stays refused for the whole window.
MFA_TOTP_TOLERANCE = 1
MFA_PASSKEY_LOGIN_ENABLED = False
# WebAuthn needs a secure context; http://localhost counts as one in browsers.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = ENV.environment in {"dev", "demo", "test"}
LOGIN_REDIRECT_URL = "/"
# No network at run time: outgoing mail is written to var/mail/ (one file per message) until a
# deployment configures a relay.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = "no-reply@bankcrm.example.com"
# A shared cache: rate limits and used-TOTP-code markers must hold across web workers.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "bankcrm_cache"}}
LOGIN_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("zh-hans", "简体中文")]
# The console catalogue first: Django's and allauth's catalogues would otherwise win for common
# words ("Note", "Filter") where the banking meaning differs.
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "console" / "locale"]
TIME_ZONE = ENV.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if ENV.environment == "test"
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub_pii": {"()": "bankcrm.core.logging.ScrubPIIFilter"},
        "request_id": {"()": "bankcrm.core.logging.RequestIdFilter"},
        "quiet_forbidden": {"()": "bankcrm.core.logging.QuietPermissionDeniedFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["quiet_forbidden", "scrub_pii", "request_id"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Defaults for a deployment behind TLS; `make demo` serves plain HTTP on localhost.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = ENV.environment == "prod"
CSRF_COOKIE_SECURE = ENV.environment == "prod"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
if ENV.environment == "prod":  # served over HTTPS behind a proxy
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
WHITENOISE_USE_FINDERS = True
