"""The desk's fixtures from tests/ui (a conftest there is not seen here): settings file, demo copy, ctx."""

from __future__ import annotations

from tests.ui.conftest import ctx, demo_copy, desk_ini, reset_text_size

__all__ = ["ctx", "demo_copy", "desk_ini", "reset_text_size"]
