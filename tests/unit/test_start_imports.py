"""What a start does not import (issue #13): sqlite-utils would import numpy (~125 ms at every
start of the desk and of each command) only to map numpy's number types, so the store keeps it out
while importing sqlite_utils; phonenumbers (~30 ms) waits for the first phone number checked."""

from __future__ import annotations

import importlib.util

from tests.helpers import run_fresh_python


def test_the_store_loads_sqlite_utils_without_numpy_and_numpy_still_imports_later() -> None:
    code = (
        "import sys\n"
        "import xianghe_desk.store.db\n"
        "import sqlite_utils.db\n"
        "assert 'numpy' not in sys.modules and 'pandas' not in sys.modules, 'numpy was imported'\n"
        "assert sqlite_utils.db.np is None\n"
        "assert 'numpy' not in sys.modules or sys.modules['numpy'] is not None\n"
    )
    if importlib.util.find_spec("numpy") is not None:
        code += "import numpy\nassert numpy.int64(3) + 1 == 4\n"
    run_fresh_python(code)


def test_phonenumbers_is_loaded_by_the_first_phone_number_checked() -> None:
    code = (
        "import sys\n"
        "from xianghe_desk.domain import validators\n"
        "assert 'phonenumbers' not in sys.modules\n"
        "assert validators.normalize_phone('138 1234 5678') == '13812345678'\n"
        "assert validators.normalize_phone('5123456') == '0316-5123456'\n"
        "assert 'phonenumbers' in sys.modules\n"
    )
    run_fresh_python(code)
