"""Demo repository: a few theses of the coordinating university, with generated PDFs
(open, embargoed, description-only, one withdrawn), and a first fixity audit."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from simpul.accounts.models import User
from simpul.network.models import Library, Network
from simpul.repository import fixity, services

THESES: list[dict[str, Any]] = [
    {
        "item_type": "skripsi",
        "title": "Pemanfaatan repositori institusi oleh mahasiswa tingkat akhir",
        "authors": [{"name": "Lestari, Nur Aini", "identifier": "NIM 1905101"}],
        "advisors": [{"name": "Hidayat, Rahmat", "identifier": "NIDN 0405067801"}],
        "faculty": "Fakultas Ilmu Komunikasi",
        "programme": "Ilmu Perpustakaan",
        "year": 2024,
        "abstract_id": "Penelitian ini mengkaji pemanfaatan repositori institusi oleh mahasiswa "
        "tingkat akhir dalam menyusun skripsi.",
        "abstract_en": "This study examines how final-year students use the institutional "
        "repository while writing their theses.",
        "keywords": ["repositori institusi", "akses terbuka", "mahasiswa"],
        "licence": "CC-BY-4.0",
        "access_level": "open",
        "body": "Bab I Pendahuluan. Repositori institusi menyimpan karya ilmiah civitas "
        "akademika dan membukanya bagi publik melalui akses terbuka.",
    },
    {
        "item_type": "thesis",
        "title": "Model kerja sama perpustakaan perguruan tinggi di Jawa Barat",
        "authors": [{"name": "Firmansyah, Yoga", "identifier": "NIM 2207003"}],
        "advisors": [{"name": "Wulandari, Sinta", "identifier": "NIDN 0422117502"}],
        "faculty": "Sekolah Pascasarjana",
        "programme": "Magister Ilmu Informasi dan Perpustakaan",
        "year": 2025,
        "abstract_id": "Tesis ini memetakan bentuk kerja sama antarperpustakaan perguruan "
        "tinggi: katalog induk, pinjam antar perpustakaan dan silang layan.",
        "abstract_en": "This thesis maps the forms of cooperation among academic libraries: "
        "union catalogue, interlibrary loan and reciprocal access.",
        "keywords": ["jaringan perpustakaan", "kerja sama", "Jawa Barat"],
        "licence": "CC-BY-NC-4.0",
        "access_level": "embargoed",
        "embargo_days": 180,
        "body": "Bab I. Jaringan kerja sama perpustakaan memungkinkan berbagi koleksi dan "
        "layanan; sinergi jaringan lebih besar daripada jumlah anggotanya.",
    },
    {
        "item_type": "report",
        "title": "Laporan survei kepuasan pemustaka 2025",
        "authors": [{"name": "Marlina, Rina", "identifier": "NIP 198201012010012001"}],
        "advisors": [],
        "faculty": "",
        "programme": "",
        "year": 2025,
        "abstract_id": "Laporan hasil survei kepuasan pemustaka terhadap layanan perpustakaan.",
        "abstract_en": "Report of the patron satisfaction survey of the library's services.",
        "keywords": ["survei", "kepuasan pemustaka"],
        "licence": "all-rights-reserved",
        "access_level": "metadata_only",
        "body": "Ringkasan hasil survei kepuasan pemustaka.",
    },
    {
        "item_type": "final_project",
        "title": "Aplikasi peminjaman ruang diskusi perpustakaan berbasis web",
        "authors": [{"name": "Pratama, Dimas", "identifier": "NIM 2003044"}],
        "advisors": [{"name": "Santoso, Budi", "identifier": "NIDN 0411028003"}],
        "faculty": "Fakultas Teknik",
        "programme": "D3 Manajemen Informatika",
        "year": 2023,
        "abstract_id": "Tugas akhir ini membangun aplikasi web peminjaman ruang diskusi.",
        "abstract_en": "This final project builds a web application for booking discussion rooms.",
        "keywords": ["aplikasi web", "ruang diskusi"],
        "licence": "CC-BY-SA-4.0",
        "access_level": "open",
        "withdraw": "Diunggah ganda; versi yang benar ada di repositori program studi.",
        "body": "Bab I. Latar belakang pembuatan aplikasi peminjaman ruang.",
    },
]


def text_pdf(*pages: str) -> bytes:
    """A real PDF, one page per text, whose text pypdf can extract (demo, tests, bench)."""
    buffer = io.BytesIO()
    width, height = A4
    sheet = canvas.Canvas(buffer, pagesize=A4)
    for text in pages or ("Skripsi",):
        sheet.setFont("Helvetica", 11)
        y = height - 72
        for paragraph in text.split("\n"):
            for line in simpleSplit(paragraph, "Helvetica", 11, width - 144) or [""]:
                if y < 72:
                    sheet.showPage()
                    sheet.setFont("Helvetica", 11)
                    y = height - 72
                sheet.drawString(72, y, line)
                y -= 15
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def _pdf(title: str, author: str, body: str) -> bytes:
    return text_pdf(f"{title}\n{author}\n\n{body}")


def load_demo(network: Network) -> int:
    """Deposit, review and publish the demo theses; returns how many were deposited."""
    library: Library | None = network.coordinator
    librarian = User.objects.filter(library=library, role="librarian").first()
    if library is None or librarian is None:
        return 0
    count = 0
    for thesis in THESES:
        values = {k: v for k, v in thesis.items() if k not in {"body", "embargo_days", "withdraw"}}
        values["language"] = "ind"
        values["publisher"] = ""
        values["embargo_until"] = (
            dt.date.today() + dt.timedelta(days=thesis["embargo_days"])
            if thesis.get("embargo_days")
            else None
        )
        data = _pdf(thesis["title"], thesis["authors"][0]["name"], thesis["body"])
        item = services.deposit(librarian, library, values, [("naskah.pdf", io.BytesIO(data))])
        services.review(librarian, item, "approve")
        services.publish(librarian, item)
        if thesis.get("withdraw"):
            services.withdraw(librarian, item, thesis["withdraw"])
        count += 1
    fixity.run_audit(trigger="demo")
    return count
