from django.conf import settings
from django.db import migrations, models


def merge_double_check_ins(apps, schema_editor):
    """A desk could record one visit twice (two scans at once); keep the first of each card,
    host and day, with the titles of both, so the constraint below can be added."""
    Visit = apps.get_model("cards", "Visit")
    seen = {}
    checked_in = Visit.objects.filter(status="checked_in").order_by("pk")
    for visit in checked_in.iterator():
        key = (visit.card_id, visit.host_library_id, visit.date)
        kept = seen.setdefault(key, visit)
        if kept.pk != visit.pk:
            kept.titles.add(*visit.titles.all())
            visit.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0001_initial"),
        ("catalog", "0002_oai_datestamps"),
        ("network", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(merge_double_check_ins, migrations.RunPython.noop)]
