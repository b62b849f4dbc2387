"""SkyLight settings, read from the environment (SPEC §7) with development defaults."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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
    "skylight",
    "contacts",
    "channels",
    "campaigns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "skylight.middleware.CurrentAccountMiddleware",
    "skylight.audit.AuditActorMiddleware",
    "skylight.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "skylight.urls"
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
            ],
        },
    },
]

# Database: SQLite (WAL, busy timeout) by default so web and workers share one file;
# DATABASE_URL=postgres://... switches to PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
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
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if os.environ.get("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STATIC_ROOT = BASE_DIR / "staticfiles"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"

# ---- API ----
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["skylight.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["skylight.api.permissions.HasAccount"],
    "DEFAULT_RENDERER_CLASSES": ["skylight.api.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "skylight.api.pagination.EnvelopePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["skylight.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": os.environ.get("SKYLIGHT_API_RATE", "600/min")},
    "EXCEPTION_HANDLER": "skylight.api.exceptions.envelope_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
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
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "skylight.api.schema.strip_trailing_slashes",
        "skylight.api.schema.document_idempotency_key",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ChannelTypeEnum": "contacts.models.ChannelType",
        "MessageTypeEnum": "campaigns.models.MessageType",
        "CampaignStatusEnum": "campaigns.models.CampaignStatus",
        "ContactStatusEnum": "campaigns.models.ContactStatus",
    },
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "skylight",
    }
}

# ---- Tenancy ----
SKYLIGHT_DEFAULT_PLAN = {
    "name": os.environ.get("SKYLIGHT_DEFAULT_PLAN_NAME", "Starter"),
    "outreach_campaigns": int(os.environ.get("SKYLIGHT_DEFAULT_OUTREACH_CAMPAIGNS", "10")),
}

# ---- Transports ----
SKYLIGHT_ALLOW_PRIVATE_NETWORK = env_bool("SKYLIGHT_ALLOW_PRIVATE_NETWORK")
SKYLIGHT_WHATSAPP_API_BASE = os.environ.get(
    "SKYLIGHT_WHATSAPP_API_BASE", "https://graph.facebook.com/v21.0"
)
SKYLIGHT_TELEGRAM_API_BASE = os.environ.get(
    "SKYLIGHT_TELEGRAM_API_BASE", "https://api.telegram.org"
)
SKYLIGHT_TWILIO_API_BASE = os.environ.get("SKYLIGHT_TWILIO_API_BASE", "https://api.twilio.com")
SKYLIGHT_HTTP_CONNECT_TIMEOUT = float(os.environ.get("SKYLIGHT_HTTP_CONNECT_TIMEOUT", "5"))
SKYLIGHT_HTTP_READ_TIMEOUT = float(os.environ.get("SKYLIGHT_HTTP_READ_TIMEOUT", "15"))
SKYLIGHT_PUBLIC_URL = os.environ.get("SKYLIGHT_PUBLIC_URL", "http://localhost:8000")

# ---- Workers (django-q2) ----
REDIS_URL = os.environ.get("REDIS_URL", "")
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "keyvalue": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "keyvalue"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
    },
}
