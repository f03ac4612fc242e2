"""A person edits their own profile: bad input is refused, and roles cannot be changed there."""

from __future__ import annotations

import pytest
from django.utils import translation

from simpul.accounts import forms, services
from simpul.accounts.models import Role, User
from simpul.core.errors import InvalidInput
from tests.fixtures_accounts import english_client, form_values, quick_argon2  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_argon2")]

PROFILE = "/accounts/profile/"
FIELDS = ("first_name", "last_name", "email", "phone", "preferred_language")


def stored(person: User) -> dict[str, object]:
    fresh = User.objects.get(pk=person.pk)
    return {
        name: getattr(fresh, name)
        for name in (*FIELDS, "username", "role", "library_id", "is_staff", "is_superuser")
    }


def page_values(client) -> dict[str, str]:
    response = client.get(PROFILE)
    assert response.status_code == 200
    return {name: value for name, value in form_values(response.text).items() if name in FIELDS}


def test_the_profile_needs_a_signed_in_person(world):
    response = english_client().get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/accounts/profile/"


def test_the_profile_shows_the_person_their_own_details_only(world):
    response = english_client(world.patron_a).get(PROFILE)
    assert "putri.alpha@example.org" in response.text
    assert "A-001" in response.text
    assert "bayu.alpha" not in response.text


def test_the_language_choice_says_what_no_preference_means(world):
    page = english_client(world.patron_a).get(PROFILE).text
    assert "selected>No preference: the language switch decides</option>" in page
    assert "---------" not in page
    with translation.override("id"):
        assert "tombol bahasa" in str(forms.ProfileForm().fields["preferred_language"].choices)


def test_valid_changes_are_saved(world):
    client = english_client(world.patron_a)
    data = page_values(client)
    data.update(
        {
            "first_name": "Putri Ayu",
            "email": "putri.baru@example.org",
            "phone": "+62 812 0000 1111",
            "preferred_language": "en",
        }
    )
    response = client.post(PROFILE, data, follow=True)
    assert "Your profile was saved." in response.text
    person = User.objects.get(pk=world.patron_a.pk)
    assert person.first_name == "Putri Ayu"
    assert person.email == "putri.baru@example.org"
    assert person.phone == "+62 812 0000 1111"
    assert person.preferred_language == "en"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "putri@", "Enter a valid email address."),
        ("email", "putri alpha@example.org", "Enter a valid email address."),
        ("preferred_language", "fr", "Select a valid choice. fr is not one of the available"),
        ("phone", "0" * 41, "Ensure this value has at most 40 characters (it has 41)."),
        ("first_name", "x" * 151, "Ensure this value has at most 150 characters (it has 151)."),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(world, field, value, message):
    client = english_client(world.patron_a)
    before = stored(world.patron_a)
    data = page_values(client)
    data["last_name"] = "Nama Lain"
    data[field] = value
    response = client.post(PROFILE, data)
    assert response.status_code == 200
    assert message in response.text
    assert stored(world.patron_a) == before
    # The form keeps what was typed, but the page does not show the refused name as saved.
    assert 'value="Nama Lain"' in response.text
    assert 'data-testid="profile-link">Putri Uji</a>' in response.text


def test_role_library_and_admin_rights_cannot_be_given_through_the_profile(world):
    client = english_client(world.patron_a)
    before = stored(world.patron_a)
    data: dict[str, str] = page_values(client)
    data.update(
        {
            "username": "koordinator2",
            "role": Role.COORDINATOR,
            "library": str(world.library_b.pk),
            "is_staff": "on",
            "is_superuser": "on",
        }
    )
    response = client.post(PROFILE, data)
    assert response.status_code == 302
    assert stored(world.patron_a) == before


def test_the_profile_service_refuses_other_fields(world):
    before = stored(world.patron_a)
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.update_profile(world.patron_a, {"phone": "0812", "role": Role.COORDINATOR})
    assert refused.value.messages == ["These fields cannot be changed here: role."]
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.update_profile(world.patron_a, {"email": "bukan-alamat"})
    assert refused.value.message_dict == {"email": ["Enter a valid email address."]}
    assert stored(world.patron_a) == before
