"""The upgrade that adds uniform and other titles applies to a catalogue already holding
records: the columns arrive empty with reader version 1, `simpul check` says a reread is
due, and the reread fills them in. The migration also goes back cleanly."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from simpul import cli
from simpul.catalog.models import Record
from simpul.catalog.readers import READER_VERSION
from tests.catalog.test_uniform_titles import TRANSLATION
from tests.conftest import World

BEFORE = [("catalog", "0005_record_match_forms")]


def _migrate(target: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(target or executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
def test_records_stored_before_the_upgrade_get_their_titles_from_a_reread(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("catalog", "Record")
    old.objects.create(
        library_id=world.library_b.pk,
        local_id="rt-1",
        source_format="marcxml",
        raw=TRANSLATION,
        raw_hash=hashlib.sha256(TRANSLATION).hexdigest(),
        title="The rainbow troops",
        authors=["Hirata, Andrea"],
        year=2009,
        languages=["eng"],
        material_type="book",
    )
    _migrate()
    stored = Record.objects.get(local_id="rt-1")
    assert (stored.reader_version, stored.uniform_title, stored.variant_titles) == (1, "", [])
    assert stored.title == "The rainbow troops"

    with translation.override("en"):
        assert cli.main(["check"]) == 1
        assert "1 catalogue records were read by an earlier version" in capsys.readouterr().out
        assert cli.main(["reindex", "--reread"]) == 0
    capsys.readouterr()
    stored.refresh_from_db()
    assert (stored.reader_version, stored.uniform_title) == (READER_VERSION, "Laskar pelangi")
    assert stored.cluster_id is not None  # placed in a title, as its import would have

    _migrate(BEFORE)  # and back: the columns go, the record stays
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    assert old.get_model("catalog", "Record").objects.get(local_id="rt-1").title == (
        "The rainbow troops"
    )
    _migrate()
