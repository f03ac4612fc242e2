"""Applying for, issuing and managing network member cards, and who may do it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from simpul.cards import services
from simpul.cards.models import CardPolicy, CardStatus, MemberCard, Visit
from simpul.core.errors import AccessDenied, InvalidInput
from tests.cards.conftest import make_card
from tests.conftest import World
from tests.fixtures_accounts import english_client


def _jpeg(size: tuple[int, int] = (600, 800), exif: bool = False) -> SimpleUploadedFile:
    out = io.BytesIO()
    image = Image.new("RGB", size, (120, 80, 40))
    kwargs = {}
    if exif:
        info = Image.Exif()
        info[0x010F] = "KameraRahasia"  # camera maker
        kwargs["exif"] = info.tobytes()
    image.save(out, "JPEG", **kwargs)
    return SimpleUploadedFile("foto.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_patron_applies_and_the_home_librarian_issues_the_card(world: World) -> None:
    card = services.apply_for_card(world.patron_a, _jpeg(), "Untuk penelitian skripsi")
    assert card.status == CardStatus.APPLIED and card.number is None
    services.issue_card(world.librarian_a, card)
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    assert card.number == f"ALPHA-{card.pk:06d}"
    assert card.valid_from == services.local_today()
    assert card.valid_until is not None and card.valid_until > card.valid_from
    assert card.issued_by == world.librarian_a


def test_the_photo_is_kept_small_and_without_its_metadata(world: World) -> None:
    card = services.apply_for_card(world.patron_a, _jpeg((3000, 4000), exif=True))
    with Image.open(io.BytesIO(bytes(card.photo))) as kept:
        assert max(kept.size) <= services.PHOTO_SIZE
        assert b"KameraRahasia" not in bytes(card.photo)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("foto.jpg", b"%PDF-1.4 not a picture", "not a JPEG, PNG or WebP"),
        ("foto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a JPEG, PNG or WebP"),
        ("foto.jpg", b"\xff\xd8\xff" + b"\x00" * (3 * 1024 * 1024), "larger than 2 MB"),
    ],
)
def test_a_bad_photo_is_refused_clearly_and_no_application_is_made(
    world: World, english: None, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.apply_for_card(world.patron_a, SimpleUploadedFile(name, content))
    assert message in str(refused.value.message_dict["photo"])
    assert not MemberCard.objects.exists()


def test_the_application_page_shows_a_bad_photo_error_and_keeps_the_note(world: World) -> None:
    client = english_client(world.patron_a)
    response = client.post(
        "/card/",
        {"note": "Catatan saya", "photo": SimpleUploadedFile("x.jpg", b"not an image")},
    )
    assert response.status_code == 200
    assert "not a JPEG, PNG or WebP image" in response.text
    assert "Catatan saya" in response.text
    assert not MemberCard.objects.exists()


def test_one_card_at_a_time(world: World) -> None:
    services.apply_for_card(world.patron_a)
    with pytest.raises(InvalidInput):
        services.apply_for_card(world.patron_a)


def test_the_network_may_issue_cards_automatically_to_verified_patrons(world: World) -> None:
    with pytest.raises(AccessDenied):
        services.save_policy(world.librarian_a, True, 12)
    services.save_policy(world.coordinator, True, 6)
    verified = services.apply_for_card(world.patron_a)  # member number A-001 recorded
    assert verified.status == CardStatus.ACTIVE
    unverified = services.apply_for_card(
        world.patron_a2.__class__.objects.create(
            username="tanpa.nomor", role="patron", library=world.library_a
        )
    )
    assert unverified.status == CardStatus.APPLIED
    assert CardPolicy.current().validity_months == 6


def test_suspend_reinstate_renew_and_revoke(world: World) -> None:
    card = make_card(world.patron_a, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    with pytest.raises(InvalidInput):
        services.suspend_card(world.librarian_a, card, "  ")  # a reason is required
    services.suspend_card(world.librarian_a, card, "Buku belum dikembalikan")
    assert card.status == CardStatus.SUSPENDED
    services.reinstate_card(world.librarian_a, card)
    assert card.status == CardStatus.ACTIVE
    before = card.valid_until
    services.renew_card(world.librarian_a, card)
    assert card.valid_until is not None and before is not None and card.valid_until > before
    services.revoke_card(world.admin_a, card, "Lulus")
    assert card.status == CardStatus.REVOKED
    with pytest.raises(InvalidInput):
        services.reinstate_card(world.librarian_a, card)
    # A revoked card is finished: the patron may apply again.
    assert services.apply_for_card(world.patron_a).status == CardStatus.APPLIED


@pytest.mark.parametrize("who", ["librarian_b", "it_a", "patron_a", "patron_b"])
def test_only_the_home_librarians_manage_a_card(world: World, who: str) -> None:
    card = services.apply_for_card(world.patron_a)
    actor = getattr(world, who)
    with pytest.raises(AccessDenied):
        services.issue_card(actor, card)
    with pytest.raises(AccessDenied):
        services.cards_of_library(actor, world.library_a)
    assert services.card_for_staff(actor, card.pk) is None
    response = world.client_for(actor).post(f"/cards/{card.pk}/", {"action": "issue"})
    assert response.status_code == 404
    card.refresh_from_db()
    assert card.status == CardStatus.APPLIED


def test_staff_of_another_library_do_not_see_its_applications(world: World) -> None:
    services.apply_for_card(world.patron_a, note="Rahasia pemohon")
    response = english_client(world.librarian_b).get("/cards/")
    assert "Rahasia pemohon" not in response.text
    assert "Rahasia pemohon" in english_client(world.librarian_a).get("/cards/").text


def test_the_card_page_shows_the_qr_code_and_the_pdf_is_card_sized(world: World) -> None:
    card = make_card(world.patron_a, dt.date(2026, 1, 1), dt.date(2099, 12, 31))
    client = english_client(world.patron_a)
    page = client.get("/card/")
    assert card.number in page.text and "<svg" in page.text
    pdf = client.get("/card/card.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 242.6" in pdf.content  # 85.6 mm wide


def test_a_patron_sees_only_their_own_card_and_photo(world: World) -> None:
    card = services.apply_for_card(world.patron_a, _jpeg())
    other = world.client_for(world.patron_a2)
    assert other.get(f"/card/photo/{card.pk}/").status_code == 404
    assert card.holder_name not in other.get("/card/").text
    assert world.client_for(world.patron_a).get(f"/card/photo/{card.pk}/").status_code == 200
    assert world.client_for(world.librarian_a).get(f"/card/photo/{card.pk}/").status_code == 200
    # Another library's staff see it only once the holder has visited or announced a visit.
    host = world.client_for(world.librarian_b)
    assert host.get(f"/card/photo/{card.pk}/").status_code == 404
    Visit.objects.create(
        card=card,
        visitor=world.patron_a,
        home_library=world.library_a,
        host_library=world.library_b,
        date=dt.date(2026, 11, 23),
    )
    assert host.get(f"/card/photo/{card.pk}/").status_code == 200
    assert other.get("/card/card.pdf").status_code == 404


def test_the_librarian_issues_from_the_page(world: World) -> None:
    card = services.apply_for_card(world.patron_a)
    client = english_client(world.librarian_a)
    assert card.holder_name in client.get("/cards/").text
    response = client.post(f"/cards/{card.pk}/", {"action": "issue"}, follow=True)
    assert "was issued" in response.text
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    response = client.post(f"/cards/{card.pk}/", {"action": "revoke", "reason": ""}, follow=True)
    assert "Say why" in response.text
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
