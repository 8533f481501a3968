"""Versioned schema migrations. Never edit a shipped migration: add a new one.

Each migration also sets ``PRAGMA user_version`` to its number, so a program can tell a
database written by a newer version (and refuse to touch it) even without reading tables.
"""

from __future__ import annotations

import sqlite_utils

from xianghe_desk.store import schema, schema_speed, schema_visits

MIGRATIONS = sqlite_utils.Migrations("xianghe")
SCHEMA_VERSION = 6
_NAMES: list[str] = []


def _register(number: int, name: str):  # type: ignore[no-untyped-def]
    def wrap(func):  # type: ignore[no-untyped-def]
        full = f"{number:04d}_{name}"

        def run(db: sqlite_utils.Database) -> None:
            func(db)
            db.execute(f"PRAGMA user_version = {int(number)}")

        run.__name__ = full
        MIGRATIONS(name=full)(run)
        _NAMES.append(full)
        return func

    return wrap


@_register(1, "initial")
def _initial(db: sqlite_utils.Database) -> None:
    for statement in schema.INITIAL:
        db.execute(statement)


@_register(2, "exchange")
def _exchange(db: sqlite_utils.Database) -> None:
    """Change log, conflicts and peers for exchange packages (services/exchange.py)."""
    for statement in schema.EXCHANGE + schema.EXCHANGE_BACKFILL_0002:
        db.execute(statement)


@_register(3, "search_indexes")
def _search_indexes(db: sqlite_utils.Database) -> None:
    """Digits-only phone search and ID-number prefixes through indexes (store/schema.py)."""
    for statement in schema.SEARCH_INDEXES:
        db.execute(statement)


@_register(4, "accounts_audit")
def _accounts_audit(db: sqlite_utils.Database) -> None:
    """Accounts, roles and the append-only audit trail (issue #9)."""
    for statement in schema.ACCOUNTS:
        db.execute(statement)


@_register(5, "visits")
def _visits(db: sqlite_utils.Database) -> None:
    """Care visits: residents' status, visit plans, the visit log, entered holidays (issue #11)."""
    for statement in schema_visits.VISITS:
        db.execute(statement)


@_register(6, "county_scale")
def _county_scale(db: sqlite_utils.Database) -> None:
    """Indexes and kept-up-to-date columns for a million requests (issue #13, store/schema_speed.py)."""
    for statement in schema_speed.statements():
        db.execute(statement)


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def pending(db: sqlite_utils.Database) -> list[str]:
    return [m.name for m in MIGRATIONS.pending(db)]


def unknown_migrations(db: sqlite_utils.Database) -> list[str]:
    """Applied migrations this program does not know: the database is newer than us."""
    return [m.name for m in MIGRATIONS.applied(db) if m.name not in _NAMES]


def has_data(db: sqlite_utils.Database) -> bool:
    return bool(db.table_names())


def apply(db: sqlite_utils.Database) -> None:
    MIGRATIONS.apply(db)
