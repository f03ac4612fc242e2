"""A harvest that starts while a title's change is still being written never loses it.

A title's datestamp is taken inside the transaction that changes it. A harvester whose
first request came between that moment and the commit would not see the change; its
next harvest, from this response's date on, would skip it for good. Run on a site of
its own (SQLite file, or a PostgreSQL database of its own), with the writer and the
harvested server in separate processes, as an import and the web server are.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from lxml import etree

from tests.test_cli_support import new_site

NS = {"oai": "http://www.openarchives.org/OAI/2.0/"}

CATALOGUE = """
from pathlib import Path
from simpul.catalog.models import Cluster
from simpul.catalog.services import imports
from simpul.catalog.synthetic import write_member_files
from simpul.network.models import Library

library = Library.objects.create(code="UNIBA", name="Universitas Uji", library_type="university")
[(_, path)] = write_member_files(Path("files"), 40, libraries=["UNIBA"])
with open(path, "rb") as handle:
    imports.run_import_job(imports.create_import_job(None, library, handle, path.name))
print(Cluster.objects.order_by("pk").values_list("pk", flat=True).first())
"""

# Changes one title, then keeps its transaction open until told to commit.
WRITER = """
import sys
from django.db import transaction
from simpul.catalog.models import Cluster
from simpul.catalog.services import clustering
from simpul.protocols import oai

with transaction.atomic():
    clustering.refresh_clusters([{cluster_id}])
    moment = Cluster.objects.get(pk={cluster_id}).updated_at
    print(oai.datestamp(moment), flush=True)
    sys.stdin.readline()
print("committed", flush=True)
"""

HARVEST = """
from simpul.protocols import oai
print(oai.respond([("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc")], "http://x/oai")
      .decode())
"""

FINAL_DATESTAMP = """
from simpul.catalog.models import Cluster
from simpul.protocols import oai
print(oai.datestamp(Cluster.objects.get(pk={cluster_id}).updated_at))
"""


def _shell(site, code: str, **options) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    return subprocess.Popen(
        [sys.executable, "-m", "simpul.cli", "manage", "shell", "--no-imports", "-c", code],
        env=site.env,
        cwd=site.folder,
        text=True,
        stdout=subprocess.PIPE,
        **options,
    )


def test_a_change_committed_after_a_harvest_began_is_in_that_harvest_or_the_next(
    tmp_path: Path,
) -> None:
    with new_site(tmp_path / "site") as site:
        cluster_id = int(site.python(CATALOGUE).split()[-1])
        writer = _shell(site, WRITER.format(cluster_id=cluster_id), stdin=subprocess.PIPE)
        assert writer.stdin is not None and writer.stdout is not None
        try:
            written_at = writer.stdout.readline().strip()
            assert written_at, "the writer changed the title"
            time.sleep(1.2)  # the harvest's clock is now past the datestamp being written
            harvest = _shell(site, HARVEST)
            time.sleep(1.5)  # the harvest is under way, or waiting for the writer
            writer.stdin.write("\n")
            writer.stdin.flush()
            assert writer.stdout.readline().strip() == "committed"
            response, _ = harvest.communicate(timeout=60)
        finally:
            writer.kill()
            writer.wait()
        final = site.python(FINAL_DATESTAMP.format(cluster_id=cluster_id)).split()[-1]
    assert final == written_at
    root = etree.fromstring(response.encode())
    response_date = root.findtext("oai:responseDate", namespaces=NS)
    listed = {
        header.findtext("oai:identifier", namespaces=NS): header.findtext(
            "oai:datestamp", namespaces=NS
        )
        for header in root.iterfind(".//oai:header", NS)
    }
    [identifier] = [i for i in listed if i.endswith(f":title/{cluster_id}")]
    # Either this harvest already carried the change, or the next one (from this
    # response's date, as the OAI-PMH harvester guidelines advise) will.
    assert listed[identifier] == final or final >= response_date, (
        f"the change stamped {final} was committed after a harvest answered at "
        f"{response_date} and listed the title as of {listed[identifier]}: lost"
    )


def test_a_harvest_waits_for_a_slow_writer_only_so_long(tmp_path: Path) -> None:
    with new_site(tmp_path / "site") as site:
        cluster_id = int(site.python(CATALOGUE).split()[-1])
        writer = _shell(site, WRITER.format(cluster_id=cluster_id), stdin=subprocess.PIPE)
        assert writer.stdin is not None and writer.stdout is not None
        try:
            assert writer.stdout.readline().strip()
            impatient = "from simpul.protocols import oai\noai.WRITERS_WAIT_SECONDS = 0.5\n"
            harvest = _shell(site, impatient + HARVEST)
            response, _ = harvest.communicate(timeout=60)  # the writer has not committed
            assert writer.poll() is None, "the writer was still in its transaction"
        finally:
            writer.kill()
            writer.wait()
    root = etree.fromstring(response.encode())
    assert root.find("oai:ListIdentifiers", NS) is not None, "the harvest was answered"
