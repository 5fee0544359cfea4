"""Draw the site's raster icons: /favicon.ico (16, 32 and 48 px) and /apple-touch-icon.png
(180 px), the trophy of static/board/favicon.svg in the same colours.

    .venv/bin/python -m scripts.make_icons

Run once when the icon changes and commit what it writes (frontend_site/board/root_files/).
Pure Python (zlib and struct), so it needs no imaging library: the trophy is drawn from a few
shapes in the SVG's 24-unit grid, each pixel sampled 4 x 4 times for smooth edges. The same
shapes give the same bytes on every machine.
"""

from __future__ import annotations

import argparse
import struct
import zlib
from pathlib import Path

ROOT_FILES = Path(__file__).resolve().parent.parent / "frontend_site" / "board" / "root_files"
BACKGROUND = (0x6D, 0x5D, 0xFC)  # favicon.svg's square
TROPHY = (0xFF, 0xD5, 0x4A)  # and its trophy
SAMPLES = 4  # per side of a pixel


def _in_ellipse(x: float, y: float, cx: float, cy: float, rx: float, ry: float) -> bool:
    return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1


def in_trophy(x: float, y: float) -> bool:
    """Whether the point (x, y) of the 24 x 24 grid is on the trophy."""
    cup = (8 <= x <= 16 and 5 <= y <= 9) or (y >= 9 and _in_ellipse(x, y, 12, 9, 4, 4.3))
    handle = False
    for cx, side in ((8.2, -1), (15.8, 1)):  # a half ring on each side of the cup
        outer = _in_ellipse(x, y, cx, 8.6, 3.4, 3.9)
        inner = _in_ellipse(x, y, cx, 8.6, 1.7, 2.2)
        handle = handle or ((x - cx) * side >= 0 and y >= 6.5 and outer and not inner)
    stem = 11 <= x <= 13 and 12 <= y <= 17.2
    base = 8.5 <= x <= 15.5 and 17 <= y <= 18.8
    return cup or handle or stem or base


def _in_rounded_square(x: float, y: float, radius: float) -> bool:
    """The SVG's 24-unit square with corners of ``radius`` (0 for a full square)."""
    cx = min(max(x, radius), 24 - radius)
    cy = min(max(y, radius), 24 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2 if radius else 0 <= x <= 24


def draw(size: int, *, corner: float) -> list[bytes]:
    """RGBA rows of the icon at ``size`` px; outside the rounded square is transparent."""
    rows = []
    step = 24 / size / SAMPLES
    for py in range(size):
        row = bytearray()
        for px in range(size):
            on_square = on_trophy = 0
            for sy in range(SAMPLES):
                y = (py * SAMPLES + sy + 0.5) * step
                for sx in range(SAMPLES):
                    x = (px * SAMPLES + sx + 0.5) * step
                    if _in_rounded_square(x, y, corner):
                        on_square += 1
                        on_trophy += in_trophy(x, y)
            if on_square == 0:
                row += bytes(4)
                continue
            share = on_trophy / on_square
            rgb = (round(b + (t - b) * share) for b, t in zip(BACKGROUND, TROPHY, strict=True))
            row += bytes([*rgb, round(255 * on_square / SAMPLES**2)])
        rows.append(bytes(row))
    return rows


def png(rows: list[bytes]) -> bytes:
    """A PNG of RGBA ``rows`` (8 bits a channel, no filter)."""
    height, width = len(rows), len(rows[0]) // 4

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + row for row in rows), 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def ico(images: dict[int, bytes]) -> bytes:
    """An ICO holding each PNG of ``images`` (size -> PNG bytes), as browsers read them."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, data = b"", b""
    for size, image in sorted(images.items()):
        entries += struct.pack(
            "<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(image), offset + len(data)
        )
        data += image
    return header + entries + data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=ROOT_FILES)
    folder = parser.parse_args(argv).output
    folder.mkdir(parents=True, exist_ok=True)
    favicon = ico({size: png(draw(size, corner=6)) for size in (16, 32, 48)})
    (folder / "favicon.ico").write_bytes(favicon)
    # iOS rounds the corners itself and shows transparency as black: a full square.
    (folder / "apple-touch-icon.png").write_bytes(png(draw(180, corner=0)))
    print(f"wrote favicon.ico and apple-touch-icon.png in {folder}")


if __name__ == "__main__":
    main()
