"""Recording and changing agreements through the service: all the fields a librarian writes
down, the checks that keep records sound, who may do it, and the history of every change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from simpul.agreements import services
from simpul.agreements.models import Agreement, Change, Kind, Party, Service, Status
from simpul.agreements.services import PartyValues, save_agreement
from simpul.core.errors import AccessDenied, InvalidInput
from tests.agreements.conftest import make_agreement, make_library, minimal_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
DAY = dt.timedelta(days=1)


def full_values(**changes):
    values = {
        "kind": Kind.MOA,
        "title": "Perjanjian Layanan Pinjam Antar Perpustakaan",
        "reference": "007/PKS/JU/2026",
        "parent": None,
        "status": Status.ACTIVE,
        "start_date": dt.date(2026, 1, 1),
        "end_date": dt.date(2028, 12, 31),
        "background": "Koleksi saling melengkapi.",
        "scope": "Buku cetak dan artikel.",
        "division_of_work": "Alpha mengirim, Beta menerima.",
        "financing": "Ongkos kirim ditanggung peminjam.",
        "implementation": "Melalui Simpul, ISO 18626.",
        "terminated_on": None,
        "termination_reason": "",
    }
    values.update(changes)
    return values


def two_parties(world, **extra):
    return [
        PartyValues(
            library=world.library_a,
            signatory="Dr. Ratna, Kepala Perpustakaan",
            contact_name="Ratna",
            contact_email="ratna@alpha.example.ac.id",
            rights_and_obligations="Meminjamkan koleksi dalam 3 hari kerja.",
        ),
        PartyValues(library=world.library_b, contact_email="layanan@beta.example.ac.id", **extra),
    ]


def pdf_upload(content: bytes | None = None, name: str = "pks.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, minimal_pdf() if content is None else content, "application/pdf"
    )


def test_coordinator_records_an_agreement_with_every_field(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agreement = save_agreement(
        world.coordinator,
        full_values(),
        [*two_parties(world), PartyValues(partner_name="Pojok Baca Bank Nusantara")],
        [Service.ILL_LOAN, Service.ILL_COPY],
        document=pdf_upload(),
    )
    agreement.refresh_from_db()
    assert agreement.financing == "Ongkos kirim ditanggung peminjam."
    assert sorted(agreement.service_codes) == ["ill_copy", "ill_loan"]
    names = [party.display_name for party in agreement.parties.all()]
    assert names == [
        world.library_a.display_name,
        world.library_b.display_name,
        "Pojok Baca Bank Nusantara",
    ]
    first = agreement.parties.get(library=world.library_a)
    assert first.rights_and_obligations == "Meminjamkan koleksi dalam 3 hari kerja."
    assert agreement.signed_document.read().startswith(b"%PDF-1.4")
    assert agreement.signed_document.name.endswith(".pdf")
    assert "pks" not in agreement.signed_document.name  # an unguessable stored name
    assert agreement.created_by == world.coordinator
    [change] = Change.objects.filter(agreement=agreement)
    assert change.action == "created" and change.changed_by == world.coordinator
    assert services.is_service_allowed(Service.ILL_LOAN, world.library_b, world.library_a)


def test_a_change_is_kept_with_who_and_what(world):
    agreement = save_agreement(world.coordinator, full_values(), two_parties(world), ["ill_loan"])
    save_agreement(
        world.coordinator,
        full_values(end_date=dt.date(2029, 6, 30), status=Status.ACTIVE),
        two_parties(world),
        ["ill_loan", "reciprocal_access"],
        agreement=agreement,
    )
    latest = Change.objects.filter(agreement=agreement).first()
    assert latest.action == "changed"
    assert latest.fields["end_date"] == ["2028-12-31", "2029-06-30"]
    assert latest.fields["services"] == ["ill_loan", "ill_loan, reciprocal_access"]
    assert set(latest.fields) == {"end_date", "services"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_date": dt.date(2025, 1, 1)}, "end_date", "before the start date"),
        ({"status": Status.TERMINATED}, "terminated_on", "terminated"),
        ({"title": ""}, "title", "This field cannot be blank."),
        (
            {
                "status": Status.ACTIVE,
                "start_date": dt.date(2020, 1, 1),
                "end_date": dt.date(2021, 1, 1),
            },
            "status",
            "end date has passed",
        ),
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(world, changes, field, message):
    with pytest.raises(InvalidInput) as refused:
        save_agreement(world.coordinator, full_values(**changes), two_parties(world), ["ill_loan"])
    assert any(message in text for text in refused.value.message_dict[field])
    assert not Agreement.objects.exists() and not Party.objects.exists()


def test_one_party_or_a_party_twice_is_refused(world):
    with pytest.raises(InvalidInput) as refused:
        save_agreement(world.coordinator, full_values(), two_parties(world)[:1], [])
    assert "at least two parties" in str(refused.value.message_dict["parties"])
    doubled = [*two_parties(world), PartyValues(library=world.library_b)]
    with pytest.raises(InvalidInput) as refused:
        save_agreement(world.coordinator, full_values(), doubled, [])
    assert "listed twice" in str(refused.value.message_dict["parties"])


def test_moa_must_come_under_an_mou_that_has_its_libraries(world):
    gamma = make_library("GAMMA")
    mou = make_agreement([world.library_a, gamma], [])
    with pytest.raises(InvalidInput) as refused:
        save_agreement(world.coordinator, full_values(parent=mou), two_parties(world), ["ill_loan"])
    assert "BETA" in str(refused.value.message_dict["parties"])
    moa = make_agreement([world.library_a, gamma], kind=Kind.MOA, parent=mou)
    with pytest.raises(InvalidInput) as refused:
        save_agreement(
            world.coordinator,
            full_values(parent=moa),
            [PartyValues(library=world.library_a), PartyValues(library=gamma)],
            [],
        )
    assert "Choose an MoU" in str(refused.value.message_dict["parent"])
    with pytest.raises(InvalidInput):
        save_agreement(
            world.coordinator,
            full_values(kind=Kind.MOU, parent=mou),
            [PartyValues(library=world.library_a), PartyValues(library=gamma)],
            [],
        )


BAD_FILES = {
    "a picture": b"\x89PNG\r\n\x1a\n" + b"\0" * 200,
    "a Word file renamed": b"PK\x03\x04" + b"\0" * 300,
    "a truncated PDF": minimal_pdf()[:-60],
    "an HTML error page": b"<html><body>502 Bad Gateway</body></html>",
    "an empty file": b"",
    "a PDF header with nothing after": b"%PDF-1.7\n",
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_file_that_is_not_a_pdf_is_refused_and_nothing_stored(world, settings, tmp_path, kind):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(InvalidInput) as refused:
        save_agreement(
            world.coordinator,
            full_values(),
            two_parties(world),
            ["ill_loan"],
            document=pdf_upload(BAD_FILES[kind]),
        )
    assert "not a complete PDF" in str(refused.value.message_dict["signed_document"])
    assert not Agreement.objects.exists()
    assert not list(tmp_path.rglob("*"))


def test_an_oversized_pdf_is_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = minimal_pdf()
    big = pdf[:9] + b"%" + b"x" * (services.MAX_PDF_BYTES) + b"\n" + pdf[9:]
    with pytest.raises(InvalidInput) as refused:
        save_agreement(
            world.coordinator, full_values(), two_parties(world), [], document=pdf_upload(big)
        )
    assert "at most 10.0" in str(refused.value.message_dict["signed_document"])
    assert not list(tmp_path.rglob("*"))


def test_library_admin_records_moa_for_own_library_but_not_mou_or_others(world):
    agreement = save_agreement(world.admin_a, full_values(), two_parties(world), ["ill_loan"])
    assert agreement.kind == Kind.MOA
    with pytest.raises(InvalidInput) as refused:
        save_agreement(world.admin_a, full_values(kind=Kind.MOU), two_parties(world), [])
    assert "Only the network coordinator records MoUs." in str(refused.value.message_dict["kind"])
    gamma = make_library("GAMMA")
    with pytest.raises(InvalidInput) as refused:
        save_agreement(
            world.admin_a,
            full_values(),
            [PartyValues(library=world.library_b), PartyValues(library=gamma)],
            [],
        )
    assert "Your own library" in str(refused.value.message_dict["parties"])
    mou = make_agreement([world.library_a, world.library_b])
    assert not services.can_edit(world.admin_a, mou)


@pytest.mark.parametrize("who", ["librarian_a", "it_a", "patron_a", "librarian_b"])
def test_librarians_patrons_and_other_libraries_cannot_change_agreements(world, who):
    with pytest.raises(AccessDenied):
        save_agreement(getattr(world, who), full_values(), two_parties(world), [])
    existing = make_agreement([world.library_a, world.library_b], kind=Kind.MOA)
    with pytest.raises(AccessDenied):
        save_agreement(
            getattr(world, who), full_values(), two_parties(world), [], agreement=existing
        )


def test_staff_read_only_their_own_librarys_agreements(world):
    gamma = make_library("GAMMA")
    theirs = make_agreement([world.library_b, gamma], title="Beta-Gamma")
    ours = make_agreement([world.library_a, world.library_b], title="Alpha-Beta")
    assert list(services.visible_agreements(world.librarian_a)) == [ours]
    assert set(services.visible_agreements(world.coordinator)) == {ours, theirs}
    assert not services.visible_agreements(world.patron_a).exists()
    assert services.can_view(world.librarian_b, theirs)
    assert not services.can_view(world.librarian_a, theirs)


def test_expiring_soon_lists_active_agreements_ending_in_the_window(world):
    today = services.network_today()
    soon = make_agreement([world.library_a, world.library_b], end=today + 20 * DAY, title="soon")
    make_agreement([world.library_a, world.library_b], end=today + 200 * DAY, title="later")
    make_agreement([world.library_a, world.library_b], end=today - DAY, title="past")
    make_agreement(
        [world.library_a, world.library_b], end=today + 5 * DAY, status=Status.DRAFT, title="d"
    )
    assert list(services.expiring_soon(world.coordinator, 90)) == [soon]
    assert list(services.expiring_soon(world.librarian_b, 90)) == [soon]
    assert not services.expiring_soon(world.patron_a, 90).exists()


@pytest.mark.django_db(transaction=True)
def test_a_new_signed_document_replaces_the_old_file(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agreement = save_agreement(
        world.coordinator, full_values(), two_parties(world), [], document=pdf_upload()
    )
    first = agreement.signed_document.name
    save_agreement(
        world.coordinator,
        full_values(),
        two_parties(world),
        [],
        agreement=Agreement.objects.get(pk=agreement.pk),
        document=pdf_upload(minimal_pdf("Adendum")),
    )
    agreement.refresh_from_db()
    assert agreement.signed_document.name != first
    assert b"Adendum" in agreement.signed_document.read()
    assert [path.name for path in tmp_path.rglob("*.pdf")] == [
        agreement.signed_document.name.rsplit("/", 1)[1]
    ]
    assert Change.objects.filter(agreement=agreement, action="changed").exists()
