"""Formula injection (issue #10): text that a spreadsheet program would run is written as text.

A resident imported with 居住地址 ``=HYPERLINK("http://…")`` must come back out of an export as
those characters, not as a live link or formula. Every text cell the program writes whose first
character is ``= + - @`` (or a tab or carriage return, which some programs skip before looking)
is stored with the string type and Excel's 「quote prefix」 (the cell shows the text, and stays
text when a clerk edits it); a CSV value gets a leading apostrophe, as OWASP recommends. Import
never evaluates anything: formulas are read as their saved values or refused (sheets/reader.py).
"""

from __future__ import annotations

from typing import Any, Final

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def as_text(cell: Any) -> Any:
    """Make an existing cell hold its formula-like text as plain text (no-op otherwise)."""
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def guard(sheet: Any, value: Any) -> Any:
    """``value`` for a write-only sheet's row: formula-like text becomes a text cell."""
    if not looks_like_formula(value):
        return value
    return as_text(WriteOnlyCell(sheet, value=value))


def guard_row(sheet: Any, values: list[Any]) -> list[Any]:
    return [
        guard(sheet, value)
        if isinstance(value, str)
        else as_text(value)
        if hasattr(value, "data_type")  # a cell made by the caller (WriteOnlyCell is a function)
        else value
        for value in values
    ]


def csv_text(value: object) -> str:
    """A value for a CSV file the program writes: formula-like text gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
