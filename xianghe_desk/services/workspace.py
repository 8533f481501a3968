"""The open database with its stores, this copy's identity and the clock: what services share."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from xianghe_desk.domain import duetime
from xianghe_desk.domain.access import Actor
from xianghe_desk.domain.models import DueRules
from xianghe_desk.services.setup import bootstrap, os_user
from xianghe_desk.store.accounts import AuditStore, UserStore
from xianghe_desk.store.calendar import OfficialCalendarStore
from xianghe_desk.store.config import Device, DeviceStore, LookupStore, SettingsStore
from xianghe_desk.store.db import Database, StoreBugError, open_db, translate_errors
from xianghe_desk.store.keys import DatabaseKey
from xianghe_desk.store.people import MemberStore, ResidentStore
from xianghe_desk.store.places import GridStore, TownStore, VillageStore
from xianghe_desk.store.requests import RequestStore
from xianghe_desk.store.stats import StatsStore
from xianghe_desk.store.visits import PlanStore, VisitStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now().replace(microsecond=0)


class Workspace:
    """One open database for one thread. Services take a Workspace; the UI never sees the stores.

    Each thread opens its own Workspace on the same file (sqlite3 connections belong to their
    thread); WAL lets readers go on while the single writer thread writes.
    """

    def __init__(
        self,
        db: Database,
        path: Path,
        clock: Clock = system_clock,
        actor: str = "",
        who: Actor | None = None,
        key: DatabaseKey | None = None,
    ) -> None:
        self.path = path
        self.clock = clock
        # The database key of an encrypted database (issue #10); jobs open theirs with the same.
        self.key = key
        # Set by create_first_admin: the key and key file to encrypt with once the transaction
        # is over (services/encryption.py); applied at the next sign-in or on close.
        self.pending_encryption: object | None = None
        self._bind(db)
        self._acting(actor, who)

    def _acting(self, actor: str, who: Actor | None) -> None:
        # Who is acting: a signed-in account, or (a database without accounts) the program itself.
        self.actor = (who.name if who else "") or actor or self.settings.get("operator") or os_user()
        # Without accounts everything is allowed (contract §1); with accounts nothing is until
        # someone signs in (AccountService.sign_in) or the caller names who acts.
        if who is None:
            who = Actor.nobody() if self.users.count() else Actor.unrestricted(self.actor)
        self.who: Actor = who

    def reuse(self, clock: Clock, actor: str = "", who: Actor | None = None) -> None:
        """Serve another job on the same connection (the reader pool, jobs/runner.ReaderPool).

        The stores, this copy's identity and the entered holidays are read again (another
        connection may have changed them since); the clock and who acts are the new job's.
        """
        self.clock = clock
        self._bind(self.db)
        self._acting(actor, who)

    def _bind(self, db: Database) -> None:
        self.db = db
        path = self.path
        device = DeviceStore(db).self_device()
        if device is None:
            raise StoreBugError(f"{path}: no device row; open databases with Workspace.open (it bootstraps)")
        self.device: Device = device
        tag = device.tag
        self.towns = TownStore(db, tag)
        self.villages = VillageStore(db, tag)
        self.grids = GridStore(db, tag)
        self.members = MemberStore(db, tag)
        self.residents = ResidentStore(db, tag)
        self.requests = RequestStore(db, tag)
        self.lookups = LookupStore(db, tag)
        self.settings = SettingsStore(db, tag)
        self.devices = DeviceStore(db, tag)
        self.stats = StatsStore(db, tag)
        self.users = UserStore(db, tag)
        self.audit_log = AuditStore(db, tag)
        self.visits = VisitStore(db, tag)
        self.plans = PlanStore(db, tag)
        self.calendars = OfficialCalendarStore(db, tag)
        # The holidays an administrator entered for years the bundled calendar does not know
        # (issue #11): due times everywhere in this process follow them.
        self.use_entered_calendars()

    # Opened with ``read_only``: nothing is written, not even the audit trail (issue #10).
    read_only = False

    @classmethod
    def open(
        cls,
        path: Path | str,
        clock: Clock = system_clock,
        actor: str = "",
        who: Actor | None = None,
        key: DatabaseKey | None = None,
        *,
        read_only: bool = False,
        any_thread: bool = False,
    ) -> Workspace:
        """Open (creating and migrating as needed) the database at ``path``.

        ``key``: the database key of an encrypted database (services/encryption.unlock); without
        it an encrypted file raises EncryptedDatabaseError (a KnownStoreError).
        ``read_only``: an existing, current database on a write-protected medium, or for ``check``:
        no byte of the file changes (no migration, no start-up rows, no audit rows; issue #10).
        ``any_thread``: its connection may be closed from another thread (the reader pool's).
        """
        path = Path(path)
        db = open_db(path, key=key, read_only=read_only, any_thread=any_thread)
        try:
            if not read_only:
                bootstrap(db, path)
            ws = cls(db, path, clock=clock, actor=actor, who=who, key=key)
            ws.read_only = read_only
            return ws
        except BaseException:
            db.close()
            raise

    def reopen(self, key: DatabaseKey | None) -> None:
        """Open the same file again (it was just encrypted), keeping who acts and the clock."""
        db = open_db(self.path, key=key)
        try:
            self._bind(db)
        except BaseException:
            db.close()
            raise
        self.key = key

    def close(self) -> None:
        if self.key is not None and not self.read_only:
            # A password changed on this workspace: its old key slot goes now that it is committed.
            from xianghe_desk.services.encryption import prune_slots_quietly

            prune_slots_quietly(self)
        self.db.close()
        if self.pending_encryption is not None:
            # The first administrator was created on this workspace (command line): encrypt now.
            from xianghe_desk.services.encryption import apply_pending_on_close

            apply_pending_on_close(self)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction for one user action: all of it is written, or none of it."""
        with translate_errors(self.path), self.db.atomic():
            yield

    def now(self) -> datetime:
        return self.clock()

    def act_as(self, who: Actor) -> None:
        """From now on, ``who`` is acting on this workspace (after signing in)."""
        self.who = who
        self.actor = who.name

    def use_entered_calendars(self) -> None:
        duetime.use_entered_years(self.calendars.years())

    # ---- settings that travel with the data ----
    def due_rules(self) -> DueRules:
        raw = self.settings.get("due_rules") or {}
        return DueRules(
            urgent_hours=int(raw.get("urgent_hours", 2)),
            normal_hours=int(raw.get("normal_hours", 24)),
            agent_workdays=int(raw.get("agent_workdays", 3)),
        )

    def home_town_id(self) -> int | None:
        """The town this database belongs to (None: county-wide, e.g. the demo county)."""
        code = self.settings.get("town_code")
        if not code:
            return None
        town = self.towns.by_code(str(code))
        return town.id if town else None

    def title(self) -> str:
        """Where this database belongs, for the window title and printouts: 香河县淑阳镇 or 香河县."""
        county = self.settings.get("county_name", "香河县")
        town_id = self.home_town_id()
        if town_id is None:
            return str(county)
        town = self.towns.get(town_id)
        return f"{county}{town.name}" if town else str(county)
