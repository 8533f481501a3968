"""The local store: sqlite-utils over one SQLite file. All SQL of the program lives here.

sqlite-utils imports numpy (and pandas) when they are installed, only to map numpy's number types
to column types; this program never hands it a numpy value. Importing numpy cost every start of the
desk and of each command ~125 ms (issue #13), so it is kept out while sqlite_utils is imported;
anything that imports numpy later (openpyxl does, for its own optional use) gets it as usual.
"""

import sys

_kept_out = [name for name in ("numpy", "pandas") if name not in sys.modules]
for _name in _kept_out:
    sys.modules[_name] = None  # type: ignore[assignment]  # an ImportError for sqlite_utils
try:
    import sqlite_utils  # noqa: F401  (imported once here, without numpy)
finally:
    for _name in _kept_out:
        if sys.modules.get(_name) is None:
            del sys.modules[_name]
