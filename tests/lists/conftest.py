"""Fixtures of the lists tests: the catalogue of real sample records (see catalogue_world.py)."""

from tests.catalog.catalogue_world import catalogue, en_client  # noqa: F401
