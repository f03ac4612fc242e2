"""One Simpul node harvests another: a second site (its own database) imports real MARC
records and serves them with `simpul serve`; this one harvests its /oai in MARCXML."""

from __future__ import annotations

import pytest

from simpul.catalog.models import Holding, JobStatus, Record
from simpul.harvest import services
from simpul.harvest.models import HarvestSource
from tests.conftest import SHARED_DATA
from tests.harvest.conftest import quick_client
from tests.test_cli_serve import serving
from tests.test_cli_support import new_site

pytestmark = pytest.mark.django_db
ADD_LIBRARY = """
from simpul.network.models import Library
Library.objects.create(code="GAMMA", name="Perpustakaan Gamma", library_type="university")
"""


@pytest.fixture(scope="module")
def other_node(tmp_path_factory):
    with new_site(tmp_path_factory.mktemp("other-node")) as site:
        site.python(ADD_LIBRARY)
        sample = SHARED_DATA / "marc21/traject-test_data.utf8.mrc"
        done = site.run("import", "--library", "GAMMA", str(sample))
        assert done.returncode == 0, done.stderr
        with serving(site) as server:
            yield server.base


def test_another_simpul_node_is_harvested_in_marcxml(world, other_node: str):
    source = HarvestSource.objects.create(
        library=world.library_b,
        name="Simpul Jawa Barat",
        base_url=f"{other_node}/oai",
        metadata_prefix="marcxml",
    )
    description = services.test_source(source.base_url, quick_client)
    assert {"oai_dc", "marcxml"} <= set(description.formats)
    assert "library:GAMMA" in {spec for spec, _name in description.sets}
    run = services.harvest(source, client_factory=quick_client)
    assert run.job.status == JobStatus.SUCCEEDED, run.job.message
    assert run.job.added == 29 and run.job.failed == 0
    records = Record.objects.filter(origin=source.origin)
    assert all(r.local_id.startswith("oai:") for r in records)
    assert Holding.objects.filter(record__in=records).exists(), "852 holdings come along"
    again = services.harvest(source, "full", client_factory=quick_client)
    assert (again.job.unchanged, again.job.withdrawn) == (29, 0)
