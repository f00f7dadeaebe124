"""Settings for the project, read from the environment (and an optional `.env` file).

Every variable is listed in README.md. The defaults run a development copy out of the box on
SQLite; production sets DEBUG=False and a real SECRET_KEY and must pass `check --deploy`.
"""

import datetime
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
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
    "huey.contrib.djhuey",
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
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "master_admin.middleware.ImpersonationMiddleware",
    "subscription.accounts.second_factor.SuperuserSecondFactorMiddleware",
    "subscription.middleware.TenantMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
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
# Several servers (subscription/storage/servers.py): comma-separated NAME=URL pairs, each URL with {slug},
# e.g. pg1=postgres://app@db1:5432/tenant_{slug},pg2=postgres://app@db2:5432/tenant_{slug}. The SQLite
# folder is the server `local` (local=off removes it); TENANT_DATABASE_URL is the one-server shorthand `main`.
TENANT_SERVERS = env("TENANT_SERVERS", default="")
# Streaming replicas: NAME=URL pairs, NAME a PostgreSQL server of TENANT_SERVERS. Reports, exports and the
# platform's figures read from a company's replica while its replay lag is under REPLICA_MAX_LAG_S seconds.
TENANT_REPLICAS = env("TENANT_REPLICAS", default="")
# PgBouncer (transaction pooling) in front of a server: NAME=URL pairs like TENANT_SERVERS. Requests and jobs
# connect through it; making, moving and dropping databases connects to the server itself.
TENANT_POOLERS = env("TENANT_POOLERS", default="")
REPLICA_MAX_LAG_S = env.float("REPLICA_MAX_LAG_S", default=5.0)
# A user's reads go to the primary for this many seconds after their own write (they see what they wrote).
REPLICA_READ_YOUR_WRITES_S = env.float("REPLICA_READ_YOUR_WRITES_S", default=10.0)
# Ready, migrated databases kept on each PostgreSQL server: a new company is made by renaming one (a few
# milliseconds instead of a template copy); the job worker makes new ones after each creation.
TENANT_SPARE_DATABASES = env.int("TENANT_SPARE_DATABASES", default=2)
# A moved company's old database is kept (renamed) this many days, then `manage.py move_company --purge` drops it.
TENANT_MOVE_KEEP_DAYS = env.int("TENANT_MOVE_KEEP_DAYS", default=7)

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
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username or address before the password is even checked.
    "subscription.accounts.throttling.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failures a username, and separately
# an address, is locked out for LOGIN_LOCKOUT_MINUTES after its last failure; /admin/ unlocks.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success does not wipe the failures: else anyone with an account could clear an address's count
# by logging in between guesses. Failures older than the cool-off no longer count.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "subscription.accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "subscription.accounts.throttling.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False  # only its start-up banner; failed logins are still logged (logger "axes")
# Failed logins are logged with their username and address (never a password), for the operator.
AXES_SENSITIVE_PARAMETERS: list[str] = []

