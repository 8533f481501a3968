"""Draws the program's icon into resources/icons/: PNGs for the window and Linux menus, an .ico for Windows.

The icon is a red-to-orange rounded square with a white 「办」 (这就办) in the bundled WenQuanYi
Micro Hei. Run it again only when the design changes, and commit what it writes:

    python3 installer/make_icons.py

Needs only Pillow (reportlab already depends on it). Each size is drawn on its own, eight times
larger and scaled down, so that 16 and 32 pixels stay sharp instead of being shrunk from 256; the
small sizes get a thicker stroke because WenQuanYi Micro Hei has a single, light weight.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
OUT = ROOT / "resources" / "icons"
NAME = "xianghe-desk"
SIZES = (16, 24, 32, 48, 64, 128, 256)
GLYPH = "办"
TOP = (242, 106, 33)  # orange
BOTTOM = (200, 30, 30)  # 中国红, a little darker so the white glyph stands out
SUPERSAMPLE = 8


def _gradient(side: int) -> Image.Image:
    column = Image.new("RGB", (1, side))
    for y in range(side):
        t = y / max(side - 1, 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM, strict=True)))
    return column.resize((side, side))


def draw(size: int) -> Image.Image:
    """The icon at ``size`` × ``size`` pixels (RGBA)."""
    side = size * SUPERSAMPLE
    # Small sizes use almost the whole square (every pixel counts); large ones keep a margin
    # like other hicolor application icons.
    margin = round(side * (0.0 if size <= 24 else 0.04))
    box = (margin, margin, side - margin - 1, side - margin - 1)
    mask = Image.new("L", (side, side), 0)
    ImageDraw.Draw(mask).rounded_rectangle(box, radius=round((side - 2 * margin) * 0.22), fill=255)
    icon = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    icon.paste(_gradient(side), (0, 0), mask)

    inner = side - 2 * margin
    font = ImageFont.truetype(str(FONT), round(inner * 0.72), index=0)
    stroke = round(inner * (0.045 if size <= 32 else 0.025))
    text = ImageDraw.Draw(icon)
    left, top, right, bottom = text.textbbox((0, 0), GLYPH, font=font, stroke_width=stroke)
    x = (side - (right - left)) / 2 - left
    y = (side - (bottom - top)) / 2 - top
    text.text((x, y), GLYPH, font=font, fill="white", stroke_width=stroke, stroke_fill="white")
    return icon.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    images = {size: draw(size) for size in SIZES}
    for size, image in images.items():
        image.save(OUT / f"{NAME}-{size}.png", optimize=True)
    largest = images[max(SIZES)]
    largest.save(
        OUT / f"{NAME}.ico",
        sizes=[(s, s) for s in SIZES],
        append_images=[images[s] for s in SIZES if s != max(SIZES)],
    )
    print(f"wrote {len(images)} PNGs and {NAME}.ico to {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
