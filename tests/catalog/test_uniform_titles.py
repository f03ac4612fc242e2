"""A translation is linked to its original through the uniform title (MARC 240).

*Laskar Pelangi* (Andrea Hirata, Bentang 2005) and its English translation *The rainbow
troops* (2009) share no title word. A cataloguer records the original's title in the
translation's 240; the union catalogue reads it, keeps the two apart (another language,
another edition), lists each under the other's "other editions", and finds the
translation by the original's title.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pymarc
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from lxml import etree

from simpul.catalog import matching
from simpul.catalog.bibliographic import BibRecord, SourceFormat
from simpul.catalog.models import Cluster, Record
from simpul.catalog.queries import get_cluster, search_catalogue, search_params
from simpul.catalog.readers import read_records
from simpul.catalog.readers._text import original_title_in_notes
from simpul.catalog.services import imports
from tests.conftest import World

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def _field(tag: str, *pairs: str, indicators: str = "  ") -> pymarc.Field:
    subfields = [pymarc.Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(*indicators), subfields=subfields)


def book(
    control: str, title: str, language: str, year: int, uniform: list[str] | None, sor: str = ""
) -> bytes:
    record = pymarc.Record()
    record.add_field(pymarc.Field(tag="001", data=control))
    record.add_field(
        pymarc.Field(tag="008", data=f"090101s{year}    io a          000 1 {language} d")
    )
    record.add_field(_field("100", "a", "Hirata, Andrea.", indicators="1 "))
    if uniform:
        record.add_field(_field("240", *uniform, indicators="10"))
    statement = ["c", sor] if sor else []
    record.add_field(
        _field("245", "a", title, *statement, indicators="14" if title[:4] == "The " else "10")
    )
    record.add_field(_field("264", "a", "Yogyakarta :", "b", "Bentang,", "c", str(year)))
    record.add_field(_field("852", "b", "Rak fiksi", "h", f"899.221 HIR {control}"))
    return pymarc.record_to_xml(record, namespace=True)


def collection(*records: bytes) -> bytes:
    body = b"".join(records)
    return b'<collection xmlns="http://www.loc.gov/MARC21/slim">' + body + b"</collection>"


ORIGINAL = book("lp-1", "Laskar pelangi /", "ind", 2005, None)
TRANSLATION = book(
    "rt-1",
    "The rainbow troops /",
    "eng",
    2009,
    ["a", "Laskar pelangi.", "l", "English"],
    sor="Andrea Hirata ; translated from the Indonesian by Angie Kilbane.",
)


def load(world: World, data: bytes, library: str = "a") -> None:
    person = world.librarian_a if library == "a" else world.librarian_b
    where = world.library_a if library == "a" else world.library_b
    job = imports.create_import_job(person, where, io.BytesIO(data), "hirata.xml")
    assert imports.run_import_job(job).failed == 0


def test_readers_keep_the_uniform_title_of_real_records() -> None:
    path = DATA / "marc21" / "pymarc-utf8_with_leader_flag.mrc"
    with path.open("rb") as handle:
        (escape,) = [r for r in read_records(handle) if isinstance(r, BibRecord)]
    assert escape.title == "Escape from loneliness"
    assert escape.uniform_title == "De la solitude à la communauté"  # $l English left out
    path = DATA / "marcxml" / "traject-test_data.utf8.marc.xml"
    with path.open("rb") as handle:
        read = [r for r in read_records(handle, SourceFormat.MARCXML) if isinstance(r, BibRecord)]
    uniform = {r.uniform_title for r in read}
    assert "Jewish pirates" in uniform
    assert "Koryŏsa. Yŏlchŏn" in uniform  # 130 $a $p; $k Selections left out


def test_mods_and_csv_carry_the_uniform_title() -> None:
    mods = b"""<mods xmlns="http://www.loc.gov/mods/v3">
      <titleInfo><title>The rainbow troops</title></titleInfo>
      <titleInfo type="uniform"><title>Laskar pelangi</title></titleInfo>
      <name><namePart>Hirata, Andrea</namePart></name>
      <recordInfo><recordIdentifier>m-1</recordIdentifier></recordInfo>
    </mods>"""
    (record,) = read_records(io.BytesIO(mods), SourceFormat.MODS)
    assert isinstance(record, BibRecord)
    assert (record.title, record.uniform_title) == ("The rainbow troops", "Laskar pelangi")
    table = (
        b"id_biblio,judul,judul_asli,pengarang\n7,Pasukan pelangi,Laskar pelangi,Andrea Hirata\n"
    )
    (row,) = read_records(io.BytesIO(table), SourceFormat.CSV)
    assert isinstance(row, BibRecord)
    assert row.uniform_title == "Laskar pelangi"


def test_a_translation_is_another_edition_of_its_original(world: World, en_client: Client) -> None:
    load(world, collection(ORIGINAL))
    load(world, collection(TRANSLATION), library="b")
    original = Record.objects.get(local_id="lp-1")
    rainbow = Record.objects.get(local_id="rt-1")
    assert original.cluster_id != rainbow.cluster_id  # another language: not the same edition
    assert rainbow.uniform_title == "Laskar pelangi"
    assert [c.pk for c in get_cluster(rainbow.cluster_id).other_editions] == [original.cluster_id]
    assert [c.pk for c in get_cluster(original.cluster_id).other_editions] == [rainbow.cluster_id]

    page = en_client.get(reverse("catalog:record", args=[rainbow.cluster_id]))
    html = page.content.decode()
    assert 'data-testid="uniform-title">Laskar pelangi<' in html
    assert "Uniform title" in html
    assert reverse("catalog:record", args=[original.cluster_id]) in html
    assert (
        'data-testid="responsibility">Andrea Hirata ; translated from the Indonesian by '
        "Angie Kilbane</dd>" in html
    )
    editions = html.split('data-testid="other-editions"', 1)[1].split("</ul>", 1)[0]
    assert "Laskar pelangi" in editions and "(2005, Book, Indonesian)" in editions
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    work = json.loads(script)["exampleOfWork"]
    assert work == {"@type": "CreativeWork", "name": "Laskar pelangi"}
    with translation.override("id"):
        page = Client().get(reverse("catalog:record", args=[rainbow.cluster_id]))
    assert "Judul seragam" in page.content.decode()

    # The original's title finds the translation too, in any field and as a title, and the
    # result says why.
    results = en_client.get(reverse("catalog:search"), {"q": "laskar pelangi"}).content.decode()
    assert 'data-testid="other-titles">Also known as: Laskar pelangi</p>' in results
    for text in ("laskar pelangi", 'title:"laskar pelangi"'):
        found = {hit.cluster.pk for hit in search_catalogue(search_params({"q": text})).hits}
        assert found == {original.cluster_id, rainbow.cluster_id}, text


def test_one_library_giving_the_uniform_title_links_the_whole_title(world: World) -> None:
    bare = book("rt-2", "The rainbow troops /", "eng", 2009, None)
    load(world, collection(bare, ORIGINAL))
    first = Record.objects.get(local_id="rt-2")
    assert get_cluster(first.cluster_id).other_editions == []
    load(world, collection(TRANSLATION), library="b")  # the same edition, with its 240
    rainbow = Record.objects.get(local_id="rt-1")
    assert rainbow.cluster_id == first.cluster_id
    original = Record.objects.get(local_id="lp-1")
    assert [c.pk for c in get_cluster(first.cluster_id).other_editions] == [original.cluster_id]


def test_a_collective_uniform_title_links_nothing(world: World) -> None:
    laws = [
        book(f"uu-{n}", title, "ind", 2010 + n, ["a", "Laws, etc."])
        for n, title in enumerate(["Kitab undang-undang hukum pidana", "Undang-undang pers"])
    ]
    load(world, collection(*laws))
    clusters = Cluster.objects.order_by("pk")
    assert clusters.count() == 2
    assert len({c.work_key for c in clusters}) == 2
    assert matching.work_key(
        matching.features(BibRecord("x", SourceFormat.MARC21, b"", "Operas")), "Organ music"
    ) == matching.work_key(matching.features(BibRecord("x", SourceFormat.MARC21, b"", "Operas")))


def test_a_title_built_from_csv_exports_its_uniform_title_as_marc(
    world: World, en_client: Client
) -> None:
    table = (
        b"id_biblio,judul,judul_asli,pengarang,penerbit,tahun\n"
        b"7,Pasukan pelangi,Laskar pelangi,Andrea Hirata,Bentang,2011\n"
        b"8,Kisah seribu satu malam,Alf laylah wa-laylah,,Balai Pustaka,1990\n"
    )
    load(world, table)
    by_author = Record.objects.get(local_id="7")
    anonymous = Record.objects.get(local_id="8")
    ns = {"m": "http://www.loc.gov/MARC21/slim"}
    for record, tag in ((by_author, "240"), (anonymous, "130")):
        url = reverse("catalog:export", args=[record.cluster_id, "marcxml"])
        xml = etree.fromstring(en_client.get(url).content)
        (field,) = xml.findall(f".//m:datafield[@tag='{tag}']", ns)
        assert field.findtext("m:subfield[@code='a']", namespaces=ns) == record.uniform_title


# --- the original named in a note (Indonesian catalogues rarely give a 240) --------------


@pytest.mark.parametrize(
    ("note", "original"),
    [
        ("Judul asli: The rainbow troops", "The rainbow troops"),
        ('Judul Asli : "Sophie\'s world". Diterjemahkan oleh Rahmani Astuti', "Sophie's world"),
        (
            "Terj. dari: The 7 habits of highly effective people",
            "The 7 habits of highly effective people",
        ),
        ("Terjemahan dari: Norwegian wood / Haruki Murakami", "Norwegian wood"),
        ("Indeks. -- Judul asli: Ayat-ayat cinta", "Ayat-ayat cinta"),
        ("Translation of: Der Steppenwolf.", "Der Steppenwolf"),
        ("Translation of De la solitude à la communauté.", "De la solitude à la communauté"),
        ("Original title: Il nome della rosa; translated by William Weaver", "Il nome della rosa"),
        ("Translated from: Le petit prince", "Le petit prince"),
        ("Terj. dari: Mr. Smith goes to Washington", "Mr. Smith goes to Washington"),
        # Notes that name a language, or no title at all, give nothing.
        ("Translated from the German.", ""),
        ("Terjemahan dari bahasa Inggris", ""),
        ("Diterjemahkan dari bahasa Jepang oleh Jonjon Johana", ""),
        ("Translation of the author's thesis", ""),
        ("Translation of: English", ""),
        ("Bibliografi: hlm. 201-210", ""),
    ],
)
def test_the_original_title_a_note_names(note: str, original: str) -> None:
    assert original_title_in_notes([note]) == original


def _one(data: bytes, fmt: SourceFormat) -> BibRecord:
    (record,) = read_records(io.BytesIO(data), fmt)
    assert isinstance(record, BibRecord), record
    return record


def test_every_reader_takes_the_original_title_from_a_note() -> None:
    noted = pymarc.Record()
    noted.add_field(pymarc.Field(tag="001", data="rt-3"))
    noted.add_field(_field("245", "a", "Pasukan pelangi /", "c", "Andrea Hirata."))
    noted.add_field(_field("500", "a", "Judul asli: Laskar pelangi."))
    assert _one(noted.as_marc(), SourceFormat.MARC21).uniform_title == "Laskar pelangi"
    linked = pymarc.Record()
    linked.add_field(pymarc.Field(tag="001", data="rt-4"))
    linked.add_field(_field("245", "a", "Pasukan pelangi."))
    linked.add_field(_field("500", "a", "Terjemahan dari bahasa Indonesia."))
    linked.add_field(_field("765", "a", "Hirata, Andrea.", "t", "Laskar pelangi.", indicators="0 "))
    assert _one(linked.as_marc(), SourceFormat.MARC21).uniform_title == "Laskar pelangi"
    # A 240 wins over a note.
    noted.add_field(_field("240", "a", "Laskar pelangi (Novel)", indicators="10"))
    assert _one(noted.as_marc(), SourceFormat.MARC21).uniform_title == "Laskar pelangi (Novel)"

    dublin_core = b"""<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
        xmlns:dc="http://purl.org/dc/elements/1.1/">
      <dc:title>Pasukan pelangi</dc:title><dc:creator>Andrea Hirata</dc:creator>
      <dc:identifier>slims-12</dc:identifier>
      <dc:description>Judul asli: Laskar pelangi</dc:description>
    </oai_dc:dc>"""
    assert _one(dublin_core, SourceFormat.OAI_DC).uniform_title == "Laskar pelangi"

    mods = b"""<mods xmlns="http://www.loc.gov/mods/v3">
      <titleInfo><title>The rainbow troops</title></titleInfo>
      <relatedItem type="original"><titleInfo><title>Laskar pelangi</title></titleInfo>
      </relatedItem>
      <recordInfo><recordIdentifier>m-3</recordIdentifier></recordInfo>
    </mods>"""
    assert _one(mods, SourceFormat.MODS).uniform_title == "Laskar pelangi"
    mods = mods.replace(b"relatedItem", b"note").replace(b' type="original"', b"")
    mods = mods.replace(b"<titleInfo><title>Laskar", b"Original title: Laskar")
    mods = mods.replace(b"pelangi</title></titleInfo>\n", b"pelangi")
    assert _one(mods, SourceFormat.MODS).uniform_title == "Laskar pelangi"

    table = (
        b"id_biblio,judul,pengarang,catatan\n"
        b'21,Pasukan pelangi,Andrea Hirata,"Judul asli: Laskar pelangi. Cet. 3"\n'
    )
    assert _one(table, SourceFormat.CSV).uniform_title == "Laskar pelangi"


def test_a_translation_named_in_a_slims_note_is_another_edition(world: World) -> None:
    """A SLiMS library's Indonesian translation, harvested as oai_dc with its note, meets the
    original another library catalogued in MARC."""
    load(world, collection(book("lp-1", "Laskar pelangi /", "ind", 2005, None)))
    translated = b"""<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
        xmlns:dc="http://purl.org/dc/elements/1.1/">
      <dc:title>Rainbow troops</dc:title><dc:creator>Hirata, Andrea</dc:creator>
      <dc:identifier>oai:slims/44</dc:identifier><dc:language>English</dc:language>
      <dc:description>Judul asli: Laskar pelangi</dc:description><dc:date>2013</dc:date>
    </oai_dc:dc>"""
    load(world, translated, library="b")
    original = Record.objects.get(local_id="lp-1")
    rainbow = Record.objects.get(local_id="oai:slims/44")
    assert original.cluster_id != rainbow.cluster_id
    assert [c.pk for c in get_cluster(rainbow.cluster_id).other_editions] == [original.cluster_id]
    assert [c.pk for c in get_cluster(original.cluster_id).other_editions] == [rainbow.cluster_id]


# --- other titles (MARC 246, 730, 740) ---------------------------------------------------


def test_a_title_is_found_by_its_other_title(
    world: World, shared_data: Path, en_client: Client
) -> None:
    """A Persian book (real LC record 00313831 in traject's sample) whose title page also
    gives an English title, recorded in 246: a patron who knows it as "Critique for all
    seasons" finds it, and sees the English title on its page."""
    path = shared_data / "marc21" / "traject-test_data.utf8.mrc"
    job = imports.create_import_job(
        world.librarian_a, world.library_a, io.BytesIO(path.read_bytes()), path.name
    )
    imports.run_import_job(job)
    record = Record.objects.get(local_id="00313831")
    english = "Critique for all seasons : Akbar Ganji's conversation with Abdullah Nuri"
    assert record.variant_titles == [english]
    for text in ("critique for all seasons", 'title:"akbar ganji\'s conversation"'):
        found = {hit.cluster.pk for hit in search_catalogue(search_params({"q": text})).hits}
        assert found == {record.cluster_id}, text
    html = en_client.get(reverse("catalog:record", args=[record.cluster_id])).content.decode()
    assert "Other titles" in html
    shown = html.split('data-testid="variant-titles">', 1)[1].split("</dd>", 1)[0]
    assert "Critique for all seasons" in shown
    api = en_client.get(f"/api/v1/catalogue/clusters/{record.cluster_id}").json()
    assert api["variant_titles"] == [english]


def test_a_parallel_title_the_title_statement_gives_is_not_repeated(world: World) -> None:
    path = DATA / "marc21" / "marc4j-loongboonmee.mrc"
    with path.open("rb") as handle:
        films = [r for r in read_records(handle) if isinstance(r, BibRecord)]
    assert films  # the file holds the same record twice
    film = films[0]
    assert film.subtitle == "Uncle Boonmee who can recall his past lives"
    assert film.variant_titles == []  # its 246 repeats 245 $b


def test_mods_and_csv_carry_other_titles() -> None:
    mods = b"""<mods xmlns="http://www.loc.gov/mods/v3">
      <titleInfo><title>Pengantar ilmu perpustakaan</title></titleInfo>
      <titleInfo type="translated"><title>Introduction to library science</title></titleInfo>
      <titleInfo type="alternative"><title>Ilmu perpustakaan</title><subTitle>pengantar</subTitle>
      </titleInfo>
      <recordInfo><recordIdentifier>m-2</recordIdentifier></recordInfo>
    </mods>"""
    (record,) = read_records(io.BytesIO(mods), SourceFormat.MODS)
    assert isinstance(record, BibRecord)
    assert record.variant_titles == [
        "Introduction to library science",
        "Ilmu perpustakaan : pengantar",
    ]
    table = (
        b"id_biblio,judul,judul_paralel,pengarang\n"
        b"9,Pengantar ilmu perpustakaan,Introduction to library science,Sulistyo-Basuki\n"
    )
    (row,) = read_records(io.BytesIO(table), SourceFormat.CSV)
    assert isinstance(row, BibRecord)
    assert row.variant_titles == ["Introduction to library science"]
