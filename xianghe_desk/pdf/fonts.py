"""The shipped CJK font (WenQuanYi Micro Hei), registered with reportlab once per process.

The font is a TrueType Collection: face 0 is the proportional 「WenQuanYi Micro Hei」, face 1 the
monospaced one. reportlab embeds a subset of the glyphs used in each PDF, so a printout looks the
same on an office PC without any Chinese font (check with ``pdffonts``: emb = yes).
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from xianghe_desk import paths

FONT = "WQYMicroHei"

_lock = threading.Lock()
_registered: Path | None = None


class FontMissingError(RuntimeError):
    """The shipped font file is missing or unreadable (a broken installation)."""


def register_fonts(path: Path | None = None) -> str:
    """Register the CJK font under :data:`FONT` (idempotent, thread-safe) and return its name.

    Bold and italic map to the same face: the font has one weight, and headings are set apart by
    size instead of a fake bold that prints unevenly.
    """
    global _registered
    if _registered is not None:
        return FONT
    with _lock:
        if _registered is not None:
            return FONT
        font_file = path or paths.font_path()
        try:
            # subfontIndex=0: the proportional face of the collection.
            pdfmetrics.registerFont(TTFont(FONT, str(font_file), subfontIndex=0))
        except (OSError, ValueError, TTFError) as exc:
            raise FontMissingError(f"无法读取字体文件 {font_file}：{exc}") from exc
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(FONT, bold, italic, FONT)
        _registered = Path(font_file)
    return FONT


def text_width(text: str, size: float) -> float:
    """Width of ``text`` in points at ``size`` in the CJK font."""
    register_fonts()
    return float(pdfmetrics.stringWidth(text, FONT, size))
