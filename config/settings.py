"""Settings for the project, read from the environment (and an optional `.env` file).

Every variable is listed in README.md. The defaults run a development copy out of the box on
SQLite; production sets DEBUG=False and a real SECRET_KEY and must pass `check --deploy`.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already in the environment win over the file; ENV_FILE="" reads no file.
ENV_FILE = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key-change-me-0123456789")
else:
    SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "bootstrap",
    "simple_history",
    # master database
    "subscription",
    "regions",
    "master_admin",
    # one database per company
    "doctors",
    "patients",
    "sales",
    "appointments",
    "payments",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PrivateResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "master_admin.middleware.ImpersonationMiddleware",
    "subscription.middleware.TenantMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "subscription.context_processors.tenant",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------------
# The master database holds companies, plans, users and the reference data. Every company has
# a database of its own, registered lazily by subscription.tenancy from TENANT_DATABASE_URL.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)

# Folder of the tenant SQLite files (and of the migrated template they are copied from).
TENANT_DB_DIR = Path(env("TENANT_DB_DIR", default=str(BASE_DIR / "databases")))
# A database URL with a `{slug}` placeholder, e.g. postgres://app@db:5432/tenant_{slug}.
# Empty means SQLite files `tenant_<slug>.db` under TENANT_DB_DIR.
TENANT_DATABASE_URL = env("TENANT_DATABASE_URL", default="")

DATABASE_ROUTERS = ["subscription.db_router.TenantRouter"]
# Completed connection settings of recently used company aliases kept per process (only aliases in use
# are in Django's own mapping, whatever this is).
TENANT_ALIAS_CACHE = env.int("TENANT_ALIAS_CACHE", default=64)
# Containing one company's faults (subscription/faults.py): per process, requests of one company inside
# its database at once, and how many more may wait, for how long; how long a request waits for a lock
# in a company database; how long a database found broken is reported unavailable without a new try.
TENANT_REQUEST_SLOTS = env.int("TENANT_REQUEST_SLOTS", default=2)
TENANT_REQUEST_QUEUE = env.int("TENANT_REQUEST_QUEUE", default=2)
TENANT_REQUEST_WAIT_S = env.float("TENANT_REQUEST_WAIT_S", default=1.0)
TENANT_LOCK_TIMEOUT_S = env.float("TENANT_LOCK_TIMEOUT_S", default=1.5)
TENANT_FAULT_COOLDOWN_S = env.float("TENANT_FAULT_COOLDOWN_S", default=5.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE", default="az")
LANGUAGES = [("az", _("Azerbaijani")), ("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates day first in every language (config/formats/en; Azerbaijani and Russian already are).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Baku")
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Production switches ---------------------------------------------------------------------
# HTTPS defaults to on in production; `make run` serves plain HTTP on loopback and turns it off.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy on every response (django-csp): scripts and styles only from our own
# static files, never inline (so an injected <script> or on*= attribute does not run); htmx is
# configured without eval in base.html. Bootstrap draws its small icons (select arrows, close
# buttons, the menu icon) as data: SVG images in its stylesheet, hence `img-src data:`.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- The product -----------------------------------------------------------------------------
# Days a lapsed subscription stays readable before the company is blocked.
SUBSCRIPTION_GRACE_DAYS = env.int("SUBSCRIPTION_GRACE_DAYS", default=14)
# Minutes after which a superuser's impersonation of a company ends by itself.
IMPERSONATION_MINUTES = env.int("IMPERSONATION_MINUTES", default=60)
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo")
# Uploaded tables (the sales import) are read within these limits (subscription/ui/tables.py), so
# that no file can exhaust a worker's memory or time.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=5000)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024)
IMPORT_MAX_SHARED_STRINGS_BYTES = env.int("IMPORT_MAX_SHARED_STRINGS_BYTES", default=8 * 1024 * 1024)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=1000)
APP_VERSION = env("APP_VERSION", default="0.1.0")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
