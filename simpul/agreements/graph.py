"""The network view: which member libraries are linked by which services today, and the
drawing of it as an SVG made on the server (no script, no outside resources)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from itertools import combinations

from simpul.agreements.models import CoveredService, Party, Service
from simpul.agreements.services import agreements_in_force, network_today
from simpul.network.models import Library, Network

SIZE = 640
CENTRE = SIZE / 2
RADIUS = 250


@dataclass
class Node:
    library: Library
    x: float
    y: float
    is_coordinator: bool
    links: int = 0


@dataclass
class Link:
    one: Node
    other: Node
    services: list[str] = field(default_factory=list)

    @property
    def service_labels(self) -> list[str]:
        return [str(Service(code).label) for code in self.services]


@dataclass
class NetworkGraph:
    nodes: list[Node]
    links: list[Link]
    on_date: dt.date
    service: str

    @property
    def possible(self) -> int:
        """n(n-1)/2: the links a full mesh of these members would have."""
        n = len(self.nodes)
        return n * (n - 1) // 2

    @property
    def shape(self) -> str:
        """none, star (every link goes through the coordinator), mesh (every pair linked)
        or partial (some members deal directly)."""
        if not self.links:
            return "none"
        if len(self.links) == self.possible and self.possible > 1:
            return "mesh"
        if all(link.one.is_coordinator or link.other.is_coordinator for link in self.links):
            return "star"
        return "partial"

    @property
    def density_percent(self) -> int:
        return round(100 * len(self.links) / self.possible) if self.possible else 0


def build(
    network: Network | None, service: str = "", on_date: dt.date | None = None
) -> NetworkGraph:
    """Links between active member libraries made by agreements in force on `on_date`."""
    on_date = on_date or network_today()
    coordinator_id = network.coordinator_id if network else None
    libraries = list(Library.objects.filter(is_active=True).order_by("name", "code"))
    libraries.sort(key=lambda library: library.pk != coordinator_id)
    nodes = _place(libraries, coordinator_id)
    by_id = {node.library.pk: node for node in nodes}
    in_force = agreements_in_force(on_date)
    members: dict[int, set[int]] = {}
    for agreement_id, library_id in Party.objects.filter(
        agreement__in=in_force, library__isnull=False
    ).values_list("agreement_id", "library_id"):
        if library_id in by_id:
            members.setdefault(agreement_id, set()).add(library_id)
    covered: dict[int, set[str]] = {}
    services = CoveredService.objects.filter(agreement_id__in=members)
    if service:
        services = services.filter(service=service)
    for agreement_id, code in services.values_list("agreement_id", "service"):
        covered.setdefault(agreement_id, set()).add(code)
    pairs: dict[tuple[int, int], set[str]] = {}
    for agreement_id, library_ids in members.items():
        for one, other in combinations(sorted(library_ids), 2):
            pairs.setdefault((one, other), set()).update(covered.get(agreement_id, set()))
    order = {code: index for index, code in enumerate(Service.values)}
    links = []
    for (one, other), codes in sorted(pairs.items()):
        if not codes:
            continue
        link = Link(by_id[one], by_id[other], sorted(codes, key=order.__getitem__))
        link.one.links += 1
        link.other.links += 1
        links.append(link)
    return NetworkGraph(nodes=nodes, links=links, on_date=on_date, service=service)


def _place(libraries: list[Library], coordinator_id: int | None) -> list[Node]:
    """The coordinator in the centre and the others on a circle round it, so that a star
    looks like one; without a coordinator everyone is on the circle."""
    nodes = []
    ring = [library for library in libraries if library.pk != coordinator_id]
    for library in libraries:
        if library.pk == coordinator_id:
            nodes.append(Node(library, CENTRE, CENTRE, is_coordinator=True))
    for index, library in enumerate(ring):
        angle = 2 * math.pi * index / max(len(ring), 1) - math.pi / 2
        nodes.append(
            Node(
                library,
                round(CENTRE + RADIUS * math.cos(angle), 1),
                round(CENTRE + RADIUS * math.sin(angle), 1),
                is_coordinator=False,
            )
        )
    return nodes
