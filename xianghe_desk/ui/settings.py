"""Per-user desk preferences in a QSettings INI file, each key declared once with its type and default.

This follows Picard's ``TextOption``/``IntOption``: a module declares its options at import
time (``WINDOW_GEOMETRY = BytesOption("window/geometry")``) and reads them with
``desk_settings().get(WINDOW_GEOMETRY)``. A key declared twice is a bug and raises at import.
Settings that travel with the data (township name, due-time rules) live in the database instead.
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

T = TypeVar("T")

ORGANIZATION = "xianghe"
APPLICATION = "xianghe-desk"


class Option(ABC, Generic[T]):
    """One declared key. Subclasses convert what QSettings hands back (INI files return text)."""

    registry: ClassVar[dict[str, Option[Any]]] = {}

    def __init__(self, key: str, default: T) -> None:
        if key in Option.registry:
            raise ValueError(f"desk setting {key!r} is declared twice")
        Option.registry[key] = self
        self.key = key
        self.default = default

    @abstractmethod
    def from_stored(self, raw: Any) -> T:
        """The typed value from what QSettings returns (INI files give strings)."""

    def to_stored(self, value: T) -> Any:
        return value


class TextOption(Option[str]):
    def from_stored(self, raw: Any) -> str:
        return str(raw)


class IntOption(Option[int]):
    def __init__(
        self, key: str, default: int, minimum: int | None = None, maximum: int | None = None
    ) -> None:
        super().__init__(key, default)
        self.minimum = minimum
        self.maximum = maximum

    def from_stored(self, raw: Any) -> int:
        value = int(raw)
        if self.minimum is not None:
            value = max(self.minimum, value)
        if self.maximum is not None:
            value = min(self.maximum, value)
        return value


class BoolOption(Option[bool]):
    def from_stored(self, raw: Any) -> bool:
        if isinstance(raw, str):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        return bool(raw)

    def to_stored(self, value: bool) -> Any:
        return "true" if value else "false"


class BytesOption(Option[bytes]):
    """Window geometry, splitter and header states (QByteArray in Qt)."""

    def __init__(self, key: str, default: bytes = b"") -> None:
        super().__init__(key, default)

    def from_stored(self, raw: Any) -> bytes:
        if isinstance(raw, QByteArray):
            return bytes(raw.data())
        if isinstance(raw, bytes | bytearray):
            return bytes(raw)
        raise TypeError(type(raw).__name__)

    def to_stored(self, value: bytes) -> Any:
        return QByteArray(value)


class JsonOption(Option[Any]):
    """Small structured values (last filters, column widths), kept as JSON text."""

    def from_stored(self, raw: Any) -> Any:
        return json.loads(str(raw))

    def to_stored(self, value: Any) -> Any:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)


class DeskSettings:
    """Typed access to one INI file."""

    def __init__(self, path: Path | str | None = None) -> None:
        if path is None:
            self.qsettings = QSettings(
                QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
            )
        else:
            self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)

    def get(self, option: Option[T]) -> T:
        raw = self.qsettings.value(option.key)
        if raw is None:
            return option.default
        try:
            return option.from_stored(raw)
        except (TypeError, ValueError) as exc:
            # A hand-edited or damaged file must not stop the desk from starting.
            log.warning("ignoring desk setting %s=%r: %s", option.key, raw, exc)
            return option.default

    def set(self, option: Option[T], value: T) -> None:
        self.qsettings.setValue(option.key, option.to_stored(value))

    def reset(self, option: Option[Any]) -> None:
        self.qsettings.remove(option.key)

    def sync(self) -> None:
        self.qsettings.sync()


_current: DeskSettings | None = None


def desk_settings() -> DeskSettings:
    """The settings of this desk session (the user's INI file unless ``use_settings_file`` chose one)."""
    global _current
    if _current is None:
        _current = DeskSettings()
    return _current


def use_settings_file(path: Path | str | None) -> DeskSettings:
    """Point the desk at another INI file (tests, portable installs); None returns to the default."""
    global _current
    if _current is not None:
        _current.sync()
    _current = DeskSettings(path)
    return _current


# ---- options of the main window and the request screens (other screens declare their own)
WINDOW_GEOMETRY = BytesOption("window/geometry")
WINDOW_STATE = BytesOption("window/state")
LAST_PAGE = TextOption("window/last_page", "dashboard")
TEXT_PERCENT = IntOption("view/text_percent", 100, minimum=70, maximum=200)
REQUESTS_FILTER = JsonOption("requests/filter", {})
DETAIL_GEOMETRY = BytesOption("request_detail/geometry")
REGISTER_GEOMETRY = BytesOption("register_request/geometry")
# The folder a file was last opened from or saved to (ui/widgets/file_dialogs.py).
LAST_FOLDER = TextOption("files/last_folder", "")
