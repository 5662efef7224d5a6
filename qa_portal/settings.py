"""Settings for QA Portal.

Every value comes from the environment (django-environ). The defaults make
`make run` work on a fresh machine: SQLite, Celery tasks run in process,
e-mail printed to the console, DEBUG on. Production sets the environment
variables listed in README.md; a missing secret key with DEBUG off is an
error, never a silent default; so is missing outgoing e-mail.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
    # Development only: a fixed, obviously insecure key so sessions survive restarts.
    SECRET_KEY = "django-insecure-development-key-only-for-local-use-never-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "qa_portal.apps.QAAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "bootstrap",
    "csp",
    "common",
    "people",
    "caseload",
    "audits",
    "allocation",
    "moderation",
    "actions",
    "imports",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files keep their own (long) caching and only Django's responses are
    # marked private; see qa_portal/middleware.py.
    "csp.middleware.CSPMiddleware",
    "qa_portal.middleware.PrivateResponseMiddleware",
    "qa_portal.middleware.DatabaseUnavailableMiddleware",
    # Django's, except that a report chart file does not save the session again (qa_portal/middleware.py).
    "qa_portal.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Every view requires sign-in unless marked @login_not_required (the login page is).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Axes must be last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qa_portal.urls"
WSGI_APPLICATION = "qa_portal.wsgi.application"

# Django's form renderer with <select> written in Python, not an include per option (common/form_renderer.py).
FORM_RENDERER = "common.form_renderer.QuickSelectRenderer"

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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# A kept connection is tested before a request reuses it, so the first request after a database
# restart reconnects instead of failing. (No cost when CONN_MAX_AGE is 0: nothing is reused.)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite allows one writer. Django's default transactions (DEFERRED) take the write lock only at
    # their first write, and a transaction that read first cannot wait for it: the second of two
    # simultaneous form posts failed at once with "database is locked". IMMEDIATE takes the lock at
    # BEGIN, where the busy timeout applies, so the second writer waits its turn (up to 20 s).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's password sign-in, limited to superusers when LOCAL_PASSWORDS is "superusers".
    "people.backends.LocalPasswordBackend",
]

# Single sign-on with the council's account: OpenID Connect through mozilla-django-oidc, documented in the README
# for Microsoft Entra ID. Off until OIDC_RP_CLIENT_ID is set; then every value below it is required.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
# Optional: also sign out at the provider (RP-initiated logout). Empty: signing out ends the portal's session only.
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_OP_LOGOUT_ORIGIN = (
    "{0.scheme}://{0.netloc}".format(urlsplit(OIDC_OP_LOGOUT_ENDPOINT)) if OIDC_OP_LOGOUT_ENDPOINT else ""
)
if OIDC_ENABLED:
    _required = {
        "OIDC_RP_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
        "OIDC_OP_ISSUER": OIDC_OP_ISSUER,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
        "OIDC_OP_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
        "OIDC_OP_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
    }
    _missing = [name for name, value in _required.items() if not value]
    if _missing:
        raise ImproperlyConfigured(f"Single sign-on (OIDC_RP_CLIENT_ID is set) also needs {', '.join(_missing)}.")
    AUTHENTICATION_BACKENDS.append("people.oidc.StaffListOIDCBackend")
# The person's claims come from the ID token, whose signature, audience, issuer, expiry and nonce are checked;
# the userinfo endpoint is not called, so the library's setting for it stays empty.
OIDC_OP_USER_ENDPOINT = None
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
OIDC_OP_LOGOUT_URL_METHOD = "people.oidc.sign_out_url"
# Who may sign in with a password: "all" (development, the demo) or "superusers" (the break-glass administrator;
# everyone else signs in with the council account).
LOCAL_PASSWORDS = env.str("LOCAL_PASSWORDS", default="all")
if LOCAL_PASSWORDS not in ("all", "superusers"):
    raise ImproperlyConfigured('LOCAL_PASSWORDS must be "all" or "superusers".')
if LOCAL_PASSWORDS == "superusers" and not OIDC_ENABLED:
    raise ImproperlyConfigured('LOCAL_PASSWORDS="superusers" needs single sign-on (OIDC_RP_CLIENT_ID and the rest).')

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle sessions expire: a signed-in laptop left in a meeting room signs itself out after this many seconds
# without a page. Each page pushes the expiry forward, writing the session at most once a minute
# (qa_portal.middleware.SessionMiddleware), so the time-out counts from the last page to within that minute.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_REFRESH_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: lock the username out after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# Lock a username after repeated failures from anywhere, and an address that guesses many usernames.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_VERBOSE = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Proxies in front of the app that append the client's address to X-Forwarded-For (1 behind the
# README's TLS proxy). Without it every sign-in seems to come from the proxy, and one lock-out by
# address locks everyone out. 0 (no proxy) uses the connection's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "qa_portal.proxies.client_ip_address"
# Lock-out guards passwords: a single sign-on attempt neither counts towards it nor is stopped by it.
AXES_WHITELIST_CALLABLE = "people.backends.is_not_a_password_attempt"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
# Date inputs render and read ISO first (qa_portal/formats/en_GB), as <input type="date"> requires.
FORMAT_MODULE_PATH = ["qa_portal.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and `make run` serve static files straight from the finders.
WHITENOISE_USE_FINDERS = DEBUG or env.bool("WHITENOISE_USE_FINDERS", default=False)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: printed to the console unless EMAIL_URL says otherwise
# (for example smtp+tls://user:password@smtp.example.org:587). In production the console is the
# log, and the e-mails carry child references and concern text: EMAIL_URL is required there.
if not DEBUG and not env.str("EMAIL_URL", default=""):
    raise ImproperlyConfigured(
        "EMAIL_URL must be set when DJANGO_DEBUG is false (e.g. smtp+tls://user:password@smtp.example.org:587): "
        "otherwise e-mails about children would be written to the log."
    )
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="qa-portal@localhost")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Celery: with no broker configured, tasks run eagerly in the calling process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None) or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "audits-daily": {"task": "audits.tasks.daily_audit_housekeeping", "schedule": crontab(hour=6, minute=0)},
    "actions-daily": {"task": "actions.tasks.actions_daily", "schedule": crontab(hour=7, minute=0)},
    "reports-monthly-draft": {"task": "reports.tasks.draft_monthly_report", "schedule": crontab(hour=7, minute=30)},
    "reports-requeue-stale": {"task": "reports.tasks.requeue_stale_report_documents", "schedule": crontab()},
    "imports-discard-stale": {
        "task": "audits.import_tasks.discard_stale_import_previews",
        "schedule": crontab(hour=3, minute=0),
    },
    # After the councils' nightly extracts land (usually by 01:00), before the day's allocation work.
    "imports-drop-folder": {"task": "imports.tasks.import_drop_folder", "schedule": crontab(hour=2, minute=0)},
}

# The cache (report figures and charts, keyed by the data version: common/data_version.py), as a django-environ
# URL: `redis://host:6379/1` (Django's own RedisCache), `locmemcache://`, or `dummycache://` (no caching). Default:
# the Celery broker when that is Redis, so every gunicorn and Celery worker shares one data version; else local
# memory, which is right for `make run` (one process) only.
_BROKER_IS_REDIS = CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
CACHES = {"default": env.cache_url("CACHE_URL", default=CELERY_BROKER_URL if _BROKER_IS_REDIS else "locmemcache://qa")}
CACHES["default"]["TIMEOUT"] = env.int("CACHE_TIMEOUT", default=7 * 24 * 3600)
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["KEY_PREFIX"] = "qa"
    # A cache that is down makes pages slower, never broken for long: the broker's short limits.
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=2, socket_timeout=5)

# Where the council's systems deliver nightly caseload and staff extracts (an SFTP drop): the nightly job imports
# each file as --full and moves it to processed/ or failed/ beside it. Blank: no drop folder. It holds children's
# case references, so it must never be a folder the web server serves (the system check imports.E001 and the job
# refuse one inside MEDIA_ROOT or the static folders).
IMPORT_DROP_DIR = env.str("IMPORT_DROP_DIR", default="")

# Reports: the broker's limits, so a page asking for a PDF while Redis is down answers within about two seconds
# (the document waits and the reports-requeue-stale job sends it again); a message whose worker died is delivered
# again after CELERY_VISIBILITY_TIMEOUT seconds (Redis's default is an hour), which must outlast the longest task.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
# Sending a task subscribes to its result in Redis; by default that retries for about 20 s before giving up.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
}
CELERY_REDIS_SOCKET_TIMEOUT = 5
# Without a broker, make report PDFs on a background thread after the response, so the page shows progress.
REPORT_PDF_THREAD = env.bool("REPORT_PDF_THREAD", default=not CELERY_BROKER_URL)
# The report's cover and page header (production: set the council's name; the demo's stands in for development).
COUNCIL_NAME = env.str("COUNCIL_NAME", default="Demo County Council" if DEBUG else "")
PROTECTIVE_MARKING = env.str("PROTECTIVE_MARKING", default="OFFICIAL-SENSITIVE")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp). Scripts only from the app's own static files: no inline
# script, no eval, so injected markup cannot run code. Styles also allow 'unsafe-inline', for
# style only: the report's server-drawn SVG charts carry <style> elements (pygal) and a few
# elements carry a computed style="width: ..." (progress bars), which a nonce cannot cover.
# CSS cannot run script, and with images, fonts and connections limited to the app itself an
# injected style has nowhere to send what it could read.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # Bootstrap draws its form icons as data: SVG.
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        # Signing out may end in a redirect to the provider's sign-out page, which browsers check against this.
        "form-action": [SELF, *([OIDC_OP_LOGOUT_ORIGIN] if OIDC_OP_LOGOUT_ORIGIN else [])],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"database_outage": {"()": "qa_portal.middleware.DatabaseOutageTracebackFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["database_outage"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
