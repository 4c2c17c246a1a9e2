"""Regenerates the Teams app icons (color.png 192x192, outline.png 32x32) with the standard library only.

Run it from the repository root: ``python manifest/make_icons.py``. The PNGs it writes are
committed; the app package builder only copies them, so a build never depends on this script.

Design, following Microsoft's Teams icon guidelines:
- color.png: a full-bleed square in the accent colour, a white check mark inside the central 96x96 safe
  area. Teams rounds the corners itself, and the guidelines ask for a background that is either fully solid
  or fully transparent, so the square is solid rather than pre-rounded.
- outline.png: the same check mark in pure white on a transparent background; anti-aliasing only varies alpha,
  never the colour, because Teams requires the outline icon to be white (it tints it for themes).
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

Rgb = tuple[int, int, int]
Point = tuple[float, float]

# Keep in step with "accentColor" in manifest/manifest.json (Teams shows the colour icon on the accent colour).
ACCENT: Rgb = (0x1F, 0x5F, 0xAD)
WHITE: Rgb = (0xFF, 0xFF, 0xFF)

# The check mark in unit coordinates (0..1 across the mark's box), drawn as a thick polyline with round caps.
CHECK_MARK: Sequence[Point] = ((0.12, 0.55), (0.40, 0.80), (0.88, 0.22))
SUPERSAMPLE = 4  # samples per axis per pixel: smooth edges without an imaging library


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    ax, ay = a
    bx, by = b
    px, py = p
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _mark_coverage(size: int, box: tuple[float, float, float], stroke: float) -> list[list[float]]:
    """Fraction (0..1) of each pixel covered by the check mark; ``box`` is (left, top, side) in pixels."""
    left, top, side = box
    points = [(left + x * side, top + y * side) for x, y in CHECK_MARK]
    segments = list(itertools.pairwise(points))
    step = 1.0 / SUPERSAMPLE
    rows: list[list[float]] = []
    for y in range(size):
        row: list[float] = []
        for x in range(size):
            hits = 0
            for sy in range(SUPERSAMPLE):
                for sx in range(SUPERSAMPLE):
                    p = (x + (sx + 0.5) * step, y + (sy + 0.5) * step)
                    if min(_segment_distance(p, a, b) for a, b in segments) <= stroke / 2:
                        hits += 1
            row.append(hits / SUPERSAMPLE**2)
        rows.append(row)
    return rows


def _png(size: int, pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    """Encodes RGBA rows as an 8-bit truecolour-with-alpha PNG (colour type 6)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes(channel for px in row for channel in px) for row in pixels)
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _blend(under: Rgb, over: Rgb, alpha: float) -> Rgb:
    r, g, b = (round(u + (o - u) * alpha) for u, o in zip(under, over, strict=True))
    return (r, g, b)


def color_icon() -> bytes:
    size = 192
    # Microsoft's guideline: the symbol sits in the central 96x96 pixels, 48 px padding on each side.
    coverage = _mark_coverage(size, (48.0, 48.0, 96.0), stroke=16.0)
    pixels = [[(*_blend(ACCENT, WHITE, c), 255) for c in row] for row in coverage]
    return _png(size, pixels)


def outline_icon() -> bytes:
    size = 32
    coverage = _mark_coverage(size, (3.0, 3.0, 26.0), stroke=4.0)
    pixels = [[(*WHITE, round(255 * c)) for c in row] for row in coverage]
    return _png(size, pixels)


def main() -> None:
    here = Path(__file__).resolve().parent
    (here / "color.png").write_bytes(color_icon())
    (here / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    main()
