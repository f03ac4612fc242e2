"""`simpul check`: find what is wrong with an installation and say it in words."""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.migration import Migration
from django.utils.translation import gettext as _

from simpul.config import SECRET_KEY_FILE, redact_url
from simpul.core.translations import LOCALE_DIR

MIN_FREE_MB = 500


@dataclass
class Finding:
    ok: bool
    message: str


def connection_problem() -> str:
    """An empty string when the database answers; otherwise one sentence saying why not."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
    except Exception as exc:  # any driver error: the message is what the operator needs
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return _(
            "Cannot connect to the database at %(url)s: %(reason)s. "
            "Check DATABASE_URL and that the database server is running."
        ) % {"url": redact_url(settings.CONFIG.database_url), "reason": reason.rstrip(".")}
    return ""


def pending_migrations() -> list[tuple[Migration, bool]]:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def _database() -> list[Finding]:
    connection = connections[DEFAULT_DB_ALIAS]
    problem = connection_problem()
    if problem:
        return [Finding(False, problem)]
    found = [Finding(True, _("Database reachable (%(vendor)s).") % {"vendor": connection.vendor})]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
        found.append(
            Finding(
                mode == "wal",
                _("SQLite journal mode is %(mode)s (WAL expected).") % {"mode": mode},
            )
        )
    pending = pending_migrations()
    if pending:
        found.append(
            Finding(
                False,
                _("%(count)d database migrations are not applied: run `simpul migrate`.")
                % {"count": len(pending)},
            )
        )
    else:
        found.append(Finding(True, _("Database tables are up to date.")))
        found += _catalogue()  # only tables up to date can be asked about their records
    return found


def _catalogue() -> list[Finding]:
    """Whether the stored records were read by this version's readers (after an upgrade
    that reads records better, they are not until `simpul reindex --reread`)."""
    from simpul.catalog.services.rereading import records_to_reread

    older = records_to_reread().count()
    if older:
        return [
            Finding(
                False,
                _(
                    "%(count)d catalogue records were read by an earlier version of Simpul: "
                    "run `simpul reindex --reread` to read them again with this version."
                )
                % {"count": older},
            )
        ]
    return [Finding(True, _("Catalogue records are read by this version's readers."))]


def _writable(path: Path, ok: str, wrong: str) -> Finding:
    writable = os.access(path, os.W_OK)
    return Finding(writable, (ok if writable else wrong) % {"path": path})


def _files() -> list[Finding]:
    data_dir = settings.CONFIG.data_dir
    found = [
        _writable(
            data_dir,
            _("Data folder %(path)s is writable."),
            _("Data folder %(path)s is not writable by this user."),
        )
    ]
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        found.append(
            _writable(
                media,
                _("Folder of uploaded files %(path)s is writable."),
                _("Folder of uploaded files %(path)s is not writable by this user."),
            )
        )
    key_file = data_dir / SECRET_KEY_FILE
    if key_file.exists() and key_file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        found.append(
            Finding(
                False,
                _("The secret key file %(path)s can be read by other users: chmod 600 it.")
                % {"path": key_file},
            )
        )
    free_mb = shutil.disk_usage(data_dir).free // (1024 * 1024)
    found.append(
        Finding(
            free_mb > MIN_FREE_MB,
            _("%(free)s MB free on the disk of the data folder.") % {"free": free_mb}
            if free_mb > MIN_FREE_MB
            else _("Only %(free)s MB free on the disk of the data folder: make room.")
            % {"free": free_mb},
        )
    )
    missing = [
        po for po in LOCALE_DIR.glob("*/LC_MESSAGES/*.po") if not po.with_suffix(".mo").exists()
    ]
    found.append(
        Finding(
            not missing,
            _("Translations are compiled.")
            if not missing
            else _("Translations are not compiled: run `simpul compilemessages`."),
        )
    )
    return found


def _configuration() -> list[Finding]:
    found = []
    if settings.DEBUG:
        found.append(Finding(False, _("SIMPUL_DEBUG is on: never run a public site like this.")))
    if settings.CONFIG.email_host:
        found.append(
            Finding(
                True, _("E-mail goes out through %(host)s.") % {"host": settings.CONFIG.email_host}
            )
        )
    else:
        found.append(
            Finding(
                True,
                _("No SIMPUL_EMAIL_HOST: e-mails are written to files in %(path)s.")
                % {"path": settings.CONFIG.mail_dir},
            )
        )
    for message in checks.run_checks(include_deployment_checks=False):
        if message.level >= checks.ERROR:
            found.append(Finding(False, f"{message.id}: {message.msg}"))
    return found


def run_checks() -> list[Finding]:
    return _configuration() + _database() + _files()


def print_report() -> int:
    findings = run_checks()
    for finding in findings:
        mark = "OK " if finding.ok else "!! "
        print(mark + finding.message)
    problems = sum(1 for f in findings if not f.ok)
    if problems:
        print(_("%(count)d problem(s) found.") % {"count": problems})
        return 1
    print(_("Everything looks right."))
    return 0
