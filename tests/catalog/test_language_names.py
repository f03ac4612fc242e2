"""Every language a record gives is named, in the page's language, not shown as its code.

The union catalogue holds what members hold: besides Indonesian and English, a Persian
book, Korean laws, a Hebrew novel (real LC records in traject's sample). A patron reads
"Persian" / "Bahasa Persia" in the facet and on the title page, never "per".
"""

from __future__ import annotations

import io
from pathlib import Path

from django.test import Client
from django.urls import reverse
from django.utils import translation

from simpul.catalog.models import Record
from simpul.catalog.queries import language_label
from simpul.catalog.services import imports
from tests.conftest import World


def test_language_codes_are_named_in_both_languages() -> None:
    expected = {
        "en": ["Persian", "Hebrew", "Georgian", "Malay", "Multiple languages", "xyz"],
        "id": ["Bahasa Persia", "Bahasa Ibrani", "Bahasa Georgia", "Bahasa Melayu",
               "Banyak bahasa", "xyz"],
    }  # fmt: skip
    for language, names in expected.items():
        with translation.override(language):
            assert [language_label(c) for c in ("per", "heb", "geo", "may", "mul", "xyz")] == (
                names
            )


def test_a_persian_book_is_in_persian_on_its_page_and_in_the_facet(
    world: World, shared_data: Path
) -> None:
    path = shared_data / "marc21" / "traject-test_data.utf8.mrc"
    job = imports.create_import_job(
        world.librarian_a, world.library_a, io.BytesIO(path.read_bytes()), path.name
    )
    imports.run_import_job(job)
    record = Record.objects.get(local_id="00313831")
    assert record.languages == ["per"]
    for language, name in (("en", "Persian"), ("id", "Bahasa Persia")):
        client = Client(headers={"accept-language": language})
        page = client.get(reverse("catalog:record", args=[record.cluster_id])).content.decode()
        assert f"<dd>{name}</dd>" in page, language
        found = client.get(reverse("catalog:search"), {"q": "critique for all seasons"})
        facet = found.content.decode().split('id="facet-language"', 1)[1].split("</ul>", 1)[0]
        assert f'<span class="facet-label">{name}</span>' in facet, language
