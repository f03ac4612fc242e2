"""Compile the gettext catalogues with polib, so installing needs no gettext tools."""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "web" / "locale"


def compile_translations(locale_dir: Path = LOCALE_DIR) -> int:
    """Write a .mo beside every .po that is newer than its .mo; returns how many catalogues."""
    count = 0
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        count += 1
    return count
