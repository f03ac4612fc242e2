"""Demo seeding for `simpul demo`: serials lists of the demo libraries, and the dates the demo
records first appeared spread over the last six months, so the new-titles pages have months.

The journals with an ISSN are real (titles and ISSNs from the sample MARC records in
../shared/data/marc21, plus Science and The Lancet); the Indonesian journals without an
ISSN are invented for the demo and say so.
"""

from __future__ import annotations

import datetime as dt
import io

from django.db import transaction
from django.utils import timezone

from simpul.catalog.models import Record
from simpul.lists import serials
from simpul.lists.models import UploadMode
from simpul.network.models import Library, Network

SERIALS = {
    "UNIBA": (
        "issn;judul;penerbit;dari;sampai;bentuk;catatan\n"
        "0028-0836;Nature;Nature Portfolio;1995;;cetak+daring;Daring: jaringan kampus\n"
        "0036-8075;Science;American Association for the Advancement of Science;2000;;daring;\n"
        "0140-6736;The Lancet;Elsevier;1998;2019;cetak;\n"
        "1064-3923;Internet world;Meckler;1992;1998;cetak;Tidak lengkap: 1994\n"
        ";Jurnal Ilmu Perpustakaan Priangan (demo);FPPT Priangan;2019;;cetak;Terbitan jaringan\n"
    ),
    "ITSC": (
        "issn,title,publisher,from,to,format,notes\n"
        "0028-0836,Nature,Nature Portfolio,2010,2020,print,\n"
        "1187-7081,Info Canada,Laurentian Technomedia,1991,1996,print,\n"
    ),
    "IKIP-TSM": (
        "ISSN;Judul;Dari;Sampai;Bentuk\n"
        "0270-1499;DAWN annual report;1980;1985;cetak\n"
        ";Jurnal Pendidikan Tasikmalaya (demo);2016;;cetak\n"
    ),
    "POLTEK-CMI": ("issn;judul;dari;bentuk\n0036-8075;Science;2015;daring\n"),
}
MONTHS_SPREAD = 6


def load_serials() -> int:
    """The demo libraries' serials lists; returns how many subscriptions were added."""
    added = 0
    for code, text in SERIALS.items():
        library = Library.objects.filter(code=code).first()
        if library is None:
            continue
        upload = serials.load_list(
            library,
            io.BytesIO(text.encode("utf-8")),
            f"serials-{code.lower()}.csv",
            UploadMode.REPLACE,
        )
        added += upload.added
    return added


@transaction.atomic
def spread_first_appearances(months: int = MONTHS_SPREAD) -> None:
    """Date the demo records over the last months, spread evenly by record number, as if the
    network had been collecting for half a year."""
    now = timezone.now()
    groups: dict[int, list[int]] = {}
    for pk, library_id in Record.objects.values_list("pk", "library_id").order_by("pk"):
        groups.setdefault((pk * 7 + library_id) % months, []).append(pk)
    for offset, pks in groups.items():
        when = _months_ago(now, offset)
        for start in range(0, len(pks), 1000):
            Record.objects.filter(pk__in=pks[start : start + 1000]).update(first_seen_at=when)


def _months_ago(now: dt.datetime, months: int) -> dt.datetime:
    """The same moment `months` calendar months earlier (on the 28th at the latest)."""
    index = now.year * 12 + now.month - 1 - months
    return now.replace(year=index // 12, month=index % 12 + 1, day=min(now.day, 28))


def load_demo(network: Network | None = None) -> None:
    spread_first_appearances()
    load_serials()
