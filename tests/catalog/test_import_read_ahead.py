"""A large file is read by a second process while the first writes: the catalogue that
results is the same as when the file is read in-process, bad records included."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import translation

from simpul.catalog.models import Cluster, Holding, ImportProblem, Record
from simpul.catalog.services import imports, reading
from tests.test_cli_support import helpers_left_after_kill, new_site

pytestmark = pytest.mark.django_db


def _catalogue() -> tuple[list[tuple[str, str, int]], list[tuple[int, str]], int, int]:
    records = sorted(
        (r.local_id, r.title, r.holdings.count())  # type: ignore[attr-defined]
        for r in Record.objects.all()
    )
    problems = sorted(ImportProblem.objects.values_list("position", "reason"))
    return records, problems, Cluster.objects.count(), Holding.objects.count()


def _import(world, data: bytes, name: str):
    job = imports.create_import_job(world.librarian_a, world.library_a, io.BytesIO(data), name)
    return imports.run_import_job(job)


@pytest.mark.parametrize(
    "sample",
    [
        "marc21/traject-test_data.utf8.mrc",
        "broken/pymarc-bad_records.mrc",
        "indonesian/ucm_perpustakaan_buku-sample.csv",
    ],
)
def test_a_file_read_by_a_second_process_gives_the_same_catalogue(
    world, shared_data: Path, monkeypatch: pytest.MonkeyPatch, sample: str
) -> None:
    data = (shared_data / sample).read_bytes()
    name = "catalogue" + Path(sample).suffix
    in_process = _import(world, data, name)
    expected = _catalogue()
    assert expected[0], "the sample imports records"
    Record.objects.all().delete()
    Cluster.objects.all().delete()
    ImportProblem.objects.all().delete()

    monkeypatch.setattr(reading, "READ_AHEAD_BYTES", 0)
    original = reading._read_in_child
    used: list[bool] = []

    def in_a_child(*args):
        used.append(True)
        return original(*args)

    monkeypatch.setattr(reading, "_read_in_child", in_a_child)
    in_child = _import(world, data, name)
    assert used, "the file was read by the second process"
    assert (in_child.added, in_child.failed, in_child.records_seen) == (
        in_process.added,
        in_process.failed,
        in_process.records_seen,
    )
    assert in_child.bytes_read == in_child.total_bytes
    assert _catalogue() == expected


def test_an_error_in_the_reading_process_reaches_the_import(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.mrc")
    with pytest.raises(FileNotFoundError):
        list(reading._read_in_child(missing, None, "ALPHA", 10))


def test_an_import_whose_file_cannot_be_read_fails_with_the_reason(
    world, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "READ_AHEAD_BYTES", 0)
    job = imports.create_import_job(
        world.librarian_a, world.library_a, io.BytesIO(b"00026     2200025   4500\x1e\x1d"), "x.mrc"
    )
    Path(job.stored_path).unlink()  # gone between upload and import
    with translation.override("en"):
        done = imports.run_import_job(job)
    assert done.status == "failed"
    assert done.message == "The file could not be read: No such file or directory"
    assert Record.objects.count() == 0


READ_AHEAD_THEN_WAIT = """
import multiprocessing, time
from pathlib import Path
from simpul.catalog.bibliographic import SourceFormat
from simpul.catalog.services import reading
from simpul.catalog.synthetic import write_member_files
[(_, path)] = write_member_files(Path("files"), 1500, libraries=["UNIBA"])
batches = reading._read_in_child(str(path), None, "UNIBA", 300)
next(batches)  # the file's reader now fills its queue and its pipe, and waits for room
pages = reading.PageReader(SourceFormat.OAI_DC)  # the page reader waits for a page
print(" ".join(str(child.pid) for child in multiprocessing.active_children()), flush=True)
time.sleep(600)
"""


def test_reading_processes_end_when_the_importing_process_is_killed(tmp_path: Path) -> None:
    with new_site(tmp_path / "site") as site:
        before, left = helpers_left_after_kill(site, READ_AHEAD_THEN_WAIT)
    assert len(before) == 2, "both readers were running"
    assert not left, "no reader is left waiting forever"
