"""Interlibrary loan figures for the network and each member: requests made and received,
fill rate, turnaround, who lends to whom, and what was reimbursed. Aggregates only, no
personal data, so every member's staff may see them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min

from simpul.ill.models import FeePayer, IllMessage, IllRequest, Status
from simpul.network.models import Library

SUPPLIED = ("ship", "deliver_copy")


@dataclass
class LibraryFigures:
    library: Library
    made: int = 0
    received: int = 0
    filled_as_borrower: int = 0
    supplied: int = 0
    unfilled: int = 0
    turnaround_hours: list[float] = field(default_factory=list)
    reimbursed_paid: Decimal = Decimal(0)
    reimbursed_received: Decimal = Decimal(0)

    @property
    def fill_rate(self) -> float | None:
        closed = self.filled_as_borrower + self.unfilled
        return round(100 * self.filled_as_borrower / closed, 1) if closed else None

    @property
    def median_days(self) -> float | None:
        return _days(statistics.median(self.turnaround_hours)) if self.turnaround_hours else None

    @property
    def p90_days(self) -> float | None:
        return _days(_p90(self.turnaround_hours)) if self.turnaround_hours else None

    @property
    def balance(self) -> int:
        """Positive: lends more than it borrows."""
        return self.supplied - self.filled_as_borrower


def _days(hours: float) -> float:
    return round(hours / 24, 1)


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


@dataclass
class Figures:
    start: dt.date
    end: dt.date
    libraries: list[LibraryFigures]
    matrix: dict[tuple[int, int], int]  # (lender, borrower) → items supplied
    network: LibraryFigures

    def matrix_rows(self) -> list[tuple[Library, list[int]]]:
        libs = [f.library for f in self.libraries]
        return [(lender, [self.matrix.get((lender.pk, b.pk), 0) for b in libs]) for lender in libs]


def figures(start: dt.date, end: dt.date) -> Figures:
    """Everything requested between start and end (inclusive), however far it got."""
    requests = IllRequest.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    rows = list(
        requests.values_list(
            "pk", "requesting_library_id", "supplier_id", "status", "fee", "fee_payer"
        )
    )
    ids = [row[0] for row in rows]
    sent = dict(
        IllMessage.objects.filter(request_id__in=ids, action="approve")
        .values("request_id")
        .annotate(at=Min("at"))
        .values_list("request_id", "at")
    )
    supplied = dict(
        IllMessage.objects.filter(request_id__in=ids, action__in=SUPPLIED)
        .values("request_id")
        .annotate(at=Min("at"))
        .values_list("request_id", "at")
    )
    involved = {r[1] for r in rows} | {r[2] for r in rows if r[2]}
    libraries = {lib.pk: LibraryFigures(lib) for lib in Library.objects.filter(pk__in=involved)}
    network = LibraryFigures(Library(code="*", name="—"))
    matrix: dict[tuple[int, int], int] = defaultdict(int)
    for pk, borrower, lender, status, fee, payer in rows:
        made = libraries[borrower]
        made.made += 1
        network.made += 1
        if lender:
            libraries[lender].received += 1
            network.received += 1
        if pk in supplied and lender:
            made.filled_as_borrower += 1
            network.filled_as_borrower += 1
            libraries[lender].supplied += 1
            network.supplied += 1
            matrix[(lender, borrower)] += 1
            if pk in sent:
                hours = (supplied[pk] - sent[pk]).total_seconds() / 3600
                made.turnaround_hours.append(hours)
                network.turnaround_hours.append(hours)
            if fee and payer != FeePayer.FREE:
                made.reimbursed_paid += fee
                libraries[lender].reimbursed_received += fee
                network.reimbursed_paid += fee
        elif status in (Status.UNFILLED, Status.CANCELLED, Status.REJECTED):
            made.unfilled += 1
            network.unfilled += 1
    ordered = sorted(libraries.values(), key=lambda f: f.library.code)
    return Figures(start, end, ordered, dict(matrix), network)


def as_csv(result: Figures) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "library",
            "requests_made",
            "requests_received",
            "filled_for_us",
            "supplied_to_others",
            "unfilled",
            "fill_rate_percent",
            "turnaround_median_days",
            "turnaround_p90_days",
            "reimbursement_paid_rp",
            "reimbursement_received_rp",
        ]
    )
    for f in [*result.libraries, result.network]:
        writer.writerow(
            [
                f.library.code,
                f.made,
                f.received,
                f.filled_as_borrower,
                f.supplied,
                f.unfilled,
                "" if f.fill_rate is None else f.fill_rate,
                "" if f.median_days is None else f.median_days,
                "" if f.p90_days is None else f.p90_days,
                f.reimbursed_paid,
                f.reimbursed_received,
            ]
        )
    writer.writerow([])
    codes = [f.library.code for f in result.libraries]
    writer.writerow(["lender \\ borrower", *codes])
    for lender, counts in result.matrix_rows():
        writer.writerow([lender.code, *counts])
    return out.getvalue()


def bars(result: Figures, width: int = 640) -> dict[str, object]:
    """Geometry of a horizontal bar chart (lent vs borrowed per library) for inline SVG."""
    top = max([1] + [max(f.supplied, f.filled_as_borrower) for f in result.libraries])
    row = 28
    label = 110
    scale = (width - label - 40) / top
    items = []
    for i, f in enumerate(result.libraries):
        y = i * row + 4
        items.append(
            {
                "code": f.library.code,
                "y": y,
                "text_y": y + 16,
                "lent": f.supplied,
                "borrowed": f.filled_as_borrower,
                "lent_w": round(f.supplied * scale, 1),
                "borrowed_w": round(f.filled_as_borrower * scale, 1),
                "borrowed_y": y + 11,
            }
        )
    return {"width": width, "height": len(items) * row + 8, "label": label, "items": items}
