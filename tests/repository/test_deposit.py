"""Deposit, review, publication, correction and withdrawal; bad input refused whole."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from simpul.core.errors import AccessDenied, InvalidInput
from simpul.repository import services
from simpul.repository.models import DepositPolicy, Item, ItemStatus, StoredFile
from tests.repository.conftest import deposit, make_pdf, published, thesis_values

pytestmark = pytest.mark.usefixtures("repository_dir")

WINDOWS_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + (b"PE\x00\x00" + b"\x00" * 200)
)


def stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def refused(world, files, **changes) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        deposit(world, *files, **changes)
    return caught.value


def test_exe_named_pdf_is_refused_and_nothing_is_stored(world, repository_dir: Path, english):
    error = refused(world, [("skripsi.pdf", WINDOWS_EXE), ("bab1.pdf", make_pdf("ok"))])
    assert "skripsi.pdf" in error.message_dict["files"][0]
    assert "refused" in error.message_dict["files"][0]
    assert not Item.objects.exists() and not StoredFile.objects.exists()
    assert stored_files(repository_dir) == []


def test_oversized_file_is_refused(world, settings, english):
    settings.REPOSITORY_MAX_FILE_BYTES = 1000
    error = refused(world, [("besar.pdf", make_pdf("x" * 3000))])
    assert "larger than" in error.message_dict["files"][0]
    assert not Item.objects.exists()


def test_malformed_pdf_is_refused(world, english):
    broken = make_pdf("isi")[:200]  # a PDF cut short: no cross-reference table, no pages
    error = refused(world, [("rusak.pdf", broken)])
    assert "not a readable PDF" in error.message_dict["files"][0]
    assert not Item.objects.exists()


def test_scripts_in_metadata_are_refused_with_the_field_named(world, english):
    error = refused(
        world,
        [("a.pdf", make_pdf("isi"))],
        title='Judul <script>alert("x")</script>',
        abstract_en="<img src=x onerror=alert(1)>",
    )
    assert set(error.message_dict) == {"title", "abstract_en"}
    assert "Plain text only" in error.message_dict["title"][0]
    assert not Item.objects.exists()


def test_messages_are_translated_into_indonesian(world):
    from django.utils import translation

    with translation.override("id"):
        error = refused(world, [("skripsi.pdf", WINDOWS_EXE)])
    assert "ditolak" in error.message_dict["files"][0]


def test_embargo_needs_a_date(world, english):
    error = refused(world, [("a.pdf", make_pdf("x"))], access_level="embargoed")
    assert "embargo_until" in error.message_dict


def test_a_failure_while_storing_removes_files_already_written(
    world, repository_dir: Path, monkeypatch
):
    from simpul.repository import audit

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        deposit(world, ("a.pdf", make_pdf("x")), ("b.pdf", make_pdf("y")))
    assert stored_files(repository_dir) == []
    assert not Item.objects.exists()


def test_review_workflow_submitted_reviewed_published(world):
    item = deposit(world, ("a.pdf", make_pdf("isi")))
    assert item.status == ItemStatus.SUBMITTED
    with pytest.raises(InvalidInput):
        services.publish(world.librarian_a, item)
    services.review(world.librarian_a, item, "approve")
    services.publish(world.librarian_a, item)
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.published_at
    assert list(item.audit_entries.values_list("action", flat=True)) == [
        "deposit",
        "file_added",
        "review",
        "publish",
    ]


def test_returned_with_comments_then_resubmitted_by_the_author(world):
    DepositPolicy.objects.create(library=world.library_a, authors_may_deposit=True)
    item = services.deposit(
        world.patron_a, world.library_a, thesis_values(), [("a.pdf", io.BytesIO(make_pdf("x")))]
    )
    with pytest.raises(InvalidInput):
        services.review(world.librarian_a, item, "return", "")
    services.review(world.librarian_a, item, "return", "Lengkapi abstrak bahasa Inggris.")
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED
    services.update(world.patron_a, item, {"abstract_en": "A fuller English abstract."})
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED
    assert item.abstract_en == "A fuller English abstract."


def test_authors_deposit_only_where_the_library_allows_it(world):
    with pytest.raises(AccessDenied):
        services.deposit(world.patron_a, world.library_a, thesis_values(), [])
    DepositPolicy.objects.create(library=world.library_a, authors_may_deposit=True)
    with pytest.raises(AccessDenied):  # a patron of B cannot deposit for A
        services.deposit(world.patron_b, world.library_a, thesis_values(), [])


def test_librarian_of_b_cannot_review_or_see_a_deposits_of_a(world):
    item = deposit(world, ("a.pdf", make_pdf("x")))
    with pytest.raises(AccessDenied):
        services.review(world.librarian_b, item, "approve")
    with pytest.raises(AccessDenied):
        services.deposit(world.librarian_b, world.library_a, thesis_values(), [])
    assert not services.can_view(world.librarian_b, item)
    assert item not in services.visible_items(world.librarian_b)
    assert item in services.visible_items(world.librarian_a)
    assert not services.can_view(world.patron_a, item)


def test_correcting_a_published_item_keeps_the_earlier_version(world):
    item = published(world, ("a.pdf", make_pdf("versi satu")))
    first_file = item.files.get()
    services.update(
        world.librarian_a,
        item,
        {"title": "Judul yang dibetulkan"},
        [("b.pdf", io.BytesIO(make_pdf("versi dua")))],
        remove_files=[first_file.pk],
        note="Salah ketik pada judul",
    )
    item.refresh_from_db()
    assert item.version == 2 and item.title == "Judul yang dibetulkan"
    old = item.versions.get()
    assert old.number == 1 and old.metadata["title"] == thesis_values()["title"]
    assert old.file_ids == [first_file.pk]
    assert [f.original_name for f in item.live_files()] == ["b.pdf"]
    assert StoredFile.objects.filter(pk=first_file.pk, superseded_at__isnull=False).exists()
    assert "versi dua" in item.full_text and "versi satu" not in item.full_text


def test_withdrawal_needs_a_reason(world):
    item = published(world, ("a.pdf", make_pdf("x")))
    with pytest.raises(InvalidInput):
        services.withdraw(world.librarian_a, item, "  ")
    services.withdraw(world.librarian_a, item, "Plagiarisme terbukti")
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN
    assert item.audit_entries.filter(action="withdraw").exists()
