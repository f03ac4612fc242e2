"""Two people acting on the same thing at the same moment, each on their own connection."""

from __future__ import annotations

import threading

from django.db import connection


def race(*calls) -> list[object]:
    """Run the calls at the same moment on their own threads and database connections."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            if connection.vendor == "sqlite":
                # The test database is SQLite's shared-cache memory database, whose readers
                # get "table is locked" where a file database (as deployed) would wait.
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA read_uncommitted = 1")
            barrier.wait()
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
