"""SkyLight settings, read from the environment with development defaults (docs/deploy.md)."""

import os
import sys
import tempfile
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from skylight.crypto import derived_key, valid_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
DEVELOPMENT_SECRET_KEY = "django-insecure-skylight-development-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
TESTING = env_bool("SKYLIGHT_TESTING") or "pytest" in sys.modules
if SECRET_KEY == DEVELOPMENT_SECRET_KEY and not (DEBUG or TESTING):
    raise ImproperlyConfigured(
        "Set SECRET_KEY: the development key is refused when DJANGO_DEBUG is off."
    )

# Production (DJANGO_DEBUG off, not under tests) must bring its own secrets.
PRODUCTION = not (DEBUG or TESTING)


def required_in_production(name: str, development_default: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value and PRODUCTION:
        raise ImproperlyConfigured(f"Set {name}: it is required when DJANGO_DEBUG is off.")
    return value or development_default


# Fernet keys for secrets at rest (skylight/crypto.py): the first encrypts, all decrypt.
SKYLIGHT_ENCRYPTION_KEYS = env_list(
    "SKYLIGHT_ENCRYPTION_KEYS", "" if PRODUCTION else derived_key(SECRET_KEY)
)
if not SKYLIGHT_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "Set SKYLIGHT_ENCRYPTION_KEYS (comma-separated Fernet keys): channel secrets are "
        "encrypted with them. Make one with: python -c 'from cryptography.fernet import "
        "Fernet; print(Fernet.generate_key().decode())'"
    )
if not all(valid_key(key) for key in SKYLIGHT_ENCRYPTION_KEYS):
    raise ImproperlyConfigured(
        "SKYLIGHT_ENCRYPTION_KEYS holds a value that is not a Fernet key "
        "(32 url-safe base64-encoded bytes)."
    )
SKYLIGHT_API_KEY_PEPPER = required_in_production("SKYLIGHT_API_KEY_PEPPER", "skylight-api-key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", "http://localhost:8000,http://127.0.0.1:8000"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    "template_partials",
    "django_q",
    "csp",
    "axes",
    "skylight",
    "skylight.site",
    "contacts",
    "channels",
    "campaigns",
]

MIDDLEWARE = [
    "skylight.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "skylight.middleware.ApiAwareCommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "skylight.middleware.CurrentAccountMiddleware",
    "skylight.middleware.UserLanguageMiddleware",
    "skylight.middleware.MethodNotAllowedPageMiddleware",
    "skylight.audit.AuditActorMiddleware",
    "skylight.api.idempotency.IdempotencyMiddleware",
    "skylight.read_cache.ReadVersionMiddleware",
    # Last, as django-axes asks: it answers a locked-out login before the view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "skylight.site.urls"
WSGI_APPLICATION = "skylight.wsgi.application"

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
                "skylight.context_processors.current_account",
                "skylight.context_processors.time_zone_name",
            ],
        },
    },
]

