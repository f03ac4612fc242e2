"""A title an import starts is written whole from the records in hand, not read back and
refreshed. What it shows (best record, title, year, counts, work key) must be exactly
what a refresh from the stored records makes of it, however the title came about."""

from __future__ import annotations

import io
from typing import Any

import pymarc

from simpul.catalog.models import Cluster, Holding, Record
from simpul.catalog.services import clustering, decisions, imports
from tests.catalog.catalogue_world import shared_cluster
from tests.conftest import World


def shown() -> dict[int, tuple[Any, ...]]:
    """Every title's summary columns, by title."""
    return {
        row[0]: row[1:]
        for row in Cluster.objects.order_by("pk").values_list(
            "pk", "best_record_id", *clustering.SUMMARY_FIELDS[1:]
        )
    }


def assert_refresh_changes_nothing() -> None:
    written = shown()
    clustering.refresh_clusters(list(written))
    assert shown() == written


def test_titles_of_an_import_are_what_a_refresh_makes_of_them(catalogue: World) -> None:
    titles = shown()
    # The sample gives titles of one and of two libraries, with and without copies.
    assert {counts[-1] for counts in titles.values()} == {1, 2}
    assert Holding.objects.exists()
    assert_refresh_changes_nothing()


def test_a_title_a_librarian_splits_off_is_what_a_refresh_makes_of_it(catalogue: World) -> None:
    cluster = shared_cluster()
    record = Record.objects.get(cluster=cluster, library__code="ALPHA")
    decisions.keep_apart(catalogue.librarian_a, record)
    record.refresh_from_db()
    alone = Cluster.objects.get(pk=record.cluster_id)
    assert (alone.best_record_id, alone.record_count, alone.library_count) == (record.pk, 1, 1)
    assert_refresh_changes_nothing()


def copies(count: int) -> list[pymarc.Field]:
    return [
        pymarc.Field(
            tag="852",
            indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("b", "Lantai 2"), pymarc.Subfield("h", f"570 CAM b {n}")],
        )
        for n in range(1, count + 1)
    ]


def biologi(control: str, items: int) -> bytes:
    """A record of one edition of Campbell's "Biologi" with this many copies."""
    record = pymarc.Record()
    record.add_field(pymarc.Field(tag="001", data=control))
    record.add_field(pymarc.Field(tag="008", data="100101s2010    io a          001 0 ind d"))
    record.add_field(
        pymarc.Field(
            tag="020", indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("a", "9789790330001")],
        ),
        pymarc.Field(
            tag="100", indicators=pymarc.Indicators("1", " "),
            subfields=[pymarc.Subfield("a", "Campbell, Neil A.")],
        ),
        pymarc.Field(
            tag="245", indicators=pymarc.Indicators("1", "0"),
            subfields=[pymarc.Subfield("a", "Biologi /"), pymarc.Subfield("c", "Neil A. Campbell")],
        ),
        pymarc.Field(
            tag="260", indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("a", "Jakarta :"), pymarc.Subfield("b", "Erlangga,"),
                       pymarc.Subfield("c", "2010")],
        ),
        *copies(items),
    )  # fmt: skip
    return record.as_marc()


def test_the_record_with_most_copies_describes_a_title_started_in_one_batch(
    world: World,
) -> None:
    # Two records of one edition in one file, alike but for their copies: the title shows
    # the one with more, whichever came first.
    data = biologi("b-1", 1) + biologi("b-2", 3)
    job = imports.create_import_job(world.librarian_a, world.library_a, io.BytesIO(data), "b.mrc")
    assert imports.run_import_job(job).added == 2
    (cluster,) = Cluster.objects.all()
    assert cluster.record_count == 2
    assert cluster.best_record == Record.objects.get(local_id="b-2")
    assert_refresh_changes_nothing()
