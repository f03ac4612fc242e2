"""Each record keeps the matcher's normalised view of itself (`Record.match_form`).

Records already stored start without one: the first time one is compared with a newcomer,
its form is made from its columns and written back, so no upgrade step rewrites the table.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_record_key_clusters")]

    operations = [
        migrations.AddField(
            model_name="record", name="match_form", field=models.BinaryField(default=b"")
        ),
    ]