# Database: SQLite (WAL, busy timeout) by default so web and workers share one file;
# DATABASE_URL=postgres://... switches to PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# Persistent connections (seconds; 0 closes after each request): opening a PostgreSQL
# connection costs more than a whole API read. Off under DEBUG, where runserver starts
# a thread per request and would leave one connection behind for each.
DB_CONN_MAX_AGE = int(os.environ.get("DB_CONN_MAX_AGE", "0" if DEBUG or TESTING else "60"))
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", "")}
else:
    # Persistent connections: a new PostgreSQL connection per request costs more than
    # the request (docs/benchmarks.md).
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("SKYLIGHT_DB_CONN_MAX_AGE", "60"))
    # A health check is one more round trip (SELECT 1) at the start of every request; off
    # unless asked for, a connection that went away fails one request and is replaced.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = os.environ.get("SKYLIGHT_DB_HEALTH_CHECKS") == "1"
    if os.environ.get("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login protection (django-axes): repeated failures lock out the username and, separately,
# the client address; staff unlock under "Axes" in the admin (delete the access attempts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("SKYLIGHT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("SKYLIGHT_LOGIN_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "skylight.observability.client_ip"

LANGUAGE_CODE = "en"
# The dashboard speaks English and Arabic (browser's Accept-Language, or the user's
# choice on the account page); the API always answers in English.
LANGUAGES = [("en", "English"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STATIC_ROOT = Path(os.environ.get("SKYLIGHT_STATIC_ROOT", BASE_DIR / "staticfiles"))
# WhiteNoise serves static files in every mode; outside development and tests they are
# the compressed, content-hashed copies that `collectstatic` (the release step) writes.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:  # development serves from the finders; no collected folder is expected
    warnings.filterwarnings("ignore", message="No directory at")

# ---- HTTPS and browser protections ----
SKYLIGHT_HTTPS = env_bool("SKYLIGHT_HTTPS")
if env_bool("SKYLIGHT_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SKYLIGHT_BEHIND_PROXY = env_bool("SKYLIGHT_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = SKYLIGHT_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]  # probes inside the network
SECURE_HSTS_SECONDS = (
    int(os.environ.get("SKYLIGHT_HSTS_SECONDS", "31536000")) if SKYLIGHT_HTTPS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SKYLIGHT_HTTPS
SECURE_HSTS_PRELOAD = SKYLIGHT_HTTPS and env_bool("SKYLIGHT_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = SKYLIGHT_HTTPS
CSRF_COOKIE_SECURE = SKYLIGHT_HTTPS
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts and styles only from our static files
# (htmx included); style attributes stay allowed (they cannot run script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"

# Uploads (CSV imports): files over the cap are never stored (see skylight/uploads.py).
SKYLIGHT_MAX_UPLOAD_BYTES = int(os.environ.get("SKYLIGHT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))
# Campaign test sends (dashboard and API) per account per minute (campaigns/previews.py).
SKYLIGHT_TEST_SENDS_PER_MINUTE = int(os.environ.get("SKYLIGHT_TEST_SENDS_PER_MINUTE", 10))
# Where a CSV upload waits between the dashboard import's upload and mapping steps (all
# web processes must share it; see contacts/import_stash.py).
SKYLIGHT_IMPORT_STASH_DIR = os.environ.get(
    "SKYLIGHT_IMPORT_STASH_DIR", str(Path(tempfile.gettempdir()) / "skylight-imports")
)
FILE_UPLOAD_HANDLERS = [
    "skylight.uploads.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# ---- API ----
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["skylight.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["skylight.api.permissions.HasAccount"],
    "DEFAULT_RENDERER_CLASSES": ["skylight.api.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "skylight.api.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "skylight.api.pagination.EnvelopePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["skylight.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": os.environ.get("SKYLIGHT_API_RATE", "600/min")},
    "EXCEPTION_HANDLER": "skylight.api.exceptions.envelope_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "skylight.api.schema.EnvelopeAutoSchema",
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "SkyLight API",
    "DESCRIPTION": "Multi-day outreach campaigns over messaging channels.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Bodies are documented as JSON (uploads declare multipart themselves); forms also parse.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "skylight.api.schema.strip_trailing_slashes",
        "skylight.api.schema.id_limits",
        "skylight.api.schema.create_links",
        "skylight.api.schema.empty_filters",
        "skylight.api.schema.document_idempotency_key",
        "skylight.api.schema.constants",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ChannelTypeEnum": "contacts.models.ChannelType",
        "MessageTypeEnum": "campaigns.models.MessageType",
        "CampaignStatusEnum": "campaigns.models.CampaignStatus",
        "ContactStatusEnum": "campaigns.models.ContactStatus",
    },
}

# ---- Shared state across processes (API throttle, send-cycle heartbeat, ...) ----
# Redis when REDIS_URL is set; else the database (its table is made by `migrate`);
# process memory only under tests, where each test starts from an empty cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
SKYLIGHT_CACHE_PREFIX = os.environ.get("SKYLIGHT_CACHE_PREFIX", "skylight")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "skylight.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": SKYLIGHT_CACHE_PREFIX,
        }
    }
elif TESTING and not env_bool("SKYLIGHT_DATABASE_CACHE"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "skylight.cache.AtomicDatabaseCache",
            "LOCATION": "skylight_cache",
            "KEY_PREFIX": SKYLIGHT_CACHE_PREFIX,
        }
    }

# Seconds an API read (campaign, its contacts, contact listings) is served from the
# shared cache; writes through any request invalidate at once (skylight/read_cache.py).
# On by default with Redis only: the database cache would cost what it saves.
SKYLIGHT_API_READ_CACHE_SECONDS = int(
    os.environ.get("SKYLIGHT_API_READ_CACHE_SECONDS", "1" if REDIS_URL else "0")
)

# ---- Tenancy ----
# HMAC pepper of API key digests. Changing it invalidates every stored key.
DEVELOPMENT_API_KEY_PEPPER = "skylight-api-key"
SKYLIGHT_API_KEY_PEPPER = os.environ.get("SKYLIGHT_API_KEY_PEPPER", DEVELOPMENT_API_KEY_PEPPER)
SKYLIGHT_DEFAULT_PLAN = {
    "name": os.environ.get("SKYLIGHT_DEFAULT_PLAN_NAME", "Starter"),
    "outreach_campaigns": int(os.environ.get("SKYLIGHT_DEFAULT_OUTREACH_CAMPAIGNS", "10")),
}

# ---- Transports ----
# Development (DJANGO_DEBUG=1, as `make run` sets) may reach a gateway on this machine.
SKYLIGHT_ALLOW_PRIVATE_NETWORK = env_bool("SKYLIGHT_ALLOW_PRIVATE_NETWORK", default=DEBUG)
SKYLIGHT_WHATSAPP_API_BASE = os.environ.get(
    "SKYLIGHT_WHATSAPP_API_BASE", "https://graph.facebook.com/v21.0"
)
SKYLIGHT_TELEGRAM_API_BASE = os.environ.get(
    "SKYLIGHT_TELEGRAM_API_BASE", "https://api.telegram.org"
)
SKYLIGHT_TWILIO_API_BASE = os.environ.get("SKYLIGHT_TWILIO_API_BASE", "https://api.twilio.com")
SKYLIGHT_HTTP_CONNECT_TIMEOUT = float(os.environ.get("SKYLIGHT_HTTP_CONNECT_TIMEOUT", "5"))
SKYLIGHT_HTTP_READ_TIMEOUT = float(os.environ.get("SKYLIGHT_HTTP_READ_TIMEOUT", "15"))
# Base of the inbound webhook URLs. Unset: pages and the API show the host and port the
# request came to, and workers (no request) use this machine's web port (`make run PORT=`).
SKYLIGHT_PUBLIC_URL = os.environ.get("SKYLIGHT_PUBLIC_URL", "")
SKYLIGHT_LOCAL_URL = "http://localhost:" + (
    os.environ.get("SKYLIGHT_WEB_PORT") or os.environ.get("PORT") or "8000"
)
# WAHA's typing indicator: a random pause in this range ("low-high" seconds) between
# startTyping and the send. Off under tests so suites stay fast (see docs/channels.md).
SKYLIGHT_TYPING_PAUSE_SECONDS = os.environ.get(
    "SKYLIGHT_TYPING_PAUSE_SECONDS", "0" if TESTING else "2-6"
)
# A channel marked unavailable (e.g. its WhatsApp session stopped) is asked again this often.
SKYLIGHT_CHANNEL_PROBE_SECONDS = float(os.environ.get("SKYLIGHT_CHANNEL_PROBE_SECONDS", "120"))

# ---- Workers (django-q2) ----
Q_CLUSTER = {
    "name": os.environ.get("SKYLIGHT_Q_CLUSTER_NAME", "skylight"),
    "workers": int(os.environ.get("SKYLIGHT_WORKERS", "2")),
    "timeout": 300,
    "retry": 360,
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "poll": 0.5,
    "label": "Task queue",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# ---- Operations: health, metrics, logs ----
SKYLIGHT_METRICS_TOKEN = os.environ.get("SKYLIGHT_METRICS_TOKEN", "")
if PRODUCTION:
    # Web and worker processes of one host add their counters up in this directory.
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(BASE_DIR / ".metrics"))
SKYLIGHT_READY_CYCLE_SECONDS = float(os.environ.get("SKYLIGHT_READY_CYCLE_SECONDS", "180"))

# LOG_FORMAT=json: one JSON object a line; otherwise key=value text. Both carry the
# request id, account id and campaign id where known (skylight/observability.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "skylight.observability.ContextFilter"}},
    "formatters": {
        "keyvalue": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s%(context)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "keyvalue",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "axes.apps": {"level": "WARNING"},
    },
}
