"""Serve the site with gunicorn, from the same process tree as the CLI."""

from __future__ import annotations

import socket
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from simpul.config import _


class SimpulServer(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from simpul.wsgi import application

        return application


def _port_problem(host: str, port: int) -> str:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        return _(
            "Cannot listen on %(host)s port %(port)d (%(reason)s). "
            "Is Simpul already running? Choose another with --port or --host."
        ) % {"host": host, "port": port, "reason": exc.strerror or exc}
    return ""


def serve(host: str, port: int, workers: int, threads: int) -> int:
    from django.db import connections

    host = host.strip("[]")
    address = f"[{host}]" if ":" in host else host
    problem = _port_problem(host, port)
    if problem:
        print(problem, file=sys.stderr, flush=True)
        return 1
    # Worker processes are forked from this one: they must not share its database connection.
    connections.close_all()
    print(
        _("Serving on http://%(host)s:%(port)d/ (press Ctrl+C to stop)")
        % {"host": address, "port": port},
        flush=True,
    )
    SimpulServer(
        {
            "bind": f"{address}:{port}",
            "workers": max(1, workers),
            "threads": max(1, threads),
            "worker_class": "gthread",
            "timeout": 60,
            "graceful_timeout": 10,
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "warning",
            "preload_app": True,
        }
    ).run()
    return 0
