"""`simpul reindex --reread`: the stored records read again with today's readers.

An operator upgrades Simpul to a version that reads more of a record (here: the uniform
title, which earlier versions did not read). Without asking the members for their files
again, the stored source records are read again and what now reads differently is
written, clustered and indexed; what reads the same is left alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from simpul import cli
from simpul.catalog.models import Cluster, Holding, Record
from simpul.catalog.queries import get_cluster, search_catalogue, search_params
from simpul.catalog.services import clustering, rereading
from tests.catalog.catalogue_world import import_file
from tests.catalog.test_uniform_titles import ORIGINAL, TRANSLATION, book, collection, load
from tests.conftest import World


def reindex(args: list[str]) -> int:
    """`simpul reindex …` as an Indonesian operator runs it."""
    with translation.override("id"):
        return cli.main(args)


def _as_an_earlier_version_left_them(world: World) -> None:
    """The original at ALPHA, its translation at BETA, as a version that did not read 240
    stored them: no uniform title, the titles unlinked."""
    load(world, collection(ORIGINAL))
    load(world, collection(TRANSLATION), library="b")
    Record.objects.update(uniform_title="", reader_version=1)
    clustering.refresh_clusters(Cluster.objects.values_list("pk", flat=True))


def _found(text: str) -> set[int]:
    return {hit.cluster.pk for hit in search_catalogue(search_params({"q": text})).hits}


def test_reread_brings_stored_records_up_to_date(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    _as_an_earlier_version_left_them(world)
    Holding.objects.filter(record__local_id="lp-1").update(call_number="899.221 OLD")
    original = Record.objects.get(local_id="lp-1")
    rainbow = Record.objects.get(local_id="rt-1")
    assert get_cluster(rainbow.cluster_id).other_editions == []

    assert reindex(["reindex", "--reread"]) == 0
    out = capsys.readouterr().out
    assert "2 cantuman dibaca ulang: 2 berubah, 0 tidak dapat dibaca" in out
    rainbow.refresh_from_db()
    assert rainbow.uniform_title == "Laskar pelangi"
    assert [c.pk for c in get_cluster(rainbow.cluster_id).other_editions] == [original.cluster_id]
    assert list(
        Holding.objects.filter(record__local_id="lp-1").values_list("call_number", flat=True)
    ) == ["899.221 HIR lp-1"]
    assert _found("laskar pelangi") == {original.cluster_id, rainbow.cluster_id}

    assert reindex(["reindex", "--reread"]) == 0  # this version has read them now
    assert "0 cantuman dibaca ulang: 0 berubah" in capsys.readouterr().out
    assert reindex(["reindex", "--reread", "--all"]) == 0  # and nothing reads differently
    assert "2 cantuman dibaca ulang: 0 berubah" in capsys.readouterr().out


def test_reread_of_one_library_leaves_the_others(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    _as_an_earlier_version_left_them(world)
    assert reindex(["reindex", "--reread", "--library", "alpha"]) == 0
    assert "1 cantuman dibaca ulang: 0 berubah" in capsys.readouterr().out
    assert Record.objects.get(local_id="rt-1").uniform_title == ""
    assert reindex(["reindex", "--reread", "--library", "BETA"]) == 0
    assert "1 cantuman dibaca ulang: 1 berubah" in capsys.readouterr().out
    assert Record.objects.get(local_id="rt-1").uniform_title == "Laskar pelangi"


def test_a_record_that_no_longer_reads_is_reported_and_kept(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    load(world, collection(ORIGINAL, TRANSLATION))
    Record.objects.update(reader_version=1)
    Record.objects.filter(local_id="rt-1").update(raw=b"<record><broken", uniform_title="")
    assert reindex(["reindex", "--reread"]) == 1
    captured = capsys.readouterr()
    assert "2 cantuman dibaca ulang: 0 berubah, 1 tidak dapat dibaca" in captured.out
    assert "ALPHA rt-1:" in captured.err
    kept = Record.objects.get(local_id="rt-1")
    assert kept.title == "The rainbow troops" and kept.cluster_id is not None
    assert _found("rainbow troops") == {kept.cluster_id}


def test_wrong_use_is_refused_clearly(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert reindex(["reindex", "--reread", "--library", "NOSUCH"]) == 1
    assert "Tidak ada perpustakaan anggota dengan kode NOSUCH" in capsys.readouterr().err
    assert reindex(["reindex", "--library", "ALPHA"]) == 2
    assert "--library dan --all hanya berlaku bersama --reread" in capsys.readouterr().err


def test_records_of_every_format_read_again_as_they_were_imported(
    world: World, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every real sample file (MARC 21 in UTF-8 and MARC-8, MARCXML, OAI-PMH Dublin Core,
    the Indonesian CSV): what the import stored is exactly what reading its source again
    gives, so an upgrade's reread rewrites only what a new reader changes."""
    files = [
        *sorted((shared_data / "marc21").glob("*.mrc")),
        *sorted((shared_data / "marcxml").glob("*.xml")),
        *sorted((shared_data / "oai_pmh").glob("*.xml")),
        shared_data / "indonesian" / "ucm_perpustakaan_buku-sample.csv",
    ]
    for path in files:
        import_file(world.librarian_a, world.library_a, path)
    formats = set(Record.objects.values_list("source_format", flat=True))
    assert formats == {"marc21", "marcxml", "oai_dc", "csv"}
    read = Record.objects.filter(status="active").count()
    assert read > 400
    assert reindex(["reindex", "--reread"]) == 0  # this version read them all at import
    assert "0 cantuman dibaca ulang" in capsys.readouterr().out
    assert reindex(["reindex", "--reread", "--all"]) == 0, capsys.readouterr().err
    assert f"{read} cantuman dibaca ulang: 0 berubah, 0 tidak dapat dibaca" in (
        capsys.readouterr().out
    )


def test_a_reread_stopped_half_way_goes_on_where_it_was(world: World) -> None:
    load(
        world,
        collection(*(book(f"lp-{n}", "Laskar pelangi /", "ind", 2005, None) for n in range(5))),
    )
    Record.objects.update(reader_version=1)

    def stop_after_two(report: rereading.RereadReport) -> None:
        raise KeyboardInterrupt  # the operator's Ctrl+C, between two batches

    with pytest.raises(KeyboardInterrupt):
        rereading.reread_records(batch_size=2, progress=stop_after_two)
    assert rereading.records_to_reread().count() == 3
    assert rereading.reread_records(batch_size=2).read == 3
    assert not rereading.records_to_reread().exists()


def test_check_says_when_a_reread_is_due(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    _as_an_earlier_version_left_them(world)
    with translation.override("en"):
        assert cli.main(["check"]) == 1
        out = capsys.readouterr().out
        assert (
            "!! 2 catalogue records were read by an earlier version of Simpul: run "
            "`simpul reindex --reread`" in out
        )
        assert cli.main(["reindex", "--reread"]) == 0
        cli.main(["check"])
        assert "OK Catalogue records are read by this version's readers." in (
            capsys.readouterr().out
        )
