"""A long import tunes Python's cycle collector for itself and gives the process back as it was."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from simpul.catalog.models import ImportJob, JobStatus
from simpul.catalog.services import imports
from simpul.core import garbage
from tests.conftest import World


def test_bulk_work_raises_the_threshold_and_restores_it_even_after_a_failure():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), garbage.bulk_work():
        assert gc.get_threshold() == garbage.BULK_THRESHOLDS
        assert gc.get_freeze_count() > 0  # start-up objects are left out of collections
        raise RuntimeError("the job failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_import_job_leaves_the_workers_collector_as_it_found_it(
    world: World, shared_data: Path, monkeypatch
):
    """The worker runs other tasks after an import: they get Python's usual settings."""
    seen: list[tuple[int, int, int]] = []
    original = imports.apply_batch

    def watching(*args, **kwargs):
        seen.append(gc.get_threshold())
        return original(*args, **kwargs)

    before = gc.get_threshold()
    path = shared_data / "marc21/traject-test_data.utf8.mrc"
    with path.open("rb") as source:
        job = imports.create_import_job(world.librarian_a, world.library_a, source, path.name)
    monkeypatch.setattr(imports, "apply_batch", watching)
    job = imports.run_import_job(job)
    assert job.status == JobStatus.SUCCEEDED and job.records_seen == 30
    assert seen and set(seen) == {garbage.BULK_THRESHOLDS}
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    assert ImportJob.objects.get(pk=job.pk).added > 0
