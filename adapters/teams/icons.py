"""Draw pmobot's two Teams icons, with the standard library only.

``color.png`` (192×192): white portfolio bars on pmobot's accent colour, in a
rounded square. ``outline.png`` (32×32): the same bars in white on a
transparent background, as Teams asks. Run ``python -m pmobot.adapters.teams.icons
manifest/teams`` to draw them again; the PNGs are committed.
"""

from __future__ import annotations

import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

ACCENT = (0x4B, 0x53, 0xBC)
WHITE = (0xFF, 0xFF, 0xFF)

Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An RGBA PNG whose pixel (x, y) is ``pixel(x, y)``."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # no filter
        for x in range(width):
            rows.extend(pixel(x, y))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + \
        chunk(b"IEND", b"")


def _bars(u: float, v: float) -> bool:
    """Three bars of a roadmap, of growing length, in a unit square."""
    for top, length in ((0.22, 0.45), (0.44, 0.62), (0.66, 0.80)):
        if top <= v <= top + 0.13 and 0.14 <= u <= 0.14 + length:
            return True
    return False


def _rounded(u: float, v: float, radius: float = 0.2) -> bool:
    cx = min(max(u, radius), 1 - radius)
    cy = min(max(v, radius), 1 - radius)
    return (u - cx) ** 2 + (v - cy) ** 2 <= radius ** 2


def color_icon(size: int = 192) -> bytes:
    def pixel(x: int, y: int) -> Pixel:
        u, v = (x + 0.5) / size, (y + 0.5) / size
        if not _rounded(u, v):
            return (0, 0, 0, 0)
        return (*WHITE, 255) if _bars(u, v) else (*ACCENT, 255)

    return png(size, size, pixel)


def outline_icon(size: int = 32) -> bytes:
    def pixel(x: int, y: int) -> Pixel:
        u, v = (x + 0.5) / size, (y + 0.5) / size
        return (*WHITE, 255) if _bars(u, v) else (0, 0, 0, 0)

    return png(size, size, pixel)


def write(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "color.png").write_bytes(color_icon())
    (folder / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "manifest/teams"))
