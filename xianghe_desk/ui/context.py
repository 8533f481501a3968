"""What every screen of the desk shares: the database, services for reads, the job runner, events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from xianghe_desk.domain.access import Actor
from xianghe_desk.jobs.runner import Job, JobRunner
from xianghe_desk.services.accounts import AccountService
from xianghe_desk.services.people import MemberService, ResidentService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.stats import StatsService
from xianghe_desk.services.workspace import Workspace, system_clock
from xianghe_desk.ui.events import DataEvents


class DeskContext(QObject):
    """Reads run on the UI thread through ``self.requests`` etc. (quick, indexed queries);
    writes go through ``self.write(...)`` on the writer thread and end in a DataEvents signal.
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
        self.ws = Workspace.open(self.db_path, clock=clock)
        self.events = DataEvents(self)
        self.runner = runner or JobRunner(self)
        self.runner.clock = clock
        self.runner.actor = self.ws.actor
        self.requests = RequestService(self.ws)
        self.residents = ResidentService(self.ws)
        self.members = MemberService(self.ws)
        self.places = PlaceService(self.ws)
        self.stats = StatsService(self.ws)
        self.accounts = AccountService(self.ws)

    @property
    def who(self) -> Actor:
        """The one acting in this desk (after sign-in; the program itself without accounts)."""
        return self.ws.who

    def sign_in(self, name: str, password: str) -> Actor:
        """Check the password; from now on the desk and its jobs act as this account.

        Raises:
            SignInError: wrong name or password, locked or disabled account.
        """
        actor = self.accounts.sign_in(name, password)
        self.runner.who = actor
        self.runner.actor = actor.name
        return actor

    def now(self) -> datetime:
        return self.ws.now()

    def write(
        self,
        work: Callable[[Workspace, Job], Any],
        on_finished: Callable[[Any], None] | None = None,
        on_failed: Callable[[str, bool], None] | None = None,
        name: str = "",
    ) -> Job:
        """Run a write on the writer thread; callbacks run on the UI thread afterwards."""
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

    def close(self) -> None:
        self.runner.wait_for_done()
        self.ws.close()
