"""A procedure's receipt as the printer would print it, in a language: walked through the
controller (first answer of each question, every paper but the last ticked), rendered to
its real ESC/POS bytes, then read back from those bytes into one picture to look at: the
raster images as printed, the text runs as plain lines (their sizes and bold not drawn).

For people checking a translation or a layout by eye (issue 15: « the receipt's image
decodes »). Nothing is printed and nothing typed by a visitor is involved.

    .venv/bin/python bench/receipt_look.py [--language ar] [--procedure ameli-creer-compte] [--out FILE.png]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

GS_V_0 = b"\x1dv0"
MAX_STEPS = 40
# The commands python-escpos sends around text (init, code page, bold, align, sizes, feed,
# cut): left out of the text drawn, as a printer does not print them.
COMMANDS = re.compile(rb"\x1b@|\x1dV[AB].|\x1b[!-Eatd].|\x1d[!V].")


def walk_to_summary(controller) -> None:
    from kiosk.session import State
    machine = controller.machine
    for _ in range(MAX_STEPS):
        if machine.state is State.SUMMARY:
            return
        step = machine.step
        if step.kind == "question":
            controller.choose(0)
            continue
        for item in step.items[:-1] if step.kind == "checklist" else ():
            controller.toggle(item.id)
        if step.kind == "field":
            controller.set_field("exemple@exemple.fr" if "@" in (step.pattern or "") else "0612345678")
        controller.next()
    raise SystemExit(f"no summary after {MAX_STEPS} steps (at {machine.step.id})")


def pieces(data: bytes) -> list[bytes | tuple[int, int, bytes]]:
    """Text runs and (width bytes, height, bits) raster images, in print order."""
    out: list = []
    pos = 0
    while (start := data.find(GS_V_0, pos)) >= 0:
        out.append(data[pos:start])
        width_bytes, height = data[start + 4] | data[start + 5] << 8, data[start + 6] | data[start + 7] << 8
        out.append((width_bytes, height, data[start + 8:start + 8 + width_bytes * height]))
        pos = start + 8 + width_bytes * height
    out.append(data[pos:])
    return out


def picture(data: bytes, code_page: str, width_px: int):
    from PIL import Image, ImageDraw, ImageFont, ImageOps

    from kiosk.config import ASSETS_DIR
    font = ImageFont.truetype(str(ASSETS_DIR / "fonts" / "AtkinsonHyperlegible-Regular.ttf"), 20)
    blocks = []
    for piece in pieces(data):
        if isinstance(piece, tuple):
            width_bytes, height, bits = piece
            img = Image.frombytes("1", (width_bytes * 8, height), bits)  # a 1 bit is a black dot
            blocks.append(ImageOps.invert(img.convert("L")))
            continue
        text = "".join(ch for ch in COMMANDS.sub(b"", piece).decode(code_page) if ch.isprintable() or ch == "\n")
        for line in (line for line in text.splitlines() if line.strip()):
            img = Image.new("L", (width_px, 26), 255)
            ImageDraw.Draw(img).text((0, 2), line, font=font, fill=0)
            blocks.append(img)
    sheet = Image.new("L", (width_px, sum(b.height + 6 for b in blocks)), 255)
    y = 0
    for block in blocks:
        sheet.paste(block, (0, y))
        y += block.height + 6
    return sheet


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--language", default="ar")
    p.add_argument("--procedure", default="ameli-creer-compte")
    p.add_argument("--out", default="receipt.png")
    args = p.parse_args(argv)
    from hardware.printer.render import PAPER, render_escpos
    from kiosk.config import ASSETS_DIR, Config, KioskSection, PrinterSection
    from kiosk.content.loader import load_pack
    from kiosk.controller import KioskController
    from kiosk.services import Services

    cfg = Config(kiosk=KioskSection(data_dir=Path(tempfile.mkdtemp()), name="Borne test", place="Lens"))
    controller = KioskController(cfg, load_pack(ASSETS_DIR / "content"), Services())
    controller.start_session()
    controller.set_language(args.language)
    controller.open_procedure(args.procedure)
    walk_to_summary(controller)
    printer = PrinterSection(connection="dummy", code_page="CP858")
    data = render_escpos(controller.receipt_preview(), printer)
    sheet = picture(data, printer.code_page, PAPER[printer.paper_width_mm]["dots"])
    sheet.save(args.out)
    images = sum(isinstance(piece, tuple) for piece in pieces(data))
    print(f"{args.procedure} in {args.language}: {len(data)} bytes, {images} raster images -> {args.out}")
    controller.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
