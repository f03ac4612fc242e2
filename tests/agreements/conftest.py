"""Agreements for tests: `make_agreement` writes one straight to the database, so each test
states exactly the agreement it is about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from simpul.agreements.demo import minimal_pdf
from simpul.agreements.models import Agreement, CoveredService, Kind, Party, Service, Status
from simpul.network.models import Library, LibraryType

TODAY = dt.date(2026, 11, 23)
__all__ = ["make_agreement", "make_library", "minimal_pdf"]


def make_agreement(
    parties: Iterable[Library | str],
    services: Iterable[str] = (Service.ILL_LOAN,),
    *,
    kind: str = Kind.MOU,
    status: str = Status.ACTIVE,
    start: dt.date | None = None,
    end: dt.date | None = None,
    parent: Agreement | None = None,
    title: str = "Kerja sama layanan",
) -> Agreement:
    """An agreement; a str party is an outside partner, a Library a directory library."""
    agreement = Agreement.objects.create(
        kind=kind,
        title=title,
        status=status,
        start_date=start or dt.date(2020, 1, 1),
        end_date=end,
        parent=parent,
    )
    for party in parties:
        if isinstance(party, Library):
            Party.objects.create(agreement=agreement, library=party, contact_email="")
        else:
            Party.objects.create(agreement=agreement, partner_name=party)
    for service in services:
        CoveredService.objects.create(agreement=agreement, service=service)
    return agreement


def make_library(code: str) -> Library:
    return Library.objects.create(
        code=code, name=f"Perpustakaan {code.title()}", library_type=LibraryType.UNIVERSITY
    )
