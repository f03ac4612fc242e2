"""Rows written in bulk must be what saving each one would have written.

An import writes thousands of rows without building Django's statements for each; the
titles it creates must get their own numbers in the order they were made (records are
moved into them by those numbers), every column its default, and the date columns the
time of the batch, which OAI-PMH harvesters read as datestamps.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from simpul.catalog.models import Cluster, DeletedCluster, Record
from simpul.core.bulk import (
    NewInstances,
    insert_returning_keys,
    insert_rows,
    reserve_keys,
    update_rows,
)

pytestmark = pytest.mark.django_db


def test_new_titles_get_their_numbers_in_the_order_given_across_statements() -> None:
    titles = [f"Judul {n:05d}" for n in range(3_500)]  # more than one statement holds
    keys = insert_returning_keys(Cluster, ["title"], [(t,) for t in titles])
    assert len(set(keys)) == 3_500
    assert dict(Cluster.objects.values_list("pk", "title")) == dict(zip(keys, titles, strict=True))


def test_new_titles_have_every_other_column_at_its_default() -> None:
    before = timezone.now()
    (key,) = insert_returning_keys(Cluster, ["title", "year"], [("Hukum adat", 2019)])
    cluster = Cluster.objects.get(pk=key)
    assert (cluster.title, cluster.year) == ("Hukum adat", 2019)
    assert (cluster.record_count, cluster.library_count, cluster.sort_title) == (0, 0, "")
    assert cluster.best_record_id is None
    assert before <= cluster.created_at == cluster.updated_at <= timezone.now()


def test_rows_written_together_share_the_batch_time() -> None:
    old = timezone.now() - dt.timedelta(days=3)
    insert_rows(
        DeletedCluster,
        [DeletedCluster(cluster_id=n, material_type="book", deleted_at=old) for n in (1, 2, 3)],
    )
    assert set(DeletedCluster.objects.values_list("deleted_at", flat=True)) == {old}

    keys = insert_returning_keys(Cluster, ["title"], [("A",), ("B",)])
    clusters = list(Cluster.objects.filter(pk__in=keys))
    for cluster in clusters:
        cluster.title += " (revised)"
    started = timezone.now()
    update_rows(Cluster, clusters, ["title"])
    stamps = set(Cluster.objects.filter(pk__in=keys).values_list("updated_at", flat=True))
    assert len(stamps) == 1
    assert stamps.pop() >= started
    assert sorted(Cluster.objects.values_list("title", flat=True)) == ["A (revised)", "B (revised)"]


def test_updated_rows_hold_every_kind_of_value_across_statements(world) -> None:
    """Texts, numbers, empty values, lists (JSON), bytes and links must arrive as each row
    gave them, a row given twice as given last."""
    records = [
        Record(
            library=world.library_a,
            local_id=f"b{n}",
            raw=b"",
            raw_hash="",
            title=f"Judul {n}",
        )
        for n in range(2_100)  # more than one statement holds
    ]
    insert_rows(Record, records)
    records = list(Record.objects.order_by("pk"))
    clusters = insert_returning_keys(Cluster, ["title"], [("A",), ("B",)])
    for n, record in enumerate(records):
        record.title = f"Judul baru {n} — «kutipan» é"
        record.year = None if n % 3 == 0 else 1990 + n % 30
        record.authors = [f"Penulis {n}", "Kurniawan, Joko"] if n % 2 else []
        record.raw = bytes([n % 256, 0, 255])
        record.cluster_id = clusters[n % 2]
    twice = records[7]
    update_rows(Record, [*records, twice], ["title", "year", "authors", "raw", "cluster"])
    stored = {r.pk: r for r in Record.objects.all()}
    for n, record in enumerate(records):
        again = stored[record.pk]
        assert again.title == f"Judul baru {n} — «kutipan» é"
        assert again.year == (None if n % 3 == 0 else 1990 + n % 30)
        assert again.authors == ([f"Penulis {n}", "Kurniawan, Joko"] if n % 2 else [])
        assert bytes(again.raw) == bytes([n % 256, 0, 255])
        assert again.cluster_id == clusters[n % 2]


def test_reserved_keys_are_never_given_to_another_row() -> None:
    """An import gives its new records their keys before writing them (their copies are
    written first); a row written meanwhile, or after them, must not take one."""
    first = insert_returning_keys(Cluster, ["title"], [("A",), ("B",)])
    Cluster.objects.filter(pk=first[-1]).delete()  # a number once given stays given
    with transaction.atomic():
        reserved = reserve_keys(Cluster, 3)
        assert len(set(reserved)) == 3 and min(reserved) > max(first)
        insert_rows(Cluster, [Cluster(pk=key, title=f"R{key}") for key in reserved], with_keys=True)
    after = Cluster.objects.create(title="after")
    assert after.pk > max(reserved)
    titles = dict(Cluster.objects.values_list("pk", "title"))
    assert titles == {first[0]: "A", **{key: f"R{key}" for key in reserved}, after.pk: "after"}


@pytest.mark.django_db(transaction=True)
def test_keys_are_only_reserved_inside_the_writing_transaction() -> None:
    with pytest.raises(RuntimeError):
        reserve_keys(Cluster, 1)  # another writer could take them before they are used
    with transaction.atomic():
        assert len(reserve_keys(Cluster, 2)) == 2


def test_records_made_by_copy_are_what_django_makes(world) -> None:
    """An import makes its new records by copying one made the usual way: each must be
    what Django would have made, own its lists, and save like any other."""
    now = timezone.now()
    shared = {"library": world.library_a, "origin": "file", "first_seen_at": now}
    made = NewInstances(Record, **shared)
    first, second = made(local_id="b-1"), made(local_id="b-2", title="Biologi")
    usual = Record(**shared, local_id="b-1")

    def attributes(record: Record) -> dict[str, object]:
        return {k: v for k, v in vars(record).items() if k != "_state"}

    assert attributes(first) == attributes(usual)
    assert first._state.adding and first._state.db is None
    assert first.library is world.library_a  # no query: the library is known
    first.authors.append("Campbell, Neil A.")
    assert second.authors == [] and second.title == "Biologi"
    first.save()
    second.save()
    stored = Record.objects.get(local_id="b-1")
    assert (stored.authors, stored.library_id, stored.first_seen_at) == (
        ["Campbell, Neil A."],
        world.library_a.pk,
        now,
    )
