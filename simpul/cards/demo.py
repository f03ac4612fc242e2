"""Demo member cards, visit rules and visits (called once from simpul/core/demo.py).

Visits are written straight to the database with dates around today, so the statistics and
the expected-visitors page have something to show; whether a desk honours a card still
depends on the agreements the demo seeds (simpul/agreements)."""

from __future__ import annotations

import datetime as dt

from simpul.accounts.models import User
from simpul.cards.models import (
    Audience,
    CardPolicy,
    CardStatus,
    MemberCard,
    Visit,
    VisitRules,
    VisitStatus,
)
from simpul.cards.services import local_today
from simpul.network.models import Library, Network


def _card(username: str, status: str, today: dt.date) -> MemberCard | None:
    holder = User.objects.filter(username=username).select_related("library").first()
    if holder is None or holder.library is None:
        return None
    card = MemberCard.objects.create(
        holder=holder,
        home_library=holder.library,
        holder_name=holder.get_full_name(),
        status=status,
        applicant_note="Untuk penelitian tugas akhir." if status == CardStatus.APPLIED else "",
    )
    if status == CardStatus.ACTIVE:
        card.valid_from = today - dt.timedelta(days=60)
        card.valid_until = card.valid_from.replace(year=card.valid_from.year + 1)
        card.number = f"{holder.library.code}-{card.pk:06d}"
        card.save()
    return card


def load_demo(network: Network) -> None:
    today = local_today()
    CardPolicy.objects.update_or_create(pk=1, defaults={"auto_issue": False, "validity_months": 12})
    libraries = {library.code: library for library in Library.objects.all()}
    rules = [
        ("UNIBA", Audience.ALL, [0, 1, 2, 3, 4, 5], False, 0, (True, False, True, True)),
        ("STIEP", Audience.LISTED, [0, 1, 2, 3, 4], True, 4, (True, False, False, False)),
        ("ITSC", Audience.ALL, [0, 1, 2, 3, 4], False, 0, (True, False, True, False)),
        ("POLTEK-CMI", Audience.ALL, [0, 1, 2, 3, 4], False, 8, (True, False, True, True)),
    ]
    for code, audience, weekdays, prereg, limit, (reading, borrowing, copying, computers) in rules:
        if code not in libraries:
            continue
        rule = VisitRules.objects.create(
            library=libraries[code],
            audience=audience,
            weekdays=weekdays,
            opens=dt.time(8),
            closes=dt.time(15, 30),
            reading_on_site=reading,
            borrowing=borrowing,
            copying=copying,
            computer_use=computers,
            max_visits_per_month=limit,
            preregistration_required=prereg,
            preregistration_days=1,
            notes="Tunjukkan kartu anggota bersama di meja layanan; tas dititipkan di loker.",
        )
        if audience == Audience.LISTED:
            rule.listed_libraries.set(
                [libraries[c] for c in ("UNIBA", "ITSC") if c in libraries and c != code]
            )
    student = _card("mahasiswa.uniba", CardStatus.ACTIVE, today)
    visitor = _card("mahasiswa.stiep", CardStatus.ACTIVE, today)
    _card("dosen.uniba", CardStatus.APPLIED, today)
    plans = [
        (student, "STIEP", -20, VisitStatus.CHECKED_IN, "Data skripsi ekonomi syariah"),
        (student, "STIEP", -6, VisitStatus.CHECKED_IN, "Membaca jurnal akuntansi"),
        (student, "ITSC", -3, VisitStatus.CHECKED_IN, "Referensi sistem informasi"),
        (visitor, "UNIBA", -10, VisitStatus.CHECKED_IN, "Koleksi komunikasi massa"),
        (student, "STIEP", 2, VisitStatus.CONFIRMED, "Laporan keuangan perusahaan daerah"),
        (visitor, "UNIBA", 1, VisitStatus.REQUESTED, "Skripsi pemasaran digital"),
    ]
    for card, host, offset, status, purpose in plans:
        if card is None or host not in libraries:
            continue
        date = today + dt.timedelta(days=offset)
        Visit.objects.create(
            card=card,
            visitor=card.holder,
            home_library=card.home_library,
            host_library=libraries[host],
            date=date,
            purpose=purpose,
            pre_registered=status != VisitStatus.CHECKED_IN or offset % 2 == 0,
            status=status,
            checked_in_at=(
                dt.datetime.combine(date, dt.time(9, 30), tzinfo=dt.UTC)
                if status == VisitStatus.CHECKED_IN
                else None
            ),
        )
