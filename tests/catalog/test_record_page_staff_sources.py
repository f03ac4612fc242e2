"""Source records (identifier, format, the record as received, why it was merged) are for staff
of the record's library and the coordinator; patrons and visitors never see them."""

from __future__ import annotations

from html import unescape

import pytest

from simpul.catalog import matching
from simpul.catalog.models import Record, RecordStatus
from tests.catalog.catalogue_world import shared_cluster
from tests.fixtures_accounts import english_client

pytestmark = pytest.mark.django_db


def marc_cluster():
    record = (
        Record.objects.filter(source_format="marc21", library__code="BETA")
        .exclude(match_reasons=[])
        .select_related("cluster")
        .first()
    )
    assert record is not None and record.cluster is not None
    return record.cluster


def test_visitors_and_patrons_see_no_source_records(catalogue):
    cluster = marc_cluster()
    for person in [None, catalogue.patron_a, catalogue.patron_b]:
        html = english_client(person).get(f"/catalogue/{cluster.pk}/").content.decode()
        assert "Source records" not in html and 'data-testid="source-records"' not in html
        assert "=LDR" not in html


def test_staff_see_their_own_library_s_records_only(catalogue):
    cluster = marc_cluster()
    html = english_client(catalogue.librarian_b).get(f"/catalogue/{cluster.pk}/").content.decode()
    sources = html[html.index('data-testid="source-records"') :]
    assert "<summary>BETA" in sources and "<summary>ALPHA" not in sources
    assert "=LDR  " in sources and "=245  " in sources  # MARC as breaker lines
    beta = Record.objects.get(cluster=cluster, library__code="BETA", status=RecordStatus.ACTIVE)
    assert beta.local_id in sources
    assert "Why it is in this title" in sources
    others = Record.objects.filter(cluster=cluster, status=RecordStatus.ACTIVE).exclude(
        library__code="BETA"
    )
    assert others.exists()
    told = f"This title also holds {others.count()} record"
    assert told in unescape(sources), "staff learn that records of other libraries exist"


def test_the_coordinator_sees_every_record_and_why_it_merged(catalogue):
    cluster = marc_cluster()
    client = english_client(catalogue.coordinator)
    html = client.get(f"/catalogue/{cluster.pk}/").content.decode()
    sources = html[html.index('data-testid="source-records"') :]
    assert "<summary>BETA" in sources and "<summary>ALPHA" in sources
    merged = Record.objects.filter(cluster=cluster).exclude(match_reasons=[]).first()
    assert merged is not None
    reasons = matching.describe(merged.match_reasons)
    assert reasons and reasons[0] in unescape(sources)
    assert 'data-testid="other-sources"' not in html, "the coordinator sees them all"


def test_csv_records_are_shown_as_text(catalogue):
    cluster = shared_cluster()
    html = english_client(catalogue.librarian_a).get(f"/catalogue/{cluster.pk}/").content.decode()
    sources = html[html.index('data-testid="source-records"') :]
    assert 'class="raw-record"' in sources and "CSV" in sources
