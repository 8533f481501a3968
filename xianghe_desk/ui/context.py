"""What every screen of the desk shares: the database, services for reads, the job runner, events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QMainWindow, QProgressDialog

from xianghe_desk.domain.access import Actor
from xianghe_desk.domain.models import Town, Village
from xianghe_desk.jobs.runner import Job, JobRunner
from xianghe_desk.services import encryption
from xianghe_desk.services.accounts import AccountService
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.conflicts import ConflictService
from xianghe_desk.services.exchange import ExchangeService
from xianghe_desk.services.lookups import LookupService
from xianghe_desk.services.overview import OverviewService
from xianghe_desk.services.people import MemberService, ResidentService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.settings import SettingsService
from xianghe_desk.services.stats import StatsService
from xianghe_desk.services.visits import VisitService
from xianghe_desk.services.workspace import Workspace, system_clock
from xianghe_desk.ui.events import DataEvents

if TYPE_CHECKING:
    # Imported where used: the import service pulls in openpyxl (and numpy), which the desk's
    # start does not need (issue #13).
    from xianghe_desk.services.imports import ImportService


class DeskContext(QObject):
    """Reads run on the UI thread through ``self.requests``, ``self.audit`` etc. (quick, indexed
    queries; the UI is given services, never the store). Every change is an operation run by
    ``ui.operations.run_op`` on the writer thread, which emits the DataEvents signals.
    """

    def __init__(
        self,
        db_path: Path,
        runner: JobRunner | None = None,
        clock: Callable[[], datetime] = system_clock,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.clock = clock
        self.events = DataEvents(self)
        self.runner = runner or JobRunner(self)
        self.runner.clock = clock
        self.runner.waiting.connect(self._on_runner_waiting)
        # An encrypted database (issue #10) cannot be read before someone signs in: the password
        # unwraps its key. Until then there is no ``ws`` and no services (sign_in opens them).
        self.encrypted = encryption.is_encrypted(self.db_path)
        if not self.encrypted:
            self._attach(Workspace.open(self.db_path, clock=clock))

    def _attach(self, ws: Workspace) -> None:
        self.ws = ws
        self.runner.actor = ws.actor
        self.runner.key = ws.key
        self.requests = RequestService(ws)
        self.residents = ResidentService(ws)
        self.members = MemberService(ws)
        self.places = PlaceService(ws)
        self.stats = StatsService(ws)
        self.accounts = AccountService(ws)

    # ---- more read services (built on use: the workspace may reopen its file after encryption)
    @property
    def lookups(self) -> LookupService:
        return LookupService(self.ws)

    @property
    def settings(self) -> SettingsService:
        return SettingsService(self.ws)

    @property
    def audit(self) -> AuditService:
        return AuditService(self.ws)

    @property
    def exchange(self) -> ExchangeService:
        return ExchangeService(self.ws)

    @property
    def conflicts(self) -> ConflictService:
        return ConflictService(self.ws)

    @property
    def overview(self) -> OverviewService:
        return OverviewService(self.ws)

    @property
    def imports(self) -> ImportService:
        from xianghe_desk.services.imports import ImportService

        return ImportService(self.ws)

    @property
    def visits(self) -> VisitService:
        return VisitService(self.ws)

    def home_town_id(self) -> int | None:
        """The town this database belongs to (None: county-wide)."""
        return self.ws.home_town_id()

    def title(self) -> str:
        """香河县淑阳镇 or 香河县: the window title and printouts."""
        return self.ws.title()

    def home_place(self) -> tuple[int | None, int | None]:
        """(town, village) the filters start on: the signed-in clerk's own village or town when
        they have only one, else this copy's town (a village clerk never starts on the county)."""
        who = self.who
        if len(who.village_ids) == 1:
            village = self.places.village(next(iter(who.village_ids)))
            if village is not None:
                return village.town_id, village.id
        if len(who.town_ids) == 1:
            return next(iter(who.town_ids)), None
        home = self.home_town_id()
        return (home if home is None or who.covers(home, None) or not who.limited else None), None

    def operator_changed(self, operator: str) -> None:
        """This copy's operator was renamed (设置 → 本机). Without accounts the operator is who
        acts, in the desk and its jobs from now on; a signed-in account stays the one acting."""
        if self.who.has_account:
            return
        self.ws.act_as(Actor.unrestricted(operator))
        self.runner.actor = operator

    def towns_in_scope(self) -> list[Town]:
        """The towns the signed-in clerk may see (all of them for the county's roles)."""
        return self.places.towns_in_scope(self.who)

    def villages_in_scope(self, town_id: int | None, include_virtual: bool = False) -> list[Village]:
        return self.places.villages_in_scope(self.who, town_id, include_virtual)

    @property
    def is_open(self) -> bool:
        return hasattr(self, "ws")

    def has_accounts(self) -> bool:
        """Whether someone must sign in (an encrypted database always has accounts)."""
        return not self.is_open or self.accounts.has_accounts()

    @property
    def who(self) -> Actor:
        """The one acting in this desk (after sign-in; the program itself without accounts)."""
        return self.ws.who if self.is_open else Actor.nobody()

    def sign_in(self, name: str, password: str) -> Actor:
        """Check the password; from now on the desk and its jobs act as this account.

        On an encrypted database the first sign-in unwraps the key and opens the database; on a
        plain one with accounts it encrypts the file (services/encryption.after_sign_in).

        Raises:
            SignInError: wrong name or password, locked or disabled account.
        """
        # Signing in may encrypt the file in place or open it with a key: no kept read
        # connection may hold the old file open meanwhile (jobs/runner.ReaderPool).
        self.runner.close_readers()
        if not self.is_open:
            key = encryption.unlock(self.db_path, name, password, self.clock())
            ws = Workspace.open(self.db_path, clock=self.clock, key=key)
            try:
                actor = AccountService(ws).sign_in(name, password)
            except BaseException:
                ws.close()
                raise
            self._attach(ws)
        else:
            actor = self.accounts.sign_in(name, password)
        self.runner.key = self.ws.key
        self.runner.who = actor
        self.runner.actor = actor.name
        return actor

    def recover(self, name: str, code: str, new_password: str) -> None:
        """Reset the administrator's forgotten password with the printed recovery code.

        On an encrypted database not yet open the code itself unwraps the key first.

        Raises:
            SignInError: the code is wrong or the account is not an administrator.
        """
        if self.is_open:
            self.accounts.recover(name, code, new_password)
            return
        key = encryption.unlock_with_recovery_code(self.db_path, code)
        with Workspace.open(self.db_path, clock=self.clock, key=key) as ws:
            AccountService(ws).recover(name, code, new_password)

    def now(self) -> datetime:
        return self.ws.now()

    def write(
        self,
        work: Callable[[Workspace, Job], Any],
        on_finished: Callable[[Any], None] | None = None,
        on_failed: Callable[[str, bool], None] | None = None,
        name: str = "",
    ) -> Job:
        """Run work on the writer thread; callbacks run on the UI thread afterwards.

        Only for what is not an ordinary operation (restoring a backup closes the database);
        every change of data goes through ``ui.operations.run_op``. The reader pool's kept
        connections are closed first: such work may replace the file's content."""
        self.runner.close_readers()
        return self._submit(self.runner.submit_write, work, on_finished, on_failed, name)

    def read(
        self,
        work: Callable[[Workspace, Job], Any],
        on_finished: Callable[[Any], None] | None = None,
        on_failed: Callable[[str, bool], None] | None = None,
        name: str = "",
    ) -> Job:
        """Run slow reading or CPU work (PDFs, parsing) on the reader pool."""
        return self._submit(self.runner.submit_read, work, on_finished, on_failed, name)

    def _submit(
        self,
        submit: Callable[[Job], Job],
        work: Callable[[Workspace, Job], Any],
        on_finished: Callable[[Any], None] | None,
        on_failed: Callable[[str, bool], None] | None,
        name: str,
    ) -> Job:
        job = Job(self.db_path, work, name)
        # Connect before starting: an inline runner (tests) finishes inside submit().
        if on_finished is not None:
            job.signals.finished.connect(on_finished)
        if on_failed is not None:
            job.signals.failed.connect(on_failed)
        return submit(job)

    def _on_runner_waiting(self, message: str) -> None:
        """「正在等待…」 while a save waits for another program's write (issue #10): in the open
        progress dialog if there is one, else in the main window's status bar."""
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QProgressDialog):
            if message:
                modal.setLabelText(message)
            return
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMainWindow) and widget.isVisible():
                if message:
                    widget.statusBar().showMessage(message)
                else:
                    widget.statusBar().clearMessage()

    def close(self) -> None:
        self.runner.wait_for_done()
        self.runner.close_readers()
        if self.is_open:
            self.ws.close()
