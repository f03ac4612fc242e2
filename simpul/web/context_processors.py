from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from simpul import __version__
from simpul.network.queries import current_network


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "network": current_network(),
        "simpul_version": __version__,
        "site_url": settings.SITE_URL,
    }
