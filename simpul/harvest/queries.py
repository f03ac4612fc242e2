"""What a person may see of harvesting: sources and runs of the libraries they look after."""

from __future__ import annotations

from django.db.models import QuerySet

from simpul.catalog.models import ImportJob
from simpul.harvest.models import HarvestRun, HarvestSource, UcsNode
from simpul.network import permissions
from simpul.network.models import Library

RUNS_SHOWN = 30


def managed_libraries(actor: permissions.Actor) -> list[Library]:
    """Libraries whose sources this person may register and harvest (all, for the coordinator)."""
    if not actor.is_authenticated:
        return []
    return [
        lib for lib in Library.objects.order_by("code") if permissions.can_edit_library(actor, lib)
    ]


def sources_for(actor: permissions.Actor) -> QuerySet[HarvestSource]:
    libraries = [lib.pk for lib in managed_libraries(actor)]
    return HarvestSource.objects.filter(library_id__in=libraries).select_related("library")


def source_for(actor: permissions.Actor, pk: int) -> HarvestSource | None:
    return sources_for(actor).filter(pk=pk).first()


def runs_of(source: HarvestSource) -> list[HarvestRun]:
    return list(source.runs.select_related("job").order_by("-pk")[:RUNS_SHOWN])


def last_runs(sources: list[HarvestSource]) -> dict[int, HarvestRun]:
    found: dict[int, HarvestRun] = {}
    for run in HarvestRun.objects.filter(source__in=sources).select_related("job").order_by("pk"):
        found[run.source_id] = run
    return found


def ucs_nodes(libraries: list[Library]) -> list[tuple[UcsNode, ImportJob | None]]:
    """The SLiMS nodes of these libraries, each with its latest import of pushes."""
    nodes = UcsNode.objects.filter(library__in=libraries).select_related("library")
    return [
        (
            node,
            ImportJob.objects.filter(library=node.library, file_name__startswith=node.import_name())
            .order_by("-pk")
            .first(),
        )
        for node in nodes
    ]
