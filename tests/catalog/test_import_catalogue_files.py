"""A member library imports its catalogue file: records, holdings and clusters appear;
importing again changes nothing; a full export withdraws what is gone; bad records are
reported with their position and the rest imports."""

from __future__ import annotations

import io
from pathlib import Path

import pymarc
import pytest

from simpul.catalog.models import Cluster, Holding, ImportMode, JobStatus, Record, RecordStatus
from simpul.catalog.services import imports
from simpul.core.errors import AccessDenied, InvalidInput

pytestmark = pytest.mark.django_db


def run(world_person, library, path: Path | bytes, name: str = "", **options):
    data = path if isinstance(path, bytes) else path.read_bytes()
    job = imports.create_import_job(
        world_person, library, io.BytesIO(data), name or "upload.mrc", **options
    )
    return imports.run_import_job(job)


def test_a_marc_file_becomes_records_holdings_and_clusters(world, shared_data):
    job = run(world.librarian_a, world.library_a, shared_data / "marc21/traject-test_data.utf8.mrc")
    assert job.status == JobStatus.SUCCEEDED
    # One of the 30 records is marked deleted in its leader: it does not enter the catalogue.
    assert (job.added, job.failed, job.records_seen) == (29, 0, 30)
    records = Record.objects.filter(library=world.library_a)
    assert records.count() == 29
    assert all(r.cluster_id for r in records)
    assert Cluster.objects.count() == 29
    kept = bytes(records.order_by("pk").first().raw)  # type: ignore[union-attr]
    assert kept[5:6] in b"acnp", "the raw record is kept verbatim, leader first"


def test_importing_the_same_file_again_changes_nothing(world, shared_data):
    path = shared_data / "marc21/traject-test_data.utf8.mrc"
    run(world.librarian_a, world.library_a, path)
    clusters_before = set(Cluster.objects.values_list("pk", flat=True))
    again = run(world.librarian_a, world.library_a, path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 29)
    assert set(Cluster.objects.values_list("pk", flat=True)) == clusters_before


def test_the_same_titles_from_two_libraries_form_one_cluster_each(world, shared_data):
    path = shared_data / "marc21/traject-test_data.utf8.mrc"
    run(world.librarian_a, world.library_a, path)
    run(world.librarian_b, world.library_b, path)
    assert Record.objects.count() == 58
    assert Cluster.objects.filter(library_count=2).count() == 29
    cluster = Cluster.objects.filter(library_count=2).first()
    assert cluster is not None
    libraries = set(cluster.records.values_list("library__code", flat=True))
    assert libraries == {"ALPHA", "BETA"}
    joined = cluster.records.exclude(match_reasons=[]).first()
    assert joined is not None and joined.match_reasons, "the cluster says why it merged"


def _with_changed_title(path: Path, new_title: str) -> tuple[bytes, str]:
    out = io.BytesIO()
    changed_id = ""
    for number, record in enumerate(pymarc.MARCReader(path.read_bytes(), to_unicode=True)):
        if number == 0:
            record["245"]["a"] = new_title
            changed_id = record["001"].data.strip()
        out.write(record.as_marc())
    return out.getvalue(), changed_id


def test_a_changed_record_is_updated_in_place(world, shared_data):
    path = shared_data / "marc21/traject-test_data.utf8.mrc"
    run(world.librarian_a, world.library_a, path)
    data, changed_id = _with_changed_title(path, "Judul yang diperbaiki")
    before = Record.objects.get(library=world.library_a, local_id=changed_id)
    job = run(world.librarian_a, world.library_a, data)
    assert (job.added, job.updated) == (0, 1)
    after = Record.objects.get(pk=before.pk)
    assert after.title.startswith("Judul yang diperbaiki")


def test_replace_mode_withdraws_records_missing_from_a_full_export(world, shared_data):
    path = shared_data / "marc21/traject-test_data.utf8.mrc"
    run(world.librarian_a, world.library_a, path)
    reader = pymarc.MARCReader(path.read_bytes(), to_unicode=True)
    first_ten = b"".join(record.as_marc() for _n, record in zip(range(10), reader, strict=False))
    job = run(world.librarian_a, world.library_a, first_ten, mode=ImportMode.REPLACE)
    # The first ten hold nine live records and the one the file marks deleted.
    assert job.withdrawn == 20
    assert Record.objects.filter(status=RecordStatus.ACTIVE).count() == 9
    withdrawn = Record.objects.filter(status=RecordStatus.WITHDRAWN)
    assert withdrawn.count() == job.withdrawn and not withdrawn.exclude(cluster=None).exists()


