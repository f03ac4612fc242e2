"""Read side of the serials lists: the public, searchable list of who subscribes to what."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from simpul.lists import issn as issn_codes
from simpul.lists.models import SerialFormat, Subscription
from simpul.network.models import Library


@dataclass
class SerialsFilter:
    """What the serials page or API asked for, cleaned (bad values are dropped, not fatal)."""

    q: str = ""
    library: str = ""  # a library code
    format: str = ""
    year: int | None = None  # held in this year

    def as_items(self) -> list[tuple[str, str]]:
        items = [("q", self.q), ("library", self.library), ("format", self.format)]
        items.append(("year", str(self.year) if self.year else ""))
        return [(k, v) for k, v in items if v]


def serials_filter(data: Mapping[str, Any]) -> SerialsFilter:
    def one(name: str) -> str:
        value = data.get(name, "")
        return str(value if isinstance(value, str) else "").replace("\x00", "").strip()

    year_text = one("year")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    chosen_format = one("format")
    return SerialsFilter(
        q=one("q")[:200],
        library=one("library").upper()[:40],
        format=chosen_format if chosen_format in SerialFormat.values else "",
        year=year,
    )


def subscriptions(chosen: SerialsFilter) -> QuerySet[Subscription]:
    """Subscriptions matching a title or ISSN search and the filters, by title then library."""
    found = Subscription.objects.select_related("library")
    text = chosen.q
    if text:
        compact = issn_codes.compact(text)
        if issn_codes.is_valid(compact):
            found = found.filter(issn=issn_codes.normalise(compact))
        else:
            for word in text.split()[:8]:
                found = found.filter(
                    Q(title__icontains=word)
                    | Q(publisher__icontains=word)
                    | Q(issn__icontains=word)
                )
    if chosen.library:
        found = found.filter(library__code=chosen.library)
    if chosen.format:
        if chosen.format == SerialFormat.PRINT_ONLINE:
            found = found.filter(format=SerialFormat.PRINT_ONLINE)
        else:
            found = found.filter(format__in=[chosen.format, SerialFormat.PRINT_ONLINE])
    if chosen.year:
        found = found.filter(
            Q(coverage_from__isnull=True) | Q(coverage_from__lte=chosen.year),
            Q(coverage_to__isnull=True) | Q(coverage_to__gte=chosen.year),
        )
    return found.order_by("sort_title", "library__code", "pk")


def libraries_with_serials() -> list[Library]:
    return list(
        Library.objects.filter(serial_subscriptions__isnull=False).distinct().order_by("code")
    )
