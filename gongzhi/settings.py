"""Gongzhi settings: everything that differs between machines comes from the environment.

Embedded default: SQLite (WAL) under var/, secrets generated into var/ on first run.
Production: DATABASE_URL=postgres://..., SECRET_KEY and GONGZHI_FIELD_KEY from the environment.
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def _secret_from_env_or_file(env_name: str, file_name: str, nbytes: int) -> str:
    """Read a secret from the environment, else from var/, generating it there once."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = VAR_DIR / file_name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


SECRET_KEY = _secret_from_env_or_file("SECRET_KEY", "secret_key", 50)
# Key for encrypting protected personal fields (AES-GCM) and their blind indexes.
FIELD_ENCRYPTION_KEY = _secret_from_env_or_file("GONGZHI_FIELD_KEY", "field_key", 32)

DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huey.contrib.djhuey",
    "gongzhi.core",
    "gongzhi.places",
    "gongzhi.people",
    "gongzhi.party",
    "gongzhi.tickets",
    "gongzhi.volunteering",
    "gongzhi.merchants",
    "gongzhi.partners",
    "gongzhi.deliberation",
    "gongzhi.owners",
    "gongzhi.microprojects",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gongzhi.core.middleware.RequestContextMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongzhi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.core.context_processors.workbench",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a write transaction takes the write lock at BEGIN, so two
        # concurrent writers queue instead of failing half-way.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too, as production does: the in-memory test database runs in
    # shared-cache mode, whose table locks fail concurrent writers at once ("database
    # table is locked") instead of queueing them on the busy timeout. One file per
    # process, so that concurrent test runs in one tree do not share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"gongzhi_test_{os.getpid()}.sqlite3")
    }
else:
    # Keep connections between requests: a new PostgreSQL connection (a forked backend) per
    # request cost more CPU than the request itself under load. dj_database_url always sets
    # CONN_MAX_AGE (to 0), so it is assigned here, not defaulted.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", 60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "gongzhi.core.auth.UsernameBackend",
    "gongzhi.core.auth.PhoneBackend",
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire: absolute age, and at browser close.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = _env_bool("SECURE_COOKIES")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Login protection: an account locks after this many consecutive failures,
# and one client address may try at most LOGIN_RATE per minute.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
LOGIN_LOCKOUT = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15)))
LOGIN_RATE = os.environ.get("LOGIN_RATE", "20/m")
RATELIMIT_VIEW = "gongzhi.core.views.ratelimited"
# Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed, e.g. "127.0.0.1".
TRUSTED_PROXIES = [p for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
RATELIMIT_IP_META_KEY = "gongzhi.core.middleware.client_ip"

# SMS login codes for residents. The console backend prints (phone masked) instead of sending.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "gongzhi.core.sms.ConsoleBackend")
SMS_CODE_TTL = 300
SMS_CODE_INTERVAL = 60
SMS_CODE_MAX_TRIES = 5

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# SQLite keeps only the key columns of the ticket statistics index (tickets.Ticket
# "ticket_path_created"); its INCLUDE columns are for PostgreSQL's index-only scan.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if not os.environ.get("REDIS_URL"):
    # locmem is per process; the embedded shape runs one process.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gongzhi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "gongzhi" / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gongzhi.core.api.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "20/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gongzhi API",
    "DESCRIPTION": "Gongzhi community governance platform API (社区治理平台接口)",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI is served by the platform itself (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Background tasks (one API: gongzhi.core.tasks). Embedded: a SQLite queue file in var/ and a
# consumer started by `make demo`; production: Redis (REDIS_URL) and `manage.py run_huey`
# workers. TASKS_IMMEDIATE=1 runs tasks inline (tests).
HUEY = {
    "name": "gongzhi",
    "immediate": _env_bool("TASKS_IMMEDIATE"),
    "results": True,
    "utc": True,
    **(
        {"huey_class": "huey.RedisHuey", "url": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")}
    ),
    "consumer": {"workers": 2, "worker_type": "thread"},
}

# Resident import (gongzhi/people/imports.py): upload size limit, the row count above which
# checking and importing run as a background task, hours an unfinished upload is kept.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 20 * 1024 * 1024))
IMPORT_BACKGROUND_ROWS = int(os.environ.get("IMPORT_BACKGROUND_ROWS", 2000))
IMPORT_KEEP_HOURS = int(os.environ.get("IMPORT_KEEP_HOURS", 24))

# Ledgers (gongzhi/core/ledger.py): the largest amount one entry may move, in the smallest unit
# (points; time-bank hours in minutes). Anything above is refused as a typing error.
LEDGER_MAX_AMOUNT = {"points": 100_000, "hours": 1_000 * 60}

# Uploaded files (ticket photos). Never served as public static files: ticket photos go
# through a view that checks the viewer may see the ticket (gongzhi/tickets/photos.py).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
TICKET_PHOTO_MAX_BYTES = int(os.environ.get("TICKET_PHOTO_MAX_BYTES", 10 * 1024 * 1024))
TICKET_PHOTO_MAX_COUNT = 9
# Larger images are refused as possible decompression bombs (Pillow's limit is set to this).
TICKET_PHOTO_MAX_PIXELS = int(os.environ.get("TICKET_PHOTO_MAX_PIXELS", 50_000_000))

# Ticket map: the tile layer URL template (e.g. https://tiles.example/{z}/{x}/{y}.png); empty:
# no tiles, grid boundaries and tickets drawn on a plain background.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

# External notification senders (gongzhi/tickets/senders.py), called in a background task
# after the step's transaction commits. Comma-separated dotted paths in the environment.
NOTIFY_SENDERS = [
    s.strip()
    for s in os.environ.get(
        "NOTIFY_SENDERS",
        "gongzhi.tickets.senders.ConsoleSender,gongzhi.tickets.senders.SmsSender",
    ).split(",")
    if s.strip()
]

# Open311 GeoReport v2 (gongzhi/tickets/open311.py): POSTed requests per client address.
OPEN311_POST_RATE = os.environ.get("OPEN311_POST_RATE", "10/m")
# Volunteering: the check-in QR code on the organiser's screen turns over every so many seconds;
# check-in opens this long before an activity, check-out stays open this long after it.
VOLUNTEERING_QR_WINDOW_SECONDS = int(os.environ.get("VOLUNTEERING_QR_WINDOW_SECONDS", 30))
VOLUNTEERING_CHECKIN_EARLY_MINUTES = int(os.environ.get("VOLUNTEERING_CHECKIN_EARLY_MINUTES", 60))
VOLUNTEERING_CHECKOUT_GRACE_MINUTES = int(
    os.environ.get("VOLUNTEERING_CHECKOUT_GRACE_MINUTES", 120)
)
# Merchants: how many days a redemption code a resident holds stays valid.
MERCHANT_CODE_VALID_DAYS = int(os.environ.get("MERCHANT_CODE_VALID_DAYS", 14))

# Policy profiles: directories searched for <name>.yaml, first match wins.
POLICY_PROFILE_DIRS = [
    Path(p) for p in os.environ.get("POLICY_PROFILE_DIRS", "").split(os.pathsep) if p
] + [BASE_DIR / "profiles"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
