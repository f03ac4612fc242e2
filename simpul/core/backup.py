"""Backup and restore that work the same on SQLite and PostgreSQL, and across them.

An archive (tar.gz) holds every row as JSON Lines (Django's portable serialisation,
streamed row by row), the uploaded files under `media/`, and last a `manifest.json`
naming the format, the applied migrations and the SHA-256 of every other member.
PostgreSQL sites may also use pg_dump; this format is what moves a site between
databases.

A restore checks the whole archive before it touches anything: it must be a Simpul
backup of the same migrations, with no member missing, changed or added, and no
member that could be written outside the folder it is unpacked into. The rows are
then replaced in one transaction, so a failure leaves the database as it was; the
uploaded files are swapped only after the rows are in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from simpul import __version__
from simpul.core.planner import refresh_all_statistics

FORMAT = "simpul-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ROWS = "data.jsonl"
MEDIA = "media"
REPOSITORY = "repository"  # the repository's stored files, when they are on local disk
CHUNK = 1024 * 1024
# Rows that Django rebuilds, or that only matter for minutes (sessions, sign-in
# and push throttling, queued and finished background jobs), are left out.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "accounts.failedlogin",
    "harvest.ucsrefusedpush",
    "django_tasks_database",
]


def _applied_migrations() -> list[str]:
    recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the database while the site goes on writing."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    # SQLite in WAL mode: a deferred transaction reads a snapshot without locking writers out.
    mode = getattr(connection, "transaction_mode", None)
    connection.transaction_mode = "DEFERRED"  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            yield
    finally:
        connection.transaction_mode = mode  # type: ignore[attr-defined]


class _HashingReader:
    """Reads a file for tarfile and keeps the SHA-256 of what was read."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str, files: dict[str, Any]) -> None:
    with path.open("rb") as handle:
        info = tar.gettarinfo(fileobj=handle, arcname=arcname)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o600
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    files[arcname] = {"sha256": reader.digest.hexdigest(), "size": info.size}


def _file_trees() -> list[tuple[str, Path]]:
    """Folders whose files a backup holds: uploads, and the repository's files when they
    are stored on this machine (object storage keeps its own copies; see docs/repository.md)."""
    from simpul.repository.ingest import local_storage_root

    trees = [(MEDIA, Path(settings.MEDIA_ROOT))]
    repository = local_storage_root()
    if repository is not None:
        trees.append((REPOSITORY, repository))
    return trees


def _media_files(media: Path, prefix: str = MEDIA) -> Iterator[tuple[Path, str]]:
    """Regular files under a folder (links are not followed), sorted."""
    if not media.is_dir():
        return
    for folder, dirs, names in os.walk(media):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path, str(PurePosixPath(prefix, *path.relative_to(media).parts))


def write_backup(archive: str | Path) -> Path:
    """Write every row and uploaded file to `archive` (readable by this user only)."""
    archive = Path(archive).expanduser().resolve()
    partial = archive.with_name(archive.name + ".partial")
    try:
        archive.parent.mkdir(parents=True, exist_ok=True)
        _write_archive(archive, partial)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise CommandError(
                _("Cannot write the backup to %(path)s (%(reason)s).")
                % {"path": archive, "reason": exc.strerror or exc}
            ) from None
        raise
    return archive


def _write_archive(archive: Path, partial: Path) -> None:
    files: dict[str, Any] = {}
    # The rows wait beside the archive, on the disk chosen for backups, not in /tmp.
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".simpul-backup-") as tmp:
        rows = Path(tmp) / ROWS
        with _snapshot():
            migrations = _applied_migrations()
            call_command(
                "dumpdata",
                format="jsonl",
                natural_foreign=True,
                use_base_manager=True,
                exclude=EXCLUDED,
                output=str(rows),
                verbosity=0,
            )
        with rows.open("rb") as handle:
            records = sum(1 for _line in handle)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_file(tar, rows, ROWS, files)
                for prefix, root in _file_trees():
                    for path, arcname in _media_files(root, prefix):
                        _add_file(tar, path, arcname, files)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "simpul_version": __version__,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "database_vendor": connections[DEFAULT_DB_ALIAS].vendor,
                    "records": records,
                    "migrations": migrations,
                    "files": files,
                }
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mode = 0o600
                info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
                tar.addfile(info, io.BytesIO(data))
            raw.flush()
            os.fsync(raw.fileno())
        partial.replace(archive)


def _refuse(message: str) -> CommandError:
    return CommandError(message + " " + _("Nothing was changed."))


def _safe_member_name(name: str) -> bool:
    if name in {MANIFEST, ROWS}:
        return True
    path = PurePosixPath(name)
    return (
        len(path.parts) >= 2
        and path.parts[0] in {MEDIA, REPOSITORY}
        and not path.is_absolute()
        and "\\" not in name
        and all(part not in {"", ".", ".."} for part in path.parts)
    )


