"""The catalogue the patron-facing tests search: real sample records imported for two libraries.

ALPHA and BETA both import the same Indonesian CSV export and the same MARC file (so those
titles are held in two libraries, with call numbers); ALPHA also imports a MARC file only it
holds. Imports bring the search index up to date.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import Client

from simpul.catalog.models import Cluster, Holding, ImportJob
from simpul.catalog.services import imports
from tests.conftest import World
from tests.fixtures_accounts import english_client

SHARED_FILES = ("indonesian/ucm_perpustakaan_buku-sample.csv", "marc21/traject-test_data.utf8.mrc")
ALPHA_ONLY_FILE = "marc21/zebra-sample.mrc"


def import_file(person, library, path: Path) -> ImportJob:
    job = imports.create_import_job(person, library, io.BytesIO(path.read_bytes()), path.name)
    return imports.run_import_job(job)


@pytest.fixture
def catalogue(world: World, shared_data: Path) -> World:
    for name in SHARED_FILES:
        import_file(world.librarian_a, world.library_a, shared_data / name)
        import_file(world.librarian_b, world.library_b, shared_data / name)
    import_file(world.librarian_a, world.library_a, shared_data / ALPHA_ONLY_FILE)
    return world


def shared_cluster(with_holdings: bool = True) -> Cluster:
    """A title both libraries hold, with authors and publisher (and copies, by default)."""
    candidates = Cluster.objects.filter(library_count=2).select_related("best_record")
    for cluster in candidates.order_by("pk"):
        best = cluster.best_record
        if not (best and best.authors and best.publisher):
            continue
        if with_holdings and not Holding.objects.filter(record__cluster=cluster).exists():
            continue
        return cluster
    raise AssertionError("no shared title with authors and publisher in the sample")


@pytest.fixture
def en_client() -> Client:
    """An anonymous visitor whose browser asked for English."""
    return english_client()
