"""Fixtures of the catalogue tests (see catalogue_world.py)."""

from tests.catalog.catalogue_world import catalogue, en_client  # noqa: F401
