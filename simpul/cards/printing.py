"""The card as the patron shows it: a QR code (SVG for the phone, PNG inside the PDF) and a
printable PDF the size of a bank card (ID-1, 85.60 by 53.98 mm)."""

from __future__ import annotations

import io

import segno
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen import canvas

from simpul.cards.models import MemberCard

CARD_SIZE = (85.60 * mm, 53.98 * mm)


def qr_svg(token: str) -> str:
    """An inline SVG QR code; medium error correction survives a cracked phone screen."""
    code = segno.make(token, error="m", micro=False)
    return code.svg_inline(scale=4, border=2, dark="#000", light="#fff")


def _qr_png(token: str) -> bytes:
    out = io.BytesIO()
    segno.make(token, error="m", micro=False).save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def card_pdf(card: MemberCard, token: str, network_name: str) -> bytes:
    """One page, card-sized: network, holder, home library, number, validity, photo, QR."""
    out = io.BytesIO()
    width, height = CARD_SIZE
    pdf = canvas.Canvas(out, pagesize=CARD_SIZE)
    pdf.setTitle(_("Network member card %(number)s") % {"number": card.number})
    pdf.setFillColorRGB(0.05, 0.33, 0.45)
    pdf.rect(0, height - 9 * mm, width, 9 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont("Helvetica-Bold", 7)
    pdf.drawString(
        3 * mm,
        height - 4.2 * mm,
        (simpleSplit(network_name, "Helvetica-Bold", 7, width - 6 * mm) or [""])[0],
    )
    pdf.setFont("Helvetica", 6)
    pdf.drawString(3 * mm, height - 7.4 * mm, _("Network member card"))
    qr_size = 28 * mm
    qr_x = width - qr_size - 2 * mm
    pdf.drawImage(ImageReader(io.BytesIO(_qr_png(token))), qr_x, 5 * mm, qr_size, qr_size)
    left = 3 * mm
    if card.photo:
        pdf.drawImage(
            ImageReader(io.BytesIO(bytes(card.photo))),
            left,
            height - 36 * mm,
            20 * mm,
            25 * mm,
            preserveAspectRatio=True,
        )
        left = 25 * mm
    # Text is wrapped to the space between the photo and the QR code, never over either.
    text_width = qr_x - left - 1.5 * mm
    pdf.setFillColorRGB(0, 0, 0)
    assert card.valid_from is not None and card.valid_until is not None
    y = height - 13 * mm
    blocks = [
        ("Helvetica-Bold", 8, card.holder_name),
        ("Helvetica", 6.5, card.home_library.display_name),
        ("Helvetica", 6.5, _("Card number: %(number)s") % {"number": card.number}),
        (
            "Helvetica",
            6.5,
            _("Valid %(start)s to %(end)s")
            % {"start": card.valid_from.isoformat(), "end": card.valid_until.isoformat()},
        ),
    ]
    for font, size, text in blocks:
        pdf.setFont(font, size)
        for line in simpleSplit(text, font, size, text_width)[:3]:
            pdf.drawString(left, y, line)
            y -= size * 1.25
        y -= 1 * mm
    pdf.setFont("Helvetica", 5)
    pdf.drawString(3 * mm, 3 * mm, _("Show this card at the desk of the host library."))
    pdf.showPage()
    pdf.save()
    return out.getvalue()
