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


# The embedded shape (SQLite) makes its own secrets on first run. Any other database is a
# production shape: a missing secret there stops the process instead of silently making a new
# key that decrypts nothing (GONGZHI_GENERATE_KEYS=true allows it for throwaway test databases).
EMBEDDED = os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite")
_GENERATE_KEYS = EMBEDDED or _env_bool("GONGZHI_GENERATE_KEYS")


def _secret_from_env_or_file(env_name: str, file_name: str, nbytes: int) -> str:
    """Read a secret from the environment, else from var/, generating it there once (embedded)."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = VAR_DIR / file_name
    if not path.exists() and not _GENERATE_KEYS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{env_name} 未设置，{path} 也不存在：生产部署必须在环境中提供该密钥"
            f"（docs/deployment.md「密钥」）。{env_name} is not set and {path} does not exist."
        )
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


SECRET_KEY = _secret_from_env_or_file("SECRET_KEY", "secret_key", 50)
# Key for encrypting protected personal fields and their blind indexes. May hold several
# versions ("2:new,1:old"; the highest is current), see gongzhi/core/crypto.py.
FIELD_ENCRYPTION_KEY = _secret_from_env_or_file("GONGZHI_FIELD_KEY", "field_key", 32)
# Cipher suite for new values: "aes" (AES-256-GCM + HMAC-SHA-256) or "sm" (SM4-GCM + HMAC-SM3;
# a new installation's audit chain then hashes with SM3). `manage.py reencrypt` after a change.
FIELD_CRYPTO = os.environ.get("GONGZHI_CRYPTO", "aes").strip().lower()
if FIELD_CRYPTO not in {"aes", "sm"}:
    raise ValueError("GONGZHI_CRYPTO must be 'aes' or 'sm'")

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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
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
    "gongzhi.estates",
    "gongzhi.partylife",
    "gongzhi.mediation",
    "gongzhi.care",
    "gongzhi.workforce",
    "gongzhi.microprojects",
    "gongzhi.keytasks",
    "gongzhi.organisations",
    "gongzhi.funds",
    "gongzhi.evaluation",
    "gongzhi.selections",
    "gongzhi.privacy",
    "gongzhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongzhi.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.core.middleware.LanguageMiddleware",
    "gongzhi.core.api_parsers.ApiQueryGuardMiddleware",  # NUL bytes in /api/v1/ queries: 400
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongzhi.core.middleware.StaffIdleTimeoutMiddleware",
    "gongzhi.core.middleware.OtpRequiredMiddleware",
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
    # A hot standby for reads (issue 20; scripts/replica.sh makes one on this machine):
    # safe requests read from it unless the user wrote in the last REPLICA_STICKY_SECONDS or
    # it is unhealthy (gongzhi/core/replicas.py). PostgreSQL only: SQLite has no replicas.
    if os.environ.get("DATABASE_REPLICA_URL"):
        DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"])
        DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
        DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
        # A short connect timeout: a replica that is down must not hold a page for long.
        DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
        # Tests run on the primary's test database (the replica alias points at it).
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
        DATABASE_ROUTERS = ["gongzhi.core.replicas.ReplicaRouter"]
        MIDDLEWARE.insert(1, "gongzhi.core.replicas.ReplicaMiddleware")
REPLICA_STICKY_SECONDS = int(os.environ.get("REPLICA_STICKY_SECONDS", 10))
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", 5))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", 5))

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
# Password rules (docs/security.md): a minimum length, three of four character classes,
# none of the last PASSWORD_HISTORY passwords again, never the published demo password.
PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", 10))
PASSWORD_HISTORY = int(os.environ.get("PASSWORD_HISTORY", 5))
# Days after which a password is due for a change (the login asks for it).
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", 90))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "gongzhi.core.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gongzhi.core.passwords.CharacterClassValidator"},
    {"NAME": "gongzhi.core.passwords.DemoPasswordValidator"},
    {"NAME": "gongzhi.core.passwords.HistoryValidator"},
]
# The demo's published accounts log in only when this is set (`make demo` sets it).
GONGZHI_DEMO = _env_bool("GONGZHI_DEMO")
# Second factor (TOTP, gongzhi/core/otp.py) for officers, administrators and everybody who may
# reveal or export personal data. Leave it on: switching it off removes the second factor.
# A demo (GONGZHI_DEMO) runs without it unless OTP_REQUIRED=true, so that a newcomer can try
# every published login at once without an authenticator app.
OTP_REQUIRED = _env_bool("OTP_REQUIRED", not GONGZHI_DEMO)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Gongzhi")
# Accounts (staff) not used for this many days are disabled by a daily task.
UNUSED_ACCOUNT_DAYS = int(os.environ.get("UNUSED_ACCOUNT_DAYS", 90))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire: absolute age, and at browser close.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Staff sessions also end after this many seconds without a request (residents: absolute age).
STAFF_IDLE_TIMEOUT = int(os.environ.get("STAFF_IDLE_TIMEOUT_MINUTES", 30)) * 60
SECURE_COOKIES = _env_bool("SECURE_COOKIES")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_FAILURE_VIEW = "gongzhi.core.views_errors.csrf_failure"  # Chinese page (issue 19)
FORM_RENDERER = "gongzhi.core.forms.FormRenderer"  # empty choice 请选择 (issue 19)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS only (SECURE_COOKIES=true means the site is served over TLS): HSTS for a year.
SECURE_HSTS_SECONDS = (
    int(os.environ.get("SECURE_HSTS_SECONDS", 31_536_000)) if SECURE_COOKIES else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_SSL_REDIRECT = False
if SECURE_COOKIES and os.environ.get("TRUSTED_PROXIES"):
    # nginx terminates TLS and overwrites X-Forwarded-Proto (docs/deployment.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Only once the proxy's header is believed: without it every request looks like plain
    # HTTP and the redirect would loop. Probes on the machine itself ask over plain HTTP.
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Subdomains and the browsers' preload list are each installation's commitment (other systems
# of the office may live on subdomains without TLS): opt-in, not a finding of `check --deploy`.
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]

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
# Production: gongzhi.core.sms_providers.AliyunBackend or TencentBackend (`check --deploy`
# refuses the console one outside the embedded demo); their account from the environment.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "gongzhi.core.sms.ConsoleBackend")
SMS_ACCESS_KEY_ID = os.environ.get("SMS_ACCESS_KEY_ID", "")
SMS_ACCESS_KEY_SECRET = os.environ.get("SMS_ACCESS_KEY_SECRET", "")
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")
SMS_TEMPLATE = os.environ.get("SMS_TEMPLATE", "")
SMS_TEMPLATE_PARAM = os.environ.get("SMS_TEMPLATE_PARAM", "text")
SMS_APP_ID = os.environ.get("SMS_APP_ID", "")
SMS_REGION = os.environ.get("SMS_REGION", "")
SMS_ENDPOINT = os.environ.get("SMS_ENDPOINT", "")
SMS_CODE_TTL = 300
SMS_CODE_INTERVAL = 60
SMS_CODE_MAX_TRIES = 5

CACHES = {
    "default": (
        {
            # Degrades to misses when Redis is down (gongzhi/core/cache.py); short timeouts so
            # a dead Redis costs milliseconds, not a hung request.
            "BACKEND": "gongzhi.core.cache.ResilientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.5},
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# SQLite keeps only the key columns of the ticket statistics index (tickets.Ticket
# "ticket_path_created"); its INCLUDE columns are for PostgreSQL's index-only scan.
SILENCED_SYSTEM_CHECKS += ["models.W040"]
# With Redis down the per-address login limit cannot count: it lets the request through, and
# each account's lockout (kept in the database) still holds (docs/deployment.md).
RATELIMIT_FAIL_OPEN = True
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
    # Production: hashed names (app.3f2a9c.css), which whitenoise serves as immutable for a
    # year, so an upgrade never meets a stale file. Embedded: plain names, no manifest needed.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if EMBEDDED
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Bodies: JSON objects or forms, checked for NUL bytes and huge numbers (issue 13).
    "DEFAULT_PARSER_CLASSES": [
        "gongzhi.core.api_parsers.ObjectJSONParser",
        "gongzhi.core.api_parsers.CheckedFormParser",
        "gongzhi.core.api_parsers.CheckedMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["gongzhi.core.api_parsers.CheckedFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gongzhi.core.api.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "20/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gongzhi API",
    "DESCRIPTION": "Gongzhi community governance platform API (社区治理平台接口)",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/v1/schema/ and /api/v1/docs/ only for signed-in users (issue 13).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI is served by the platform itself (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # One name per choice set where a field name ("status", "kind", …) carries several sets or
    # one set sits under several field names; without them the schema invents hashed names
    # (Status4b5Enum). tests/core/test_api_schema.py fails on any generator warning.
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "gongzhi.tickets.models.Status",
        "TicketKindEnum": "gongzhi.tickets.models.Kind",
        "TicketLevelEnum": "gongzhi.tickets.models.Level",
        "TicketChannelEnum": "gongzhi.tickets.models.Channel",
        "PartyOrgKindEnum": "gongzhi.party.models.OrgKind",
        "PartyMemberStatusEnum": "gongzhi.party.models.MemberStatus",
        # 单独建 / 联合建 / 挂靠建: party.Body.setup_form and estates' party_org_form.
        "PartyOrgFormEnum": "gongzhi.party.models.SetupForm",
        "PartnerItemStatusEnum": "gongzhi.partners.models.ItemStatus",
        "PrivacyRequestKindEnum": "gongzhi.privacy.models.RequestKind",
        "PrivacyRequestStatusEnum": "gongzhi.privacy.models.RequestStatus",
        # Care tags: a resident's tags, a notice's and a visit plan's tag.
        "CareTagEnum": "gongzhi.people.models.Tag",
        "CommitteeElectionMethodEnum": "gongzhi.workforce.models.ElectionMethod",
        "MicroprojectMethodEnum": "gongzhi.microprojects.models.Method",
    },
}

# Background tasks (one API: gongzhi.core.tasks). Embedded: a SQLite queue file in var/ and a
# consumer started by `make demo`; production: Redis (REDIS_URL) and `manage.py run_huey`
# workers. TASKS_IMMEDIATE=1 runs tasks inline (tests).
HUEY = {
    "name": "gongzhi",
    "immediate": _env_bool("TASKS_IMMEDIATE"),
    # Nothing reads a task's return value: storing results would only grow Redis without bound.
    "results": False,
    # Periodic schedules are Beijing wall time (the process runs in TIME_ZONE): 08:05 means 08:05.
    "utc": False,
    **(
        {"huey_class": "huey.RedisHuey", "url": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")}
    ),
    "consumer": {"workers": 2, "worker_type": "thread"},
}

# Resident import (gongzhi/people/imports/): upload size limit, the row count above which
# checking and importing run as a background task, hours an unfinished upload is kept.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 20 * 1024 * 1024))
IMPORT_BACKGROUND_ROWS = int(os.environ.get("IMPORT_BACKGROUND_ROWS", 2000))
IMPORT_KEEP_HOURS = int(os.environ.get("IMPORT_KEEP_HOURS", 24))

# Personal-information rights (gongzhi/privacy, docs/privacy.md). The PIPL sets no deadline for
# answering a correction or deletion request; GB/T 35273-2020 (8.7) suggests 15 working days:
# PRIVACY_REQUEST_DAYS counts calendar days (default 15). A resident may download their data
# PRIVACY_DOWNLOAD_RATE times (django-ratelimit syntax, per account).
PRIVACY_REQUEST_DAYS = int(os.environ.get("PRIVACY_REQUEST_DAYS", 15))
PRIVACY_DOWNLOAD_RATE = os.environ.get("PRIVACY_DOWNLOAD_RATE", "5/h")
# Uploaded spreadsheets (gongzhi/core/spreadsheets.py), checked before any parser opens them:
# total unpacked size of an .xlsx, its shared strings, the largest packed:unpacked ratio of a
# member above SPREADSHEET_RATIO_FROM bytes, members, columns. A real 20,000-row register
# unpacks to about 16 MB.
SPREADSHEET_MAX_UNPACKED = int(os.environ.get("SPREADSHEET_MAX_UNPACKED", 64 * 1024 * 1024))
SPREADSHEET_MAX_SHARED_STRINGS = int(
    os.environ.get("SPREADSHEET_MAX_SHARED_STRINGS", 16 * 1024 * 1024)
)
SPREADSHEET_MAX_RATIO = int(os.environ.get("SPREADSHEET_MAX_RATIO", 100))
SPREADSHEET_RATIO_FROM = int(os.environ.get("SPREADSHEET_RATIO_FROM", 1024 * 1024))
SPREADSHEET_MAX_MEMBERS = int(os.environ.get("SPREADSHEET_MAX_MEMBERS", 250))
SPREADSHEET_MAX_COLUMNS = int(os.environ.get("SPREADSHEET_MAX_COLUMNS", 64))

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
# Ticket ledger export (gongzhi/tickets/ledger.py): above this many rows the spreadsheet is
# written in the background (progress bar); at most this many rows; hours its file is kept.
TICKET_LEDGER_BACKGROUND_ROWS = int(os.environ.get("TICKET_LEDGER_BACKGROUND_ROWS", 3000))
TICKET_LEDGER_EXPORT_MAX_ROWS = int(os.environ.get("TICKET_LEDGER_EXPORT_MAX_ROWS", 200_000))
TICKET_LEDGER_EXPORT_KEEP_HOURS = int(os.environ.get("TICKET_LEDGER_EXPORT_KEEP_HOURS", 24))

# Ticket map: the tile layer URL template (e.g. https://tiles.example/{z}/{x}/{y}.png); empty:
# no tiles, grid boundaries and tickets drawn on a plain background.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
# The tile service's browser key, put where the URL has {key} (e.g. 天地图: `…&tk={key}`), and
# the letters or digits for {s} (天地图: 01234567; Leaflet's default abc).
MAP_TILE_KEY = os.environ.get("MAP_TILE_KEY", "")
MAP_TILE_SUBDOMAINS = os.environ.get("MAP_TILE_SUBDOMAINS", "abc")

# External notification senders (gongzhi/core/notifications.py), called in a background task
# after the step's transaction commits. Comma-separated dotted paths in the environment (the
# former gongzhi.tickets.senders.* names still load).
NOTIFY_SENDERS = [
    s.strip()
    for s in os.environ.get(
        "NOTIFY_SENDERS",
        "gongzhi.core.notifications.ConsoleSender,gongzhi.core.notifications.SmsSender",
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

# Logs (gongzhi/core/logging.py): personal data masked and query strings dropped in every
# record; the application log rotates daily under GONGZHI_LOG_DIR and keeps LOG_RETENTION_DAYS
# files (Cybersecurity Law art. 21: at least six months). GONGZHI_LOG_DIR="" logs to the
# console only (e.g. when a collector keeps stdout for six months).
LOG_DIR = os.environ.get("GONGZHI_LOG_DIR", str(VAR_DIR / "log"))
LOG_RETENTION_DAYS = max(int(os.environ.get("LOG_RETENTION_DAYS", 190)), 190)
_log_handlers = ["console"] + (["file"] if LOG_DIR else [])
if LOG_DIR:
    Path(LOG_DIR).mkdir(parents=True, exist_ok=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "gongzhi.core.logging.PersonalDataFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
        **(
            {
                "file": {
                    "class": "gongzhi.core.logging.RetainedTimedRotatingFileHandler",
                    "filename": str(Path(LOG_DIR) / "gongzhi.log"),
                    "when": "midnight",
                    "backupCount": LOG_RETENTION_DAYS,
                    "encoding": "utf-8",
                    "delay": True,
                    "formatter": "plain",
                    "filters": ["personal_data"],
                }
            }
            if LOG_DIR
            else {}
        ),
    },
    "root": {"handlers": _log_handlers, "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own loggers (request errors, runserver's access lines) through the same handlers.
    "loggers": {
        "django": {"handlers": _log_handlers, "level": "INFO", "propagate": False},
        "django.server": {"handlers": _log_handlers, "level": "INFO", "propagate": False},
        # The task worker's logger, configured here so `run_huey` adds no handler of its own:
        # its lines then appear once, through the personal-data filter, in the same file.
        "huey": {"handlers": _log_handlers, "level": "INFO", "propagate": False},
    },
}
