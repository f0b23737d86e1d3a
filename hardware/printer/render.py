"""Turn a receipt (kiosk/receipts.py) into ESC/POS bytes with python-escpos's Dummy printer.

Rendering is pure: no device, no I/O, so the exact bytes can be tested. One code page is
selected once (ESC t) so accents and € print right without python-escpos switching pages
in the middle of a line. The raster QR is drawn here, with the quiet zone scanners need,
and centred by padding it ourselves, because python-escpos centres on the profile's
width, which is wrong for 58 mm paper.
"""

from __future__ import annotations

from hardware.printer.text_image import drawable, printable, text_image
from kiosk.config import PrinterSection
from kiosk.i18n import t
from kiosk.receipts import Block, BlockKind, Receipt, block_lines

# Printable dots across (203 dpi) and characters across in font A (12 dots each).
PAPER = {80: {"dots": 576, "chars": 48}, 58: {"dots": 384, "chars": 32}}
QR_BOX_DOTS = {80: 6, 58: 5}           # module size 0.75 / 0.6 mm: phones read it, bytes stay few
QR_BORDER_MODULES = 4                   # the quiet zone the QR standard asks for
BIG_NUMBER_SCALE = 8                    # largest ESC/POS size: 8 x 12 dots = 12 mm wide, 24 mm tall
FONT_A_DOTS = 12                        # width of one font A character


# Text blocks the code page cannot print, drawn as images: (font px, bold, centred).
_IMAGE_STYLE = {BlockKind.TITLE: (40, True, True), BlockKind.HEADING: (28, True, False),
                BlockKind.TEXT: (24, False, False), BlockKind.BULLETS: (24, False, False),
                BlockKind.SMALL: (20, False, True)}


class RenderError(Exception):
    """The printer settings cannot render (unknown profile, code page not in it)."""


def width_chars(printer: PrinterSection) -> int:
    return PAPER[printer.paper_width_mm]["chars"]


def qr_image(url: str, paper_width_mm: int = 80):
    """The QR code as a 1-bit image, centred by white dots on its left.

    Only the left side is padded: every dot is sent, and on a 19200 baud serial line a
    full-width canvas would double the time the QR takes to reach the printer.
    """
    import qrcode
    from PIL import Image

    code = qrcode.QRCode(version=None, box_size=QR_BOX_DOTS[paper_width_mm], border=QR_BORDER_MODULES,
                         error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    img = code.make_image().get_image().convert("1")
    dots = PAPER[paper_width_mm]["dots"]
    if img.width > dots:  # a very long URL: shrink rather than refuse
        img = img.resize((dots, dots), Image.NEAREST)
    left = (dots - img.width) // 2
    canvas = Image.new("1", (left + img.width, img.height), 1)
    canvas.paste(img, (left, 0))
    return canvas


def _dummy(printer: PrinterSection):
    from escpos.exceptions import Error as EscposError
    from escpos.printer import Dummy

    try:
        p = Dummy(profile=printer.profile)
        p.hw("INIT")
        p.charcode(printer.code_page)
    except (EscposError, KeyError, ValueError) as e:
        raise RenderError(f"[printer] profile {printer.profile!r} with code_page {printer.code_page}: {e}") from None
    return p


def _block(p, block: Block, printer: PrinterSection, redact: bool, rtl: bool = False) -> None:
    chars = width_chars(printer)
    kind = block.kind
    if block.personal and redact:
        block = Block(BlockKind.TEXT, t("receipt.spool_redacted"))
    whole = block.text + "".join(block.items)
    if kind in _IMAGE_STYLE and not printable(whole, printer.code_page) and drawable(whole):
        _block_as_image(p, block, printer, rtl)
        return
    if kind is BlockKind.TITLE:
        p.set(align="center", bold=True, double_width=True, double_height=True)
        p.text("\n".join(block_lines(block, chars // 2)) + "\n")
        p.set(align="left", bold=False, normal_textsize=True)
        p.text("=" * chars + "\n")
    elif kind is BlockKind.HEADING:
        p.set(bold=True, double_height=True)
        p.text("\n" + "\n".join(block_lines(block, chars)) + "\n")
        p.set(bold=False, normal_textsize=True)
    elif kind is BlockKind.BIG_NUMBER:
        # As large as the paper allows: 4 digits fit 58 mm paper at the largest size.
        fits = PAPER[printer.paper_width_mm]["dots"] // (FONT_A_DOTS * max(1, len(block.text)))
        scale = max(1, min(BIG_NUMBER_SCALE, fits))
        p.set(align="center", custom_size=True, width=scale, height=BIG_NUMBER_SCALE)
        p.text(block.text + "\n")
        p.set(align="left", custom_size=True, width=1, height=1)  # GS ! 0: back from GS ! size
    elif kind is BlockKind.QR:
        if printer.qr_native:
            # ESC a 1 centres a native QR on the printers that have GS ( k.
            p.set(align="center")
            p.qr(block.text, native=True, size=QR_BOX_DOTS[printer.paper_width_mm])
            p.set(align="left")
        else:
            p.image(qr_image(block.text, printer.paper_width_mm), impl="bitImageRaster", center=False)
        p.text("\n")
    elif kind is BlockKind.SMALL:
        p.set(align="center")
        p.text("\n".join(block_lines(block, chars)) + "\n")
        p.set(align="left")
    else:
        p.text("\n".join(block_lines(block, chars)) + "\n")


def _block_as_image(p, block: Block, printer: PrinterSection, rtl: bool) -> None:
    """Arabic, Turkish ğ ı İ ş: a raster image (text_image.py), never « ? »."""
    size_px, bold, center = _IMAGE_STYLE[block.kind]
    text = block.text if block.kind is not BlockKind.BULLETS else "\n".join(f"- {i}" for i in block.items)
    if block.kind is BlockKind.HEADING:
        p.text("\n")
    p.image(text_image(text, PAPER[printer.paper_width_mm]["dots"], size_px, bold, center, rtl or None),
            impl="bitImageRaster", center=False)
    if block.kind is BlockKind.TITLE:
        p.text("=" * width_chars(printer) + "\n")


def render_escpos(receipt: Receipt, printer: PrinterSection, redact: bool = False) -> bytes:
    """The receipt's ESC/POS bytes, ending with a feed and a cut.

    redact=True replaces what the visitor typed by a notice: for copies written to disk.
    """
    p = _dummy(printer)
    for block in receipt.blocks:
        _block(p, block, printer, redact, receipt.rtl)
    p.cut()
    return bytes(p.output)
