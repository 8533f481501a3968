"""Where resources, reference data and the user's database live, in a checkout, an installed wheel
and a frozen (PyInstaller) build alike."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

APP_NAME = "xianghe-desk"
APP_AUTHOR = "xianghe"


def resources_dir() -> Path:
    """The folder holding fonts/, data/, icons/.

    Three layouts are supported: a frozen build (PyInstaller puts ``resources/`` beside the
    executable's data under ``sys._MEIPASS``), an installed wheel (``resources/`` is packaged as
    ``xianghe_desk/resources``) and a source checkout (``resources/`` beside the package).
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "resources"
    if installed.is_dir():
        return installed
    return package_dir.parent / "resources"


def resource(*parts: str) -> Path:
    """A file under resources/, e.g. ``resource("fonts", "wqy-microhei.ttc")``."""
    return resources_dir().joinpath(*parts)


def font_path() -> Path:
    """The CJK TrueType font shipped with the app (screens and PDFs)."""
    return resource("fonts", "wqy-microhei.ttc")


def divisions_csv() -> Path:
    """The county's towns and villages with their 2023 statistical codes."""
    return resource("data", "xianghe_divisions.csv")


def data_dir() -> Path:
    """The per-user data folder (database, backups, logs)."""
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def default_db_path() -> Path:
    """The database used when ``--db`` is not given."""
    return data_dir() / "xianghe.db"


def demo_db_path() -> Path:
    """The database ``xianghe-desk --demo`` opens (created and filled on first use)."""
    return data_dir() / "demo.db"


def backups_dir(db_path: Path) -> Path:
    """Backups sit beside the database in ``<name>-backups/`` so they travel with it."""
    return db_path.parent / f"{db_path.stem}-backups"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))
