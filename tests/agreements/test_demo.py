"""The demo network has agreements in force, so that the services built on them work in the
demo: every pair of members may use every service, one MoA ends soon and one MoU has expired."""

from __future__ import annotations

from itertools import permutations

import pytest

from simpul.agreements import graph
from simpul.agreements.models import Agreement, Kind, Service, Status
from simpul.agreements.services import expiring_soon, is_service_allowed
from simpul.core.demo import load_demo_network
from simpul.network.models import Library


@pytest.mark.django_db
def test_demo_agreements_switch_every_service_on_between_members(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    network = load_demo_network()
    libraries = list(Library.objects.all())
    for one, other in permutations(libraries, 2):
        for service in Service.values:
            assert is_service_allowed(service, one, other), (service, one.code, other.code)
    kinds = set(Agreement.objects.values_list("kind", flat=True))
    assert kinds == {Kind.MOU, Kind.MOA, Kind.IA}
    assert Agreement.objects.filter(status=Status.EXPIRED).exists()
    coordinator = network.coordinator.people.get(role="coordinator")
    assert expiring_soon(coordinator, 30).count() == 1
    assert Agreement.objects.filter(kind=Kind.MOA, parent__kind=Kind.MOU).count() == 2
    drawing = graph.build(network)
    assert drawing.shape == "mesh" and len(drawing.links) == drawing.possible
    mou = Agreement.objects.get(kind=Kind.MOU, status=Status.ACTIVE)
    assert mou.signed_document.read().startswith(b"%PDF-")
