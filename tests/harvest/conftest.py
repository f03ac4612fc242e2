"""Fixtures of the harvesting tests: a source of library A pointing at a loopback server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simpul.harvest import oai
from simpul.harvest.models import HarvestSource
from tests.harvest.oai_server import Behaviour, serving


def quick_client(base_url: str) -> oai.Client:
    """The real client, without waiting between retries."""
    return oai.Client(base_url, sleep=lambda seconds: None, backoff=(0,))


@pytest.fixture
def behaviour() -> Behaviour:
    return Behaviour()


@pytest.fixture
def endpoint(behaviour: Behaviour) -> Iterator[str]:
    with serving(behaviour) as url:
        yield url


@pytest.fixture
def source(world, endpoint: str) -> HarvestSource:
    return HarvestSource.objects.create(
        library=world.library_a,
        name="Repositori Alpha",
        base_url=endpoint,
        granularity="YYYY-MM-DD",
    )
