"""Repository settings from the environment (read by simpul.settings, before Django starts).

Files go to the local filesystem (``<data folder>/repository``) unless
SIMPUL_REPOSITORY_STORAGE=s3, in which case django-storages' S3 backend is used with
the SIMPUL_S3_* variables: any S3-compatible object store (MinIO, Ceph, Wasabi, AWS).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simpul.config import ConfigError, _env

DEFAULT_MAX_FILE_MB = 200


def storage_backend(data_dir: Path) -> dict[str, Any]:
    """The STORAGES entry named "repository"."""
    kind = _env("SIMPUL_REPOSITORY_STORAGE", "local").lower()
    if kind == "local":
        location = _env("SIMPUL_REPOSITORY_DIR") or str(data_dir / "repository")
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        }
    if kind == "s3":
        bucket = _env("SIMPUL_S3_BUCKET")
        if not bucket:
            raise ConfigError("SIMPUL_REPOSITORY_STORAGE=s3 needs SIMPUL_S3_BUCKET.")
        options: dict[str, Any] = {
            "bucket_name": bucket,
            "location": _env("SIMPUL_S3_PREFIX", "repository"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        }
        for variable, option in (
            ("SIMPUL_S3_ENDPOINT_URL", "endpoint_url"),
            ("SIMPUL_S3_REGION", "region_name"),
            ("SIMPUL_S3_ACCESS_KEY", "access_key"),
            ("SIMPUL_S3_SECRET_KEY", "secret_key"),
        ):
            if _env(variable):
                options[option] = _env(variable)
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    raise ConfigError(f"SIMPUL_REPOSITORY_STORAGE must be 'local' or 's3', not {kind!r}.")


def max_file_bytes() -> int:
    raw = _env("SIMPUL_REPOSITORY_MAX_FILE_MB", str(DEFAULT_MAX_FILE_MB))
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = -1
    if megabytes <= 0:
        raise ConfigError(
            f"SIMPUL_REPOSITORY_MAX_FILE_MB must be a positive number of megabytes, not {raw!r}."
        )
    return int(megabytes * 1024 * 1024)
