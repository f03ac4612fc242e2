"""Backup and restore that work the same on SQLite and PostgreSQL, and across them.

An archive holds a manifest, every row as JSON Lines (Django's portable
serialisation, streamed row by row) and the uploaded files. PostgreSQL sites
may also use pg_dump; this format is what moves a site between databases.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from simpul import __version__

FORMAT = "simpul-backup"
FORMAT_VERSION = 1
# Rows that are rebuilt by Django or only matter for minutes are left out.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "accounts.failedlogin",
    "django_tasks_db",
]


def _applied_migrations() -> list[str]:
    recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def write_backup(archive: str | Path) -> Path:
    archive = Path(archive).expanduser().resolve()
    archive.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "simpul_version": __version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database_vendor": connections[DEFAULT_DB_ALIAS].vendor,
        "migrations": _applied_migrations(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        rows = Path(tmp) / "data.jsonl"
        call_command(
            "dumpdata",
            format="jsonl",
            natural_foreign=True,
            exclude=EXCLUDED,
            output=str(rows),
            verbosity=0,
        )
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(rows, arcname="data.jsonl")
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                tar.add(media, arcname="media")
        partial.replace(archive)
    return archive


def _read_manifest(tar: tarfile.TarFile) -> dict[str, object]:
    try:
        member = tar.extractfile("manifest.json")
        manifest = json.load(member) if member else None
    except (KeyError, json.JSONDecodeError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CommandError(_("This file is not a Simpul backup."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise CommandError(_("This backup was written in a format this version cannot read."))
    return manifest


def restore_backup(archive: str | Path) -> str:
    """Replace every row and uploaded file with the archive's; all or nothing for the rows."""
    archive = Path(archive).expanduser()
    if not archive.is_file():
        raise CommandError(_("No backup file at %(path)s.") % {"path": archive})
    try:
        tar = tarfile.open(archive, "r:gz")
    except (tarfile.TarError, OSError):
        raise CommandError(
            _("%(path)s is not a readable backup archive.") % {"path": archive}
        ) from None
    with tar, tempfile.TemporaryDirectory() as tmp:
        manifest = _read_manifest(tar)
        ours = set(_applied_migrations())
        listed = manifest.get("migrations")
        theirs = {str(name) for name in listed} if isinstance(listed, list) else set()
        if theirs - ours:
            raise CommandError(
                _(
                    "The backup comes from a newer version of Simpul (%(version)s). "
                    "Upgrade this installation first."
                )
                % {"version": manifest.get("simpul_version")}
            )
        if ours - theirs:
            raise CommandError(
                _(
                    "The backup comes from an older version of Simpul (%(version)s). Restore it "
                    "with that version, then upgrade, or run `simpul migrate` on an empty database "
                    "of that version first."
                )
                % {"version": manifest.get("simpul_version")}
            )
        tar.extractall(tmp, filter="data")
        rows = Path(tmp) / "data.jsonl"
        if not rows.is_file():
            raise CommandError(_("The backup has no data file."))
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(rows), verbosity=0)
        media_src = Path(tmp) / "media"
        media_dst = Path(settings.MEDIA_ROOT)
        if media_dst.exists():
            shutil.rmtree(media_dst)
        if media_src.exists():
            shutil.copytree(media_src, media_dst)
        with rows.open() as handle:
            count = sum(1 for _line in handle)
    return _("Restored %(count)d records from a backup made on %(date)s.") % {
        "count": count,
        "date": manifest.get("created_at"),
    }
