"""Shared fixtures: a small network with named actors, so every test reads like a story.

`world` has two member libraries (A: a university, B: a small college), a coordinator,
A's library administrator, librarian and IT staff, B's librarian, two patrons of A and
one of B. Everyone's password is PASSWORD.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from simpul.accounts import services as account_services
from simpul.accounts.models import PatronCategory, Role, User
from simpul.network.models import Library, LibraryType, Network, OpeningHours, Typology

PASSWORD = "kata-sandi-uji-2026"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclass
class World:
    network: Network
    library_a: Library
    library_b: Library
    coordinator: User
    admin_a: User
    librarian_a: User
    it_a: User
    librarian_b: User
    patron_a: User
    patron_a2: User
    patron_b: User

    def client_for(self, person: User) -> Client:
        client = Client()
        client.force_login(person)
        return client


def make_person(username: str, role: str, library: Library | None, **extra: object) -> User:
    return account_services.create_person(
        None,
        username=username,
        email=f"{username}@example.org",
        password=PASSWORD,
        role=role,
        library=library,
        first_name=username.split(".")[0].title(),
        last_name="Uji",
        **extra,
    )


@pytest.fixture
def world(db: None) -> World:
    library_a = Library.objects.create(
        code="ALPHA",
        name="Perpustakaan Universitas Alpha",
        name_en="Alpha University Library",
        library_type=LibraryType.UNIVERSITY,
        province="Jawa Barat",
        city="Kota Bandung",
        internal_notes="Rahasia Alpha: kunci gudang di laci 3.",
        latitude=-6.9,
        longitude=107.6,
    )
    library_b = Library.objects.create(
        code="BETA",
        name="Perpustakaan STIE Beta",
        name_en="Beta School of Economics Library",
        library_type=LibraryType.COLLEGE,
        province="Jawa Tengah",
        city="Kota Semarang",
        internal_notes="Rahasia Beta: anggaran 2027 belum disetujui.",
    )
    OpeningHours.objects.create(library=library_a, weekday=0, opens=dt.time(8), closes=dt.time(16))
    network = Network.objects.create(
        name="Jaringan Uji", short_name="JU", typology=Typology.FEDERATION, coordinator=library_a
    )
    return World(
        network=network,
        library_a=library_a,
        library_b=library_b,
        coordinator=make_person("koordinator", Role.COORDINATOR, library_a),
        admin_a=make_person("admin.alpha", Role.LIBRARY_ADMIN, library_a),
        librarian_a=make_person("pustakawan.alpha", Role.LIBRARIAN, library_a),
        it_a=make_person("ti.alpha", Role.IT_STAFF, library_a),
        librarian_b=make_person("pustakawan.beta", Role.LIBRARIAN, library_b),
        patron_a=make_person(
            "putri.alpha",
            Role.PATRON,
            library_a,
            member_number="A-001",
            patron_category=PatronCategory.STUDENT,
        ),
        patron_a2=make_person("bayu.alpha", Role.PATRON, library_a, member_number="A-002"),
        patron_b=make_person("fajar.beta", Role.PATRON, library_b, member_number="B-001"),
    )


@pytest.fixture
def english(settings: object) -> Iterator[None]:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _quick_password_hashing(request: pytest.FixtureRequest, settings: object) -> None:
    """Argon2id at its lowest cost, so building actors takes milliseconds.

    Tests marked `real_password_hashing` keep the installation's real settings."""
    if request.node.get_closest_marker("real_password_hashing"):
        return
    settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
        "tests.fixtures_accounts.QuickArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _own_search_index(settings: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test searches its own index, as its database is its own."""
    from simpul.catalog.services.indexing import forget_open_indexes

    settings.SEARCH_INDEX_DIR = tmp_path_factory.mktemp("search")  # type: ignore[attr-defined]
    yield
    forget_open_indexes()


@pytest.fixture
def shared_data() -> Path:
    """The real sample records beside the project (../shared/data, present in CI too)."""
    assert SHARED_DATA.is_dir(), f"the shared sample records are missing at {SHARED_DATA}"
    return SHARED_DATA
