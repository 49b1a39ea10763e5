"""Settings for every environment, driven by environment variables.

With nothing set, the platform runs embedded: SQLite, Celery tasks executed eagerly
in-process, a local-memory cache and console email. Production sets DATABASE_URL,
CELERY_BROKER_URL and REDIS_URL (see .env.example and config/production.py).
"""

from pathlib import Path

import environ
from csp.constants import NONCE, SELF

from config.object_storage import storages_setting

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The default key only exists so that a fresh clone runs; the production settings
# refuse it (config/checks.py).
INSECURE_DEFAULT_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=INSECURE_DEFAULT_KEY)
DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config",
    "organisation",
    "cms",
    "learning",
    "learning.campaigns",
    "assessments",
    "insights",
    "reports",
    "hours",
    "practice",
    "api",
    # Listed so that the API's docs page renders ninja's template with the Swagger UI
    # files served from our static files; without it ninja falls back to a CDN.
    "ninja",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "organisation.users_app.UsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.SessionIdleMiddleware",
    "config.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    # After CSRF (which parses form fields anyway), authentication and CSP (its page
    # needs the user and the nonce); before every view.
    "config.middleware.RefuseNulMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "config.throttle.RateLimitMiddleware",
    # Last, so that it sees the outcome of every authentication attempt.
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
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organisation.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once when two requests write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters are bound by the server and psycopg prepares a statement once it has
    # run five times on a connection: the hot reads and writes of a quiz are then
    # parsed and planned once per connection instead of on every request. Behind a
    # pooler that cannot keep prepared statements (pgbouncer in transaction mode
    # before 1.21), set DATABASE_PREPARE_THRESHOLD to 0 to turn preparing off.
    threshold = env.int("DATABASE_PREPARE_THRESHOLD", default=5)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=threshold or None
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that is down or hangs is answered as a miss (config/cache.py)
            # within these seconds, and not tried again for RETRY_AFTER seconds.
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_TIMEOUT", default=0.5),
                "socket_timeout": env.float("REDIS_TIMEOUT", default=0.5),
                "RETRY_AFTER": env.float("REDIS_RETRY_AFTER", default=2.0),
            },
        }
    }
    # Sessions are read from the shared cache and written through to the database:
    # a signed-in request no longer spends a query on its session. Only with a cache
    # every process shares: a per-process cache would keep a signed-out session alive
    # in the other processes.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "organisation.backends.StaffNumberBackend",
]
# Sign-in against the directory (docs/ldap.md): on when LDAP_SERVER_URI is set. The
# directory checks the password; the roster (by staff number) says who signs in.
# Accounts that are not in the directory (the platform's own administrators) still
# sign in with their platform password.
LDAP_SERVER_URI = env("LDAP_SERVER_URI", default="")
LDAP_STAFF_NO_ATTR = env("LDAP_STAFF_NO_ATTR", default="employeeNumber")
AUTH_LDAP_SERVER_URI = LDAP_SERVER_URI
AUTH_LDAP_BIND_DN = env("LDAP_BIND_DN", default="")
AUTH_LDAP_BIND_PASSWORD = env("LDAP_BIND_PASSWORD", default="")
AUTH_LDAP_START_TLS = env.bool("LDAP_START_TLS", default=False)
# Names, e-mails and groups stay as the roster and the platform's roles have them.
AUTH_LDAP_ALWAYS_UPDATE_USER = False
AUTH_LDAP_NO_NEW_USERS = True
if LDAP_SERVER_URI:
    import ldap
    from django_auth_ldap.config import LDAPSearch

    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        env("LDAP_USER_BASE"),
        ldap.SCOPE_SUBTREE,
        env(
            "LDAP_USER_FILTER",
            default="(|(uid=%(user)s)(employeeNumber=%(user)s))",
        ),
    )
    AUTHENTICATION_BACKENDS.insert(1, "organisation.ldap.RosterLDAPBackend")

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# The client's address behind reverse proxies (config/client_ip.py): the number of
# proxies in front of the platform that append to X-Forwarded-For (nginx with
# proxy_add_x_forwarded_for: 1). 0 ignores the header, which a client can forge.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Failed sign-ins: five in a row lock the account/address pair for 30 minutes,
# counted from the fifth failure: tries during the lockout are refused without
# being counted, so they cannot keep an account locked for ever. The account is
# the one the typed name resolves to (account name or staff number: one budget).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "organisation.backends.lockout_username"
AXES_CLIENT_IP_CALLABLE = "config.client_ip.axes_client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)


