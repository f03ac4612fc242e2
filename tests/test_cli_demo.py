"""`simpul demo` builds a believable demo network once, prints its accounts, reuses it after."""

from __future__ import annotations

import json

from tests.test_cli_support import new_site

SUMMARY = (
    "import json\n"
    "from simpul.network.models import Library, Network, OpeningHours\n"
    "from simpul.accounts.models import User\n"
    "from simpul.catalog.models import Cluster, Record\n"
    "print(json.dumps({\n"
    "  'networks': Network.objects.count(),\n"
    "  'libraries': Library.objects.count(),\n"
    "  'types': sorted(set(Library.objects.values_list('library_type', flat=True))),\n"
    "  'hours': OpeningHours.objects.count(),\n"
    "  'roles': sorted(set(User.objects.values_list('role', flat=True))),\n"
    "  'people': User.objects.count(),\n"
    "  'records': Record.objects.count(),\n"
    "  'holders': sorted(set(Record.objects.values_list('library__code', flat=True))),\n"
    "  'shared_titles': Cluster.objects.filter(library_count__gte=2).count(),\n"
    "}))"
)

# Each demo translation (held by ITSC) and the titles linked to it as other editions.
TRANSLATIONS = (
    "import json\n"
    "from simpul.catalog.queries import get_cluster\n"
    "from simpul.catalog.models import Record\n"
    "found = {}\n"
    "for r in Record.objects.filter(library__code='ITSC', local_id__startswith='demo-tr-'):\n"
    "    view = get_cluster(r.cluster_id)\n"
    "    found[view.best.title] = [o.title for o in view.other_editions]\n"
    "print(json.dumps(found))"
)


def test_demo_builds_the_network_once_and_reuses_it(tmp_path):
    with new_site(tmp_path, migrated=False) as site:
        first = site.run("demo", "--no-serve", "--records", "300")
        assert first.returncode == 0, first.stderr
        assert "Creating the demo network" in first.stdout
        for account in ("koordinator", "admin.uniba", "pustakawan.uniba", "mahasiswa.uniba"):
            assert account in first.stdout
        assert "demo-pustaka-2026" in first.stdout
        assert "Serving on" not in first.stdout

        built = json.loads(site.python(SUMMARY))
        assert built["networks"] == 1
        assert built["libraries"] >= 6
        assert len(built["types"]) >= 4
        assert built["hours"] > built["libraries"]
        assert {"coordinator", "library_admin", "librarian", "patron"} <= set(built["roles"])
        # The real sample records and 300 generated ones, held across the member libraries.
        assert built["records"] >= 300 + 100
        assert len(built["holders"]) >= 6
        assert built["shared_titles"] >= 30
        # Translations at ITSC are linked to their originals at UNIBA by their 240.
        assert json.loads(site.python(TRANSLATIONS)) == {
            "The rainbow troops": ["Laskar pelangi"],
            "This earth of mankind": ["Bumi manusia"],
            "Beauty is a wound": ["Cantik itu luka"],
            "The dancer": ["Ronggeng Dukuh Paruk"],
            "Harry Potter dan batu bertuah": ["Harry Potter and the philosopher's stone"],
        }

        signed_in = site.python(
            "from django.contrib.auth import authenticate\n"
            "print(authenticate(username='koordinator', password='demo-pustaka-2026').role)"
        )
        assert signed_in == "coordinator"

        second = site.run("demo", "--no-serve", "--records", "300")
        assert second.returncode == 0, second.stderr
        assert "Creating the demo network" not in second.stdout
        assert "koordinator" in second.stdout
        assert json.loads(site.python(SUMMARY)) == built


def test_a_negative_number_of_demo_records_is_refused(tmp_path):
    with new_site(tmp_path, migrated=False) as site:
        done = site.run("demo", "--no-serve", "--records", "-5")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "--records" in done.stderr
