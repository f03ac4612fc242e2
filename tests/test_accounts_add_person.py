"""A library administrator adds staff and patrons to their own library, and only there."""

from __future__ import annotations

import pytest
from django.utils import translation

from simpul.accounts import services
from simpul.accounts.models import Role, User
from simpul.core.errors import AccessDenied, InvalidInput
from tests.fixtures_accounts import english_client, quick_argon2  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_argon2")]

ADD_ALPHA = "/accounts/libraries/ALPHA/people/new/"
ADD_BETA = "/accounts/libraries/BETA/people/new/"
GOOD = {
    "username": "dewi.alpha",
    "first_name": "Dewi",
    "last_name": "Lestari",
    "email": "dewi@example.org",
    "role": Role.LIBRARIAN,
    "password": "sampul-biru-tua-42",
}


def people() -> set[str]:
    return set(User.objects.values_list("username", flat=True))


def test_the_administrator_adds_a_librarian_who_can_then_sign_in(world):
    client = english_client(world.admin_a)
    response = client.post(ADD_ALPHA, GOOD, follow=True)
    assert "The account dewi.alpha was created." in response.text
    person = User.objects.get(username="dewi.alpha")
    assert (person.role, person.library) == (Role.LIBRARIAN, world.library_a)
    assert not person.is_staff and not person.is_superuser
    assert person.password.startswith("argon2$")
    signed_in = english_client().post(
        "/accounts/sign-in/", {"username": "dewi.alpha", "password": GOOD["password"]}
    )
    assert signed_in.status_code == 302


def test_the_administrator_adds_a_patron_to_their_library(world):
    client = english_client(world.admin_a)
    response = client.post(ADD_ALPHA, {**GOOD, "username": "rina.alpha", "role": Role.PATRON})
    assert response.status_code == 302
    assert User.objects.get(username="rina.alpha").library == world.library_a


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"username": "putri.alpha"}, "This user name is already taken."),
        ({"username": "PUTRI.ALPHA"}, "This user name is already taken."),
        ({"username": ""}, "This field is required."),
        ({"username": "dewi lestari!"}, "Enter a valid username."),
        ({"email": "dewi@"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
        ({"password": "pendek"}, "Ensure this value has at least 10 characters (it has 6)."),
        ({"password": "password123"}, "This password is too common."),
        ({"password": "0812345678901"}, "This password is entirely numeric."),
        ({"password": "dewi.alpha1"}, "The password is too similar to the username."),
        ({"role": Role.COORDINATOR}, "Select a valid choice. coordinator is not one of"),
        ({"role": "kepala"}, "Select a valid choice. kepala is not one of"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_no_account_is_made(world, changes, field_message):
    before = people()
    response = english_client(world.admin_a).post(ADD_ALPHA, {**GOOD, **changes})
    assert response.status_code == 200
    assert field_message in response.text
    assert people() == before


def test_an_administrator_cannot_add_people_to_another_library(world):
    before = people()
    response = english_client(world.admin_a).post(ADD_BETA, {**GOOD, "role": Role.PATRON})
    assert response.status_code == 403
    assert "Only the administrator of BETA or the coordinator can manage its accounts." in (
        response.text
    )
    assert english_client(world.admin_a).get(ADD_BETA).status_code == 403
    assert people() == before


@pytest.mark.parametrize("actor", ["librarian_a", "it_a", "patron_a", "librarian_b"])
def test_only_administrators_may_add_people(world, actor):
    before = people()
    client = english_client(getattr(world, actor))
    assert client.get(ADD_ALPHA).status_code == 403
    assert client.post(ADD_ALPHA, GOOD).status_code == 403
    assert people() == before


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = english_client().post(ADD_ALPHA, GOOD)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")
    assert not User.objects.filter(username="dewi.alpha").exists()


def test_the_coordinator_may_add_people_to_any_library(world):
    response = english_client(world.coordinator).post(ADD_BETA, GOOD)
    assert response.status_code == 302
    assert User.objects.get(username="dewi.alpha").library == world.library_b


def create(actor, **changes):
    fields = {**GOOD, "library": changes.pop("library", None), **changes}
    return services.create_person(actor, **fields)


def test_the_service_refuses_the_coordinator_role_to_an_administrator(world):
    before = people()
    with translation.override("en"), pytest.raises(AccessDenied) as refused:
        create(world.admin_a, role=Role.COORDINATOR, library=world.library_a)
    assert refused.value.message == "Only the network coordinator can do this."
    assert people() == before


def test_the_service_refuses_another_library(world):
    before = people()
    with translation.override("en"), pytest.raises(AccessDenied):
        create(world.admin_a, role=Role.PATRON, library=world.library_b)
    with translation.override("en"), pytest.raises(AccessDenied):
        create(world.librarian_a, role=Role.PATRON, library=world.library_a)
    assert people() == before


def test_the_service_refuses_bad_values_with_field_messages(world):
    before = people()
    with translation.override("en"):
        with pytest.raises(InvalidInput) as refused:
            create(world.admin_a, library=world.library_a, username="Pustakawan.Alpha")
        assert refused.value.message_dict == {"username": ["This user name is already taken."]}
        with pytest.raises(InvalidInput) as refused:
            create(world.admin_a, library=world.library_a, email="bukan-alamat")
        assert refused.value.message_dict == {"email": ["Enter a valid e-mail address."]}
        with pytest.raises(InvalidInput) as refused:
            create(world.admin_a, library=world.library_a, password="1234567890")
        assert "This password is entirely numeric." in refused.value.message_dict["password"]
        with pytest.raises(InvalidInput) as refused:
            create(world.admin_a, library=world.library_a, username="ada spasi")
        assert list(refused.value.message_dict) == ["username"]
        with pytest.raises(InvalidInput) as refused:
            create(world.admin_a, library=world.library_a, role="kepala")
        assert refused.value.messages == ["Unknown role kepala."]
        with pytest.raises(InvalidInput) as refused:
            create(world.coordinator, library=None, role=Role.PATRON)
        assert refused.value.messages == [
            "Every account except the coordinator's belongs to a library."
        ]
    assert people() == before
