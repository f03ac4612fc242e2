"""Simpul: an open platform for library cooperation networks."""

__version__ = "0.1.0"