# Superusers confirm a time-based one-time code (django-otp) before /admin/, /master-admin/ and
# entering a company. On by default in production; `make run`'s demo .env turns it off.
SUPERUSER_2FA = env.bool("SUPERUSER_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = "MedRep"

# --- E-mail (password reset) ---------------------------------------------------------------------
# consolemail:// prints mails to the console; production uses e.g. smtp+tls://user:password@host:587
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="MedRep <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)

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
# Behind a reverse proxy: trust its X-Forwarded-Proto, and take the client's address from the
# last entry of X-Forwarded-For (the one the proxy added), for login throttling. Never otherwise.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
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

# --- Background jobs (Huey; docs/backups.md) -------------------------------------------------------
# The worker (`manage.py run_huey`, started by `make run` beside gunicorn) takes jobs from a SQLite
# file by default, or from Redis when REDIS_URL is set (production, several machines).
REDIS_URL = env("REDIS_URL", default="")
HUEY_DB = Path(env("HUEY_DB", default=str(BASE_DIR / "databases" / "huey.db")))
# Django's cache: in the process by default; shared in Redis with REDIS_URL, so that several web hosts
# keep no state of their own (sessions live in the master database either way).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "medrep"}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
JOB_WORKERS = env.int("JOB_WORKERS", default=2)
HUEY = {
    "name": env("HUEY_NAME", default="medrep"),
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    # Tests switch to immediate mode (jobs run in the caller, in memory) and start a real worker where they must.
    "immediate": env.bool("HUEY_IMMEDIATE", default=False),
    "utc": True,
    "results": False,
    "connection": {"url": REDIS_URL} if REDIS_URL else {"filename": str(HUEY_DB)},
    "consumer": {"workers": JOB_WORKERS, "worker_type": "thread", "scheduler_interval": 1, "periodic": True},
}
# Periodic jobs, as cron lines (minute hour day month weekday) in UTC.
STATS_SCHEDULE = env("STATS_SCHEDULE", default="5 * * * *")
BACKUP_SCHEDULE = env("BACKUP_SCHEDULE", default="30 22 * * *")  # 02:30 in Baku
DRILL_SCHEDULE = env("DRILL_SCHEDULE", default="30 0 * * *")  # 04:30 in Baku
JOB_FILES_CLEANUP_SCHEDULE = env("JOB_FILES_CLEANUP_SCHEDULE", default="45 * * * *")
MOVED_CLEANUP_SCHEDULE = env("MOVED_CLEANUP_SCHEDULE", default="15 23 * * *")  # 03:15 in Baku
# Files users' jobs make (exports) are kept this long, in JOB_FILES_DIR (default TENANT_DB_DIR/job-files).
JOB_FILES_DIR = env("JOB_FILES_DIR", default="")
JOB_FILES_HOURS = env.int("JOB_FILES_HOURS", default=24)
# The record of job runs (/master-admin/jobs/) is kept this long.
JOB_RUNS_DAYS = env.int("JOB_RUNS_DAYS", default=90)
# A sales file with more rows than this is imported by the worker, with progress on the page.
IMPORT_INLINE_ROWS = env.int("IMPORT_INLINE_ROWS", default=1000)
# A report over more days than this is counted by the worker.
REPORT_INLINE_DAYS = env.int("REPORT_INLINE_DAYS", default=400)

# --- Backups (docs/backups.md) -------------------------------------------------------------------
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "backups")))
# A second place (a mounted remote volume, say) every backup is copied to and checked against its SHA-256.
BACKUP_COPY_DIR = env("BACKUP_COPY_DIR", default="")
# Encryption at rest (AES-256-GCM) with a key derived from this secret; keep it outside the backups.
BACKUP_KEY = env("BACKUP_KEY", default="")
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=4)
BACKUP_KEEP_MONTHLY = env.int("BACKUP_KEEP_MONTHLY", default=6)
# Monitoring flags a company whose last verified backup is older than this.
BACKUP_MAX_AGE_HOURS = env.int("BACKUP_MAX_AGE_HOURS", default=36)
# Limits for importing a company bundle (hostile input): the zip, its members, one CSV cell.
BUNDLE_MAX_BYTES = env.int("BUNDLE_MAX_BYTES", default=2 * 1024**3)
BUNDLE_MAX_UNCOMPRESSED_BYTES = env.int("BUNDLE_MAX_UNCOMPRESSED_BYTES", default=8 * 1024**3)
BUNDLE_MAX_RATIO = env.int("BUNDLE_MAX_RATIO", default=200)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"worker": {"format": "[worker] %(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "worker": {"class": "logging.StreamHandler", "formatter": "worker"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # django-axes logs each failed login and lockout as a warning, and its bookkeeping as info.
        "axes": {"level": "WARNING"},
        # The job worker's own lines (`make run` shows them beside gunicorn's).
        "huey": {"handlers": ["worker"], "level": env("LOG_LEVEL", default="INFO"), "propagate": False},
    },
}