def _members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Every member, refused unless it is a plain file a Simpul backup can contain."""
    members = tar.getmembers()
    seen: set[str] = set()
    for member in members:
        if not member.isreg() or not _safe_member_name(member.name) or member.name in seen:
            raise _refuse(
                _(
                    "The archive contains %(name)s, which a Simpul backup never contains: "
                    "it was not written by simpul backup, or it was changed."
                )
                % {"name": member.name}
            )
        seen.add(member.name)
    return members


def _read_manifest(tar: tarfile.TarFile, names: set[str]) -> dict[str, Any]:
    manifest: Any = None
    if MANIFEST in names:
        member = tar.extractfile(MANIFEST)
        try:
            manifest = json.load(member) if member else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(_("This file is not a Simpul backup."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _refuse(_("This backup was written in a format this version cannot read."))
    if not isinstance(manifest.get("files"), dict) or not isinstance(
        manifest.get("migrations"), list
    ):
        raise _refuse(_("The backup's list of contents is damaged."))
    return manifest


def _check_migrations(manifest: dict[str, Any]) -> None:
    ours = set(_applied_migrations())
    theirs = {str(name) for name in manifest["migrations"]}
    version = manifest.get("simpul_version")
    if not ours:
        raise _refuse(_("The database tables are not created yet: run `simpul migrate` first."))
    if theirs - ours:
        raise _refuse(
            _(
                "The backup comes from a newer version of Simpul (%(version)s), or one with "
                "other database changes. Upgrade this installation first."
            )
            % {"version": version}
        )
    if ours - theirs:
        raise _refuse(
            _(
                "The backup comes from an older version of Simpul (%(version)s). Restore it on "
                "an installation of that version, then upgrade it."
            )
            % {"version": version}
        )


def _unpack(
    tar: tarfile.TarFile, members: list[tarfile.TarInfo], manifest: dict[str, Any], target: Path
) -> None:
    """Write every member below `target`, checking it against the manifest as it goes."""
    listed: dict[str, Any] = manifest["files"]
    present = {m.name for m in members} - {MANIFEST}
    if present != set(listed) or ROWS not in present:
        raise _refuse(_("The backup is incomplete or has files it does not list: it was changed."))
    root = target.resolve()
    for member in members:
        if member.name == MANIFEST:
            continue
        destination = (root / member.name).resolve()
        if not destination.is_relative_to(root):
            raise _refuse(_("The archive tries to write outside its folder."))
        destination.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        if source is None:
            raise _refuse(_("The backup is damaged."))
        digest = hashlib.sha256()
        with destination.open("xb") as handle:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                handle.write(chunk)
        expected = listed[member.name]
        if not isinstance(expected, dict) or digest.hexdigest() != expected.get("sha256"):
            raise _refuse(
                _("%(name)s in the backup is not what was written: the archive was changed.")
                % {"name": member.name}
            )


def _swap_media(new_media: Path, old_holder: Path, media: Path | None = None) -> None:
    """Move the current files of a folder aside and the restored ones in."""
    media = media or Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    old_holder.mkdir()
    for child in list(media.iterdir()):
        shutil.move(child, old_holder / child.name)
    if new_media.is_dir():
        for child in list(new_media.iterdir()):
            shutil.move(child, media / child.name)


def restore_backup(archive: str | Path) -> str:
    """Replace every row and uploaded file with the archive's; all or nothing for the rows."""
    archive = Path(archive).expanduser()
    if not archive.is_file():
        raise _refuse(_("No backup file at %(path)s.") % {"path": archive})
    media_parent = Path(settings.MEDIA_ROOT).parent
    media_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_parent, prefix=".restore-") as tmp:
        staging = Path(tmp) / "archive"
        try:
            tar = tarfile.open(archive, "r:gz")
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile):
            raise _refuse(_("This file is not a Simpul backup.")) from None
        try:
            with tar:
                members = _members(tar)
                manifest = _read_manifest(tar, {m.name for m in members})
                _check_migrations(manifest)
                _unpack(tar, members, manifest, staging)
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise _refuse(
                _(
                    "%(path)s is not a complete backup archive (%(reason)s): it may have been "
                    "cut short while copying."
                )
                % {"path": archive, "reason": exc}
            ) from None
        except OSError as exc:
            raise _refuse(
                _("The backup cannot be unpacked in %(path)s (%(reason)s).")
                % {"path": media_parent, "reason": exc.strerror or exc}
            ) from None
        rows = staging / ROWS
        try:
            with transaction.atomic():
                call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", str(rows), verbosity=0)
        except Exception as exc:
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
            raise _refuse(
                _("The backup's records could not be loaded (%(reason)s).") % {"reason": reason}
            ) from exc
        for prefix, root in _file_trees():
            _swap_media(staging / prefix, Path(tmp) / f"previous-{prefix}", root)
    refresh_all_statistics()  # the planner knew the tables before they were replaced
    # The search index is derived from the rows just restored: make it again.
    from simpul.catalog.services.indexing import rebuild_index

    rebuild_index()
    count = manifest.get("records")
    message = _(
        "Restored %(count)s records and %(files)d uploaded files from a backup made on %(date)s."
    )
    return message % {
        "count": count,
        "files": len(manifest["files"]) - 1,
        "date": manifest.get("created_at"),
    }
