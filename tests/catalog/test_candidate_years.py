"""In a large catalogue one author's title is held by the titles of all its editions (and
of other works under the same title): more than can be compared with each new record.
Among those that share as many keys with it, the ones nearest in year are compared, so a
record of the latest edition finds its title even when that title is the newest."""

from __future__ import annotations

from typing import Any

from simpul.catalog.models import Record
from simpul.catalog.services import clustering
from tests.conftest import World

EDITIONS = range(2001, 2010)  # nine editions: more than MAX_CLUSTERS_COMPARED


def edition(year: int, **fields: Any) -> dict[str, Any]:
    return {
        "source_format": "marc21",
        "raw": b"",
        "title": "Financial management",
        "subtitle": "theory and practice",
        "authors": ["Brigham, Eugene F."],
        "publisher": "Harcourt",
        "year": year,
        "edition": f"{year - 2000}th ed.",
        "extent": f"{800 + year - 2000} p.",
        "material_type": "book",
        **fields,
    }


def store_editions(world: World) -> None:
    """Library A's records of the nine editions, each placed on its own."""
    for year in EDITIONS:
        stored = Record.objects.create(
            library=world.library_a,
            local_id=f"a-{year}",
            raw_hash=f"a-{year}",
            **edition(year, isbns=[f"97800000{year}0"[:13]]),
        )
        clustering.recluster([stored])


def test_a_record_finds_its_edition_among_more_titles_than_are_compared(world: World) -> None:
    assert len(EDITIONS) > clustering.MAX_CLUSTERS_COMPARED
    store_editions(world)
    titles = set(Record.objects.values_list("cluster_id", flat=True))
    assert len(titles) == len(EDITIONS)  # each edition a title of its own

    latest = max(EDITIONS)
    arriving = Record.objects.create(
        library=world.library_b, local_id="b-1", raw_hash="b-1", **edition(latest)
    )
    clustering.recluster([arriving])
    arriving.refresh_from_db()
    own = Record.objects.get(local_id=f"a-{latest}")
    assert arriving.cluster_id == own.cluster_id
    assert arriving.match_reasons  # joined with evidence, not a title of its own


def test_a_record_finds_an_edition_its_own_batch_started_among_more_titles(
    world: World,
) -> None:
    """The tenth edition arrives twice in one batch, from two libraries, among nine stored
    editions: the second copy must be weighed again with the title the first one started
    (it shares every key with it), not only with the stored titles it was first weighed
    against."""
    store_editions(world)
    newest = max(EDITIONS) + 1
    batch = [
        Record.objects.create(
            library=library, local_id=f"new-{code}", raw_hash=f"new-{code}", **edition(newest)
        )
        for code, library in (("a", world.library_a), ("b", world.library_b))
    ]
    clustering.recluster(batch)
    first, second = (Record.objects.get(pk=r.pk) for r in batch)
    assert first.cluster_id == second.cluster_id
    assert Record.objects.filter(cluster_id=first.cluster_id).count() == 2
    assert second.match_reasons  # joined with evidence
