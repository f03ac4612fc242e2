"""Configuration from the environment and an optional `.env` file.

Every variable is read through one of the small helpers below so that a bad
value stops the program with one sentence that names the variable, instead of
a traceback deep inside Django. Every variable is listed in
docs/configuration.md.
"""

from __future__ import annotations

import gettext
import os
import re
import secrets
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from dotenv import load_dotenv

LOCALE_DIR = Path(__file__).resolve().parent / "web" / "locale"


def _(message: str) -> str:
    """Translate before Django is configured, in the language SIMPUL_LANGUAGE names."""
    language = os.environ.get("SIMPUL_LANGUAGE", "id").strip() or "id"
    translation = gettext.translation(
        "django", localedir=LOCALE_DIR, languages=[language], fallback=True
    )
    return translation.gettext(message)


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message says which and how to fix it."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if not raw:
        return default
    if raw.lower() in {"1", "true", "yes", "on", "ya"}:
        return True
    if raw.lower() in {"0", "false", "no", "off", "tidak"}:
        return False
    raise ConfigError(
        _("%(name)s must be true or false, not %(value)r.") % {"name": name, "value": raw}
    )


def env_int(name: str, default: int, minimum: int = 0, maximum: int = 2**31) -> int:
    raw = _env(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(
            _("%(name)s must be a whole number, not %(value)r.") % {"name": name, "value": raw}
        ) from None
    if not minimum <= value <= maximum:
        raise ConfigError(
            _("%(name)s must be between %(min)s and %(max)s, not %(value)s.")
            % {"name": name, "min": minimum, "max": maximum, "value": value}
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _env(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


SUPPORTED_LANGUAGES = ("id", "en")
SUPPORTED_DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    language: str
    time_zone: str
    site_url: str
    email_host: str
    email_port: int
    email_user: str
    email_password: str
    email_use_tls: bool
    email_from: str
    behind_proxy: bool
    secure_cookies: bool
    login_attempts: int
    login_window_minutes: int
    login_attempts_per_address: int
    test_database: str
    extra: dict[str, str] = field(default_factory=dict)
    oai_repository_identifier: str = ""
    oai_admin_email: str = ""
    export_max_results: int = 10_000

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"


def _ensure_data_dir(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise ConfigError(_("SIMPUL_DATA_DIR=%(path)s is a file, not a folder.") % {"path": path})
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            _(
                "SIMPUL_DATA_DIR=%(path)s cannot be created (%(reason)s). "
                "Choose a folder the program may write to."
            )
            % {"path": path, "reason": exc.strerror}
        ) from None
    if not os.access(path, os.W_OK):
        raise ConfigError(
            _("SIMPUL_DATA_DIR=%(path)s is not writable by this user.") % {"path": path}
        )
    return path


SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)


def _secret_key(data_dir: Path) -> str:
    """Use SIMPUL_SECRET_KEY, or one generated on first run and kept in the data folder."""
    given = _env("SIMPUL_SECRET_KEY")
    if given:
        if len(given) < 32:
            raise ConfigError(_("SIMPUL_SECRET_KEY must be at least 32 characters long."))
        return given
    key_file = data_dir / SECRET_KEY_FILE
    try:
        if key_file.exists():
            key = key_file.read_text().strip()
            if len(key) >= 32:
                return key
            key_file.unlink()
        key = secrets.token_urlsafe(50)
        # Created readable by this user only, never world-readable even for a moment.
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key + "\n")
    except OSError as exc:
        raise ConfigError(
            _("The secret key file %(path)s cannot be read or written (%(reason)s).")
            % {"path": key_file, "reason": exc.strerror}
        ) from None
    return key


def _database_url(data_dir: Path) -> str:
    url = _env("DATABASE_URL")
    if not url:
        return f"sqlite:///{data_dir / 'simpul.sqlite3'}"
    example = "postgres://simpul@127.0.0.1:5432/simpul"
    scheme = urlsplit(url).scheme
    if scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise ConfigError(
            _(
                "DATABASE_URL must start with sqlite:/// or postgres://, not %(value)r. "
                "Example: %(example)s"
            )
            % {"value": redact_url(url), "example": example}
        )
    try:
        parsed = dj_database_url.parse(url)
    except (ValueError, dj_database_url.ParseError):
        parsed = {}
    name = str(parsed.get("NAME") or "")
    if not name or name == ":memory:" or (scheme == "sqlite" and not url.startswith("sqlite:///")):
        raise ConfigError(
            _(
                "DATABASE_URL %(value)r is not a complete database address: it needs a database "
                "name (PostgreSQL) or a file path (SQLite, e.g. sqlite:////srv/simpul/db.sqlite3). "
                "Example: %(example)s"
            )
            % {"value": redact_url(url), "example": example}
        )
    return url


def redact_url(url: str) -> str:
    """The URL without its password, so that messages and logs never show it."""
    parts = urlsplit(url)
    try:
        password = parts.password
    except ValueError:
        password = None
    if not password:
        return url
    return url.replace(":" + password + "@", ":***@", 1)


def read_env_file(env_file: Path | None = None) -> None:
    """Read `.env` in the working directory; variables already set in the environment win."""
    load_dotenv(env_file or Path.cwd() / ".env", override=False)


def load(env_file: Path | None = None) -> Config:
    """Read the configuration once; raises ConfigError with a plain-language message."""
    read_env_file(env_file)
    data_dir = _ensure_data_dir(Path(_env("SIMPUL_DATA_DIR") or "data").expanduser().resolve())
    language = _env("SIMPUL_LANGUAGE", "id")
    if language not in SUPPORTED_LANGUAGES:
        raise ConfigError(
            _("SIMPUL_LANGUAGE must be id or en, not %(value)r.") % {"value": language}
        )
    site_url = _env("SIMPUL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    if urlsplit(site_url).scheme not in {"http", "https"}:
        raise ConfigError(
            _("SIMPUL_SITE_URL must start with http:// or https://, not %(value)r.")
            % {"value": site_url}
        )
    hosts_default = ["127.0.0.1", "localhost", "[::1]"]
    site_host = urlsplit(site_url).hostname
    if site_host and site_host not in hosts_default:
        hosts_default.append(site_host)
    email_host = _env("SIMPUL_EMAIL_HOST")
    time_zone = _env("SIMPUL_TIME_ZONE", "Asia/Jakarta")
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            _("SIMPUL_TIME_ZONE must be a time zone name such as Asia/Jakarta, not %(value)r.")
            % {"value": time_zone}
        ) from None
    oai_identifier = _env("SIMPUL_OAI_REPOSITORY_IDENTIFIER")
    if oai_identifier and not re.fullmatch(
        r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+", oai_identifier
    ):
        raise ConfigError(
            _(
                "SIMPUL_OAI_REPOSITORY_IDENTIFIER must be a domain name such as "
                "katalog.example.ac.id, not %(value)r."
            )
            % {"value": oai_identifier}
        )
    return Config(
        data_dir=data_dir,
        database_url=_database_url(data_dir),
        secret_key=_secret_key(data_dir),
        debug=env_bool("SIMPUL_DEBUG", False),
        allowed_hosts=env_list("SIMPUL_ALLOWED_HOSTS", hosts_default),
        csrf_trusted_origins=env_list("SIMPUL_CSRF_TRUSTED_ORIGINS", [site_url]),
        language=language,
        time_zone=time_zone,
        site_url=site_url,
        email_host=email_host,
        email_port=env_int("SIMPUL_EMAIL_PORT", 587, 1, 65535),
        email_user=_env("SIMPUL_EMAIL_USER"),
        email_password=_env("SIMPUL_EMAIL_PASSWORD"),
        email_use_tls=env_bool("SIMPUL_EMAIL_USE_TLS", True),
        email_from=_env("SIMPUL_EMAIL_FROM", "Simpul <noreply@localhost>"),
        behind_proxy=env_bool("SIMPUL_BEHIND_PROXY", False),
        secure_cookies=env_bool("SIMPUL_SECURE_COOKIES", site_url.startswith("https://")),
        login_attempts=env_int("SIMPUL_LOGIN_ATTEMPTS", 5, 1, 1000),
        login_window_minutes=env_int("SIMPUL_LOGIN_WINDOW_MINUTES", 15, 1, 24 * 60),
        login_attempts_per_address=env_int("SIMPUL_LOGIN_ATTEMPTS_PER_ADDRESS", 100, 1, 100_000),
        test_database=_env("SIMPUL_TEST_DATABASE"),
        oai_repository_identifier=oai_identifier,
        oai_admin_email=_env("SIMPUL_OAI_ADMIN_EMAIL"),
        export_max_results=env_int("SIMPUL_EXPORT_MAX_RESULTS", 10_000, 1, 10_000),
    )
