"""Keys carry their record's cluster, so that finding a key's clusters reads one index.

The cluster numbers are copied from the records in one statement; the key index is
replaced by one on (key, cluster) that answers the import's lookup by itself.
"""

from django.db import migrations, models

COPY_CLUSTERS = """
UPDATE catalog_recordkey SET cluster_id = (
    SELECT cluster_id FROM catalog_record
    WHERE catalog_record.id = catalog_recordkey.record_id AND catalog_record.status = 'active'
)
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_author_last_word_keys")]

    operations = [
        migrations.AddField(
            model_name="recordkey", name="cluster_id", field=models.BigIntegerField(null=True)
        ),
        migrations.RunSQL(COPY_CLUSTERS, migrations.RunSQL.noop, elidable=True),
        migrations.RemoveIndex(model_name="recordkey", name="catalog_rec_key_132d3f_idx"),
        migrations.AddIndex(
            model_name="recordkey",
            index=models.Index(fields=["key", "cluster_id"], name="catalog_recordkey_key_cluster"),
        ),
    ]
