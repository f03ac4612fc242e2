"""Holders of keys read ahead by the reading process are brought up to date by the writing
process exactly, or not used: an import places every record where it would have placed it
reading the holders itself, also when another connection writes in between."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simpul.catalog import matching
from simpul.catalog.bibliographic import BibRecord, SourceFormat
from simpul.catalog.services import key_holders
from tests.test_cli_support import new_site, postgres_url


def _reading(marker: int, holders: dict[str, tuple[int, ...]]) -> key_holders.HoldersRead:
    return key_holders.HoldersRead(features=None, marker=marker, holders=holders)  # type: ignore[arg-type]


@pytest.fixture
def log(db) -> key_holders.WrittenSince:
    written = key_holders.WrittenSince()
    written.start()
    return written


def test_a_reading_gains_the_holders_added_by_the_batches_it_did_not_see(log) -> None:
    log.batch_written(101, {"t:sejarah": [7], "a:hamka": [7]})
    log.batch_written(201, {"t:sejarah": [8]})

    before_both = log.holders([_reading(100, {"t:sejarah": (1, 2), "i:979": ()})])
    saw_the_first = log.holders([_reading(150, {"t:sejarah": (1, 2, 7), "a:hamka": (7,)})])
    saw_both = log.holders([_reading(250, {"t:sejarah": (1, 2, 7, 8)})])

    assert before_both == {"t:sejarah": {1, 2, 7, 8}, "i:979": set()}
    assert saw_the_first == {"t:sejarah": {1, 2, 7, 8}, "a:hamka": {7}}
    assert saw_both == {"t:sejarah": {1, 2, 7, 8}}
    assert (log.used, log.caught_up, log.read_again) == (3, 2, 0)


def test_a_key_read_for_two_records_of_a_batch_is_taken_once(log) -> None:
    log.batch_written(101, {"a:hamka": [9]})

    found = log.holders(
        [_reading(100, {"a:hamka": (3,)}), _reading(150, {"a:hamka": (3, 9), "t:tafsir": (4,)})]
    )

    assert found == {"a:hamka": {3, 9}, "t:tafsir": {4}}


def test_a_reading_is_not_used_when_a_batch_it_did_not_see_changed_records(log) -> None:
    log.batch_written(101, {"t:sejarah": [7]})
    log.batch_written(None, None)  # records changed in place: their old keys are gone
    log.batch_written(301, {"t:sejarah": [8]})

    assert log.holders([_reading(150, {"t:sejarah": (1, 7)})]) == {}
    assert log.read_again == 1
    # A reading that saw the batch after it saw the change too.
    assert log.holders([_reading(301, {"t:sejarah": (1, 7, 8)})]) == {"t:sejarah": {1, 7, 8}}


def test_a_reading_older_than_the_batches_kept_is_not_used(log) -> None:
    for number in range(key_holders.BATCHES_KEPT + 1):
        log.batch_written(1000 + 100 * number, {"t:sejarah": [number]})

    assert log.holders([_reading(999, {"t:sejarah": ()})]) == {}
    last = 1000 + 100 * key_holders.BATCHES_KEPT
    assert log.holders([_reading(last - 1, {"t:sejarah": (0,)})]) == {
        "t:sejarah": {0, key_holders.BATCHES_KEPT}
    }


def test_batches_written_before_the_log_starts_are_not_kept(db) -> None:
    log = key_holders.WrittenSince()
    log.batch_written(101, {"t:sejarah": [7]})
    log.start()

    assert log.holders([_reading(100, {"t:sejarah": (1,)})]) == {"t:sejarah": {1}}


def test_a_reading_process_that_cannot_read_the_holders_leaves_them_to_the_writer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_database = tmp_path / "simpul.sqlite3"
    not_a_database.write_bytes(b"this is not an SQLite database file, not even its header")
    bib = BibRecord(
        local_id="1", source_format=SourceFormat.MARC21, raw=b"-", title="Sejarah Indonesia"
    )
    with key_holders.HoldersReader(str(not_a_database)) as reader:
        reader.attach([bib])

    assert key_holders.reading_of(bib, matching.features(bib)) is None
    assert "Holders of keys not read ahead" in caplog.text


IMPORT_TWO_LIBRARIES = """
import json, sqlite3
from pathlib import Path
from pymarc import MARCReader
from django.db import connection
from simpul.catalog.models import Record
from simpul.catalog.services import imports, key_holders, reading
from simpul.catalog.synthetic import write_member_files
from simpul.network.models import Library

