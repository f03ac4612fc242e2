"""A record that could belong to either of two titles stays on its own, and says why.

"Perl" by Martin C. Brown (Osborne/McGraw-Hill, 1999) is two books: *programmer's
reference* and *the complete reference*. A library whose record lost the subtitle holds
one of them, and nothing in its record says which; putting its copy under the wrong
title would send an interlibrary loan request for the wrong book.
"""

from __future__ import annotations

import io

import pymarc
from django.utils import translation

from simpul.catalog import matching
from simpul.catalog.models import Record
from simpul.catalog.services import imports
from tests.conftest import World


def marcxml(*titles: tuple[str, str, str]) -> bytes:
    """MARCXML records of Brown's Perl books: (control number, title, subtitle)."""
    records = []
    for control, title, subtitle in titles:
        record = pymarc.Record()
        record.add_field(pymarc.Field(tag="001", data=control))
        record.add_field(pymarc.Field(tag="008", data="990101s1999    caua          001 0 eng d"))
        record.add_field(
            pymarc.Field(
                tag="100",
                indicators=pymarc.Indicators("1", " "),
                subfields=[pymarc.Subfield("a", "Brown, Martin C.")],
            )
        )
        title_subfields = [pymarc.Subfield("a", title + (" :" if subtitle else ""))]
        if subtitle:
            title_subfields.append(pymarc.Subfield("b", subtitle))
        record.add_field(
            pymarc.Field(
                tag="245", indicators=pymarc.Indicators("1", "0"), subfields=title_subfields
            )
        )
        record.add_field(
            pymarc.Field(
                tag="264",
                indicators=pymarc.Indicators(" ", "1"),
                subfields=[
                    pymarc.Subfield("a", "Berkeley :"),
                    pymarc.Subfield("b", "Osborne/McGraw-Hill,"),
                    pymarc.Subfield("c", "1999"),
                ],
            )
        )
        records.append(pymarc.record_to_xml(record, namespace=True))
    collection = b"".join(records)
    return b'<collection xmlns="http://www.loc.gov/MARC21/slim">' + collection + b"</collection>"


def load(world: World, library: str, data: bytes) -> None:
    person = world.librarian_a if library == "a" else world.librarian_b
    where = world.library_a if library == "a" else world.library_b
    job = imports.create_import_job(person, where, io.BytesIO(data), "perl.xml")
    assert imports.run_import_job(job).failed == 0


REFERENCE = ("a-1", "Perl", "programmer's reference")
COMPLETE = ("a-2", "Perl", "the complete reference")
BARE = ("b-1", "Perl", "")


def test_a_record_that_fits_two_titles_differing_by_subtitle_stands_alone(world: World) -> None:
    load(world, "a", marcxml(REFERENCE, COMPLETE))
    load(world, "b", marcxml(BARE))
    reference, complete = (Record.objects.get(local_id=local_id) for local_id in ("a-1", "a-2"))
    bare = Record.objects.get(local_id="b-1")
    assert len({reference.cluster_id, complete.cluster_id, bare.cluster_id}) == 3
    assert [reason["code"] for reason in bare.match_reasons] == ["ambiguous_subtitle"]
    with translation.override("en"):
        (english,) = matching.describe(bare.match_reasons)
    with translation.override("id"):
        (indonesian,) = matching.describe(bare.match_reasons)
    assert "programmers reference" in english and "complete reference" in english
    assert "kept apart until a librarian decides" in english
    assert "pustakawan" in indonesian


def test_a_record_without_its_subtitle_joins_the_only_title_it_fits(world: World) -> None:
    load(world, "a", marcxml(REFERENCE))
    load(world, "b", marcxml(BARE))
    assert (
        Record.objects.get(local_id="b-1").cluster_id
        == Record.objects.get(local_id="a-1").cluster_id
    )