def test_bad_records_are_reported_with_position_and_the_rest_imports(world, shared_data):
    job = run(world.librarian_a, world.library_a, shared_data / "broken/pymarc-bad_records.mrc")
    assert job.status == JobStatus.SUCCEEDED
    assert job.failed >= 1
    problem = job.problems.first()
    assert problem is not None and problem.position >= 1 and problem.reason
    assert Record.objects.filter(library=world.library_a).count() == job.added


def test_a_csv_of_copies_becomes_titles_with_holdings(world, shared_data):
    job = run(
        world.librarian_a,
        world.library_a,
        shared_data / "indonesian/ucm_perpustakaan_buku-sample.csv",
        name="buku.csv",
    )
    assert job.status == JobStatus.SUCCEEDED
    assert job.added == 126
    assert Holding.objects.filter(library=world.library_a).count() == 152


def test_a_librarian_cannot_import_for_another_library(world, shared_data):
    with pytest.raises(AccessDenied):
        run(world.librarian_b, world.library_a, shared_data / "marc21/pymarc-one.mrc")
    assert not Record.objects.exists()


def test_a_file_in_no_known_format_is_refused_before_anything_is_stored(world):
    with pytest.raises(InvalidInput):
        run(world.librarian_a, world.library_a, b"%PDF-1.7 not a catalogue", name="x.pdf")
    assert not Record.objects.exists()


def test_an_xml_entity_bomb_imports_nothing(world):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<collection xmlns="http://www.loc.gov/MARC21/slim">'
        b"<record><leader>00000nam a2200000 a 4500"
        b'</leader><datafield tag="245" ind1="0" ind2="0"><subfield code="a">&lol2;'
        b"</subfield></datafield></record></collection>"
    )
    job = run(world.librarian_a, world.library_a, bomb, name="bomb.xml")
    assert job.added == 0
    assert job.problems.exists()
    assert not Record.objects.exists()


def test_an_import_is_searchable_as_soon_as_it_finishes(world, shared_data):
    from simpul.catalog.search.engine import SearchQuery
    from simpul.catalog.services.indexing import pending_changes, search_index

    run(world.librarian_a, world.library_a, shared_data / "marc21/traject-test_data.utf8.mrc")
    run(world.librarian_b, world.library_b, shared_data / "marc21/traject-test_data.utf8.mrc")
    assert pending_changes() == 0
    index = search_index()
    assert index.num_docs == 29
    found = index.search(SearchQuery(text="Kazakhskoĭ"))
    assert found.total == 1
    cluster = Cluster.objects.get(pk=found.hits[0].cluster_id)
    assert "Kazakhsko" in cluster.title
    assert dict(found.facets["library"]) == {"ALPHA": 1, "BETA": 1}


def test_a_change_log_longer_than_any_query_may_name_is_applied_in_windows(world, shared_data):
    """A big library's first import touches hundreds of thousands of titles: more than one
    query may name (SQLite as Debian builds it: 250,000 parameters; PostgreSQL: 65,535)."""
    from simpul.catalog.models import SearchChange
    from simpul.catalog.search.engine import SearchQuery
    from simpul.catalog.services import indexing

    run(world.librarian_a, world.library_a, shared_data / "marc21/traject-test_data.utf8.mrc")
    gone = [SearchChange(cluster_id=10**9 + n) for n in range(260_000)]
    SearchChange.objects.bulk_create(gone, batch_size=20_000)
    SearchChange.objects.bulk_create(
        [SearchChange(cluster_id=pk) for pk in Cluster.objects.values_list("pk", flat=True)]
    )
    assert indexing.pending_changes() == 260_029
    assert indexing.apply_search_changes() == 260_029
    assert indexing.pending_changes() == 0
    index = indexing.search_index()
    assert index.num_docs == 29
    assert index.search(SearchQuery(text="Kazakhskoĭ")).total == 1
