"""Each record keeps the matcher's normalised view of itself, so that a record compared with
newcomers is not normalised again. What is stored must be exactly what its columns give
(a record imported today and one whose form was remade after an upgrade compare alike),
and a form written by other code is never trusted."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from simpul.catalog import matching
from simpul.catalog.bibliographic import BibRecord
from simpul.catalog.models import Record, RecordStatus
from simpul.catalog.readers import read_records
from simpul.catalog.services import clustering
from tests.catalog.catalogue_world import import_file, shared_cluster
from tests.conftest import World

REAL_FILES = (
    "indonesian/ucm_perpustakaan_buku-sample.csv",
    "marc21/traject-test_data.utf8.mrc",
    "marc21/zebra-sample.mrc",
    "marc21/marc4j-chabon-loc.mrc",
)


def test_the_stored_form_is_what_the_columns_give(world: World, shared_data: Path) -> None:
    for name in REAL_FILES:
        import_file(world.librarian_a, world.library_a, shared_data / name)
    rows = list(
        Record.objects.filter(status=RecordStatus.ACTIVE).values(
            "match_form", *clustering.BIB_FIELDS
        )
    )
    assert len(rows) > 100
    for row in rows:
        from_columns = matching.prepare(clustering.bib_from_row(row))
        assert matching.from_stored_form(bytes(row["match_form"])) == from_columns, row["local_id"]


def test_a_form_from_other_code_is_not_trusted() -> None:
    form = matching.stored_form(matching.prepare(clustering.bib_from_row(_columns())))
    assert matching.from_stored_form(form) is not None
    other_code = b"mf000000000000:" + form[len(matching.FORM_TAG) :]
    assert matching.from_stored_form(other_code) is None
    assert matching.from_stored_form(b"") is None


def test_a_record_without_a_form_gets_one_when_compared_and_keeps_its_datestamp(
    catalogue: World,
) -> None:
    cluster = shared_cluster()
    stored = Record.objects.filter(cluster=cluster).order_by("pk").first()
    assert stored is not None
    Record.objects.filter(pk=stored.pk).update(match_form=b"")  # as after the upgrade
    changed_at = Record.objects.get(pk=stored.pk).updated_at
    clustering.forget_prepared()
    newcomer = Record.objects.filter(cluster=cluster).exclude(pk=stored.pk).first()
    assert newcomer is not None
    clustering.recluster([newcomer])
    newcomer.refresh_from_db()
    assert newcomer.cluster_id == cluster.pk
    healed = Record.objects.get(pk=stored.pk)
    assert healed.updated_at == changed_at
    columns = Record.objects.filter(pk=stored.pk).values(*clustering.BIB_FIELDS).get()
    assert matching.from_stored_form(bytes(healed.match_form)) == matching.prepare(
        clustering.bib_from_row(columns)
    )


def _columns() -> dict[str, object]:
    return {
        "local_id": "b-1",
        "source_format": "marc21",
        "title": "Pengantar ilmu hukum",
        "subtitle": "",
        "responsibility": "Soedjono Dirdjosisworo",
        "authors": ["Dirdjosisworo, Soedjono"],
        "publisher": "RajaGrafindo Persada",
        "place": "Jakarta",
        "year": 2008,
        "edition": "Ed. 1, cet. 10",
        "extent": "xii, 382 hlm. ; 21 cm",
        "isbns": ["9794212174"],
        "issns": [],
        "doi": "",
        "lccn": "",
        "oclc": "",
        "languages": ["ind"],
        "material_type": "book",
        "subjects": [],
        "series": [],
    }


def test_prepared_records_reach_the_writing_process_intact(shared_data: Path) -> None:
    """The reading process pickles each record's prepared form for the writing process;
    what arrives must compare exactly as what was sent, old spellings and editions too."""
    sent = []
    for name in REAL_FILES:
        with open(shared_data / name, "rb") as handle:
            for item in read_records(handle, None, default_library_code="ALPHA"):
                if isinstance(item, BibRecord) and not item.deleted:
                    sent.append(matching.features(item))
    assert any(f.alt_main_grams for f in sent) and any(f.edition.number for f in sent)
    arrived = pickle.loads(pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301
    assert arrived == sent
    assert [type(f.edition) for f in arrived] == [type(f.edition) for f in sent]


def test_a_decoded_form_makes_its_trigrams_as_preparing_the_record_does() -> None:
    """A decoded form makes its trigram sets only when asked for; they must be those the
    record's own preparation gives, the old-spelling ones included."""
    columns = _columns()
    columns["title"] = "Kamoes oemoem bahasa Indonesia"
    columns["subtitle"] = "djilid pertama"
    prepared = matching.prepare(clustering.bib_from_row(columns))
    assert prepared.alt_full_grams
    decoded = matching.from_stored_form(matching.stored_form(prepared))
    assert decoded is not None
    for name in ("alt_full_grams", "full_grams", "publisher_grams", "sub_grams"):
        assert getattr(decoded, name) == getattr(prepared, name), name
    assert decoded == prepared
    assert pickle.loads(pickle.dumps(decoded)) == prepared  # noqa: S301 (our own bytes)
    with pytest.raises(AttributeError):
        decoded.not_a_field  # type: ignore[attr-defined]  # noqa: B018
