"""What the drawings (the burn chart, the capacity heatmap) share: their typeface, shipped with the code.

DejaVu Sans (dialogs/kernel/fonts/, licence beside it) is part of the package, so a plain install or the container
draws the same letters as a laptop: names and labels with accents (é, ë, ç) need its glyphs, and no plotting
library or system font package is needed to find it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont, ImageFont

log = logging.getLogger(__name__)

FONT_FILE = Path(__file__).parent / "fonts" / "DejaVuSans.ttf"
INK = "#1a1a1a"
WHITE = "#ffffff"


def palette_values(colours: Sequence[str]) -> list[int]:
    """ "#rrggbb" colours as the flat list of channel values Image.putpalette takes."""
    return [int(colour[i : i + 2], 16) for colour in colours for i in (1, 3, 5)]


@cache
def font(size: int) -> FreeTypeFont | ImageFont:
    """DejaVu Sans at `size` pixels. Should the file be missing (a broken install), Pillow's own font: a chart with
    plainer letters beats no chart, and the warning says what to fix."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype(str(FONT_FILE), size)
    except OSError:
        log.warning("%s is missing: drawing with Pillow's default font (reinstall the package)", FONT_FILE)
        return ImageFont.load_default(size)
