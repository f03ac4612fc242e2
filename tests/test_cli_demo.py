"""`simpul demo` builds a believable demo network once, prints its accounts, reuses it after."""

from __future__ import annotations

import json

from tests.test_cli_support import new_site

SUMMARY = (
    "import json\n"
    "from simpul.network.models import Library, Network, OpeningHours\n"
    "from simpul.accounts.models import User\n"
    "print(json.dumps({\n"
    "  'networks': Network.objects.count(),\n"
    "  'libraries': Library.objects.count(),\n"
    "  'types': sorted(set(Library.objects.values_list('library_type', flat=True))),\n"
    "  'hours': OpeningHours.objects.count(),\n"
    "  'roles': sorted(set(User.objects.values_list('role', flat=True))),\n"
    "  'people': User.objects.count(),\n"
    "}))"
)


def test_demo_builds_the_network_once_and_reuses_it(tmp_path):
    with new_site(tmp_path, migrated=False) as site:
        first = site.run("demo", "--no-serve")
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

        signed_in = site.python(
            "from django.contrib.auth import authenticate\n"
            "print(authenticate(username='koordinator', password='demo-pustaka-2026').role)"
        )
        assert signed_in == "coordinator"

        second = site.run("demo", "--no-serve")
        assert second.returncode == 0, second.stderr
        assert "Creating the demo network" not in second.stdout
        assert "koordinator" in second.stdout
        assert json.loads(site.python(SUMMARY)) == built
