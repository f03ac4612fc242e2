"""What the citation formats (RIS, BibTeX, CSL-JSON, schema.org, COinS) share: one plain
description of a title, taken from its best record and the union of its members' records."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simpul.catalog.queries import ClusterView

_DIGITS = re.compile(r"\d+")


@dataclass
class Citation:
    id: str
    material_type: str
    title: str
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    publisher: str = ""
    place: str = ""
    edition: str = ""
    extent: str = ""
    isbns: list[str] = field(default_factory=list)
    issns: list[str] = field(default_factory=list)
    doi: str = ""
    languages: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    summary: str = ""
    url: str = ""  # the title's permanent page
    links: list[str] = field(default_factory=list)  # online copies

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    @property
    def pages(self) -> str:
        """The number of pages when the extent says "xii, 245 p." or "245 hlm."."""
        numbers = _DIGITS.findall(self.extent)
        if numbers and re.search(r"\b(p|pp|pages|hlm|hal)\b", self.extent):
            return numbers[-1]
        return ""


def one_line(value: str) -> str:
    return " ".join(value.split())


def citation(view: ClusterView, url: str = "") -> Citation:
    best = view.best
    return Citation(
        id=f"simpul-{view.cluster.pk}",
        material_type=best.material_type,
        title=one_line(best.title),
        subtitle=one_line(best.subtitle),
        authors=[one_line(a) for a in view.authors],
        year=best.year or next((r.year for r in view.records if r.year), None),
        publisher=one_line(best.publisher),
        place=one_line(best.place),
        edition=one_line(best.edition),
        extent=one_line(best.extent),
        isbns=view.isbns,
        issns=view.issns,
        doi=best.doi or next((r.doi for r in view.records if r.doi), ""),
        languages=view.languages,
        subjects=[one_line(s) for s in view.subjects],
        series=[one_line(s) for s in view.series],
        summary=one_line(view.summary),
        url=url,
        links=view.urls,
    )


def split_name(name: str) -> tuple[str, str]:
    """("Surname", "Given") for "Surname, Given"; ("", name) for a corporate or single name."""
    if "," in name:
        family, given = name.split(",", 1)
        return family.strip(), given.strip(" ,")
    return "", name.strip()
