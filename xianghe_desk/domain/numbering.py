"""Work-order numbers (contract §4): unique across every copy of the app with no network.

A number reads ``TTT-DDDD-YYMM-NNNN``, e.g. ``100-K7M3-2611-0042``:

- ``TTT`` the last three digits of the town's statistical code (100 = 淑阳镇),
- ``DDDD`` the device tag of the copy that registered the request: four characters from an
  alphabet without look-alikes (no 0/O, 1/I/L), drawn at random when a copy is set up and
  checked for clashes when the township registers the copy,
- ``YYMM`` the month it was received, and ``NNNN`` a sequence per device and month that is
  never reused (it grows to five digits past 9999).

Digits and unambiguous capitals can be read aloud over the phone; the dashes are optional when
typing or scanning, and lower case or full-width characters are accepted.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

DEVICE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
DEVICE_TAG_LENGTH = 4

_NUMBER_RE = re.compile(r"^(\d{3})-?([2-9A-HJKMNP-Z]{4})-?(\d{2})(\d{2})-?(\d{4,6})$")


@dataclass(frozen=True)
class WorkOrderNumber:
    town_digits: str
    device_tag: str
    year: int  # two digits
    month: int
    sequence: int

    def __str__(self) -> str:
        return f"{self.town_digits}-{self.device_tag}-{self.year:02d}{self.month:02d}-{self.sequence:04d}"


def new_device_tag() -> str:
    return "".join(secrets.choice(DEVICE_ALPHABET) for _ in range(DEVICE_TAG_LENGTH))


def is_device_tag(text: str) -> bool:
    return len(text) == DEVICE_TAG_LENGTH and all(ch in DEVICE_ALPHABET for ch in text)


def format_number(town_code: str, device_tag: str, received_at: datetime, sequence: int) -> str:
    return str(
        WorkOrderNumber(town_code[-3:], device_tag, received_at.year % 100, received_at.month, sequence)
    )


def clean_input(text: str) -> str:
    """Fold what a person or scanner typed: full-width, lower case, spaces, odd dashes."""
    text = unicodedata.normalize("NFKC", text).strip().upper()
    # Any run of spaces and dashes is one separator: 「100 - K7M3 - 2611 - 0042」 is a number too.
    return re.sub(r"[\s_—–－‐‑−-]+", "-", text)


def parse_number(text: str) -> WorkOrderNumber | None:
    """The number in ``text`` in its canonical form, or None when it is not a work-order number."""
    match = _NUMBER_RE.match(clean_input(text).replace(" ", ""))
    if not match:
        return None
    town, tag, yy, mm, seq = match.groups()
    if not 1 <= int(mm) <= 12:
        return None
    return WorkOrderNumber(town, tag, int(yy), int(mm), int(seq))


def looks_like_number(text: str) -> bool:
    """Whether a search-box entry should be treated as a work-order number."""
    return parse_number(text) is not None
