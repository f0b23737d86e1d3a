"""Read ESC/POS bytes back in tests: raster images out of GS v 0, text runs, code page."""

from __future__ import annotations

from PIL import Image, ImageOps

GS_V_0 = b"\x1dv0"


def raster_images(data: bytes) -> list[Image.Image]:
    """Every GS v 0 raster image in data, as black-on-white PIL images."""
    images, pos = [], 0
    while (pos := data.find(GS_V_0, pos)) >= 0:
        width_bytes = data[pos + 4] | data[pos + 5] << 8
        height = data[pos + 6] | data[pos + 7] << 8
        start = pos + 8
        bits = data[start:start + width_bytes * height]
        # In ESC/POS a 1 bit is a black dot; in PIL mode "1" a 1 bit is white.
        img = Image.frombytes("1", (width_bytes * 8, height), bits)
        images.append(ImageOps.invert(img.convert("L")))
        pos = start + len(bits)
    return images


def decode_qr(img: Image.Image) -> list[str]:
    from pyzbar.pyzbar import decode

    return [r.data.decode("utf-8") for r in decode(img)]
