"""Settings for the knowledge hub, every one of them from the environment.

Nothing set: the embedded default (SQLite file, database search, on-disk RDF store, DEBUG on).
``DEBUG=false`` requires ``SECRET_KEY`` and ``ALLOWED_HOSTS``. The README lists every variable.
"""

from pathlib import Path

from hub.floor.config import (
    ConfigurationError,
    database_config,
    elasticsearch_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    http_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env_str("HUB_DATA_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigurationError(
            "SECRET_KEY is required when DEBUG is off: set it to a long random string "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    SECRET_KEY = "insecure-development-key-only-for-DEBUG"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ConfigurationError(
        "ALLOWED_HOSTS is required when DEBUG is off: a comma-separated list such as hub.example.gov.uk."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Behind a proxy that sets X-Forwarded-Host, links in API answers and feeds use the host the client
# asked for (still checked against ALLOWED_HOSTS); off, they use the Host header the proxy sent.
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)

INSTALLED_APPS = [
    "hub",
    "hub.floor",
    "communities",
    "linkeddata",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # the API docs page's Swagger UI from the hub's static files, no CDN
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "hub.middleware.SecurityHeadersMiddleware",  # first, so even the HTTPS redirect carries them
    "hub.floor.api_errors.ApiErrorMiddleware",  # every error under /api/ in the API's JSON shape
    "hub.middleware.DatabaseRetryMiddleware",  # retries a request the database failed, once
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hub.floor.bad_input.NulByteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "communities.people.middleware.PersonalTokenMiddleware",
    "hub.floor.pagecache.AnonymousPageCacheMiddleware",  # visitors' pages, until the next change
    "hub.middleware.KeptWagtailSiteMiddleware",  # Wagtail's site and root page, until the next change
    "communities.people.middleware.MemoisedReadsMiddleware",  # one membership read per request
    "django.contrib.messages.middleware.MessageMiddleware",
    "communities.refusals.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "communities.redirects.ReadableRedirectMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hub" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hub.context_processors.site",
                "communities.discussions.context_processors.notifications",
                "communities.good_practice.context_processors.waiting",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {"default": database_config(DATABASE_URL, DATA_DIR / "hub.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Search: Elasticsearch when ELASTICSEARCH_URL is set, otherwise the database.
ELASTICSEARCH_URL = elasticsearch_url(env_str("ELASTICSEARCH_URL"))
ELASTICSEARCH_INDEX_PREFIX = env_str("ELASTICSEARCH_INDEX_PREFIX", "hub")
ELASTICSEARCH_TIMEOUT = env_int("ELASTICSEARCH_TIMEOUT", 5, minimum=1)
SAVED_SEARCHES_PER_MEMBER = env_int("SAVED_SEARCHES_PER_MEMBER", 25, minimum=1)
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Linked data: an on-disk RDF store by default; SPARQL_ENDPOINT_URL points at an external SPARQL server,
# and SPARQL_GRAPH_STORE_URL at its Graph Store Protocol endpoint, through which publishing keeps it in step.
RDF_STORE_PATH = Path(env_str("RDF_STORE_PATH") or DATA_DIR / "rdf")
SPARQL_ENDPOINT_URL = http_url(
    "SPARQL_ENDPOINT_URL", env_str("SPARQL_ENDPOINT_URL"), "use the local RDF store"
)
SPARQL_GRAPH_STORE_URL = http_url(
    "SPARQL_GRAPH_STORE_URL", env_str("SPARQL_GRAPH_STORE_URL"), "load the SPARQL server yourself"
)
# Its SPARQL 1.1 Update endpoint: the public content graph is then changed item by item, not replaced.
SPARQL_UPDATE_URL = http_url(
    "SPARQL_UPDATE_URL", env_str("SPARQL_UPDATE_URL"), "replace the content graph whole"
)
if SPARQL_GRAPH_STORE_URL and not SPARQL_ENDPOINT_URL:
    raise ConfigurationError(
        "SPARQL_GRAPH_STORE_URL is set but SPARQL_ENDPOINT_URL is not: set both to use an external SPARQL server."
    )
if SPARQL_UPDATE_URL and not SPARQL_ENDPOINT_URL:
    raise ConfigurationError(
        "SPARQL_UPDATE_URL is set but SPARQL_ENDPOINT_URL is not: set both to use an external SPARQL server."
    )
SPARQL_TIMEOUT_SECONDS = env_int("SPARQL_TIMEOUT_SECONDS", 10, minimum=1)
SPARQL_MAX_ROWS = env_int("SPARQL_MAX_ROWS", 10000, minimum=1)
# What one query may ask of the endpoint (checked before parsing, and in the engine processes).
SPARQL_MAX_QUERY_BYTES = env_int("SPARQL_MAX_QUERY_BYTES", 65536, minimum=100)
SPARQL_MAX_QUERY_DEPTH = env_int("SPARQL_MAX_QUERY_DEPTH", 64, minimum=4)
SPARQL_MAX_QUERY_TERMS = env_int("SPARQL_MAX_QUERY_TERMS", 5000, minimum=10)
SPARQL_MAX_VALUE_BYTES = env_int("SPARQL_MAX_VALUE_BYTES", 1_000_000, minimum=100)
SPARQL_MAX_ANSWER_BYTES = env_int("SPARQL_MAX_ANSWER_BYTES", 64_000_000, minimum=1000)
SPARQL_ENGINE_PROCESSES = env_int("SPARQL_ENGINE_PROCESSES", 2, minimum=1)
SPARQL_ENGINE_MEMORY_MB = env_int("SPARQL_ENGINE_MEMORY_MB", 2048, minimum=0)
SPARQL_CLIENT_CONCURRENCY = env_int("SPARQL_CLIENT_CONCURRENCY", 1, minimum=1)
SPARQL_SERVER_CONCURRENCY = env_int("SPARQL_SERVER_CONCURRENCY", 8, minimum=1)  # per web process

# Background work (index updates, emails) through django-tasks and its database queue.
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
if TASKS_BACKEND not in {"database", "immediate"}:
    raise ConfigurationError(f"TASKS_BACKEND={TASKS_BACKEND!r}: use 'database' or 'immediate'.")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TASKS_BACKEND == "database"
        else "django_tasks.backends.immediate.ImmediateBackend",
    }
}
# The task worker (manage.py hub_worker): how often it writes its heartbeat and sweeps overdue work,
# and how long a worker may go unseen before its running task is given to another worker.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 5, minimum=1)
WORKER_LEASE_SECONDS = env_int("WORKER_LEASE_SECONDS", 60, minimum=2)
# /healthz: past these ages (seconds) background work is reported degraded; 0 disables the check.
HEALTH_BACKLOG_WARNING_SECONDS = env_int("HEALTH_BACKLOG_WARNING_SECONDS", 300)
HEALTH_BACKLOG_FAILING_SECONDS = env_int("HEALTH_BACKLOG_FAILING_SECONDS", 0)
HEALTH_WORKER_STALE_SECONDS = env_int("HEALTH_WORKER_STALE_SECONDS", 60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or DATA_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or DATA_DIR / "media")
# Documents and post attachments (hub.floor.storage): served only through the hub's checked views,
# so never under MEDIA_ROOT, which a web server may serve as it is.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT") or DATA_DIR / "private")
if PRIVATE_MEDIA_ROOT.resolve().is_relative_to(
    MEDIA_ROOT.resolve()
) or MEDIA_ROOT.resolve().is_relative_to(PRIVATE_MEDIA_ROOT.resolve()):
    raise ConfigurationError(
        f"PRIVATE_MEDIA_ROOT={PRIVATE_MEDIA_ROOT} and MEDIA_ROOT={MEDIA_ROOT} overlap: "
        "private files must live outside the public media folder."
    )
STORAGES = {
    "default": {"BACKEND": "hub.floor.storage.MediaStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
# Where the file-based backend (django.core.mail.backends.filebased.EmailBackend) writes each email.
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH") or DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Knowledge Hub <hub@localhost>")
# Where to report a vulnerability (/.well-known/security.txt); default: the sender address above.
SECURITY_CONTACT = env_str("SECURITY_CONTACT")
# The support address on the contact and privacy pages; default: the sender address above.
CONTACT_EMAIL = env_str("CONTACT_EMAIL")

SITE_NAME = env_str("SITE_NAME", "Local Government Knowledge Hub")
WAGTAIL_SITE_NAME = SITE_NAME
WAGTAILADMIN_BASE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The admin loads nothing from other sites (the Content-Security-Policy would block it anyway): no
# Gravatar images (which would tell Gravatar who edits the hub), no check for new Wagtail releases.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "ods", "pdf", "pptx", "txt", "xlsx"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
TAGGIT_CASE_INSENSITIVE = True

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS: redirect plain HTTP (behind the proxy, judged by X-Forwarded-Proto) and HSTS, both opt-in
# by setting because a wrong HSTS cannot be taken back from browsers that have seen it.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's and orchestrator's probe speaks plain HTTP

# Content-Security-Policy (hub.middleware): scripts only from the hub's own static files, nothing inline,
# no eval; no plugins, no framing. Styles allow 'unsafe-inline' because the server-rendered pygal charts
# carry a <style> per chart (scoped to the chart's id) and Wagtail's userbar sets style attributes;
# member content cannot contain styles (nh3 strips them), and styles cannot run code.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Wagtail's admin (under /admin/) gets its own, looser policy: some of its panels (inline panels,
# multiple choosers, workflow dialogs) render inline <script> blocks and it cannot take a nonce, so
# inline scripts are allowed there only, still with no eval; its page preview frames the hub's own
# pages, hence frame-src and frame-ancestors 'self'. Only signed-in editors reach those pages.
CONTENT_SECURITY_POLICY_ADMIN = {
    **CONTENT_SECURITY_POLICY,
    "script-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "frame-src": ["'self'"],
    "frame-ancestors": ["'self'"],
}
CONTENT_SECURITY_POLICY_ADMIN_PREFIX = "/admin/"
# Browser features the hub never uses, switched off for every page and anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "elastic_transport": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# Communities: discussion limits (per member, per rolling hour) and attachments.
# How many reverse proxies in front of the hub append to X-Forwarded-For (hub.floor.clients).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Accounts: every sign-in goes through the throttled backend (communities.people.services.signin);
# account emails (confirmations, resets, invitations, notices) are limited per address and requester.
AUTHENTICATION_BACKENDS = ["communities.people.backends.ThrottledModelBackend"]
SIGN_IN_FAILURES_PER_ACCOUNT = env_int("SIGN_IN_FAILURES_PER_ACCOUNT", 5, minimum=1)
SIGN_IN_FAILURES_PER_ADDRESS = env_int("SIGN_IN_FAILURES_PER_ADDRESS", 20, minimum=1)
SIGN_IN_LOCK_MINUTES = env_int("SIGN_IN_LOCK_MINUTES", 15, minimum=1)
ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR = env_int("ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR", 5, minimum=1)
ACCOUNT_EMAILS_PER_CLIENT_PER_HOUR = env_int("ACCOUNT_EMAILS_PER_CLIENT_PER_HOUR", 20, minimum=1)
INVITATIONS_PER_HOUR = env_int("INVITATIONS_PER_HOUR", 50, minimum=1)
# Staff change and reset passwords on the hub's own pages, which revoke tokens and are rate-limited.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False

THREADS_PER_HOUR = env_int("THREADS_PER_HOUR", 10, minimum=1)
POSTS_PER_HOUR = env_int("POSTS_PER_HOUR", 60, minimum=1)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
THREAD_POSTS_PER_PAGE = env_int("THREAD_POSTS_PER_PAGE", 20, minimum=1)
COMMUNITY_THREADS_PER_PAGE = env_int("COMMUNITY_THREADS_PER_PAGE", 20, minimum=1)
# A member's dashboard visit is written at most once in this many minutes; 0: every view
DASHBOARD_SEEN_MINUTES = env_int("DASHBOARD_SEEN_MINUTES", 15, minimum=0)
# The area and measure pages' "Discussions about these figures" panel: most recent first.
FIGURE_DISCUSSIONS_PER_PANEL = env_int("FIGURE_DISCUSSIONS_PER_PANEL", 10, minimum=1)
COMMUNITIES_PER_PAGE = env_int("COMMUNITIES_PER_PAGE", 20, minimum=1)
# Where kept pages, fragments, lists and search answers live (hub.floor.pagecache, hub.floor.fragments,
# search.queries, linked-data documents): each process's own memory, the least recently used dropped
# first past CACHE_MAX_ENTRIES or CACHE_MAX_MEGABYTES (hub.floor.memorycache). Django's default of 300
# entries is fewer than a visitor's walk through a few hundred pages makes (each page and its parts),
# so at the seed's scale nearly every page was built afresh; 10,000 entries are about 70 MB at the
# pages' mean of 7 KB. The bound in bytes keeps anyone asking for many large pages from filling memory.
CACHES = {
    "default": {
        "BACKEND": "hub.floor.memorycache.MemoryBoundCache",
        "LOCATION": "hub",
        "OPTIONS": {
            "MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 10_000, minimum=300),
            "MAX_BYTES": env_int("CACHE_MAX_MEGABYTES", 128, minimum=1) * 2**20,
        },
    }
}
# Pages kept for visitors who are not signed in (hub.floor.pagecache); 0: off
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60, minimum=0)
# Parts of signed-in pages kept per reader's permission class (hub.floor.fragments); 0: off
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 300, minimum=0)
# Search answers kept per content generation and permission filter (search.queries); 0: off
SEARCH_CACHE_SECONDS = env_int("SEARCH_CACHE_SECONDS", 60, minimum=0)
# A search matching more documents than this shows its total and facet counts as estimates from a
# sample (search.queries.build_search); at least the engine's result window (10,000), so every page a
# search offers is full (an estimate below the matches there are could cut its last pages off)
SEARCH_EXACT_COUNTS_UP_TO = env_int("SEARCH_EXACT_COUNTS_UP_TO", 10_000, minimum=10_000)
