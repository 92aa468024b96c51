"""Django settings for Balcão.

Everything that differs between a laptop and a deployment comes from the
environment, with defaults that make ``make run`` work on a fresh clone:

- ``DATABASE_URL``: default a SQLite file under ``var/``; PostgreSQL in production/CI.
- ``REDIS_URL``: unset → in-memory channel layer and the embedded (SQLite) task queue;
  set → Redis for both, so several web processes and workers can share work.
- ``BALCAO_TIME_ZONE`` (default America/Sao_Paulo), ``BALCAO_COUNTRY`` (BR or PT).
- ``BALCAO_DEBUG``: off unless set to 1 (``balcao serve --debug`` sets it for its
  processes). Debug shows Django's technical pages; never on a public address.
- ``BALCAO_LOCAL`` (a *local run*: this machine, plain http): on when unset and the
  environment names neither ``SECRET_KEY`` nor ``ALLOWED_HOSTS`` (``make run`` on a fresh
  clone). Then the ``balcao`` command generates a key into ``var/secret_key`` on its first
  run (``balcao.localstate``; importing these settings writes nothing), cookies are not
  secure-only and nothing redirects to https, static files come from the source folders,
  e-mail goes to ``var/outbox/``. Otherwise (a deployment) the HTTPS-only settings apply
  and, without ``SECRET_KEY``, Balcão refuses to start.
- ``ALLOWED_HOSTS`` (comma separated; default the loopback names).

The test suite runs on ``balcao.test_settings`` (these, plus fast hashing, tasks run in
the test's process, no connection pool).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from balcao.localstate import BASE_DIR, env_bool, read_secret_key, var_dir
from balcao.localstate import debug as _debug
from balcao.localstate import local_run as _local_run

VAR_DIR = var_dir()


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = _debug()
# A local run (this machine over plain http): see the module's docstring.
BALCAO_LOCAL_RUN = _local_run()


def _secret_key() -> str:
    key = read_secret_key()
    if key:
        return key
    if not (DEBUG or BALCAO_LOCAL_RUN):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: refusing to start without a secret. A deployment sets "
            "SECRET_KEY; for a local run on this machine over http set BALCAO_LOCAL=1."
        )
    raise ImproperlyConfigured(
        f"No SECRET_KEY and no {VAR_DIR / 'secret_key'}: run any `balcao` command once "
        "(it creates the laptop's key) or set SECRET_KEY."
    )


SECRET_KEY = _secret_key()
# The key mailbox secrets are encrypted under (balcao/mail/secrets.py); SECRET_KEY when empty.
BALCAO_SECRETS_KEY = os.environ.get("BALCAO_SECRETS_KEY", "")
# E-mail messages taken from a mailbox in one transaction (balcao.mail.imap).
BALCAO_MAIL_BATCH = int(os.environ.get("BALCAO_MAIL_BATCH", "200"))
# Messages waiting above which a second process parses ahead of the ingest (0: never).
BALCAO_MAIL_READ_AHEAD = int(os.environ.get("BALCAO_MAIL_READ_AHEAD", "100"))
# A sender writing again under the same subject within these days continues the case.
BALCAO_MAIL_THREAD_DAYS = int(os.environ.get("BALCAO_MAIL_THREAD_DAYS", "7"))
# SpamAssassin's spamc, when installed, helps the advertising filter; "0" switches it off.
BALCAO_MAIL_SPAMC = os.environ.get("BALCAO_MAIL_SPAMC", "1") != "0"
# Asterisk's Manager Interface (balcao telephony ami); unset host → no live feed. The secret
# stays in the environment, never in the database.
BALCAO_AMI_HOST = os.environ.get("BALCAO_AMI_HOST", "")
BALCAO_AMI_PORT = int(os.environ.get("BALCAO_AMI_PORT", "5038"))
BALCAO_AMI_USER = os.environ.get("BALCAO_AMI_USER", "balcao")
BALCAO_AMI_SECRET = os.environ.get("BALCAO_AMI_SECRET", "")
# The dialplan context a callback's person is dialled in, once the agent answered.
BALCAO_AMI_CONTEXT = os.environ.get("BALCAO_AMI_CONTEXT", "balcao-callback")
# The PBX's queue_log, when it lies where Balcão can read it: `balcao serve` tails it
# (`balcao telephony import-queue-log PATH --follow`). Unset → imported by hand or by cron.
BALCAO_QUEUE_LOG = os.environ.get("BALCAO_QUEUE_LOG", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "balcao.apps.BalcaoAdminConfig",  # django.contrib.admin with a 2FA site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "huey.contrib.djhuey",
    "channels",
    "ninja",  # serves the API docs' swagger-ui from our static files, not a CDN
    "balcao.accounts",
    "balcao.audit",
    "balcao.catalog",
    "balcao.cases",
    "balcao.deadlines",
    "balcao.kb",
    "balcao.telephony",
    "balcao.bot",
    "balcao.mail",
    "balcao.ombudsman",
    "balcao.livechat",
    "balcao.scheduling",
    "balcao.console",
    "balcao.portal",
    "balcao.api",
    "balcao.demo",
    "balcao.ops",
]

MIDDLEWARE = [
    # Outermost: over ASGI, a streamed response stays streamed (downloads, CSV exports).
    "balcao.ops.middleware.AsyncStreamingMiddleware",
    "balcao.ops.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # CSP, Permissions-Policy, no-store on console and API (before WhiteNoise: static too).
    "balcao.ops.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "balcao.accounts.middleware.SessionMiddleware",
    "balcao.accounts.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "balcao.urls"
WSGI_APPLICATION = "balcao.wsgi.application"
ASGI_APPLICATION = "balcao.asgi.application"

# Plain widgets written in Python, as Django's templates write them (balcao/forms_rendering.py).
FORM_RENDERER = "balcao.forms_rendering.Renderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "balcao" / "templates"],
        "OPTIONS": {
            # Django's cached loader, one copy per language with its constant
            # {% translate %}, {% url %} and {% static %} written out (template_loaders.py).
            "loaders": [
                (
                    "balcao.template_loaders.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "balcao.portal.context_processors.agency",
                "balcao.portal.context_processors.live_chat",
                "balcao.portal.govbr.context",
                "balcao.console.context_processors.capabilities",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'balcao.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, reading timestamps with psycopg's C loader (balcao/db/postgresql).
    DATABASES["default"]["ENGINE"] = "balcao.db.postgresql"

if DATABASES["default"]["ENGINE"] == "balcao.db.postgresql" and env_bool("BALCAO_DB_POOL", True):
    # Under ASGI each request runs in its own thread-sensitive context, so persistent
    # connections (CONN_MAX_AGE > 0) are opened per request and never reused; a pool
    # per process is Django's answer (psycopg[pool]).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("BALCAO_DB_POOL_MIN", "2")),
        "max_size": int(os.environ.get("BALCAO_DB_POOL_MAX", "10")),
        "timeout": 10,
    }
if DATABASES["default"]["ENGINE"] == "balcao.db.postgresql" and env_bool(
    "BALCAO_DB_PREPARED", True
):
    # Values sent apart from the SQL, and a statement run five times on a connection is
    # prepared there: PostgreSQL then plans it once. The console's case page reads its
    # case with seven joined tables; planning that took ~2.7 ms per request, running it
    # 0.2 ms (measured at 1 M cases, tests/bench/bench_cases.py). Connections are this
    # process's own pool, never shared through a transaction pooler, so prepared
    # statements stay valid (set BALCAO_DB_PREPARED=0 behind PgBouncer in transaction mode).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "console:case_list"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions expire after 30 idle minutes and at browser close.
SESSION_COOKIE_AGE = int(os.environ.get("BALCAO_SESSION_SECONDS", "1800"))
# Idle expiry slides forward through accounts.middleware.SessionRefreshMiddleware,
# which writes a signed-in session at most once a minute instead of on every request.
SESSION_SAVE_EVERY_REQUEST = False
BALCAO_SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Internationalisation: pt-BR first, then pt-PT and English.
LANGUAGE_CODE = "pt-br"
LANGUAGES = [
    ("pt-br", _("Português (Brasil)")),
    ("pt-pt", _("Português (Portugal)")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "balcao" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("BALCAO_TIME_ZONE", "America/Sao_Paulo")
BALCAO_COUNTRY = os.environ.get("BALCAO_COUNTRY", "BR").upper()
if BALCAO_COUNTRY not in {"BR", "PT"}:
    raise ImproperlyConfigured("BALCAO_COUNTRY must be BR or PT.")

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # made by localstate.prepare (WhiteNoise expects it)
STATICFILES_DIRS = [BASE_DIR / "balcao" / "static"]

# Attachments live outside the web root and are only served by a view that checks
# who may see the case (never through STATIC_URL/MEDIA_URL).
PRIVATE_STORAGE_ROOT = Path(os.environ.get("BALCAO_PRIVATE_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or BALCAO_LOCAL_RUN
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# A local run serves static files straight from the source folders (no collectstatic
# needed, nor a manifest); a deployment serves the collected, hashed copies in STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG or BALCAO_LOCAL_RUN
# Source maps (half of the collected bytes: redoc's, swagger's, the gov.br DS's) are read
# only by a browser's developer tools: not compressed, collectstatic takes half the time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
# Hard ceiling for any upload; per-channel limits are lower (catalog.Channel).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Reverse proxies whose X-Forwarded-For names the client (ops.middleware); e.g. "127.0.0.1".
BALCAO_TRUSTED_PROXIES = env_list("BALCAO_TRUSTED_PROXIES", "")
# django-ninja's throttles then key on REMOTE_ADDR (which the middleware above already
# set to the client), never on a client-written X-Forwarded-For (balcao.apikit.throttling).
NINJA_NUM_PROXIES = 0
BALCAO_MAX_UPLOAD_BYTES = int(os.environ.get("BALCAO_MAX_UPLOAD_BYTES", str(25 * 1024 * 1024)))

REDIS_URL = os.environ.get("REDIS_URL", "")

# Realtime: in-memory channel layer for one process, Redis for several.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
elif os.environ.get("BALCAO_LAYER_RELAY"):
    # A process of `balcao serve` without websockets (web workers, task worker): events go to
    # the websocket process, whose in-memory layer reaches every socket (balcao.ops.layers).
    CHANNEL_LAYERS = {"default": {"BACKEND": "balcao.ops.layers.RelayChannelLayer"}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Background work: one task API (huey). Embedded SQLite queue by default, Redis when set.
# BALCAO_TASKS_IMMEDIATE runs tasks in the calling process (the test settings do).
HUEY = {
    "name": "balcao",
    "immediate": env_bool("BALCAO_TASKS_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": int(os.environ.get("BALCAO_WORKERS", "2")), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")})

# Protocol numbers: default AAAA.NNNNNN-D; an NUP-style pattern is e.g.
# "{unit:05d}.{seq:06d}/{year:04d}-{nup_dv}" (see balcao/cases/protocol.py).
BALCAO_PROTOCOL_PATTERN = os.environ.get("BALCAO_PROTOCOL_PATTERN", "{year:04d}.{seq:06d}-{dv}")
BALCAO_PROTOCOL_UNIT = int(os.environ.get("BALCAO_PROTOCOL_UNIT", "0"))
BALCAO_AGENCY_NAME = os.environ.get(
    "BALCAO_AGENCY_NAME", "INPI — Instituto Nacional da Propriedade Industrial"
)

# Portal theme: the gov.br design system by default; "neutral" for agencies outside
# Brazil (e.g. INPI-PT). Logo and primary colour are the agency's.
BALCAO_THEME = os.environ.get("BALCAO_THEME", "govbr")
BALCAO_AGENCY_LOGO_URL = os.environ.get("BALCAO_AGENCY_LOGO_URL", "")
BALCAO_PRIMARY_COLOR = os.environ.get("BALCAO_PRIMARY_COLOR", "#1351b4")
BALCAO_PUBLIC_FORM_RATE = os.environ.get("BALCAO_PUBLIC_FORM_RATE", "5/10m")
# The clock of ombudsman manifestations other than access to information (issue 21):
# inpi-ouvidoria (20 + 10 days) or ouvidoria (Lei 13.460 art. 16: 30 + 30).
BALCAO_OMBUDSMAN_POLICY = os.environ.get("BALCAO_OMBUDSMAN_POLICY", "inpi-ouvidoria")
# The agency's own triage rules (the shape of balcao/catalog/triage_rules.json); empty: the
# shipped ones, written for the INPI demo's channel slugs.
BALCAO_TRIAGE_RULES = os.environ.get("BALCAO_TRIAGE_RULES", "")
# FAQ "Was this helpful?": one vote per article per client address within this window.
BALCAO_KB_VOTE_WINDOW_SECONDS = int(os.environ.get("BALCAO_KB_VOTE_WINDOW_SECONDS", "86400"))

# Deadline sweep: warn this many working days before a case is due.
BALCAO_DEADLINE_WARNING_DAYS = int(os.environ.get("BALCAO_DEADLINE_WARNING_DAYS", "3"))

# Contact centre: call recordings are kept this many days, then their files are deleted
# (seed 003: 90 days; balcao.telephony.recordings.purge_old_recordings, daily).
BALCAO_RECORDING_DAYS = int(os.environ.get("BALCAO_RECORDING_DAYS", "90"))
# Session recordings of the (tele)presential service (docs/scheduling.md): 0 keeps them with
# the case; the agency's retention schedule may set a number of days.
BALCAO_SESSION_RECORDING_DAYS = int(os.environ.get("BALCAO_SESSION_RECORDING_DAYS", "0"))

# Chatbot: staffed hours for hand-off (a calendar slug; MGI default Mon–Fri 8–18),
# the channel of cases it opens, idle closing, optional LLM rephrasing.
BALCAO_BOT_STAFFED_CALENDAR = os.environ.get("BALCAO_BOT_STAFFED_CALENDAR", "atendimento-humano")
BALCAO_BOT_CASE_CHANNEL = os.environ.get("BALCAO_BOT_CASE_CHANNEL", "fale-conosco")
BALCAO_CHAT_IDLE_WARNING_MINUTES = int(os.environ.get("BALCAO_CHAT_IDLE_WARNING_MINUTES", "5"))
# Live chat (issue 24): conversations an agent holds at once unless their presence says other.
BALCAO_CHAT_MAX_PER_AGENT = int(os.environ.get("BALCAO_CHAT_MAX_PER_AGENT", "3"))
# A person's messages a minute in one conversation (0: no limit), the longest message, and
# whether the agency's bot (an automated chat channel) answers while the person waits.
BALCAO_CHAT_RATE = int(os.environ.get("BALCAO_CHAT_RATE", "20"))
BALCAO_CHAT_MAX_CHARS = int(os.environ.get("BALCAO_CHAT_MAX_CHARS", "4000"))
BALCAO_CHAT_BOT = env_bool("BALCAO_CHAT_BOT", True)
# Conecta Todos's video rooms (docs/scheduling.md): "{room}" becomes a name nobody can guess.
BALCAO_VIDEO_URL_PATTERN = os.environ.get("BALCAO_VIDEO_URL_PATTERN", "")
# Where hearings with the Procuradoria are asked for (Portaria, art. 32 §7: "por e-mail").
BALCAO_PROCURADORIA_EMAIL = os.environ.get("BALCAO_PROCURADORIA_EMAIL", "")
BALCAO_LLM_URL = os.environ.get("BALCAO_LLM_URL", "")
BALCAO_LLM_KEY = os.environ.get("BALCAO_LLM_KEY", "")
BALCAO_LLM_MODEL = os.environ.get("BALCAO_LLM_MODEL", "gpt-4o-mini")
BALCAO_LLM_TIMEOUT = float(os.environ.get("BALCAO_LLM_TIMEOUT", "5"))
# "Entrar com gov.br" for persons (OpenID Connect, docs/govbr.md): off without a client id.
# Staging: BALCAO_GOVBR_ISSUER=https://sso.staging.acesso.gov.br
BALCAO_GOVBR_CLIENT_ID = os.environ.get("BALCAO_GOVBR_CLIENT_ID", "")
BALCAO_GOVBR_CLIENT_SECRET = os.environ.get("BALCAO_GOVBR_CLIENT_SECRET", "")
BALCAO_GOVBR_ISSUER = os.environ.get("BALCAO_GOVBR_ISSUER", "https://sso.acesso.gov.br")

# Staff login: free failures per username, then doubling delays up to the cap (seconds).
BALCAO_LOGIN_MAX_FAILURES = int(os.environ.get("BALCAO_LOGIN_MAX_FAILURES", "5"))
BALCAO_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("BALCAO_LOGIN_LOCKOUT_SECONDS", "900"))
OTP_TOTP_ISSUER = "Balcão"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "atendimento@balcao.invalid")
if (DEBUG or BALCAO_LOCAL_RUN) and "EMAIL_BACKEND" not in os.environ:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "outbox")

# "default" holds what every web process must count together (public rate limits, API
# throttles, login delays, FAQ votes): Redis when REDIS_URL is set, otherwise a table in
# the database (created by the ops app's migration), never one process's memory.
# "local" is a per-process cache for rendered fragments, counts and menus that may lag
# behind for seconds, and for the audit visits this process already recorded.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "balcao_cache"}
    ),
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "balcao-local",
        # the work queue's visits to personal data and counts (console.queue_views)
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}

# Error pages in the portal's layout and the visitor's language (balcao/errors_views.py;
# 404 and 500 are the URLconf's handler404/handler500).
CSRF_FAILURE_VIEW = "balcao.errors_views.csrf_failure"

# A deployment is served over HTTPS (behind a proxy that sets X-Forwarded-Proto); a local
# run is plain http on this machine, where secure-only cookies would never come back.
if not (DEBUG or BALCAO_LOCAL_RUN):
    SECURE_SSL_REDIRECT = env_bool("BALCAO_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("BALCAO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BALCAO_LOG_LEVEL", "WARNING")},
}

# Login hardening (accounts): after BALCAO_LOGIN_MAX_FAILURES a username waits this long,
# doubling up to BALCAO_LOGIN_LOCKOUT_SECONDS; an address may get this many usernames wrong
# per window; enrolment links (and unconfirmed devices) last this many hours; links printed
# by commands start with BALCAO_BASE_URL. See docs/operator.md.
BALCAO_LOGIN_FIRST_DELAY_SECONDS = int(os.environ.get("BALCAO_LOGIN_FIRST_DELAY_SECONDS", "30"))
BALCAO_LOGIN_ADDRESS_USERNAMES = int(os.environ.get("BALCAO_LOGIN_ADDRESS_USERNAMES", "10"))
BALCAO_LOGIN_ADDRESS_WINDOW_SECONDS = int(
    os.environ.get("BALCAO_LOGIN_ADDRESS_WINDOW_SECONDS", "3600")
)
BALCAO_ENROLMENT_LINK_HOURS = int(os.environ.get("BALCAO_ENROLMENT_LINK_HOURS", "24"))
BALCAO_BASE_URL = os.environ.get("BALCAO_BASE_URL", "http://127.0.0.1:8000")
