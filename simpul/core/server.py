"""Serve the site with gunicorn, from the same process tree as the CLI."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from simpul.config import _ as t


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


def serve(host: str, port: int, workers: int, threads: int) -> int:
    print(
        t("Serving on http://%(host)s:%(port)d/ (press Ctrl+C to stop)")
        % {"host": host, "port": port},
        flush=True,
    )
    SimpulServer(
        {
            "bind": f"{host}:{port}",
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
