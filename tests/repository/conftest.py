"""Repository fixtures: its own storage folder per test, real generated PDFs, and a
published thesis of library A."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from simpul.repository import services
from simpul.repository.demo import text_pdf
from simpul.repository.models import Item
from tests.conftest import World


def make_pdf(*paragraphs: str) -> bytes:
    """A real PDF with one page per paragraph (text extractable by pypdf)."""
    return text_pdf(*paragraphs)


def thesis_values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "item_type": "skripsi",
        "title": "Pengaruh literasi informasi terhadap prestasi belajar mahasiswa",
        "authors": [{"name": "Sari, Dewi", "identifier": "NIM 1901234"}],
        "advisors": [{"name": "Wibowo, Agus", "identifier": "NIDN 0412345678"}],
        "faculty": "Fakultas Ilmu Komunikasi",
        "programme": "Ilmu Perpustakaan",
        "year": 2025,
        "abstract_id": "Penelitian ini mengukur pengaruh literasi informasi.",
        "abstract_en": "This study measures the effect of information literacy.",
        "keywords": ["literasi informasi", "mahasiswa"],
        "language": "ind",
        "publisher": "",
        "licence": "CC-BY-4.0",
        "access_level": "open",
        "embargo_until": None,
    }
    values.update(changes)
    return values


@pytest.fixture
def repository_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "repository"
    settings.STORAGES = {
        **settings.STORAGES,
        "repository": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
    }
    return folder


def deposit(world: World, *files: tuple[str, bytes], **changes: Any) -> Item:
    uploads = [(name, io.BytesIO(data)) for name, data in files]
    return services.deposit(world.librarian_a, world.library_a, thesis_values(**changes), uploads)


def published(world: World, *files: tuple[str, bytes], **changes: Any) -> Item:
    item = deposit(world, *files, **changes)
    services.review(world.librarian_a, item, "approve")
    return services.publish(world.librarian_a, item)
