"""PyInstaller hook for phonenumbers, replacing pyinstaller-hooks-contrib's (which takes every module).

The desk only parses and validates numbers (domain/validators.py): the region metadata under
phonenumbers.data is loaded by name at run time and must be bundled, but the place names, carriers
and time zones (phonenumbers.geodata & co., 45 MB) are never imported.
"""

from PyInstaller.utils.hooks import collect_submodules

_UNUSED = ("geodata", "carrierdata", "tzdata", "geocoder", "carrier", "timezone")

hiddenimports = collect_submodules(
    "phonenumbers",
    filter=lambda name: (
        not any(name == f"phonenumbers.{u}" or name.startswith(f"phonenumbers.{u}.") for u in _UNUSED)
    ),
)
excludedimports = [f"phonenumbers.{u}" for u in _UNUSED]
