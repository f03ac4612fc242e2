"""`simpul demo`: a realistic demo network in the data folder, served at once.

The libraries and people are invented (no real institution is described), but
they have the shapes a West Javanese university forum really has: one big
university that coordinates, small colleges, a polytechnic, a teachers'
institute, the city's public library and a bank's reading corner.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command
from django.db import transaction
from django.utils.translation import gettext as _

from simpul.accounts import services as account_services
from simpul.accounts.models import PatronCategory, Role
from simpul.agreements.demo import load_demo as load_demo_agreements
from simpul.cards.demo import load_demo as load_demo_cards
from simpul.core.translations import compile_translations
from simpul.ill.demo import load_demo as load_demo_ill
from simpul.lists.demo import load_demo as load_lists_demo
from simpul.network.models import Library, LibraryType, Network, OpeningHours, Topology, Typology
from simpul.repository.demo import load_demo as load_repository_demo

# Printed on every demo start; a demo serves only 127.0.0.1 unless told otherwise.
DEMO_PASSWORD = "demo-pustaka-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoLibrary:
    code: str
    name: str
    name_en: str
    library_type: str
    city: str
    latitude: str
    longitude: str
    collection_size: int
    staff_count: int
    system: str
    saturday: bool = False


LIBRARIES = [
    DemoLibrary(
        "UNIBA",
        "Perpustakaan Universitas Bandung Raya",
        "Bandung Raya University Library",
        LibraryType.UNIVERSITY,
        "Kota Bandung",
        "-6.890000",
        "107.610000",
        240_000,
        48,
        "SLiMS 9 Bulian",
        True,
    ),
    DemoLibrary(
        "ITSC",
        "Perpustakaan Institut Teknologi Sains Cirebon",
        "Cirebon Institute of Science and Technology Library",
        LibraryType.INSTITUTE,
        "Kota Cirebon",
        "-6.732000",
        "108.552000",
        60_000,
        14,
        "Koha 23.11",
    ),
    DemoLibrary(
        "STIEP",
        "Perpustakaan STIE Priangan",
        "Priangan School of Economics Library",
        LibraryType.COLLEGE,
        "Kabupaten Garut",
        "-7.214000",
        "107.903000",
        9_500,
        3,
        "SLiMS 9 Bulian",
    ),
    DemoLibrary(
        "STIKES-SMI",
        "Perpustakaan STIKes Sukabumi Medika",
        "Sukabumi Medika Health Sciences College Library",
        LibraryType.COLLEGE,
        "Kota Sukabumi",
        "-6.921000",
        "106.927000",
        6_200,
        2,
        "INLIS Lite 3",
    ),
    DemoLibrary(
        "POLTEK-CMI",
        "Perpustakaan Politeknik Cimahi",
        "Cimahi Polytechnic Library",
        LibraryType.POLYTECHNIC,
        "Kota Cimahi",
        "-6.872000",
        "107.542000",
        18_000,
        5,
        "SLiMS 9 Bulian",
    ),
    DemoLibrary(
        "IKIP-TSM",
        "Perpustakaan Institut Keguruan Tasikmalaya",
        "Tasikmalaya Teachers' Institute Library",
        LibraryType.INSTITUTE,
        "Kota Tasikmalaya",
        "-7.327000",
        "108.220000",
        32_000,
        7,
        "SLiMS 8 Akasia",
    ),
    DemoLibrary(
        "DISPUSIP-BGR",
        "Dinas Perpustakaan Kota Bogor",
        "Bogor City Public Library",
        LibraryType.PUBLIC,
        "Kota Bogor",
        "-6.595000",
        "106.797000",
        45_000,
        12,
        "INLIS Lite 3",
        True,
    ),
    DemoLibrary(
        "POJOK-BJB",
        "Pojok Baca Bank Jabar Banten",
        "Bank Jabar Banten Reading Corner",
        LibraryType.CORNER,
        "Kota Bandung",
        "-6.917000",
        "107.619000",
        1_200,
        1,
        "",
    ),
]


def _load_libraries() -> dict[str, Library]:
    libraries = {}
    for index, spec in enumerate(LIBRARIES):
        library = Library.objects.create(
            code=spec.code,
            name=spec.name,
            name_en=spec.name_en,
            library_type=spec.library_type,
            institution=spec.name.removeprefix("Perpustakaan "),
            province="Jawa Barat",
            city=spec.city,
            address=_("Jl. Contoh No. %(number)d") % {"number": 10 + index * 7},
            latitude=Decimal(spec.latitude),
            longitude=Decimal(spec.longitude),
            email=f"perpustakaan@{spec.code.lower()}.example.ac.id",
            phone=f"+62 22 555 {1000 + index:04d}",
            website=f"https://{spec.code.lower()}.example.ac.id/",
            collection_size=spec.collection_size,
            staff_count=spec.staff_count,
            library_system=spec.system,
            description=f"{spec.name} melayani sivitas akademika dan masyarakat di {spec.city}.",
            description_en=(
                f"{spec.name_en} serves its academic community and the public in {spec.city}."
            ),
            visiting_rules=(
                "Pemustaka dari perpustakaan anggota jaringan membawa kartu anggota bersama, "
                "mendaftar terlebih dahulu, dan mengikuti tata tertib perpustakaan."
            ),
            visiting_rules_en=(
                "Patrons of member libraries bring the network member card, register first, "
                "and follow the library's house rules."
            ),
            internal_notes=f"Catatan internal {spec.code}: kontak TI dan jadwal piket.",
            oai_pmh_url=f"https://{spec.code.lower()}.example.ac.id/oai2.php"
            if spec.system.startswith("SLiMS")
            else "",
            joined_on=dt.date(2019 + index % 5, 1 + index, 15),
        )
        hours = [
            OpeningHours(library=library, weekday=day, opens=dt.time(8), closes=dt.time(16))
            for day in range(4)
        ]
        hours += [
            OpeningHours(library=library, weekday=4, opens=dt.time(8), closes=dt.time(11, 30)),
            OpeningHours(library=library, weekday=4, opens=dt.time(13), closes=dt.time(16, 30)),
        ]
        if spec.saturday:
            hours.append(
                OpeningHours(library=library, weekday=5, opens=dt.time(9), closes=dt.time(13))
            )
        OpeningHours.objects.bulk_create(hours)
        libraries[spec.code] = library
    return libraries


PEOPLE = [
    # username, role, library, first, last, extra
    ("koordinator", Role.COORDINATOR, "UNIBA", "Sri", "Wahyuni", {}),
    ("admin.uniba", Role.LIBRARY_ADMIN, "UNIBA", "Dedi", "Kurniawan", {}),
    ("pustakawan.uniba", Role.LIBRARIAN, "UNIBA", "Rina", "Marlina", {}),
    ("ti.uniba", Role.IT_STAFF, "UNIBA", "Agus", "Setiawan", {}),
    ("admin.stiep", Role.LIBRARY_ADMIN, "STIEP", "Euis", "Komalasari", {}),
    ("pustakawan.stiep", Role.LIBRARIAN, "STIEP", "Yusuf", "Hidayat", {}),
    ("pustakawan.poltek", Role.LIBRARIAN, "POLTEK-CMI", "Nining", "Suryani", {}),
    (
        "mahasiswa.uniba",
        Role.PATRON,
        "UNIBA",
        "Putri",
        "Anggraeni",
        {
            "member_number": "UNIBA-2023-01187",
            "patron_category": PatronCategory.STUDENT,
            "faculty": "Fakultas Ilmu Komunikasi",
        },
    ),
    (
        "dosen.uniba",
        Role.PATRON,
        "UNIBA",
        "Bambang",
        "Sutrisno",
        {
            "member_number": "UNIBA-D-0412",
            "patron_category": PatronCategory.LECTURER,
            "faculty": "Fakultas Teknik",
        },
    ),
    (
        "mahasiswa.stiep",
        Role.PATRON,
        "STIEP",
        "Fajar",
        "Nugraha",
        {
            "member_number": "STIEP-22-0093",
            "patron_category": PatronCategory.STUDENT,
            "city": "Garut",
        },
    ),
]


@transaction.atomic
def load_demo_network() -> Network:
    libraries = _load_libraries()
    network = Network.objects.create(
        name="Forum Perpustakaan Perguruan Tinggi Priangan (demo)",
        name_en="Priangan Academic Libraries Forum (demo)",
        short_name="FPPT Priangan",
        typology=Typology.COOPERATIVE,
        topology=Topology.MIXED,
        description=(
            "Jaringan kerja sama perpustakaan perguruan tinggi di Jawa Barat: katalog induk, "
            "pinjam antar perpustakaan, silang layan dan repositori bersama. Data ini fiktif."
        ),
        description_en=(
            "A cooperation network of academic libraries in West Java: union catalogue, "
            "interlibrary loan, reciprocal access and a shared repository. This data is invented."
        ),
        founded_on=dt.date(2019, 3, 1),
        coordinator=libraries["UNIBA"],
    )
    for username, role, code, first, last, extra in PEOPLE:
        account_services.create_person(
            None,
            username=username,
            email=f"{username}@{code.lower()}.example.ac.id",
            password=DEMO_PASSWORD,
            role=role,
            library=libraries[code],
            first_name=first,
            last_name=last,
            **extra,
        )
    load_demo_agreements(network)
    load_demo_cards(network)
    return network


DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
# Which member library holds which real sample file (see demo_data/README.md): the big
# university holds everything, smaller members overlap with it, so titles cluster.
DEMO_CATALOGUES = {
    "UNIBA": [
        "traject-test_data.utf8.mrc",
        "traject-index_bench-batch.mrc",
        "pymarc-test.mrc",
        "simpul-demo-originals.xml",
    ],
    "ITSC": ["traject-test_data.utf8.mrc", "simpul-demo-translations.xml"],
    "POLTEK-CMI": ["traject-index_bench-batch.mrc"],
    "IKIP-TSM": ["pymarc-test.mrc"],
}


def load_demo_catalogue(generated_records: int = 50_000) -> int:
    """Import the real sample records, then a generated network catalogue of this size.

    The generated records (simpul.catalog.synthetic) describe the same editions in each
    library's own cataloguing style, so the union catalogue has real clustering to do.
    Returns how many records were read."""
    import tempfile

    from simpul.catalog.services import imports
    from simpul.catalog.synthetic import write_member_files

    def import_file(library: Library, path: Path) -> int:
        with path.open("rb") as handle:
            job = imports.create_import_job(None, library, handle, path.name)
        return imports.run_import_job(job).records_seen

    read = 0
    for code, files in DEMO_CATALOGUES.items():
        library = Library.objects.get(code=code)
        for name in files:
            read += import_file(library, DEMO_DATA / name)
    if generated_records <= 0:
        return read
    with tempfile.TemporaryDirectory(prefix="simpul-demo-") as folder:
        started = time.monotonic()
        for code, path in write_member_files(Path(folder), generated_records):
            read += import_file(Library.objects.get(code=code), path)
            print(
                _("  %(count)d records imported (%(seconds).0f s)")
                % {"count": read, "seconds": time.monotonic() - started},
                flush=True,
            )
    return read


def print_credentials() -> None:
    print()
    print(_("Demo accounts (password for all: %(password)s)") % {"password": DEMO_PASSWORD})
    for username, role, code, _first, _last, _extra in PEOPLE:
        print(f"  {username:<20} {Role(role).label:<28} {code}")
    print()


def run_demo(args: argparse.Namespace) -> int:
    started = time.monotonic()
    compile_translations()
    call_command("migrate", interactive=False, verbosity=0)
    if not Network.objects.exists():
        print(_("Creating the demo network…"), flush=True)
        load_demo_network()
        print(
            _("Importing the demo catalogue (%(count)d generated records)…")
            % {"count": args.records},
            flush=True,
        )
        load_demo_catalogue(args.records)
        load_repository_demo(Network.objects.get())
        load_demo_ill(Network.objects.get())
        load_lists_demo(Network.objects.first())
    print_credentials()
    print(_("Ready in %(seconds).1f s.") % {"seconds": time.monotonic() - started}, flush=True)
    if args.no_serve:
        return 0
    from simpul.core.server import serve

    # Uploaded catalogue files and e-mail are background jobs: the demo runs their worker too.
    worker = subprocess.Popen([sys.executable, "-m", "simpul.cli", "worker"])
    try:
        return serve(args.host, args.port, args.workers, args.threads)
    finally:
        worker.terminate()
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