# Posts per client address (config/throttle.py), "posts/seconds" in a fixed window:
# sign-in (site and admin) and the admin's password reset, which sends an e-mail.
def _rate_limit(name: str, default: str) -> tuple[int, int]:
    posts, _sep, seconds = env(name, default=default).partition("/")
    return int(posts), int(seconds)


RATE_LIMITS = {
    "sign_in": _rate_limit("SIGN_IN_RATE_LIMIT", "30/300"),
    "password_reset": _rate_limit("PASSWORD_RESET_RATE_LIMIT", "5/3600"),
    # Requests per API token (api/auth.py): a nightly sync of a 50,000-person roster
    # pages through 500 at a time, well inside it; a runaway loop is cut off.
    "api": _rate_limit("API_RATE_LIMIT", "600/60"),
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# "default" holds Wagtail images and documents; "private" holds report exports and
# uploaded import files: outside MEDIA_ROOT, no URL, random names, served only by
# views that check scope (config/storage.py). Both on the disk, or both in an
# S3-compatible object store with STORAGE_BACKEND=s3 (config/object_storage.py).
STORAGES = storages_setting(
    env, staticfiles="config.static.RememberedStaticFilesStorage"
)
# MEDIA_ROOT is public (the proxy serves it): only Wagtail images and documents go there.
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
PRIVATE_STORAGE_ROOT = env("PRIVATE_STORAGE_ROOT", default=str(BASE_DIR / "private"))
# Behind nginx, downloads of private files are handed to an `internal` location with
# this prefix (X-Accel-Redirect) instead of streaming through a gunicorn worker.
# Empty: Django streams the file itself.
PRIVATE_STORAGE_ACCEL_PREFIX = env("PRIVATE_STORAGE_ACCEL_PREFIX", default="")
# Days a generated report file, and an uploaded import file, are kept before the
# nightly sweep deletes it (the job's row stays, marked expired).
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)
IMPORT_UPLOAD_RETENTION_DAYS = env.int("IMPORT_UPLOAD_RETENTION_DAYS", default=30)
# Export and import jobs still queued after this many minutes (the broker was down, or
# the message was lost) are sent again, at most JOB_REQUEUE_LIMIT times, then failed.
JOB_STALE_MINUTES = env.int("JOB_STALE_MINUTES", default=10)
JOB_REQUEUE_LIMIT = env.int("JOB_REQUEUE_LIMIT", default=3)

# Upload limits: request bodies over 20 MiB are refused; import files over 50 MiB are
# refused by the importers themselves. An upload above IMPORT_UPLOAD_MAX_BYTES is
# refused by the admin import forms before it is stored or read. Uploads above 2.5 MiB
# are spooled to a temporary file (deleted with the request) rather than held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
IMPORT_UPLOAD_MAX_BYTES = env.int("IMPORT_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    # Stops spooling an import file past IMPORT_UPLOAD_MAX_BYTES (config/uploads.py).
    "config.uploads.ImportSizeCapHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Questions per GIFT or Aiken file. A 9 MB GIFT file of 200,000 questions kept a
# worker busy for more than ten minutes; the largest real bank we were sent had
# about 3,000 questions, so 5,000 leaves room and bounds one import job.
QUESTION_IMPORT_MAX_QUESTIONS = env.int("QUESTION_IMPORT_MAX_QUESTIONS", default=5000)
# Rows per imported file: a 3 MB XLSX can inflate to a million rows (and 1.5 GB in
# memory); the whole province's roster or a year's results fit well under this.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Documents are streamed by the platform after Wagtail's privacy check, never
# answered with a redirect to the storage's own address (Wagtail's choice for an
# object store): the browser needs no route to the store, and a private document's
# address cannot be passed on.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = [
    "pdf",
    "docx",
    "doc",
    "xlsx",
    "xls",
    "pptx",
    "txt",
    "mp4",
    "webm",
]

