"""A long harvest's reading process reads the holders of its records' keys ahead; the
harvest places every record where it would have placed it reading them itself."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from tests.harvest.oai_server import Behaviour, caltech_items, serving
from tests.test_cli_support import new_site, postgres_url

HARVEST = """
import json
from simpul.catalog.models import Record
from simpul.catalog.services import imports, key_holders
from simpul.harvest import services
from simpul.harvest.models import HarvestSource
from simpul.network.models import Library

services.READ_AHEAD_RECORDS = 20  # pages are read by a second process from the second on
imports.BATCH_SIZE = 20
key_holders.READ_AHEAD = {read_ahead}
logs = []
write = imports.apply_batch
def watched(job, batch, memory, *args, **kwargs):
    write(job, batch, memory, *args, **kwargs)
    logs.append(memory.holders_log)
imports.apply_batch = watched

library = Library.objects.create(code="ALPHA", name="Alpha", library_type="university")
source = HarvestSource.objects.create(library=library, name="Repositori", base_url={url!r})
run = services.harvest(source)
assert run.job.status == "succeeded", run.job.message
titles = {{}}
for cluster_id, local_id in Record.objects.values_list("cluster_id", "local_id"):
    titles.setdefault(cluster_id, []).append(local_id)
print(json.dumps({{
    "titles": sorted(sorted(members) for members in titles.values()),
    "used": logs[-1].used,
    "caught_up": logs[-1].caught_up,
    "read_again": logs[-1].read_again,
}}))
"""


def _items_twice() -> list:
    """Each record, and again under another identifier two pages of 20 later."""
    items = caltech_items()
    again = [
        dataclasses.replace(
            item,
            identifier=item.identifier + "-again",
            xml=item.xml.replace(item.identifier.encode(), (item.identifier + "-again").encode()),
        )
        for item in items
    ]
    mixed = []
    for start in range(0, len(items), 20):
        mixed += items[start : start + 20] + again[max(0, start - 20) : start]
    return mixed + again[-20:]


def _harvest_on_a_site(folder: Path, url: str, *, read_ahead: bool) -> dict:
    with new_site(folder) as site:
        return dict(json.loads(site.python(HARVEST.format(url=url, read_ahead=read_ahead))))


def test_a_harvest_reading_holders_ahead_places_every_record_as_one_that_does_not(
    tmp_path: Path,
) -> None:
    with serving(Behaviour(items=_items_twice(), page_size=20)) as url:
        ahead = _harvest_on_a_site(tmp_path / "ahead", url, read_ahead=True)
        here = _harvest_on_a_site(tmp_path / "here", url, read_ahead=False)

    assert ahead["titles"] == here["titles"]
    together = [members for members in ahead["titles"] if len(members) == 2]
    assert len(together) >= 80, "most records and their copies form one title"
    assert here["used"] == here["read_again"] == 0
    if postgres_url():
        assert ahead["used"] == ahead["read_again"] == 0
        return
    assert ahead["used"] > 0 and ahead["caught_up"] > 0
    assert ahead["read_again"] == 0
