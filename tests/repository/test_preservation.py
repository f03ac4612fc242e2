"""Preservation: what is recorded at ingest, the fixity audit and the audit trail."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.core import mail

from simpul.cli import main
from simpul.repository import audit, fixity
from simpul.repository.models import AuditEntry, StoredFile
from tests.repository.conftest import deposit, make_pdf

pytestmark = pytest.mark.usefixtures("repository_dir")


def test_ingest_records_size_detected_type_and_sha256(world, repository_dir: Path):
    data = make_pdf("Bab I Pendahuluan")
    item = deposit(world, ("skripsi.pdf", data), ("data.csv", b"nim,nilai\n1,90\n"))
    pdf, table = item.files.order_by("pk")
    assert (pdf.size, pdf.mime_type, pdf.sha256) == (
        len(data),
        "application/pdf",
        hashlib.sha256(data).hexdigest(),
    )
    assert table.mime_type in {"text/csv", "text/plain"}
    assert (repository_dir / pdf.storage_name).read_bytes() == data
    assert "Pendahuluan" in item.full_text


def test_fixity_audit_reports_exactly_the_corrupted_file(world, repository_dir: Path, english):
    first = deposit(world, ("a.pdf", make_pdf("satu")))
    second = deposit(world, ("b.pdf", make_pdf("dua")), title="Skripsi kedua")
    damaged = second.files.get()
    path = repository_dir / damaged.storage_name
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")

    run = fixity.run_audit(trigger="test")

    assert run.files_checked == 2
    assert [(f["file"], f["item"]) for f in run.failures] == [(damaged.pk, second.pk)]
    assert "SHA-256" in run.failures[0]["problem"]
    assert StoredFile.objects.get(pk=first.files.get().pk).fixity_ok is True
    assert StoredFile.objects.get(pk=damaged.pk).fixity_ok is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.coordinator.email]
    assert damaged.storage_name in mail.outbox[0].body
    assert first.files.get().storage_name not in mail.outbox[0].body
    assert AuditEntry.objects.filter(item=second, action="fixity_failed").count() == 1
    assert not AuditEntry.objects.filter(item=first, action="fixity_failed").exists()


def test_fixity_audit_reports_a_deleted_file(world, repository_dir: Path, english):
    deposit(world, ("a.pdf", make_pdf("satu")))
    gone = deposit(world, ("b.pdf", make_pdf("dua")), title="Yang hilang").files.get()
    (repository_dir / gone.storage_name).unlink()
    run = fixity.run_audit()
    assert [(f["file"], f["problem"]) for f in run.failures] == [(gone.pk, "missing from storage")]


def test_simpul_fixity_exits_non_zero_only_when_a_file_is_damaged(
    world, repository_dir: Path, capsys
):
    stored = deposit(world, ("a.pdf", make_pdf("satu"))).files.get()
    assert main(["fixity"]) == 0
    (repository_dir / stored.storage_name).write_bytes(b"%PDF-1.4 replaced")
    assert main(["fixity"]) == 1
    assert stored.storage_name in capsys.readouterr().err


def test_every_action_is_chained_and_the_chain_verifies(world):
    item = deposit(world, ("a.pdf", make_pdf("satu")))
    actions = list(item.audit_entries.values_list("action", "actor"))
    assert actions == [("deposit", "pustakawan.alpha"), ("file_added", "pustakawan.alpha")]
    entries = list(AuditEntry.objects.order_by("sequence"))
    assert entries[0].previous_hash == audit.GENESIS
    assert entries[1].previous_hash == entries[0].entry_hash
    assert audit.verify_chain().ok
    assert main(["audit", "verify"]) == 0


def test_a_changed_entry_breaks_the_chain_and_verify_says_where(world, capsys):
    item = deposit(world, ("a.pdf", make_pdf("satu")))
    deposit(world, ("b.pdf", make_pdf("dua")), title="Kedua")
    target = item.audit_entries.get(action="file_added")
    AuditEntry.objects.filter(pk=target.pk).update(details={"name": "lain.pdf"})
    report = audit.verify_chain()
    assert not report.ok
    assert report.problems == [f"entry {target.sequence}: content does not match its hash"]
    assert main(["audit", "verify"]) == 1
    assert f"entry {target.sequence}" in capsys.readouterr().err


def test_a_removed_or_rehashed_entry_is_detected(world):
    deposit(world, ("a.pdf", make_pdf("satu")))
    deposit(world, ("b.pdf", make_pdf("dua")), title="Kedua")
    second = AuditEntry.objects.get(sequence=2)
    # Rewriting an entry together with its own hash still breaks the next link.
    AuditEntry.objects.filter(pk=second.pk).update(entry_hash="f" * 64)
    assert any("entry 3: previous hash" in p for p in audit.verify_chain().problems)
    AuditEntry.objects.filter(sequence=2).update(entry_hash=second.entry_hash)
    assert audit.verify_chain().ok
    AuditEntry.objects.filter(sequence=2)._raw_delete(AuditEntry.objects.db)  # type: ignore[attr-defined]
    assert any("entry 2 is missing" in p for p in audit.verify_chain().problems)


def test_entries_cannot_be_changed_or_deleted_through_the_model(world):
    deposit(world, ("a.pdf", make_pdf("satu")))
    entry = AuditEntry.objects.first()
    entry.action = "nothing"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_audit_trail_exports_as_json_lines_and_csv(world, tmp_path: Path):
    deposit(world, ("a.pdf", make_pdf("satu")))
    assert main(["audit", "export", str(tmp_path / "trail.jsonl")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "trail.jsonl").read_text().splitlines()]
    assert [row["action"] for row in rows] == ["deposit", "file_added"]
    assert rows[1]["previous_hash"] == rows[0]["entry_hash"]
    assert main(["audit", "export", str(tmp_path / "trail.csv"), "--format", "csv"]) == 0
    lines = (tmp_path / "trail.csv").read_text().splitlines()
    assert lines[0].startswith("sequence,at,item,action")
    assert len(lines) == 3
