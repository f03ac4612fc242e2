"""The library edit form refuses bad input with a message and changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from simpul.core.errors import InvalidInput
from simpul.network import services
from simpul.network.models import Library, OpeningHours
from tests.fixtures_accounts import english_client, form_values, quick_argon2  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_argon2")]

EDIT = "/libraries/ALPHA/edit/"


def snapshot(library: Library) -> dict[str, object]:
    """Everything the form can change, and the opening hours, as stored now."""
    fresh = Library.objects.get(pk=library.pk)
    fields = {
        f.name: getattr(fresh, f.name) for f in Library._meta.fields if f.name != "updated_at"
    }
    fields["logo"] = fresh.logo.name
    fields["hours"] = [
        (p.weekday, p.opens, p.closes) for p in OpeningHours.objects.filter(library=fresh)
    ]
    return fields


def edit_page_values(client, url: str = EDIT) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return form_values(response.text)


def png(width: int, height: int, noise: bool = False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), (200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def post_edit(client, data: dict[str, object], url: str = EDIT):
    return client.post(url, data)


def test_saving_the_page_unchanged_keeps_everything(world):
    client = english_client(world.librarian_a)
    before = snapshot(world.library_a)
    response = post_edit(client, edit_page_values(client))
    assert response.status_code == 302
    assert response["Location"] == "/libraries/ALPHA/"
    assert snapshot(world.library_a) == before


def test_a_valid_change_is_saved_with_new_opening_hours(world):
    client = english_client(world.librarian_a)
    data = edit_page_values(client)
    data.update(
        {
            "website": "https://perpustakaan.alpha.ac.id/",
            "latitude": "-6.925",
            "hours-1-weekday": "4",
            "hours-1-opens": "13:30",
            "hours-1-closes": "16:00",
        }
    )
    response = post_edit(client, data)
    assert response.status_code == 302
    library = Library.objects.get(pk=world.library_a.pk)
    assert library.website == "https://perpustakaan.alpha.ac.id/"
    assert str(library.latitude) == "-6.925000"
    assert [(p.weekday, p.opens, p.closes) for p in library.opening_hours.all()] == [
        (0, dt.time(8), dt.time(16)),
        (4, dt.time(13, 30), dt.time(16)),
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("website", "not a web address", "Enter a valid URL."),
        ("website", "javascript:alert(1)", "Enter a valid URL."),
        ("oai_pmh_url", "ftp//broken", "Enter a valid URL."),
        ("email", "perpustakaan@", "Enter a valid email address."),
        ("latitude", "91", "Ensure this value is less than or equal to 90."),
        ("latitude", "-90.5", "Ensure this value is greater than or equal to -90."),
        ("latitude", "utara", "Enter a number."),
        ("longitude", "181", "Ensure this value is less than or equal to 180."),
        ("collection_size", "-5", "Ensure this value is greater than or equal to 0."),
        ("name", "", "This field is required."),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(world, field, value, message):
    client = english_client(world.librarian_a)
    before = snapshot(world.library_a)
    data = edit_page_values(client)
    data["description"] = "Deskripsi baru yang tidak boleh tersimpan."
    data[field] = value
    response = post_edit(client, data)
    assert response.status_code == 200
    assert message in response.text
    assert snapshot(world.library_a) == before


def test_an_oversized_logo_is_refused(world):
    client = english_client(world.librarian_a)
    before = snapshot(world.library_a)
    data: dict[str, object] = dict(edit_page_values(client))
    big = png(700, 700, noise=True)
    assert len(big) > 1024 * 1024
    data["logo"] = SimpleUploadedFile("logo.png", big, content_type="image/png")
    response = post_edit(client, data)
    assert response.status_code == 200
    assert "The logo may be at most 1024 KB." in response.text
    assert snapshot(world.library_a) == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.png", b"this is not a picture at all"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
    ],
)
def test_a_logo_that_is_not_an_image_is_refused(world, name, content):
    client = english_client(world.librarian_a)
    before = snapshot(world.library_a)
    data: dict[str, object] = dict(edit_page_values(client))
    data["logo"] = SimpleUploadedFile(name, content, content_type="image/png")
    response = post_edit(client, data)
    assert response.status_code == 200
    assert "Upload a valid image." in response.text
    assert snapshot(world.library_a) == before


def test_a_small_logo_is_saved_and_can_be_cleared(world):
    client = english_client(world.librarian_a)
    data: dict[str, object] = dict(edit_page_values(client))
    data["logo"] = SimpleUploadedFile("logo.png", png(64, 64), content_type="image/png")
    assert post_edit(client, data).status_code == 302
    library = Library.objects.get(pk=world.library_a.pk)
    assert library.logo.name.startswith("logos/")
    assert library.logo.size > 0

    data = dict(edit_page_values(client))
    data["logo-clear"] = "on"
    assert post_edit(client, data).status_code == 302
    assert Library.objects.get(pk=world.library_a.pk).logo.name == ""
    assert 'alt="Logo of' not in client.get("/libraries/ALPHA/").text


def test_closing_before_opening_is_refused(world):
    client = english_client(world.librarian_a)
    before = snapshot(world.library_a)
    data = edit_page_values(client)
    data.update({"hours-0-opens": "16:00", "hours-0-closes": "08:00"})
    response = post_edit(client, data)
    assert response.status_code == 200
    assert "Closing time must be after opening time." in response.text
    assert snapshot(world.library_a) == before


def test_overlapping_periods_are_refused_and_the_other_changes_are_not_saved(world):
    client = english_client(world.librarian_a)
    before = snapshot(world.library_a)
    data = edit_page_values(client)
    data.update(
        {
            "name": "Nama yang tidak boleh tersimpan",
            "website": "https://alpha.example.org/",
            "hours-1-weekday": "0",
            "hours-1-opens": "12:00",
            "hours-1-closes": "18:00",
        }
    )
    response = post_edit(client, data)
    assert response.status_code == 200
    assert "Two opening periods on the same day overlap." in response.text
    assert snapshot(world.library_a) == before


def test_staff_cannot_change_coordinator_fields_through_the_page(world):
    client = english_client(world.admin_a)
    before = snapshot(world.library_a)
    data = edit_page_values(client)
    for field in ("code", "library_type", "is_active", "joined_on"):
        assert field not in data
    data.update(
        {"code": "DIRAMPAS", "library_type": "corner", "is_active": "", "joined_on": "1990-01-01"}
    )
    response = post_edit(client, data)
    assert response.status_code == 302
    assert snapshot(world.library_a) == before


def test_staff_cannot_change_coordinator_fields_through_the_service(world):
    before = snapshot(world.library_a)
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.update_library(
            world.librarian_a, world.library_a, {"code": "DIRAMPAS", "city": "Kota Lain"}
        )
    assert refused.value.messages == ["These fields cannot be changed here: code."]
    assert snapshot(world.library_a) == before


def test_the_coordinator_may_change_the_code(world):
    client = english_client(world.coordinator)
    data = edit_page_values(client)
    data["code"] = "ALPHA-01"
    response = post_edit(client, data)
    assert response.status_code == 302
    assert response["Location"] == "/libraries/ALPHA-01/"
    assert Library.objects.filter(code="ALPHA-01").exists()


def test_the_coordinator_gets_a_message_for_a_bad_or_taken_code(world):
    client = english_client(world.coordinator)
    before = snapshot(world.library_a)
    data = edit_page_values(client)
    data["code"] = "beta"
    response = post_edit(client, data)
    assert response.status_code == 200
    assert "Use 2 to 20 capital letters, digits or hyphens" in response.text
    data["code"] = "BETA"
    response = post_edit(client, data)
    assert response.status_code == 200
    assert "Member library with this Code already exists." in response.text
    assert snapshot(world.library_a) == before


def test_a_service_error_from_model_validation_is_invalid_input(world):
    before = snapshot(world.library_a)
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.update_library(world.librarian_a, world.library_a, {"website": "bukan alamat"})
    assert refused.value.message_dict == {"website": ["Enter a valid URL."]}
    assert snapshot(world.library_a) == before


def test_set_opening_hours_service_refuses_overlaps_and_keeps_the_old_hours(world):
    before = snapshot(world.library_a)
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.set_opening_hours(
            world.librarian_a,
            world.library_a,
            [(2, dt.time(8), dt.time(12)), (2, dt.time(11, 59), dt.time(15))],
        )
    assert refused.value.messages == ["Two opening periods on the same day overlap."]
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.set_opening_hours(
            world.librarian_a, world.library_a, [(7, dt.time(8), dt.time(9))]
        )
    assert refused.value.messages == ["The day of the week is not valid."]
    assert snapshot(world.library_a) == before
