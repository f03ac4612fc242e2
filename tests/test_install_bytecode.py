"""`make install` compiles the bytecode of the packages and of Simpul itself.

Where bytecode cannot be written at run time (a program folder the service user cannot
write, `PYTHONDONTWRITEBYTECODE`), every process would otherwise compile every module it
imports again: some 1.6 s of CPU for each `simpul` command, server worker and helper
process (docs/operations.md).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import django
import lxml
import pymarc

import simpul.catalog.services.clustering
import simpul.cli


def _compiled(module: ModuleType) -> bool:
    assert module.__file__ is not None
    return Path(importlib.util.cache_from_source(module.__file__)).is_file()


def test_the_installation_compiled_simpul_and_its_packages() -> None:
    ours = [simpul.cli, simpul.catalog.services.clustering]
    theirs = [django, lxml, pymarc]
    missing = [m.__name__ for m in [*ours, *theirs] if not _compiled(m)]
    assert not missing, f"no bytecode for {missing}: install with `make install-dev`"
