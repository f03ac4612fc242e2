"""A long import has the search index follow its writing from a second process: by the
time the last batch is written most titles are already searchable, and when the import
ends every title is, with nothing left for the importing process to index.

Run as `simpul` runs, on a site of its own (SQLite file or a PostgreSQL database of its
own), because the second process must see what the first committed.
"""

from __future__ import annotations

import json
from pathlib import Path

from simpul.catalog.services import index_follower
from tests.test_cli_support import helpers_left_after_kill, new_site

IMPORT_WITH_A_FOLLOWER = """
import json, time
from pathlib import Path
from simpul.catalog.models import Cluster, Record
from simpul.catalog.search import SearchQuery
from simpul.catalog.services import imports, index_follower, indexing
from simpul.catalog.synthetic import write_member_files
from simpul.network.models import Library

library = Library.objects.create(code="UNIBA", name="Universitas Uji", library_type="university")
[(_, path)] = write_member_files(Path("files"), 1500, libraries=["UNIBA"])
imports.BATCH_SIZE = 100
index_follower.FOLLOW_AFTER_RECORDS = 300
index_follower.FOLLOW_CHANGES = {changes}

indexed_while_writing = []
write = imports.apply_batch
def watched(job, batch, memory, *args, **kwargs):
    write(job, batch, memory, *args, **kwargs)
    if job.records_seen == 800:
        # The follower started at 300 records: wait (up to a minute) until it has indexed
        # some of what was written, which only a process running beside the import can do.
        deadline = time.monotonic() + 60
        while indexing.position() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        indexed_while_writing.append(indexing.position())
imports.apply_batch = watched

left_for_the_import = []
apply = indexing.apply_search_changes
def counted(*args, **kwargs):
    left_for_the_import.append(apply(*args, **kwargs))
    return left_for_the_import[-1]
indexing.apply_search_changes = counted

with open(path, "rb") as handle:
    job = imports.create_import_job(None, library, handle, path.name)
job = imports.run_import_job(job)
print(json.dumps({{
    "status": job.status,
    "added": job.added,
    "indexed_while_writing": indexed_while_writing,
    "left_for_the_import": left_for_the_import,
    "titles": Cluster.objects.count(),
    "indexed": indexing.search_index().num_docs,
    "pending": indexing.pending_changes(),
    "found": indexing.search_index().search(
        SearchQuery(text=Record.objects.order_by("pk").last().title)
    ).total,
}}))
"""


def _import_on_a_site(tmp_path: Path, changes: int) -> dict[str, object]:
    with new_site(tmp_path / "site") as site:
        return dict(json.loads(site.python(IMPORT_WITH_A_FOLLOWER.format(changes=changes))))


def test_the_index_follows_a_long_import_and_is_complete_when_it_ends(tmp_path: Path) -> None:
    seen = _import_on_a_site(tmp_path, changes=50)
    assert seen["status"] == "succeeded"
    assert seen["added"] == 1500
    [position] = seen["indexed_while_writing"]  # type: ignore[misc]
    assert position > 0, "titles were indexed while the import was still writing"
    assert seen["indexed"] == seen["titles"], "every title is in the index"
    assert seen["pending"] == 0
    assert seen["left_for_the_import"] == [0], "the second process had indexed everything"
    assert seen["found"] >= 1, "the last record written is found by its title"


def test_the_follower_is_not_started_for_a_short_job() -> None:
    follower = index_follower.LogFollower()
    with follower:
        follower.progress(index_follower.FOLLOW_AFTER_RECORDS - 1)
    assert not follower.started


FOLLOW_THEN_WAIT = """
import time
from simpul.catalog.services import index_follower
follower = index_follower.LogFollower().__enter__()
follower.progress(index_follower.FOLLOW_AFTER_RECORDS)
print(follower.process_id, flush=True)
time.sleep(600)
"""


def test_a_follower_ends_when_its_importing_process_is_killed(tmp_path: Path) -> None:
    with new_site(tmp_path / "site") as site:
        before, left = helpers_left_after_kill(site, FOLLOW_THEN_WAIT)
    assert len(before) == 1, "the follower was running"
    assert not left, "no follower is left behind, indexing nothing forever"
