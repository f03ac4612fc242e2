"""Drop three single-column indexes that longer indexes already lead with.

Every index is written once per row, and an import of a million records writes a dozen
key rows per record. The columns stay indexed by the composite indexes. Done with plain
DROP INDEX: Django's AlterField would copy the whole record table on SQLite."""

import django.db.models.deletion
from django.db import migrations, models

REDUNDANT = [
    ("catalog_record", "library_id"),
    ("catalog_holding", "library_id"),
    ("catalog_recordkey", "record_id"),
]


def _single_column_indexes(schema_editor, table, column):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, info in constraints.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and info["columns"] == [column]
    ]


def drop_indexes(apps, schema_editor):
    for table, column in REDUNDANT:
        for name in _single_column_indexes(schema_editor, table, column):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_indexes(apps, schema_editor):
    for table, column in REDUNDANT:
        if not _single_column_indexes(schema_editor, table, column):
            name = schema_editor._create_index_name(table, [column])
            schema_editor.execute(
                f"CREATE INDEX {schema_editor.quote_name(name)} ON "
                f"{schema_editor.quote_name(table)} ({schema_editor.quote_name(column)})"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_slims_ucs_source_format"),
        ("network", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="holding",
                    name="library",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="network.library",
                    ),
                ),
                migrations.AlterField(
                    model_name="record",
                    name="library",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="records",
                        to="network.library",
                    ),
                ),
                migrations.AlterField(
                    model_name="recordkey",
                    name="record",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="keys",
                        to="catalog.record",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
