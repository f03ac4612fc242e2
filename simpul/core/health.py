"""`simpul check`: find what is wrong with an installation and say it in words."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from simpul.core.translations import LOCALE_DIR


@dataclass
class Finding:
    ok: bool
    message: str


def _database() -> list[Finding]:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
    except Exception as exc:
        return [
            Finding(
                False,
                _("Cannot connect to the database (%(vendor)s): %(error)s")
                % {"vendor": connection.vendor, "error": str(exc).strip().splitlines()[0]},
            )
        ]
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
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
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
    return found


def _files() -> list[Finding]:
    data_dir = settings.CONFIG.data_dir
    found = [
        Finding(
            os.access(data_dir, os.W_OK),
            _("Data folder %(path)s is writable.") % {"path": data_dir}
            if os.access(data_dir, os.W_OK)
            else _("Data folder %(path)s is not writable.") % {"path": data_dir},
        )
    ]
    free_mb = shutil.disk_usage(data_dir).free // (1024 * 1024)
    found.append(
        Finding(
            free_mb > 500,
            _("%(free)s MB free on the disk of the data folder.") % {"free": free_mb},
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
