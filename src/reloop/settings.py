"""Settings, read from environment variables with safe development defaults.

Every variable is documented in README.md ("Configuration"). Nothing here is secret in development; in
production (``DEBUG=false``) a real ``SECRET_KEY`` and ``ALLOWED_HOSTS`` are required.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import typing
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from reloop.markets.data import MARKET_CODES, MARKETS

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("RELOOP_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


DEBUG = env_bool("DEBUG", default=True)


def _development_secret_key() -> str:
    """A random key generated once and kept in var/ so sessions survive restarts in development."""
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",  # two-factor authentication (docs/legal-and-security.md)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",  # sign-in throttling
    "csp",
    "ninja",  # /api/docs: Swagger UI from django-ninja's own static files, so the page works offline
    "reloop.core",
    "reloop.markets",
    "reloop.accounts",
    "reloop.notifications",
    "reloop.catalog",
    "reloop.sellers",
    "reloop.impact",
    "reloop.offers",
    "reloop.devices",
    "reloop.passports",
    "reloop.legal",
    "reloop.pricing",
    "reloop.orders",
    "reloop.payments",
    "reloop.invoicing",
    "reloop.fulfillment",
    "reloop.checkout",
    "reloop.aftersales",
    "reloop.buyback",
    "reloop.reviews",
    "reloop.search",
    "reloop.quality",
    "reloop.console",
    "reloop.web",
    "reloop.api",
    "reloop.ops",
]

MIDDLEWARE = [
    "reloop.core.observability.RequestObservabilityMiddleware",  # request id, per-view latency
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "reloop.markets.middleware.MarketMiddleware",
    "reloop.notifications.site.SiteURLMiddleware",  # emails link to the address the request came to
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "reloop.accounts.middleware.TwoFactorMiddleware",
    "reloop.accounts.middleware.SignInThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "reloop.urls"
WSGI_APPLICATION = "reloop.wsgi.application"

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
                "reloop.markets.context_processors.market",
                "reloop.web.context_processors.navigation",
                "reloop.web.backoffice.shell.seller_nav",
                "reloop.web.console.nav.console_nav",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
# SQLite is the embedded default (WAL, BEGIN IMMEDIATE, see docs/adr/0002-sqlite-policy.md);
# PostgreSQL is chosen with DATABASE_URL=postgres://...
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'reloop.sqlite3'}"
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
_database = dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    if _database["NAME"] != ":memory:":
        Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA cache_size=-32000;"
        ),
    }
    _database["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or str(VAR_DIR / "test.sqlite3")}
elif _database["ENGINE"] == "django.db.backends.postgresql":
    _database.setdefault("TEST", {})["NAME"] = os.environ.get("TEST_DATABASE_NAME", "reloop_test")
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------------
# REDIS_URL shares the page cache, sessions and rate limits between every web and worker process (ADR 0008, 0013,
# docs/deploy.md); without it each process keeps its own cache and sessions live in the database.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("RELOOP_CACHE_PREFIX", "reloop"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"  # one sign-in, whichever process answers
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "reloop"}}

# --- Auth -----------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Buyers sign in with their email address in any case; staff accounts without one with their username.
# AxesStandaloneBackend first: it refuses a locked-out account before any password is checked.
AUTHENTICATION_BACKENDS = ["reloop.accounts.backends.SignInLockBackend", "reloop.accounts.backends.EmailBackend"]
# Read with the user on every request (one query): the header links to the seller back office for seller members.
RELOOP_USER_SELECT_RELATED = ("seller_member",)
# URL names, reversed per request: a buyer is sent to the sign-in page of the market they are browsing.
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:account"
LOGOUT_REDIRECT_URL = "web:home"

# --- Internationalisation -------------------------------------------------------------------------------
# The market (from the URL prefix) chooses language and currency; see reloop.markets.
RELOOP_DEFAULT_MARKET = os.environ.get("RELOOP_DEFAULT_MARKET", "en-gb")
RELOOP_MARKETS = env_list("RELOOP_MARKETS", [])  # empty = every market in reloop.markets.data
_unknown_markets = set(RELOOP_MARKETS) - set(MARKET_CODES)
if _unknown_markets:
    raise ImproperlyConfigured(f"RELOOP_MARKETS names unknown markets: {sorted(_unknown_markets)}")
if RELOOP_DEFAULT_MARKET not in (RELOOP_MARKETS or MARKET_CODES):
    raise ImproperlyConfigured(f"RELOOP_DEFAULT_MARKET={RELOOP_DEFAULT_MARKET!r} is not an enabled market")
# Each market code is a Django language code: the URL prefix, the active translation (fr-be falls back to
# fr) and the key of Django's reverse() cache. See docs/adr/0003-market-is-the-url-locale.md.
LANGUAGE_CODE = RELOOP_DEFAULT_MARKET
LANGUAGES = [(m.code, m.country_name) for m in MARKETS if not RELOOP_MARKETS or m.code in RELOOP_MARKETS]
LANGUAGE_COOKIE_NAME = "reloop_market"
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static files ---------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Uploaded files (after-sales photos) ----------------------------------------------------------------
# Private: nothing routes MEDIA_URL, and a web server must never serve MEDIA_ROOT. Each photo is served by a view
# that checks who is asking (docs/aftersales.md).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media-not-served/"
# S3-compatible object storage for uploaded files (django-storages) when RELOOP_S3_BUCKET is set: every web and
# worker process sees the same files. Objects are private; a permitted reader is redirected to a signed URL that
# expires after RELOOP_S3_URL_SECONDS. Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an instance role).
RELOOP_S3_BUCKET = os.environ.get("RELOOP_S3_BUCKET", "")
if RELOOP_S3_BUCKET:
    _s3_storage: typing.Any = {  # OPTIONS hold more than strings
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RELOOP_S3_BUCKET,
            "endpoint_url": os.environ.get("RELOOP_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("RELOOP_S3_REGION") or None,
            "location": os.environ.get("RELOOP_S3_PREFIX", "media"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env_int("RELOOP_S3_URL_SECONDS", 300),
            "file_overwrite": False,
            "signature_version": "s3v4",
            "addressing_style": os.environ.get("RELOOP_S3_ADDRESSING_STYLE") or None,
        },
    }
    STORAGES["default"] = _s3_storage
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS (docs/legal-and-security.md): behind a proxy that ends TLS, set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO
# (the header the proxy sets, as Django names it; its value must be "https") and SECURE_SSL_REDIRECT=true.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's health check may speak plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
if _proxy_ssl_header and not _proxy_ssl_header.startswith("HTTP_"):
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER names a request header as Django sees it: HTTP_X_FORWARDED_PROTO"
    )
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# How many proxies in front of the app append to X-Forwarded-For (0: trust REMOTE_ADDR only). Used to count
# sign-in attempts per client address.
RELOOP_PROXY_COUNT = env_int("RELOOP_PROXY_COUNT", 0)

# Content-Security-Policy (django-csp): every script and style comes from our own origin; no inline script, no
# eval. Inline style *attributes* are allowed (a score bar's width; they cannot run code). Extra sources for a
# real payment provider's pages: RELOOP_CSP_FORM_ACTION, RELOOP_CSP_FRAME_SRC, RELOOP_CSP_CONNECT_SRC.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", *env_list("RELOOP_CSP_CONNECT_SRC", [])],
        "frame-src": env_list("RELOOP_CSP_FRAME_SRC", ["'none'"]),
        "form-action": ["'self'", *env_list("RELOOP_CSP_FORM_ACTION", [])],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        **({"report-uri": os.environ["RELOOP_CSP_REPORT_URI"]} if os.environ.get("RELOOP_CSP_REPORT_URI") else {}),
    }
}
# Permissions-Policy: the site uses no camera, microphone, location, payment request or USB.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    )
}

# Sign-in throttling (reloop.accounts.throttling, ADR 0024): a per-account lock after failures (django-axes) and a
# per-address cap on attempts; password-reset requests per address and per email address, per hour.
RELOOP_SIGNIN_FAILURE_LIMIT = env_int("RELOOP_SIGNIN_FAILURE_LIMIT", 5)
RELOOP_SIGNIN_COOLOFF_MINUTES = env_int("RELOOP_SIGNIN_COOLOFF_MINUTES", 15)
RELOOP_SIGNIN_RATE_PER_IP = env_int("RELOOP_SIGNIN_RATE_PER_IP", 60)
RELOOP_PASSWORD_RESET_RATE_PER_IP = env_int("RELOOP_PASSWORD_RESET_RATE_PER_IP", 10)
RELOOP_PASSWORD_RESET_RATE_PER_EMAIL = env_int("RELOOP_PASSWORD_RESET_RATE_PER_EMAIL", 3)
if RELOOP_SIGNIN_FAILURE_LIMIT < 1 or RELOOP_SIGNIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("RELOOP_SIGNIN_FAILURE_LIMIT and RELOOP_SIGNIN_COOLOFF_MINUTES must be at least 1")
AXES_FAILURE_LIMIT = RELOOP_SIGNIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=RELOOP_SIGNIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the cool-off runs from the lock, not from each new guess
AXES_USERNAME_CALLABLE = "reloop.accounts.throttling.axes_username"
AXES_CLIENT_IP_CALLABLE = "reloop.accounts.throttling.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "reloop.accounts.throttling.lockout_response"
AXES_VERBOSE = False
# axes.W006 asks to lock by client address too. Five failures per address would lock out a whole office or mobile
# carrier behind one NAT address; the address is capped by RELOOP_SIGNIN_RATE_PER_IP instead (atomic counter).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# The platform's identity for the legal notice and legal texts (reloop.legal.identity); README, "Legal pages".
RELOOP_OPERATOR = {
    name: os.environ.get(variable, "")
    for name, variable in {
        "operator_name": "RELOOP_OPERATOR_NAME",
        "operator_legal_form": "RELOOP_OPERATOR_LEGAL_FORM",
        "operator_address": "RELOOP_OPERATOR_ADDRESS",
        "operator_email": "RELOOP_OPERATOR_EMAIL",
        "operator_phone": "RELOOP_OPERATOR_PHONE",
        "operator_registration": "RELOOP_OPERATOR_REGISTRATION",
        "operator_vat_id": "RELOOP_OPERATOR_VAT_ID",
        "operator_representative": "RELOOP_OPERATOR_REPRESENTATIVE",
        "hosting_provider": "RELOOP_HOSTING_PROVIDER",
        "dsa_contact_email": "RELOOP_DSA_CONTACT_EMAIL",
    }.items()
}

# Two-factor authentication (reloop.accounts.two_factor): required for staff on /operator/ and /admin/.
RELOOP_STAFF_TWO_FACTOR = env_bool("RELOOP_STAFF_TWO_FACTOR", default=True)
OTP_TOTP_ISSUER = os.environ.get("RELOOP_OTP_ISSUER", "Reloop")

# How long rendered catalogue fragments (navigation, specs, impact, footer) are cached; offers never are.
RELOOP_CATALOGUE_CACHE_SECONDS = env_int("RELOOP_CATALOGUE_CACHE_SECONDS", 300)
# The page cache of product, category and search bodies (ADR 0008). Off, every body renders on every view while
# the navigation and footer fragments stay cached: what a page costs right after a seller's feed purged it.
RELOOP_PAGE_CACHE = env_bool("RELOOP_PAGE_CACHE", default=True)

# Which payment provider takes the money: "test" is the built-in offline provider (see README, test cards).
RELOOP_PAYMENT_PROVIDER = os.environ.get("RELOOP_PAYMENT_PROVIDER", "test")
# Standard shipping is free; express costs this much per seller parcel, in minor units per currency.
RELOOP_EXPRESS_SHIPPING: dict[str, int] = {}

# Re-raise a failing event handler instead of logging it (the test suite turns this on).
RELOOP_STRICT_EVENTS = env_bool("RELOOP_STRICT_EVENTS", default=False)

# --- Payments (docs/adr/0009-ledger.md) -----------------------------------------------------------------
# The secret payment-provider webhooks are signed with (HMAC-SHA256); several, comma-separated, while one is
# rotated (the first signs, any verifies). Unset, it is derived from SECRET_KEY with HMAC, so every deployment
# has its own and changing SECRET_KEY changes it; a real provider's secret is always set explicitly.
RELOOP_PAYMENT_WEBHOOK_SECRET = (
    os.environ.get("RELOOP_PAYMENT_WEBHOOK_SECRET")
    or hmac.new(SECRET_KEY.encode(), b"reloop.payments.webhook-secret", hashlib.sha256).hexdigest()
)
# The platform's commission in percent of a line's total incl. VAT and shipping (DESIGN.md section 2).
try:
    RELOOP_COMMISSION_RATE = Decimal(os.environ.get("RELOOP_COMMISSION_RATE") or "10")
except InvalidOperation as exc:
    raise ImproperlyConfigured("RELOOP_COMMISSION_RATE must be a percentage such as 10 or 12.5") from exc
if not RELOOP_COMMISSION_RATE.is_finite() or not 0 <= RELOOP_COMMISSION_RATE <= 100:
    raise ImproperlyConfigured(f"RELOOP_COMMISSION_RATE must be between 0 and 100, not {RELOOP_COMMISSION_RATE}")

# --- Seller onboarding (docs/seller-onboarding.md, docs/adr/0012-seller-onboarding-and-cap.md) ---------------
# A newly approved seller sells at most this many units a day for its first days; over it, its offers leave
# the buy box until the next day (UTC).
RELOOP_NEW_SELLER_DAILY_CAP = env_int("RELOOP_NEW_SELLER_DAILY_CAP", 5)
RELOOP_NEW_SELLER_CAP_DAYS = env_int("RELOOP_NEW_SELLER_CAP_DAYS", 40)
if RELOOP_NEW_SELLER_DAILY_CAP < 1 or RELOOP_NEW_SELLER_CAP_DAYS < 0:
    raise ImproperlyConfigured("RELOOP_NEW_SELLER_DAILY_CAP must be at least 1 and RELOOP_NEW_SELLER_CAP_DAYS >= 0")

# --- Offer import (docs/offer-import.md) ------------------------------------------------------------------
# Most data lines one CSV file may carry, and its largest size in bytes; a larger file is refused whole.
RELOOP_IMPORT_MAX_LINES = env_int("RELOOP_IMPORT_MAX_LINES", 15_000)
RELOOP_IMPORT_MAX_BYTES = env_int("RELOOP_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# How the web applies an import: "task" (the task reloop.apply_offer_import on a worker, sent after commit; without
# a broker it runs at once in the web process), "thread" (a background thread of the web process), "inline" (during
# the request) or "worker" (only the apply_offer_imports job applies them; it also picks up lost tasks and threads).
RELOOP_IMPORT_APPLY = os.environ.get("RELOOP_IMPORT_APPLY", "task")
if RELOOP_IMPORT_APPLY not in {"task", "thread", "inline", "worker"}:
    raise ImproperlyConfigured(
        f"RELOOP_IMPORT_APPLY must be task, thread, inline or worker, not {RELOOP_IMPORT_APPLY!r}"
    )

# --- Seller API rate limits (docs/seller-api.md, ADR 0013): requests per minute per token; 0 turns a limit off.
RELOOP_SELLER_API_RATE_READ = env_int("RELOOP_SELLER_API_RATE_READ", 120)
RELOOP_SELLER_API_RATE_WRITE = env_int("RELOOP_SELLER_API_RATE_WRITE", 60)

# --- Fulfillment (docs/fulfillment.md, docs/adr/0011-shipping-and-delivery.md) -----------------------------
# Where parcel tracking news comes from: "simulated" (built-in, offline: parcels move picked up → in transit → out
# for delivery → delivered over RELOOP_SIMULATED_CARRIER_HOURS after shipping) or "none" (no carrier is asked).
RELOOP_CARRIER_TRACKING = os.environ.get("RELOOP_CARRIER_TRACKING", "simulated")
RELOOP_SIMULATED_CARRIER_HOURS = env_int("RELOOP_SIMULATED_CARRIER_HOURS", 48)
# A shipped parcel without delivery news this many days after shipping counts as delivered.
RELOOP_AUTO_DELIVERY_DAYS = env_int("RELOOP_AUTO_DELIVERY_DAYS", 10)
if RELOOP_CARRIER_TRACKING not in {"simulated", "none"}:
    raise ImproperlyConfigured(f"RELOOP_CARRIER_TRACKING must be simulated or none, not {RELOOP_CARRIER_TRACKING!r}")
if RELOOP_SIMULATED_CARRIER_HOURS < 1 or RELOOP_AUTO_DELIVERY_DAYS < 1:
    raise ImproperlyConfigured("RELOOP_SIMULATED_CARRIER_HOURS and RELOOP_AUTO_DELIVERY_DAYS must be at least 1")

# The backend that really sends (SMTP, console, file); Django's EMAIL_BACKEND queues each message for a worker
# (reloop.core.mail, ADR 0025), or sends it at once where there is no broker.
RELOOP_EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_BACKEND = "reloop.core.mail.QueuedEmailBackend"
# SMTP (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend): the provider's host and credentials.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 20
# Where EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend writes each message (one file per message).
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Reloop <no-reply@reloop.localhost>")
# The site's public address, for links in emails sent outside a request (after-sales steps, jobs).
RELOOP_SITE_URL = os.environ.get("RELOOP_SITE_URL", "http://127.0.0.1:8000")
# Without RELOOP_SITE_URL, an email that a request sets off links to the address that request came to (the demo on
# another port, a development server); set RELOOP_SITE_URL in production (notifications/site.py).
RELOOP_SITE_URL_FROM_REQUEST = env_bool("RELOOP_SITE_URL_FROM_REQUEST", default=not os.environ.get("RELOOP_SITE_URL"))

# US sales tax at checkout (docs/invoicing.md): "table" (built-in state base rates, an approximation) or "service"
# (a real tax service at RELOOP_TAX_SERVICE_URL with RELOOP_TAX_SERVICE_KEY; reloop.markets.tax).
RELOOP_TAX_PROVIDER = os.environ.get("RELOOP_TAX_PROVIDER", "table")
if RELOOP_TAX_PROVIDER not in {"table", "service"}:
    raise ImproperlyConfigured(f"RELOOP_TAX_PROVIDER must be table or service, not {RELOOP_TAX_PROVIDER!r}")
RELOOP_TAX_SERVICE_URL = os.environ.get("RELOOP_TAX_SERVICE_URL", "")
RELOOP_TAX_SERVICE_KEY = os.environ.get("RELOOP_TAX_SERVICE_KEY", "")
# A real email service through django-anymail (docs/emails.md): EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend
# and its settings as ANYMAIL_<NAME> variables, e.g. ANYMAIL_POSTMARK_SERVER_TOKEN → ANYMAIL["POSTMARK_SERVER_TOKEN"].
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items() if key.startswith("ANYMAIL_")}
# The file Japanese (CJK) text on invoice PDFs is drawn with; default: Noto Sans CJK from its PyPI package.
RELOOP_INVOICE_CJK_FONT = os.environ.get("RELOOP_INVOICE_CJK_FONT", "")
# Where escalated after-sales cases are announced to customer care (comma-separated; empty: nobody is emailed,
# the cases still wait at /operator/cases/).
RELOOP_AFTERSALES_EMAIL = env_list("RELOOP_AFTERSALES_EMAIL", [])

# --- Task queue: Celery (docs/adr/0025-task-queue.md, docs/deploy.md) ---------------------------------------
# CELERY_BROKER_URL: amqp://user:pass@host:5672// (RabbitMQ) or redis://host:6379/1. Unset (the embedded
# default): no broker, every task runs eagerly in the process that sends it, after its transaction commits.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Without a broker, the tasks a web request sends run once its response is sent, in the same process (ADR 0043).
RELOOP_TASKS_AFTER_RESPONSE = env_bool("RELOOP_TASKS_AFTER_RESPONSE", default=True)
CELERY_TASK_EAGER_PROPAGATES = True  # core.tasks.send_now logs (or, in tests, re-raises) a failure
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None  # nothing waits for a result: tasks write their outcome to the database
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The queue every task goes to and `reloop worker` consumes (one per deployment sharing a broker).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("RELOOP_TASK_QUEUE", "reloop")
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 270
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request never waits long for a broker that is down: the sweep jobs pick up what could not be sent.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "confirm_publish": True}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# --- Transactional outbox (docs/adr/0026-transactional-outbox.md) ---------------------------------------------
# A handler's claim on an event left unfinished this long (its process died) is taken over by the relay; keep it
# above the deliver_event task's time limit (300 s).
RELOOP_OUTBOX_LEASE_SECONDS = env_int("RELOOP_OUTBOX_LEASE_SECONDS", 600)
# An email's send claim left this long (its sender died between the claim and the mark) is taken over and the
# email sent again (ADR 0039); keep it above the send_email task's time limit (60 s).
RELOOP_EMAIL_LEASE_SECONDS = env_int("RELOOP_EMAIL_LEASE_SECONDS", 120)

# --- Logs, metrics, errors (docs/deploy.md, "Observe") ------------------------------------------------------
# RELOOP_LOG_FORMAT: "json" (one object per line with the request id; the default when DEBUG is false) or "text".
RELOOP_LOG_FORMAT = os.environ.get("RELOOP_LOG_FORMAT") or ("text" if DEBUG else "json")
if RELOOP_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"RELOOP_LOG_FORMAT must be json or text, not {RELOOP_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "reloop.core.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "reloop.core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": RELOOP_LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# /metrics (Prometheus) answers a request carrying "Authorization: Bearer <RELOOP_METRICS_TOKEN>"; without a token
# set it answers only while DEBUG is true. PROMETHEUS_MULTIPROC_DIR (read by prometheus-client) sums every process.
RELOOP_METRICS_TOKEN = os.environ.get("RELOOP_METRICS_TOKEN", "")
# Sentry (optional): errors of web and worker processes, nothing personal sent.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE") or 0),
        send_default_pii=False,
    )
