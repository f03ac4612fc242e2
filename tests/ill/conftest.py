"""ILL fixtures: a title held by Beta (and Gamma), and an agreement that covers loans and
copies between the members, so requests from Alpha's patrons can go out."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from simpul.accounts.models import Role, User
from simpul.agreements.models import Service
from simpul.catalog.bibliographic import ItemStatus
from simpul.catalog.models import Cluster, Holding, Record
from simpul.ill import services
from simpul.ill.models import IllRequest, ServiceType
from simpul.network.models import Library, LibraryType
from tests.agreements.conftest import make_agreement
from tests.conftest import World, make_person


@dataclass
class Ill:
    world: World
    cluster: Cluster
    library_c: Library
    librarian_c: User

    def request(self, service: str = ServiceType.LOAN, patron: User | None = None) -> IllRequest:
        patron = patron or self.world.patron_a
        return services.create_request(
            patron,
            service,
            services.Citation(
                title=self.cluster.title,
                pages="12-30" if service == ServiceType.COPY else "",
                note="Untuk skripsi bab 2",
            ),
            cluster=self.cluster,
            copyright_accepted=service == ServiceType.COPY,
        )


def add_title(title: str, holdings: dict[Library, str], isbn: str = "") -> Cluster:
    cluster = Cluster.objects.create(title=title)
    for library, status in holdings.items():
        record = Record.objects.create(
            library=library,
            local_id=f"{library.code}-{cluster.pk}",
            source_format="marc21",
            raw=b"",
            raw_hash="x",
            title=title,
            isbns=[isbn] if isbn else [],
            cluster=cluster,
        )
        Holding.objects.create(record=record, library=library, status=status, call_number="001")
        if cluster.best_record_id is None:
            cluster.best_record = record
            cluster.save(update_fields=["best_record"])
    return cluster


@pytest.fixture
def ill(world: World) -> Ill:
    library_c = Library.objects.create(
        code="GAMMA",
        name="Perpustakaan Politeknik Gamma",
        library_type=LibraryType.POLYTECHNIC,
        city="Kota Bandung",
    )
    make_agreement(
        [world.library_a, world.library_b, library_c], [Service.ILL_LOAN, Service.ILL_COPY]
    )
    cluster = add_title(
        "Pengantar Ilmu Perpustakaan",
        {world.library_b: ItemStatus.AVAILABLE, library_c: ItemStatus.ON_LOAN},
    )
    return Ill(
        world=world,
        cluster=cluster,
        library_c=library_c,
        librarian_c=make_person("pustakawan.gamma", Role.LIBRARIAN, library_c),
    )
