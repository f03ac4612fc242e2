"""The WSGI application, for `simpul serve` and for any other WSGI server an operator prefers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simpul.settings")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def behind_proxy(app: WSGIApp) -> WSGIApp:
    """Give Django the visitor's address, not the proxy's, when a reverse proxy is in front.

    The proxy (nginx) puts the address it saw last in X-Forwarded-For. Without this,
    every visitor would share the proxy's address, and sign-in throttling by address
    would lock everybody out at once.
    """

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            environ["REMOTE_ADDR"] = hops[-1]
        return app(environ, start_response)

    return wrapped


application: WSGIApp = get_wsgi_application()
if settings.CONFIG.behind_proxy:
    application = behind_proxy(application)
