"""Demo agreements: an MoU binding every demo member for every service (so that loans, cards
and deposit work in the demo), two MoAs under it (one ending soon, so that the reminders and
the "expiring soon" page have something to show), an IA with an outside partner, and the
network's first MoU, expired."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from simpul.accounts.models import Role, User
from simpul.agreements.models import Agreement, Kind, Service, Status
from simpul.agreements.services import PartyValues, network_today, save_agreement
from simpul.network.models import Library, Network

DAY = dt.timedelta(days=1)


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


def _values(**values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "reference": "",
        "parent": None,
        "status": Status.ACTIVE,
        "end_date": None,
        "background": "",
        "scope": "",
        "division_of_work": "",
        "financing": "",
        "implementation": "",
        "terminated_on": None,
        "termination_reason": "",
    }
    base.update(values)
    return base


def load_demo(network: Network) -> list[Agreement]:
    coordinator = User.objects.filter(role=Role.COORDINATOR).earliest("pk")
    libraries = {library.code: library for library in Library.objects.filter(is_active=True)}
    today = network_today()
    hub = network.coordinator or libraries["UNIBA"]

    def party(code: str, obligations: str = "") -> PartyValues:
        library = libraries[code]
        return PartyValues(
            library=library,
            signatory=f"Kepala {library.name}",
            contact_email=library.email,
            rights_and_obligations=obligations,
        )

    everyone = [
        party(
            code,
            "Menyediakan server dan mengelola Simpul."
            if code == hub.code
            else "Melayani pemustaka anggota jaringan dan memperbarui katalog.",
        )
        for code in sorted(libraries, key=lambda code: code != hub.code)
    ]
    start = today - 400 * DAY
    mou = save_agreement(
        coordinator,
        _values(
            kind=Kind.MOU,
            title="Nota Kesepahaman Forum Perpustakaan Perguruan Tinggi Priangan 2025-2030",
            reference="001/MoU/FPPT-P/2025",
            start_date=start,
            end_date=start + 5 * 365 * DAY,
            background=(
                "Koleksi perpustakaan anggota saling melengkapi; berbagi sumber daya "
                "meningkatkan layanan kepada sivitas akademika."
            ),
            scope="Katalog induk, pinjam antar perpustakaan, silang layan, repositori bersama.",
            division_of_work="Perpustakaan koordinator mengelola sistem; anggota melayani.",
            financing="Iuran tahunan anggota; ongkos kirim ditanggung perpustakaan peminjam.",
            implementation="Rapat koordinasi tiap semester; layanan melalui Simpul.",
        ),
        everyone,
        list(Service.values),
        document=ContentFile(minimal_pdf("Nota Kesepahaman FPPT Priangan"), name="mou.pdf"),
    )
    ill = save_agreement(
        coordinator,
        _values(
            kind=Kind.MOA,
            title="Perjanjian Kerja Sama Pinjam Antar Perpustakaan UNIBA-ITSC",
            reference="014/PKS/FPPT-P/2025",
            parent=mou,
            start_date=today - 345 * DAY,
            end_date=today + 20 * DAY,
            scope="Pinjam antar perpustakaan buku cetak dan salinan artikel.",
            financing="Ongkos kirim ditanggung peminjam.",
        ),
        [
            party("UNIBA", "Mengirim dalam 3 hari kerja."),
            party("ITSC", "Mengembalikan tepat waktu."),
        ],
        [Service.ILL_LOAN, Service.ILL_COPY],
    )
    visits = save_agreement(
        coordinator,
        _values(
            kind=Kind.MOA,
            title="Perjanjian Kerja Sama Silang Layan STIEP-STIKES",
            parent=mou,
            start_date=today - 100 * DAY,
            end_date=today + 600 * DAY,
        ),
        [party("STIEP"), party("STIKES-SMI")],
        [Service.RECIPROCAL_ACCESS],
    )
    corner = save_agreement(
        coordinator,
        _values(
            kind=Kind.IA,
            title="Kesepakatan Pelaksanaan Literasi Keuangan di Pojok Baca",
            parent=mou,
            start_date=today - 30 * DAY,
            end_date=today + 335 * DAY,
            implementation="Dua kali lokakarya per semester.",
        ),
        [
            party(hub.code),
            party("POJOK-BJB"),
            PartyValues(
                partner_name="Otoritas Jasa Keuangan (mitra)",
                rights_and_obligations="Menyediakan narasumber.",
            ),
        ],
        [Service.KNOWLEDGE_SHARING],
    )
    first = save_agreement(
        coordinator,
        _values(
            kind=Kind.MOU,
            title="Nota Kesepahaman Forum Perpustakaan Perguruan Tinggi Priangan 2019-2024",
            reference="001/MoU/FPPT-P/2019",
            status=Status.EXPIRED,
            start_date=dt.date(2019, 3, 1),
            end_date=dt.date(2024, 2, 29),
        ),
        [party(hub.code), party("ITSC"), party("STIEP")],
        [Service.ILL_LOAN, Service.KNOWLEDGE_SHARING],
    )
    return [mou, ill, visits, corner, first]
