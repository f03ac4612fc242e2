"""The desk reads a member card's QR code from the device camera. Chromium is given a fake
camera that films the card's QR code (a Y4M video made here with segno), so the page's real
path runs: getUserMedia, a frame drawn on a canvas, the code decoded (the vendored jsQR, as
this Chromium has no BarcodeDetector), the signature judged on the device, the visit
recorded by the server."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import segno
from PIL import Image
from playwright.sync_api import Playwright, expect

from simpul.agreements.models import Service
from simpul.cards import services
from simpul.cards.models import Visit, VisitStatus
from tests.agreements.conftest import make_agreement
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, TIMEOUT_MS, sign_in
from tests.cards.conftest import make_card, open_all_week
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
WIDTH, HEIGHT = 640, 480


@pytest.fixture(autouse=True)
def card_keys(settings: Any, tmp_path: Path) -> None:
    settings.CARD_KEY_DIR = tmp_path / "card-keys"


def filmed_qr_code(text: str, path: Path, frames: int = 5) -> Path:
    """A Y4M video (4:2:0, grey) of a white page with the QR code in the middle."""
    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=5, border=4)
    code = Image.open(io.BytesIO(png.getvalue())).convert("L")
    page = Image.new("L", (WIDTH, HEIGHT), 255)
    page.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    luma = page.tobytes()
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def _card(world: World) -> Any:
    return make_card(world.patron_a, valid_until=services.local_today() + dt.timedelta(days=30))


def test_the_desk_checks_a_visitor_in_from_the_camera(
    world: World, live_server: Any, tmp_path: Path, playwright: Playwright
) -> None:
    make_agreement([world.library_a, world.library_b], [Service.RECIPROCAL_ACCESS])
    open_all_week(world.library_b)
    card = _card(world)
    video = filmed_qr_code(services.token_for(card), tmp_path / "card.y4m")
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    try:
        context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=DESKTOP)
        context.grant_permissions(["camera"])
        context.set_default_timeout(TIMEOUT_MS)
        host = context.new_page()
        sign_in(host, world.librarian_b)
        host.goto("/visitors/desk/")
        host.wait_for_function("localStorage.getItem('simpul-desk-BETA') !== null")
        host.get_by_role("button", name="Scan QR code with the camera").click()
        offline = host.get_by_test_id("desk-offline-result")
        expect(offline).to_have_attribute("data-valid", "true", timeout=15_000)
        expect(host.get_by_test_id("desk-recorded")).to_be_visible()
        expect(host.get_by_test_id("scan-video")).to_be_hidden()
    finally:
        browser.close()
    visit = Visit.objects.get()
    assert visit.card == card and visit.status == VisitStatus.CHECKED_IN
    assert visit.checked_in_by == world.librarian_b
