"""Django settings, derived from simpul.config (environment variables and `.env`)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from simpul import config
from simpul.repository import configuration as repository_configuration

CONFIG = config.load()
BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins
SITE_URL = CONFIG.site_url
OAI_REPOSITORY_IDENTIFIER = CONFIG.oai_repository_identifier
OAI_ADMIN_EMAIL = CONFIG.oai_admin_email
EXPORT_MAX_RESULTS = CONFIG.export_max_results

INSTALLED_APPS = [
    "simpul.web",
    "simpul.accounts",
    "simpul.network",
    "simpul.catalog",
    "simpul.harvest",
    "simpul.agreements",
    "simpul.cards",
    "simpul.protocols",
    "simpul.repository",
    "simpul.ill",
    "simpul.lists",
    "simpul.core",
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simpul.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simpul.web.middleware.MethodNotAllowedPage",
]

ROOT_URLCONF = "simpul.urls"
WSGI_APPLICATION = "simpul.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "simpul.web.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(CONFIG.database_url, conn_max_age=60)}
if CONFIG.is_sqlite:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if CONFIG.test_database:
        DATABASES["default"]["TEST"] = {"NAME": CONFIG.test_database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["simpul.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "web:home"
LOGIN_ATTEMPTS = CONFIG.login_attempts
LOGIN_WINDOW_MINUTES = CONFIG.login_window_minutes
LOGIN_ATTEMPTS_PER_ADDRESS = CONFIG.login_attempts_per_address

LANGUAGE_CODE = CONFIG.language
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "web" / "locale"]
LANGUAGE_COOKIE_NAME = "simpul_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
USE_TZ = True
TIME_ZONE = CONFIG.time_zone

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.data_dir / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = CONFIG.media_dir
SEARCH_INDEX_DIR = CONFIG.data_dir / "search"
# Ed25519 keys that sign member cards (simpul/cards/signing.py); never in the database.
CARD_KEY_DIR = CONFIG.data_dir / "card-keys"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
LOGO_MAX_BYTES = 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "repository": repository_configuration.storage_backend(CONFIG.data_dir),
}
REPOSITORY_MAX_FILE_BYTES = repository_configuration.max_file_bytes()
# A date (ISO) the repository takes as today for embargoes; only for tests and demonstrations.
REPOSITORY_TODAY = ""

if CONFIG.email_host:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = CONFIG.email_host
    EMAIL_PORT = CONFIG.email_port
    EMAIL_HOST_USER = CONFIG.email_user
    EMAIL_HOST_PASSWORD = CONFIG.email_password
    EMAIL_USE_TLS = CONFIG.email_use_tls
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(CONFIG.mail_dir)
DEFAULT_FROM_EMAIL = CONFIG.email_from
SERVER_EMAIL = CONFIG.email_from

SESSION_COOKIE_SECURE = CONFIG.secure_cookies
CSRF_COOKIE_SECURE = CONFIG.secure_cookies
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if CONFIG.behind_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Interlibrary loan (docs/ill.md): personal data leaves closed requests after this many
# days; a scanned copy's link lasts ILL_COPY_LINK_DAYS and ILL_COPY_MAX_DOWNLOADS downloads.
ILL_RETENTION_DAYS = config.env_int("SIMPUL_ILL_RETENTION_DAYS", 365, minimum=1)
# A loan still overdue is reminded again every ILL_OVERDUE_REMINDER_DAYS days.
ILL_OVERDUE_REMINDER_DAYS = config.env_int("SIMPUL_ILL_OVERDUE_REMINDER_DAYS", 7, minimum=1)
ILL_COPY_LINK_DAYS = config.env_int("SIMPUL_ILL_COPY_LINK_DAYS", 14, minimum=1)
ILL_COPY_MAX_DOWNLOADS = config.env_int("SIMPUL_ILL_COPY_MAX_DOWNLOADS", 5, minimum=1)
ILL_MAX_COPY_BYTES = 50 * 1024 * 1024
ILL_COPY_DIR = CONFIG.data_dir / "ill-copies"  # outside MEDIA_ROOT: only the link serves them

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"simpul": {"level": "INFO"}},
}
