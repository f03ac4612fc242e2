"""The S3 option, against a real S3-compatible server on loopback (moto's server mode):
deposit, download, and a fixity audit that finds a changed object."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.test import Client
from django.utils import translation
from moto.server import ThreadedMotoServer

from simpul.repository import fixity
from tests.repository.conftest import deposit, make_pdf, published

BUCKET = "repositori-uji"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def s3(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "repository": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "location": "repository",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    try:
        yield client
    finally:
        server.stop()


def test_deposit_download_and_fixity_on_s3(world, s3):
    data = make_pdf("Bab I di S3")
    item = published(world, ("skripsi.pdf", data))
    stored = item.files.get()
    kept = s3.get_object(Bucket=BUCKET, Key=f"repository/{stored.storage_name}")["Body"].read()
    assert kept == data
    response = Client().get(f"/repository/items/{item.pk}/files/{stored.pk}/skripsi.pdf")
    assert b"".join(response.streaming_content) == data
    assert fixity.run_audit().ok

    other = deposit(world, ("b.pdf", make_pdf("lain")), title="Kedua").files.get()
    s3.put_object(Bucket=BUCKET, Key=f"repository/{other.storage_name}", Body=b"%PDF-changed")
    run = fixity.run_audit()
    assert [failure["file"] for failure in run.failures] == [other.pk]

    s3.delete_object(Bucket=BUCKET, Key=f"repository/{stored.storage_name}")
    with translation.override("en"):  # the download above switched to the site's language
        run = fixity.run_audit()
    assert sorted((f["file"], f["problem"]) for f in run.failures) == sorted(
        [(stored.pk, "missing from storage"), (other.pk, run.failures[-1]["problem"])]
    )
