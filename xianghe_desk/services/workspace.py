"""The open database with its stores, this copy's identity and the clock: what services share."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from xianghe_desk.domain.access import Actor
from xianghe_desk.domain.models import DueRules
from xianghe_desk.services.setup import bootstrap, os_user
from xianghe_desk.store.accounts import AuditStore, UserStore
from xianghe_desk.store.config import Device, DeviceStore, LookupStore, SettingsStore
from xianghe_desk.store.db import Database, StoreBugError, open_db, translate_errors
from xianghe_desk.store.people import MemberStore, ResidentStore
from xianghe_desk.store.places import GridStore, TownStore, VillageStore
from xianghe_desk.store.requests import RequestStore
from xianghe_desk.store.stats import StatsStore

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
        self, db: Database, path: Path, clock: Clock = system_clock, actor: str = "", who: Actor | None = None
    ) -> None:
        self.db = db
        self.path = path
        self.clock = clock
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
        # Who is acting: a signed-in account, or (a database without accounts) the program itself.
        self.actor = (who.name if who else "") or actor or self.settings.get("operator") or os_user()
        # Without accounts everything is allowed (contract §1); with accounts nothing is until
        # someone signs in (AccountService.sign_in) or the caller names who acts.
        if who is None:
            who = Actor.nobody() if self.users.count() else Actor.unrestricted(self.actor)
        self.who: Actor = who

    @classmethod
    def open(
        cls, path: Path | str, clock: Clock = system_clock, actor: str = "", who: Actor | None = None
    ) -> Workspace:
        """Open (creating and migrating as needed) the database at ``path``."""
        path = Path(path)
        db = open_db(path)
        try:
            bootstrap(db, path)
            return cls(db, path, clock=clock, actor=actor, who=who)
        except BaseException:
            db.close()
            raise

    def close(self) -> None:
        self.db.close()

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
