"""Loaded as a pytest plugin before Django starts: a throw-away data folder, test-safe settings."""

import os
import tempfile

if not os.environ.get("SIMPUL_DATA_DIR"):
    os.environ["SIMPUL_DATA_DIR"] = tempfile.mkdtemp(prefix="simpul-test-")
os.environ.setdefault("SIMPUL_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("SIMPUL_LANGUAGE", "id")
# Playwright's sync API runs an event loop in the test thread; the ORM calls around it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
