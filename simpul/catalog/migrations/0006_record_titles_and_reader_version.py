"""Uniform title, other titles and the version of the readers that read each record.

The columns are added with one ALTER TABLE each and a default for the rows already
there, instead of Django's way on SQLite (copying the whole record table once per
column): on a catalogue of a million records that copy takes minutes and needs free
disk space the size of the table. PostgreSQL adds such columns without rewriting the
table either way. Records already stored keep reader version 1 and empty titles until
`simpul reindex --reread` reads them again.
"""

from typing import Any

from django.db import migrations, models

SQLITE = [
    'ALTER TABLE "catalog_record" ADD COLUMN "reader_version" smallint unsigned NOT NULL '
    'DEFAULT 1 CHECK ("reader_version" >= 0)',
    'ALTER TABLE "catalog_record" ADD COLUMN "uniform_title" varchar(1000) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "catalog_record" ADD COLUMN "variant_titles" text NOT NULL DEFAULT \'[]\' '
    'CHECK ((JSON_VALID("variant_titles") OR "variant_titles" IS NULL))',
]
POSTGRESQL = [
    'ALTER TABLE "catalog_record" '
    'ADD COLUMN "reader_version" smallint NOT NULL DEFAULT 1 CHECK ("reader_version" >= 0), '
    "ADD COLUMN \"uniform_title\" varchar(1000) NOT NULL DEFAULT '', "
    "ADD COLUMN \"variant_titles\" jsonb NOT NULL DEFAULT '[]'::jsonb",
    'ALTER TABLE "catalog_record" ALTER COLUMN "reader_version" DROP DEFAULT, '
    'ALTER COLUMN "uniform_title" DROP DEFAULT, ALTER COLUMN "variant_titles" DROP DEFAULT',
]
COLUMNS = ("reader_version", "uniform_title", "variant_titles")


def add_columns(apps: Any, schema_editor: Any) -> None:
    # Simpul runs on SQLite or PostgreSQL only (`config` refuses any other DATABASE_URL).
    sqlite = schema_editor.connection.vendor == "sqlite"
    for statement in SQLITE if sqlite else POSTGRESQL:
        schema_editor.execute(statement)


def drop_columns(apps: Any, schema_editor: Any) -> None:
    for column in COLUMNS:
        schema_editor.execute(f'ALTER TABLE "catalog_record" DROP COLUMN "{column}"')


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_record_match_forms")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
            state_operations=[
                migrations.AddField(
                    model_name="record",
                    name="reader_version",
                    field=models.PositiveSmallIntegerField(default=1, editable=False),
                ),
                migrations.AddField(
                    model_name="record",
                    name="uniform_title",
                    field=models.CharField(
                        blank=True, max_length=1000, verbose_name="uniform title"
                    ),
                ),
                migrations.AddField(
                    model_name="record",
                    name="variant_titles",
                    field=models.JSONField(default=list, verbose_name="other titles"),
                ),
            ],
        )
    ]
