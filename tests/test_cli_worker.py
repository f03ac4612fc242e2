"""`simpul worker` runs the background jobs that pages queue, e.g. sending e-mail."""

from __future__ import annotations

import pytest

from tests.test_cli_support import new_site


@pytest.fixture
def site(tmp_path):
    with new_site(tmp_path) as site:
        yield site


def test_worker_batch_sends_a_queued_email_then_stops(site):
    result_id = site.python(
        "from simpul.core.tasks import send_email\n"
        "result = send_email.enqueue('Permintaan ILL diterima', 'Buku Anda siap diambil.', "
        "['putri@uniba.example.ac.id'])\n"
        "print(result.id)"
    )
    mail_dir = site.data_dir / "mail"
    assert not mail_dir.exists() or not list(mail_dir.iterdir())

    done = site.run("worker", "--batch", timeout=60)
    assert done.returncode == 0, done.stderr

    (message,) = list(mail_dir.iterdir())
    text = message.read_text()
    assert "Subject: Permintaan ILL diterima" in text
    assert "To: putri@uniba.example.ac.id" in text
    assert "Buku Anda siap diambil." in text
    status = site.python(
        "from simpul.core.tasks import send_email\n"
        f"result = send_email.get_result('{result_id}')\n"
        "print(result.status, result.return_value)"
    )
    assert status == "SUCCESSFUL 1"


def test_worker_batch_with_nothing_queued_stops_at_once(site):
    done = site.run("worker", "--batch", timeout=30)
    assert done.returncode == 0, done.stderr