WAGTAIL_SITE_NAME = "检察教育培训平台"
WAGTAILADMIN_USER_LOGIN_FORM = "organisation.forms.AdminSignInForm"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILEMBEDS_FINDERS = []
# Avatars from gravatar.com would be an outside fetch on every admin page (and the
# CSP blocks them); the admin shows its built-in placeholder instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_USAGE_COUNT_ENABLED = False

# Celery: without a broker the tasks run eagerly in-process, so the platform works with
# nothing else installed.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}

EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="training@jcy.local")

# Content-Security-Policy: everything comes from the platform itself. Scripts run
# only from our own files, or inline with the request's nonce
# (<script nonce="{{ request.csp_nonce }}">); data for charts travels in json_script
# blocks, never in inline code, so text from imports can never become script. The
# vendored ECharts needs no eval. Inline style attributes stay allowed: they set
# widths of progress bars and cannot run code in current browsers.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# Wagtail's admin (8.0) still writes inline scripts without a nonce (date and time
# pickers, inline panels), so under its prefix script-src is this instead
# (config.middleware.ContentSecurityPolicyMiddleware).
CSP_ADMIN_PATH_PREFIXES = ["/admin/"]
CSP_ADMIN_SCRIPT_SRC = [SELF, "'unsafe-inline'"]

SESSION_COOKIE_HTTPONLY = True
# Staff share office PCs: a session ends when the browser closes, and on the server
# after SESSION_IDLE_MINUTES without a request (Django's default was 14 days).
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool(
    "SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True
)
SESSION_COOKIE_AGE = 60 * env.int("SESSION_IDLE_MINUTES", default=120)
# How often a signed-in request pushes the idle deadline back. Saving the session on
# every request would write to the database on each autosave of a quiz storm.
SESSION_REFRESH_SECONDS = min(300, SESSION_COOKIE_AGE // 4)
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Platform rules.
# A lesson can be marked done this many seconds after it was first shown to the
# learner, not before (and never without having been shown).
LESSON_MIN_SECONDS_SHOWN = env.int("LESSON_MIN_SECONDS_SHOWN", default=10)
MIN_GROUP_SIZE = env.int("MIN_GROUP_SIZE", default=5)
ANNUAL_ONLINE_HOURS = env.int("ANNUAL_ONLINE_HOURS", default=50)

# xAPI statements (api/xapi.py): activity IRIs and the actor's homePage are under
# XAPI_BASE_URL (the platform's address by default). Statement ids are UUID 5 in
# XAPI_NAMESPACE: pin it before the first push so that a change of address never
# gives the same facts new ids. Facts younger than XAPI_SETTLE_SECONDS are held back
# so that a transaction committing late is not skipped by a reader's high-water mark.
XAPI_BASE_URL = env("XAPI_BASE_URL", default="")
XAPI_NAMESPACE = env("XAPI_NAMESPACE", default="")
XAPI_SETTLE_SECONDS = env.int("XAPI_SETTLE_SECONDS", default=60)
# Optional push to an outside LRS (api/lrs.py); off while the endpoint is empty.
XAPI_LRS_ENDPOINT = env("XAPI_LRS_ENDPOINT", default="")
XAPI_LRS_KEY = env("XAPI_LRS_KEY", default="")
XAPI_LRS_SECRET = env("XAPI_LRS_SECRET", default="")
XAPI_LRS_BATCH = env.int("XAPI_LRS_BATCH", default=200)
XAPI_LRS_TIMEOUT = env.float("XAPI_LRS_TIMEOUT", default=20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
