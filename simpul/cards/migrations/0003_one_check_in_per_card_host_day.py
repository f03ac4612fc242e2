from django.db import migrations, models


class Migration(migrations.Migration):
    """Its own migration: PostgreSQL cannot index a table in the transaction that just
    changed its rows (0002)."""

    dependencies = [("cards", "0002_merge_double_check_ins")]

    operations = [
        migrations.AddConstraint(
            model_name="visit",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "checked_in")),
                fields=("card", "host_library", "date"),
                name="one_check_in_per_card_host_day",
            ),
        ),
    ]
