"""The generated network catalogue (demo and benchmarks): realistic, deterministic, importable,
and clustered as its ground truth says."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import pytest
from pymarc import MARCReader

from simpul.catalog import isbn as identifiers
from simpul.catalog.models import Record
from simpul.catalog.services import imports
from simpul.catalog.synthetic import (
    STYLES,
    ground_truth,
    isbn10_from_13,
    manifestations,
    write_member_files,
)
from simpul.network.models import Library, LibraryType


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    first = write_member_files(tmp_path / "a", 400, seed=7)
    second = write_member_files(tmp_path / "b", 400, seed=7)
    other = write_member_files(tmp_path / "c", 400, seed=8)
    assert [code for code, _ in first] == [code for code, _ in second]
    for (_, a), (_, b) in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert {p.name: p.read_bytes() for _, p in first} != {p.name: p.read_bytes() for _, p in other}


def test_every_isbn_has_a_valid_check_digit_and_is_unique_to_its_edition() -> None:
    seen: dict[str, int] = {}
    for man in manifestations(2026):
        if man.number >= 5000:
            break
        assert identifiers.normalise_isbn(man.isbn13) == man.isbn13
        assert identifiers.normalise_isbn(isbn10_from_13(man.isbn13)) == man.isbn13
        assert seen.setdefault(man.isbn13, man.number) == man.number


def test_works_have_editions_and_volumes_that_are_different_manifestations() -> None:
    by_work: dict[int, list] = defaultdict(list)
    for man in manifestations(2026):
        if man.number >= 3000:
            break
        by_work[man.work].append(man)
    several = [group for group in by_work.values() if len(group) > 1]
    assert len(several) > 100
    for group in several:
        assert len({(m.edition, m.volume) for m in group}) == len(group)
        assert len({m.isbn13 for m in group}) == len(group)


def test_the_big_library_overlaps_and_small_ones_hold_titles_of_their_own(tmp_path: Path) -> None:
    write_member_files(tmp_path, 6000)
    truth = ground_truth(tmp_path)
    holders: dict[int, set[str]] = defaultdict(set)
    for (code, _local_id), manifestation in truth.items():
        holders[manifestation].add(code)
    count = defaultdict(int)
    for code, _local_id in truth:
        count[code] += 1
    assert len(truth) >= 6000
    assert max(count, key=count.__getitem__) == "UNIBA"
    shared = [m for m, codes in holders.items() if len(codes) > 1]
    assert sum("UNIBA" in holders[m] for m in shared) / len(shared) > 0.8
    for small in ("STIEP", "POJOK-BJB", "STIKES-SMI"):
        own = [m for m, codes in holders.items() if codes == {small}]
        assert len(own) > count[small] * 0.2, small


def test_libraries_write_in_their_own_styles(tmp_path: Path) -> None:
    files = dict(write_member_files(tmp_path, 3000))
    with files["UNIBA"].open("rb") as handle:
        first = next(iter(MARCReader(handle, to_unicode=True, force_utf8=True)))
    assert first is not None and first["245"] is not None and first.get_fields("952")
    assert files["POLTEK-CMI"].read_bytes().startswith(b"<?xml")
    rows = list(csv.DictReader(io.StringIO(files["STIEP"].read_text(encoding="utf-8"))))
    titles = [row["title"] for row in rows]
    assert sum(t.isupper() for t in titles) > len(titles) * 0.4  # SLiMS habits: capitals
    assert any(row["authors"].startswith("<") and "," in row["authors"] for row in rows)
    assert {row["item_status_name"] for row in rows} >= {"Tersedia", "Dipinjam"}
    inlis = list(csv.DictReader(io.StringIO(files["DISPUSIP-BGR"].read_text(encoding="utf-8"))))
    assert "Judul" in inlis[0] and "NoBarcode" in inlis[0]


def test_an_unknown_library_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="NOPE"):
        write_member_files(tmp_path, 10, libraries=["UNIBA", "NOPE"])


@pytest.mark.django_db
def test_generated_files_import_cleanly_and_cluster_as_the_truth_says(tmp_path: Path) -> None:
    """Measured against the ground truth, not assumed: same manifestation, one cluster."""
    for code in STYLES:
        Library.objects.create(code=code, name=code, library_type=LibraryType.UNIVERSITY)
    files = write_member_files(tmp_path, 2500, seed=11)
    for code, path in files:
        with path.open("rb") as handle:
            job = imports.create_import_job(None, Library.objects.get(code=code), handle, path.name)
        job = imports.run_import_job(job)
        assert job.failed == 0, list(job.problems.values_list("reason", flat=True)[:3])
    truth = ground_truth(tmp_path)
    stored = {
        (code, local_id): cluster
        for code, local_id, cluster in Record.objects.values_list(
            "library__code", "local_id", "cluster_id"
        )
    }
    assert set(stored) == set(truth)
    predicted: dict[int, list] = defaultdict(list)
    expected: dict[int, list] = defaultdict(list)
    for name, manifestation in truth.items():
        predicted[stored[name]].append(name)
        expected[manifestation].append(name)
    said = {frozenset(p) for group in predicted.values() for p in combinations(group, 2)}
    right = {frozenset(p) for group in expected.values() for p in combinations(group, 2)}
    precision = len(said & right) / len(said)
    recall = len(said & right) / len(right)
    assert len(right) > 500
    assert precision >= 0.98, precision
    assert recall >= 0.95, recall
