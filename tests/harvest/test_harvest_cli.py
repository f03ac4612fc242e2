"""`simpul harvest CODE`: harvests a library's sources from the command line and says in
words what is wrong with what it was given."""

from __future__ import annotations

import pytest

from tests.harvest.oai_server import Behaviour, caltech_items, serving
from tests.test_cli_support import new_site

ADD_LIBRARY = """
from simpul.network.models import Library
library, _ = Library.objects.get_or_create(
    code="ALPHA", defaults=dict(name="Perpustakaan Alpha", library_type="university")
)
"""
ADD_LIBRARY_AND_SOURCE = (
    ADD_LIBRARY
    + """
from simpul.harvest.models import HarvestSource
source = HarvestSource.objects.create(library=library, name="Repositori", base_url={url!r})
print(source.pk)
"""
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with new_site(tmp_path_factory.mktemp("harvest")) as site:
        yield site


def test_harvest_reads_a_source_and_reports(site):
    with serving(Behaviour()) as url:
        source_id = site.python(ADD_LIBRARY_AND_SOURCE.format(url=url))
        done = site.run("harvest", "alpha")
        assert done.returncode == 0, done.stderr
        assert "100 records read: 100 added" in done.stdout
        assert "4 pages" in done.stdout
        again = site.run("harvest", "ALPHA", "--source", source_id, "--full")
        assert "100 unchanged" in again.stdout


def test_harvest_says_what_it_repaired(site):
    """A SLiMS-style oai_dc record with an ISBN whose check digit is wrong and a language
    nobody can name is harvested without them, and the command says so, record by record."""
    items = caltech_items()
    slipped = items[4]
    slipped.xml = slipped.xml.replace(
        b"<dc:title",
        b"<dc:identifier>979-97312-3-3</dc:identifier>"
        b"<dc:language>Klingonisch</dc:language><dc:title",
        1,
    )
    with serving(Behaviour(items=items)) as url:
        source_id = site.python(ADD_LIBRARY_AND_SOURCE.format(url=url))
        done = site.run("harvest", "ALPHA", "--source", source_id, "--full")
    assert done.returncode == 0, done.stderr
    assert "1 record was imported with repairs." in done.stdout
    (line,) = [text for text in done.stdout.splitlines() if slipped.identifier in text]
    assert line.startswith("  #5 (")
    assert "ISBN(s) with a wrong check digit were left out: 979-97312-3-3." in line
    assert "Language “Klingonisch” is not a language Simpul knows; it was left out." in line


def test_wrong_input_is_explained(site):
    site.python(ADD_LIBRARY)  # the tests of this module may run in any order, or apart
    unknown = site.run("harvest", "NOPE")
    assert unknown.returncode == 1
    assert "No member library has the code NOPE." in unknown.stderr
    alone = site.run("harvest", "ALPHA", "--identifier", "oai:x:1")
    assert alone.returncode == 1 and "--identifier needs --source" in alone.stderr
    nothing = site.run("harvest", "ALPHA", "--source", "999")
    assert nothing.returncode == 1 and "no harvest source" in nothing.stderr
    bad_number = site.run("harvest", "ALPHA", "--source", "two")
    assert bad_number.returncode == 2 and "invalid int value" in bad_number.stderr