for code in ("UNIBA", "ITSC"):
    Library.objects.create(code=code, name=code, library_type="university")
files = dict(write_member_files(Path("files"), 2400, libraries=["UNIBA", "ITSC"]))
# The second library's catalogue holds each title twice, the second copy in the next batch
# of 100: placing it takes holders its previous batch added.
with open(files["ITSC"], "rb") as handle:
    records = list(MARCReader(handle))
with open(files["ITSC"], "wb") as handle:
    for start in range(0, len(records), 50):
        for record in records[start : start + 50]:
            handle.write(record.as_marc())
        for record in records[max(0, start - 50) : start]:
            record["001"].data += "-again"
            handle.write(record.as_marc())
imports.BATCH_SIZE = 100
key_holders.READ_AHEAD = {read_ahead}

write = imports.apply_batch
def watched(job, batch, memory, *args, **kwargs):
    write(job, batch, memory, *args, **kwargs)
    if {foreign_write} and job.records_seen == 500 and connection.vendor == "sqlite":
        # Another connection commits while the reading process is ahead of the writing.
        other = sqlite3.connect(connection.settings_dict["NAME"])
        other.execute("UPDATE network_library SET name = name || '.' WHERE code = 'UNIBA'")
        other.commit()
        other.close()
    logs.append(memory.holders_log)
imports.apply_batch = watched

logs = []
for code in ("UNIBA", "ITSC"):
    # The second library's file is read by a second process (which reads holders ahead).
    reading.READ_AHEAD_BYTES = 10**12 if code == "UNIBA" else 0
    with open(files[code], "rb") as handle:
        job = imports.create_import_job(None, Library.objects.get(code=code), handle, code)
    job = imports.run_import_job(job)
    assert job.status == "succeeded", job.message

titles = {{}}
for cluster_id, code, local_id in Record.objects.values_list(
    "cluster_id", "library__code", "local_id"
):
    titles.setdefault(cluster_id, []).append(code + "/" + local_id)
log = logs[-1]
print(json.dumps({{
    "titles": sorted(sorted(members) for members in titles.values()),
    "used": log.used,
    "caught_up": log.caught_up,
    "read_again": log.read_again,
}}))
"""


def _import_on_a_site(folder: Path, *, read_ahead: bool, foreign_write: bool) -> dict:
    with new_site(folder) as site:
        script = IMPORT_TWO_LIBRARIES.format(read_ahead=read_ahead, foreign_write=foreign_write)
        return dict(json.loads(site.python(script)))


@pytest.mark.parametrize("foreign_write", [False, True])
def test_an_import_reading_holders_ahead_places_every_record_as_one_that_does_not(
    tmp_path: Path, foreign_write: bool
) -> None:
    ahead = _import_on_a_site(tmp_path / "ahead", read_ahead=True, foreign_write=foreign_write)
    here = _import_on_a_site(tmp_path / "here", read_ahead=False, foreign_write=foreign_write)

    assert ahead["titles"] == here["titles"]
    assert len(ahead["titles"]) < sum(len(members) for members in ahead["titles"]), (
        "records of the two libraries share titles"
    )
    assert here["used"] == here["read_again"] == 0
    if postgres_url():
        # PostgreSQL: the writing process reads every batch's holders itself.
        assert ahead["used"] == ahead["read_again"] == 0
        return
    assert ahead["used"] > 0
    assert ahead["caught_up"] > 0, "readings were brought up to the batches written since"
    if foreign_write:
        assert ahead["read_again"] > 0, "readings from before the other connection's write"
    else:
        assert ahead["read_again"] == 0
