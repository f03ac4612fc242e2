"""Agreements for tests: `make_agreement` writes one straight to the database, so each test
states exactly the agreement it is about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from simpul.agreements.models import Agreement, CoveredService, Kind, Party, Service, Status
from simpul.network.models import Library, LibraryType

TODAY = dt.date(2026, 11, 23)


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


def minimal_pdf(text: str = "Perjanjian Kerja Sama") -> bytes:
    """A small but complete one-page PDF (header, objects, cross-reference table, trailer)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
