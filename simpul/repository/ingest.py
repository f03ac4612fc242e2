"""Receiving files: what a file really is, how big, its SHA-256, and whether a PDF is sound.

The type is detected from the content with libmagic (python-magic), never taken from
the browser or the file name; a name that claims another type than the content is a
disguised file and is refused. PDFs are opened with pypdf, so a PDF whose structure
cannot be read is refused at the desk rather than discovered by a reader years later.
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO

import magic
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024
SNIFF_BYTES = 64 * 1024
MAX_TEXT_CHARS = 2_000_000  # full text kept for search; a longer text is cut

# Detected type -> the extensions a file of that type may carry.
ACCEPTED: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "application/epub+zip": (".epub",),
    "text/plain": (".txt", ".csv", ".tsv", ".md", ".json", ".xml", ".bib", ".ris"),
    "text/csv": (".csv", ".txt"),
    "application/json": (".json",),
    "text/xml": (".xml",),
    "application/xml": (".xml",),
    "application/zip": (".zip",),
    "application/msword": (".doc",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/tiff": (".tif", ".tiff"),
    "audio/mpeg": (".mp3",),
    "video/mp4": (".mp4",),
}


class FileRefused(ValueError):
    """A file that may not be stored; the message says why, for the depositor."""


@dataclass
class Inspected:
    """What was learnt of one uploaded file before anything is stored."""

    name: str
    size: int
    mime_type: str
    sha256: str
    text: str = ""


def repository_storage() -> Storage:
    return storages["repository"]


def local_storage_root() -> Path | None:
    """The folder of the repository's files when they are on the local filesystem."""
    storage = repository_storage()
    if isinstance(storage, FileSystemStorage):
        return Path(storage.location)
    return None


def safe_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name or "file"
    try:
        cleaned = get_valid_filename(base)
    except Exception:
        cleaned = "file"
    return cleaned[-120:] or "file"


def inspect(name: str, handle: IO[bytes]) -> Inspected:
    """Read the whole upload once: size, type, checksum; refuse what must not be kept."""
    limit = settings.REPOSITORY_MAX_FILE_BYTES
    digest = hashlib.sha256()
    size = 0
    head = b""
    handle.seek(0)
    while chunk := handle.read(CHUNK):
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        size += len(chunk)
        if size > limit:
            raise FileRefused(
                _("%(name)s is larger than the %(limit)s a file may have.")
                % {"name": name, "limit": filesizeformat(limit)}
            )
        digest.update(chunk)
    handle.seek(0)
    if size == 0:
        raise FileRefused(_("%(name)s is empty.") % {"name": name})
    detected = magic.from_buffer(head, mime=True)
    extension = PurePath(name).suffix.lower()
    allowed = ACCEPTED.get(detected)
    if allowed is None:
        claimed = mimetypes.guess_type(name)[0]
        if claimed and claimed != detected:
            raise FileRefused(
                _(
                    "%(name)s is named like a %(claimed)s file but its content is %(detected)s: "
                    "it was refused."
                )
                % {"name": name, "claimed": claimed, "detected": detected}
            )
        raise FileRefused(
            _("%(name)s is of a kind the repository does not keep (%(detected)s).")
            % {"name": name, "detected": detected}
        )
    if extension not in allowed:
        raise FileRefused(
            _(
                "%(name)s is named like a %(extension)s file but its content is %(detected)s: "
                "it was refused."
            )
            % {"name": name, "extension": extension or _("(no extension)"), "detected": detected}
        )
    text = pdf_text(name, handle) if detected == "application/pdf" else ""
    handle.seek(0)
    return Inspected(
        name=safe_name(name), size=size, mime_type=detected, sha256=digest.hexdigest(), text=text
    )


def pdf_text(name: str, handle: IO[bytes]) -> str:
    """The PDF's text for search; FileRefused when its structure cannot be read."""
    handle.seek(0)
    data = handle.read()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise FileRefused(
                _("%(name)s is a password-protected PDF: deposit it without a password.")
                % {"name": name}
            )
        pages = list(reader.pages)
        if not pages:
            raise FileRefused(_("%(name)s is a PDF without pages.") % {"name": name})
        parts: list[str] = []
        length = 0
        for page in pages:
            piece = page.extract_text() or ""
            parts.append(piece)
            length += len(piece)
            if length > MAX_TEXT_CHARS:
                break
    except FileRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        logger.info("refused malformed PDF %s: %s", name, error)
        raise FileRefused(
            _("%(name)s is not a readable PDF (its structure is damaged): %(error)s")
            % {"name": name, "error": str(error)[:200] or type(error).__name__}
        ) from None
    return " ".join(" ".join(parts).split())[:MAX_TEXT_CHARS]


def store(item_id: int, inspected: Inspected, handle: IO[bytes]) -> str:
    """Write the file to repository storage; returns the name it was stored under."""
    handle.seek(0)
    wanted = f"items/{item_id}/{inspected.sha256[:16]}-{inspected.name}"
    return repository_storage().save(wanted, File(handle))


def discard(names: list[str]) -> None:
    """Remove files written for a deposit that did not complete."""
    storage = repository_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not remove %s after a failed deposit", name)
