"""Blocking keys of a new kind ("z:" surname and the title's last word) for the records
already in the catalogue, so that records imported after the upgrade find them by it.

Clusters are left as they are; only the keys that find candidates are added. Computed by
the matcher of the running code, as every import computes them.
"""

from typing import Any

from django.db import migrations

PREFIX = "z:"
CHUNK = 2000


def add_keys(apps: Any, schema_editor: Any) -> None:
    from simpul.catalog.services.clustering import BIB_FIELDS, bib_from_row
    from simpul.catalog.services.key_holders import record_keys

    record_model = apps.get_model("catalog", "Record")
    key_model = apps.get_model("catalog", "RecordKey")
    # The columns of the record at this migration: later ones (uniform_title) are not there yet.
    columns = {f.name for f in record_model._meta.get_fields()}
    fields = [name for name in BIB_FIELDS if name in columns]
    last = 0
    while True:
        rows = list(
            record_model.objects.filter(status="active", pk__gt=last)
            .order_by("pk")
            .values("pk", *fields)[:CHUNK]
        )
        if not rows:
            return
        last = rows[-1]["pk"]
        new_keys = [
            key_model(record_id=row["pk"], key=key)
            for row in rows
            for key in record_keys(bib_from_row(row))
            if key.startswith(PREFIX)
        ]
        key_model.objects.bulk_create(new_keys, ignore_conflicts=True)


def remove_keys(apps: Any, schema_editor: Any) -> None:
    apps.get_model("catalog", "RecordKey").objects.filter(key__startswith=PREFIX).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_oai_datestamps")]

    operations = [migrations.RunPython(add_keys, remove_keys, elidable=True)]
