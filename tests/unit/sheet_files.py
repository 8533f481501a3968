"""Builders for the spreadsheet fixtures of the test_sheets_* tests: files are made in tmp_path."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from stdnum.cn import ric


def make_id(body17: str) -> str:
    """A valid 18-character ID number from its first 17 digits."""
    return body17 + ric.calc_check_digit(body17 + "0")


def bad_checksum(number: str) -> str:
    """The same number with a wrong check digit."""
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


def write_xlsx(
    path: Path, header: Sequence[Any], rows: Sequence[Sequence[Any]], above: Sequence[Sequence[Any]] = ()
) -> Path:
    """An .xlsx with optional rows ``above`` the header (a title), then the header and rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    for row in above:
        sheet.append(list(row))
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[str]], encoding: str = "utf-8"
) -> Path:
    """A CSV as Excel/WPS save it: ``utf-8-sig`` (CSV UTF-8), ``gbk`` (plain CSV on Chinese Windows) …"""
    lines = [",".join(header)] + [",".join(row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def cli(*argv: object) -> int:
    """Run the command line in-process (parser and the central error handling, no log file)."""
    from xianghe_desk.cli import _run, build_parser

    return _run(build_parser().parse_args([str(a) for a in argv]))
